import { readFileSync } from 'node:fs';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { UserError } from '@streamdrop/cli-kit';
import { envReader, STACK_OUTPUTS, type StackOutputName, stackName } from '@streamdrop/config';
import { defaultStateDir, localKinesisClient, localS3Client, readLocalConfig } from '@streamdrop/local';
import type { RecoveryTarget } from './recovery/failures';

/** The stack a command talks to: the local one, or a deployed one through its outputs. */
export interface Target {
  apiUrl: string;
  region: string;
  clientId: string;
  cognito: CognitoIdentityProviderClient;
  s3: S3Client;
  dataBucket: string;
  failuresBucket: string;
  user(name: string | undefined): { username: string; password: string };
}

export interface TargetFlags {
  outputs?: string;
  'state-dir'?: string;
  username?: string;
  password?: string;
}

/** A deployed stack's outputs by name (STACK_OUTPUTS), whichever tool wrote the file. */
export type StackOutputs = Readonly<Record<string, unknown>>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const HOW_TO_MAKE =
  '`terraform output -json > FILE` in the stack folder, or `cdktf output <stack> --outputs-file FILE`';

/**
 * The outputs in a file of either format: `terraform output -json` (`{"<name>": {"value": …,
 * "type": …}}`) or `cdktf output --outputs-file` (`{"<stack>": {"<name>": …}}`, one entry per
 * stack). Of several stacks, the one of STREAMDROP_STAGE is taken (`streamdrop-<stage>`).
 */
export function parseOutputs(json: unknown, file: string, stage: string): StackOutputs {
  const how = HOW_TO_MAKE.replaceAll('FILE', file);
  if (!isRecord(json) || Object.keys(json).length === 0) {
    throw new UserError(`${file} holds no stack outputs. Make it with ${how}.`);
  }
  const entries = Object.values(json);
  if (entries.every((entry) => isRecord(entry) && 'value' in entry)) {
    return Object.fromEntries(
      Object.entries(json).map(([name, entry]) => [name, (entry as { value: unknown }).value]),
    );
  }
  if (!entries.every(isRecord)) {
    throw new UserError(
      `${file} is neither \`terraform output -json\` nor \`cdktf output --outputs-file\`. Make it with ${how}.`,
    );
  }
  const stacks = Object.keys(json);
  const wanted = stacks.length === 1 ? stacks[0] : stackName(stage);
  const outputs = wanted === undefined ? undefined : json[wanted];
  if (!isRecord(outputs)) {
    throw new UserError(
      `${file} holds the outputs of ${stacks.join(', ')}, not of ${wanted}: set STREAMDROP_STAGE to the stage you mean.`,
    );
  }
  return outputs;
}

function readOutputs(file: string): StackOutputs {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UserError(
      `Cannot read ${file} as JSON (${(error as Error).message}). Create it with ${HOW_TO_MAKE.replaceAll('FILE', file)}.`,
    );
  }
  return parseOutputs(json, file, envReader(process.env).optional('STREAMDROP_STAGE') ?? 'dev');
}

function outputValue(outputs: StackOutputs, key: StackOutputName, file: string): string {
  const v = outputs[key];
  if (typeof v !== 'string' || v === '')
    throw new UserError(
      `${file} has no output "${key}": is it \`terraform output -json\` or \`cdktf output --outputs-file\` of a streamdrop stack?`,
    );
  return v;
}

/**
 * S3 against an emulator (AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL, which every SDK client reads):
 * path-style URLs, which emulators serve whatever their host name.
 */
function deployedS3(region: string): S3Client {
  const env = envReader(process.env);
  const emulated = Boolean(env.optional('AWS_ENDPOINT_URL_S3') ?? env.optional('AWS_ENDPOINT_URL'));
  return new S3Client({ region, ...(emulated ? { forcePathStyle: true } : {}) });
}

export function targetFrom(values: TargetFlags): Target {
  if (values.outputs) {
    const file = values.outputs;
    const outputs = readOutputs(file);
    const region = outputValue(outputs, STACK_OUTPUTS.region, file);
    return {
      apiUrl: outputValue(outputs, STACK_OUTPUTS.apiUrl, file).replace(/\/$/, ''),
      region,
      clientId: outputValue(outputs, STACK_OUTPUTS.userPoolClientId, file),
      cognito: new CognitoIdentityProviderClient({ region }),
      s3: deployedS3(region),
      dataBucket: outputValue(outputs, STACK_OUTPUTS.dataBucket, file),
      failuresBucket: outputValue(outputs, STACK_OUTPUTS.failuresBucket, file),
      user: () => {
        const env = envReader(process.env);
        const username = values.username ?? env.optional('STREAMDROP_USERNAME');
        const password = values.password ?? env.optional('STREAMDROP_PASSWORD');
        if (!username || !password) {
          throw new UserError(
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
        throw new UserError(`--user must be demo or admin, got "${role}".`);
      return local.users[role];
    },
  };
}

/**
 * The failures bucket and the stream, for failures/redrive/replay. A deployed stack needs only
 * its `region`, `failures_bucket` and `stream_name` outputs; clients use the default credential
 * chain (and honour AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL_KINESIS like every SDK client).
 */
export function recoveryTargetFrom(values: TargetFlags): RecoveryTarget {
  if (values.outputs) {
    const file = values.outputs;
    const outputs = readOutputs(file);
    const region = outputValue(outputs, STACK_OUTPUTS.region, file);
    return {
      s3: deployedS3(region),
      // HTTP/1.1 with keep-alive: the SDK's HTTP/2 default for Kinesis opens a session per request
      // and costs about twice the CPU per call.
      kinesis: new KinesisClient({
        region,
        maxAttempts: 5,
        requestHandler: new NodeHttpHandler({
          httpAgent: new HttpAgent({ keepAlive: true }),
          httpsAgent: new HttpsAgent({ keepAlive: true }),
        }),
      }),
      failuresBucket: outputValue(outputs, STACK_OUTPUTS.failuresBucket, file),
      streamName: outputValue(outputs, STACK_OUTPUTS.streamName, file),
    };
  }
  const local = readLocalConfig(values['state-dir'] ?? defaultStateDir());
  return {
    s3: localS3Client(local.s3.endpoint, local.region),
    kinesis: localKinesisClient(local.kinesis.endpoint, local.region),
    failuresBucket: local.s3.buckets.failures ?? '',
    streamName: local.kinesis.streamName,
  };
}
