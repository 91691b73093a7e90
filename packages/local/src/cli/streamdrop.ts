import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { LocalError } from '../errors';
import {
  describeFailure,
  listFailureIds,
  type RecoveryTarget,
  readFailure,
  resolveFailureId,
} from '../recovery/failures';
import { type RedriveOutcome, redrive } from '../recovery/redrive';
import { replay } from '../recovery/replay';
import { recoveryTargetFrom, type Target, targetFrom } from './targets';

const HELP = `Usage: pnpm streamdrop <command> [options]

Commands:
  token [--user demo|admin] [--id|--access]   print a JWT for a user (default: demo, ID token)
  upload <file>                               upload a file (text as utf8, anything else as base64)
  upload --name NAME --content TEXT           upload TEXT as NAME
       [--user demo|admin] [--access] [--wait]   --wait prints the processed object when it is ready
  get <key>                                   print an object of the data bucket (e.g. processed/...)
  failures list                               list the failures (processor failure records and
                                              on-failure destination records) with their reason
  failures show <id>                          print one failure, its records decoded (<id>: the key
                                              from \`failures list\`, or a unique part of it)
  failures redrive <id>... | --all [--force]  put the failed records back on the stream (original
                                              data and partition key), then delete each failure;
                                              records that are not upload events are refused
                                              unless --force
  replay --from ISO [--to ISO]                re-publish every upload event the stream holds from
                                              that window (AT_TIMESTAMP, every shard); the processor
                                              skips what is already processed
       [--json]                               failures redrive / replay: print the counts as JSON

Target:
  the running local stack (found through .streamdrop/local.json; start it with \`npm start\`), or
  --outputs FILE   a deployed stack: FILE is \`terraform output -json\` of it; credentials for
                   token/upload come from --username/--password or STREAMDROP_USERNAME/STREAMDROP_PASSWORD,
                   S3 and Kinesis access (failures, replay) from your usual AWS credentials.
  --state-dir DIR  where the local stack keeps local.json (default .streamdrop)
  -h, --help       show this help
`;

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

async function failuresList(target: RecoveryTarget): Promise<void> {
  const ids = await listFailureIds(target);
  for (const { id, lastModified } of ids) {
    let detail: string;
    try {
      const failure = await readFailure(target, id);
      const uploads = failure.records.flatMap((r) => (r.event ? [r.event.uploadId] : []));
      detail = `${failure.reason}${uploads.length > 0 ? `  (upload ${uploads.join(', ')})` : ''}`;
    } catch (error) {
      detail = `(unreadable: ${(error as Error).message})`;
    }
    process.stdout.write(`${lastModified?.toISOString() ?? ''}  ${id}  ${detail}\n`);
  }
  process.stderr.write(
    `streamdrop ▸ ${ids.length} failure record${ids.length === 1 ? '' : 's'} in ${target.failuresBucket}\n`,
  );
}

async function failuresShow(target: RecoveryTarget, wanted: string | undefined): Promise<void> {
  if (!wanted) throw new LocalError('Usage: pnpm streamdrop failures show <id> (an id from `failures list`)');
  const id = resolveFailureId(
    (await listFailureIds(target)).map((f) => f.id),
    wanted,
  );
  process.stdout.write(`${JSON.stringify(describeFailure(await readFailure(target, id)), null, 2)}\n`);
}

