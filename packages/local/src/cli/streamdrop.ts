import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import {
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { localS3Client } from '../clients';
import { LocalError } from '../errors';
import { readLocalConfig } from '../local-config';
import { defaultStateDir } from '../paths';

const HELP = `Usage: pnpm streamdrop <command> [options]

Commands:
  token [--user demo|admin] [--id|--access]   print a JWT for a user (default: demo, ID token)
  upload <file>                               upload a file (text as utf8, anything else as base64)
  upload --name NAME --content TEXT           upload TEXT as NAME
       [--user demo|admin] [--access] [--wait]   --wait prints the processed object when it is ready
  get <key>                                   print an object of the data bucket (e.g. processed/...)
  failures list                               list the failure records in the failures bucket

Target:
  the running local stack (found through .streamdrop/local.json; start it with \`npm start\`), or
  --outputs FILE   a deployed stack: FILE is \`terraform output -json\` of it; credentials for
                   token/upload come from --username/--password or STREAMDROP_USERNAME/STREAMDROP_PASSWORD,
                   S3 access from your usual AWS credentials.
  --state-dir DIR  where the local stack keeps local.json (default .streamdrop)
  -h, --help       show this help
`;

interface Target {
  apiUrl: string;
  region: string;
  clientId: string;
  cognito: CognitoIdentityProviderClient;
  s3: S3Client;
  dataBucket: string;
  failuresBucket: string;
  user(name: string | undefined): { username: string; password: string };
}

function outputValue(outputs: Record<string, { value?: unknown }>, key: string, file: string): string {
  const v = outputs[key]?.value;
  if (typeof v !== 'string' || v === '')
    throw new LocalError(
      `${file} has no output "${key}": is it \`terraform output -json\` of a streamdrop stack?`,
    );
  return v;
}

function targetFrom(values: {
  outputs?: string;
  'state-dir'?: string;
  username?: string;
  password?: string;
}): Target {
  if (values.outputs) {
    const file = values.outputs;
    let outputs: Record<string, { value?: unknown }>;
    try {
      outputs = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new LocalError(
        `Cannot read ${file} as JSON (${(error as Error).message}). Create it with \`terraform output -json > ${file}\`.`,
      );
    }
    const region = outputValue(outputs, 'region', file);
    return {
      apiUrl: outputValue(outputs, 'api_url', file).replace(/\/$/, ''),
      region,
      clientId: outputValue(outputs, 'user_pool_client_id', file),
      cognito: new CognitoIdentityProviderClient({ region }),
      s3: new S3Client({ region }),
      dataBucket: outputValue(outputs, 'data_bucket', file),
      failuresBucket: outputValue(outputs, 'failures_bucket', file),
      user: () => {
        const username = values.username ?? process.env.STREAMDROP_USERNAME;
        const password = values.password ?? process.env.STREAMDROP_PASSWORD;
        if (!username || !password) {
          throw new LocalError(
            'A deployed stack needs --username and --password (or STREAMDROP_USERNAME / STREAMDROP_PASSWORD).',
          );
        }
        return { username, password };
      },
    };
  }
  const local = readLocalConfig(values['state-dir'] ?? defaultStateDir());
  return {
    apiUrl: local.apiUrl,
    region: local.region,
    clientId: local.cognito.clientId,
    cognito: new CognitoIdentityProviderClient({
      region: local.region,
      endpoint: local.cognito.endpoint,
      credentials: { accessKeyId: local.s3.accessKeyId, secretAccessKey: local.s3.secretAccessKey },
    }),
    s3: localS3Client(local.s3.endpoint, local.region),
    dataBucket: local.s3.buckets.data ?? local.s3.buckets.uploads ?? '',
    failuresBucket: local.s3.buckets.failures ?? '',
    user: (name) => {
      const role = name ?? 'demo';
      if (role !== 'demo' && role !== 'admin')
        throw new LocalError(`--user must be demo or admin, got "${role}".`);
      return local.users[role];
    },
  };
}

async function token(target: Target, user: string | undefined, access: boolean): Promise<string> {
  const { username, password } = target.user(user);
  try {
    const result = await target.cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: target.clientId,
        AuthParameters: { USERNAME: username, PASSWORD: password },
      }),
    );
    const t = access ? result.AuthenticationResult?.AccessToken : result.AuthenticationResult?.IdToken;
    if (!t)
      throw new LocalError(
        `Cognito answered without a token (challenge: ${result.ChallengeName ?? 'none'}).`,
      );
    return t;
  } catch (error) {
    if (error instanceof LocalError) throw error;
    throw new LocalError(`Sign-in as ${username} failed: ${(error as Error).message}`);
  }
}

async function readObject(s3: S3Client, bucket: string, key: string): Promise<Buffer> {
  const result = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from((await result.Body?.transformToByteArray()) ?? []);
}

function looksLikeText(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return !bytes.includes(0);
  } catch {
    return false;
  }
}

async function upload(
  target: Target,
  args: { file?: string; name?: string; content?: string; user?: string; access: boolean; wait: boolean },
): Promise<void> {
  let body: { filename: string; content: string; encoding?: 'base64' };
  if (args.file) {
    const bytes = readFileSync(args.file);
    body = looksLikeText(bytes)
      ? { filename: args.name ?? basename(args.file), content: bytes.toString('utf8') }
      : { filename: args.name ?? basename(args.file), content: bytes.toString('base64'), encoding: 'base64' };
  } else if (args.name !== undefined && args.content !== undefined) {
    body = { filename: args.name, content: args.content };
  } else {
    throw new LocalError('upload needs a file, or --name and --content. See `pnpm streamdrop --help`.');
  }
  const jwt = await token(target, args.user, args.access);
  const response = await fetch(`${target.apiUrl}/uploads`, {
    method: 'POST',
    headers: { authorization: `Bearer ${jwt}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  process.stdout.write(`${text}\n`);
  if (!response.ok) throw new LocalError(`The API answered ${response.status}.`);
  if (!args.wait) return;
  const { file_key: key } = JSON.parse(text) as { file_key: string };
  const processed = key.replace(/^uploads\//, 'processed/');
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const bytes = await readObject(target.s3, target.dataBucket, processed);
      process.stderr.write(`streamdrop ▸ ${processed}:\n`);
      process.stdout.write(`${looksLikeText(bytes) ? bytes.toString('utf8') : `<${bytes.length} bytes>`}\n`);
      return;
    } catch (error) {
      if ((error as { name?: string }).name !== 'NoSuchKey' || Date.now() > deadline) {
        throw new LocalError(
          `${processed} did not appear within 30 s. Check the failures: \`pnpm streamdrop failures list\`.`,
        );
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

async function failuresList(target: Target): Promise<void> {
  let token: string | undefined;
  let count = 0;
  do {
    const page = await target.s3.send(
      new ListObjectsV2Command({ Bucket: target.failuresBucket, ContinuationToken: token }),
    );
    for (const object of page.Contents ?? []) {
      count++;
      let reason = '';
      try {
        const record = JSON.parse(
          (await readObject(target.s3, target.failuresBucket, object.Key ?? '')).toString('utf8'),
        );
        reason = record.reason ?? record.requestContext?.condition ?? '';
      } catch {
        reason = '(unreadable)';
      }
      process.stdout.write(`${object.LastModified?.toISOString() ?? ''}  ${object.Key}  ${reason}\n`);
    }
    token = page.NextContinuationToken;
  } while (token);
  process.stderr.write(
    `streamdrop ▸ ${count} failure record${count === 1 ? '' : 's'} in ${target.failuresBucket}\n`,
  );
}

// The SDK warns that its releases after January 2027 need Node 22; the versions pinned here
// run on Node 20, and the notice would otherwise open every command's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      user: { type: 'string' },
      id: { type: 'boolean' },
      access: { type: 'boolean' },
      name: { type: 'string' },
      content: { type: 'string' },
      wait: { type: 'boolean' },
      outputs: { type: 'string' },
      'state-dir': { type: 'string' },
      username: { type: 'string' },
      password: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(HELP);
    if (!command && !values.help) process.exitCode = 2;
    return;
  }
  if (!['token', 'upload', 'get', 'failures'].includes(command)) {
    throw new LocalError(`Unknown command "${command}". See \`pnpm streamdrop --help\`.`);
  }
  const target = targetFrom(values);
  switch (command) {
    case 'token':
      process.stdout.write(`${await token(target, values.user, values.access === true)}\n`);
      return;
    case 'upload':
      return upload(target, {
        file: rest[0],
        name: values.name,
        content: values.content,
        user: values.user,
        access: values.access === true,
        wait: values.wait === true,
      });
    case 'get': {
      if (!rest[0])
        throw new LocalError('get needs a key, e.g. `pnpm streamdrop get processed/<sub>/<id>/demo.txt`.');
      try {
        process.stdout.write(await readObject(target.s3, target.dataBucket, rest[0]));
      } catch (error) {
        if ((error as { name?: string }).name === 'NoSuchKey')
          throw new LocalError(`No object ${rest[0]} in ${target.dataBucket}.`);
        throw error;
      }
      return;
    }
    case 'failures':
      if (rest[0] !== 'list') throw new LocalError('Usage: pnpm streamdrop failures list');
      return failuresList(target);
    default:
      throw new LocalError(`Unknown command "${command}". See \`pnpm streamdrop --help\`.`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  const known =
    error instanceof LocalError ||
    (error instanceof Error &&
      'code' in error &&
      String((error as { code: unknown }).code).startsWith('ERR_PARSE_ARGS'));
  process.stderr.write(
    `streamdrop ▸ error: ${known ? message : `${message} (${(error as Error).name ?? 'Error'})`}\n`,
  );
  process.exit(1);
});