async function failuresRedrive(
  target: RecoveryTarget,
  wanted: string[],
  flags: { all: boolean; force: boolean; json: boolean },
): Promise<void> {
  if (flags.all === wanted.length > 0)
    throw new LocalError('Usage: pnpm streamdrop failures redrive <id>... | --all  [--force]');
  const all = (await listFailureIds(target)).map((f) => f.id);
  const ids = flags.all ? all : wanted.map((w) => resolveFailureId(all, w));
  const print = (o: RedriveOutcome) => {
    if (flags.json) return;
    const where = o.published
      .map(
        (p) => `${p.shardId ?? '?'}/${p.sequenceNumber ?? '?'}${p.uploadId ? ` (upload ${p.uploadId})` : ''}`,
      )
      .join(', ');
    process.stdout.write(
      o.status === 'redriven'
        ? `redriven  ${o.id}  -> ${where}\n`
        : `${o.status.padEnd(8)}  ${o.id}  ${o.reason ?? ''}\n`,
    );
  };
  const outcomes = await redrive(target, ids, { force: flags.force, onOutcome: print });
  const count = (status: RedriveOutcome['status']) => outcomes.filter((o) => o.status === status).length;
  const summary = {
    redriven: count('redriven'),
    refused: count('refused'),
    errors: count('error'),
    records: outcomes.reduce((n, o) => n + (o.status === 'redriven' ? o.published.length : 0), 0),
  };
  if (flags.json) process.stdout.write(`${JSON.stringify({ ...summary, outcomes }, null, 2)}\n`);
  process.stderr.write(
    `streamdrop ▸ redrive: ${summary.redriven} failure(s) back on ${target.streamName} (${summary.records} record(s)), ${summary.refused} refused, ${summary.errors} error(s)\n`,
  );
  if (summary.errors > 0 || (!flags.all && summary.refused > 0)) process.exitCode = 1;
}

function isoTime(flag: string, raw: string | undefined): Date | undefined {
  if (raw === undefined) return undefined;
  const date = new Date(raw);
  if (!/^\d{4}-\d{2}-\d{2}/.test(raw) || Number.isNaN(date.getTime()))
    throw new LocalError(`${flag} must be an ISO time such as 2026-11-21T10:00:00Z, got "${raw}".`);
  return date;
}

async function replayCommand(
  targetOf: () => RecoveryTarget,
  flags: { from?: string; to?: string; json: boolean; local: boolean },
): Promise<void> {
  const from = isoTime('--from', flags.from);
  if (!from) throw new LocalError('Usage: pnpm streamdrop replay --from <ISO time> [--to <ISO time>]');
  const to = isoTime('--to', flags.to);
  const target = targetOf();
  const counts = await replay(target, {
    from,
    to,
    // kinesalite never answers AT_TIMESTAMP when no record is that new; Kinesis always does.
    ...(flags.local && { atTimestampTimeoutMs: 2_000 }),
    log: (line) => process.stderr.write(`streamdrop ▸ ${line}\n`),
  });
  process.stdout.write(
    flags.json
      ? `${JSON.stringify(counts, null, 2)}\n`
      : `replayed ${counts.from} .. ${counts.to} on ${target.streamName}: ${counts.inWindow} record(s) in the window on ${counts.shards} shard(s), ` +
          `${counts.republished} upload event(s) re-published, ${counts.notUploadEvents} other record(s) left alone\n`,
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
      all: { type: 'boolean' },
      force: { type: 'boolean' },
      from: { type: 'string' },
      to: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(HELP);
    if (!command && !values.help) process.exitCode = 2;
    return;
  }
  if (!['token', 'upload', 'get', 'failures', 'replay'].includes(command)) {
    throw new LocalError(`Unknown command "${command}". See \`pnpm streamdrop --help\`.`);
  }
  if (command === 'failures') {
    const [sub, ...args] = rest;
    if (sub !== 'list' && sub !== 'show' && sub !== 'redrive')
      throw new LocalError(
        'Usage: pnpm streamdrop failures list | show <id> | redrive <id>... | redrive --all',
      );
    const recovery = recoveryTargetFrom(values);
    if (sub === 'list') return failuresList(recovery);
    if (sub === 'show') return failuresShow(recovery, args[0]);
    return failuresRedrive(recovery, args, {
      all: values.all === true,
      force: values.force === true,
      json: values.json === true,
    });
  }
  if (command === 'replay') {
    return replayCommand(() => recoveryTargetFrom(values), {
      from: values.from,
      to: values.to,
      json: values.json === true,
      local: values.outputs === undefined,
    });
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
