import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { UserError } from '@streamdrop/cli-kit';
import { FAKE_CREDENTIALS } from './offline';

/** moto's stand-alone server (`pip install 'moto[server]'`): a local AWS API emulator. */
export const MOTO_SERVER = 'moto_server';

/** The full path of an executable found on PATH, or undefined. */
export function findExecutable(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

export interface MotoServer {
  /** e.g. http://127.0.0.1:40123 */
  readonly url: string;
  readonly pid: number | undefined;
  /** Stops the server (SIGTERM, then SIGKILL after a grace period); safe to call twice. */
  stop(): Promise<void>;
}

export interface StartMotoOptions {
  /** Path of moto_server; default: found on PATH. */
  readonly bin?: string;
  readonly port?: number;
  /** How long to wait for it to answer; default 30 s. */
  readonly timeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
}

/** Why moto_server is needed and how to get it: the one message for its absence. */
export function motoMissingMessage(what: string): string {
  return (
    `${what} needs ${MOTO_SERVER} on PATH (moto's local AWS API server; install it with ` +
    `\`pip install 'moto[server]'\` or \`pipx install 'moto[server]'\`), or --endpoint-url of a moto server already running.`
  );
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/**
 * Starts `moto_server -H 127.0.0.1 -p <port>` (a free port unless given) and resolves once it
 * answers HTTP. Its output is kept for the error message if it dies or never answers.
 */
export async function startMoto(options: StartMotoOptions = {}): Promise<MotoServer> {
  const bin = options.bin ?? findExecutable(MOTO_SERVER, options.env);
  if (!bin) throw new UserError(motoMissingMessage('this'));
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(bin, ['-H', '127.0.0.1', '-p', String(port)], {
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let spawnError: Error | undefined;
  child.on('error', (error) => {
    spawnError = error;
  });
  // Never leave the server behind when this process exits without stopping it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    if (!(await waitForExit(child, 5000))) {
      child.kill('SIGKILL');
      await waitForExit(child, 5000);
    }
  };

  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (spawnError || child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new UserError(
        `${MOTO_SERVER} stopped before it answered on ${url}${spawnError ? ` (${spawnError.message})` : ''}:\n${output.trim()}`,
      );
    }
    try {
      const response = await fetch(`${url}/moto-api/`, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      return { url, pid: child.pid, stop };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new UserError(`${MOTO_SERVER} did not answer on ${url} in time:\n${output.trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

/**
 * A request header moto routes by (it reads the service from the credential scope and does not
 * check signatures unless told to). Only for emulators: a real endpoint would refuse it.
 */
function emulatorAuthorization(service: string, region: string): string {
  return `AWS4-HMAC-SHA256 Credential=${FAKE_CREDENTIALS.accessKeyId}/20260101/${region}/${service}/aws4_request, SignedHeaders=host, Signature=0`;
}

async function emulatorRequest(
  endpoint: string,
  region: string,
  service: string,
  request: { path?: string; method?: string; target?: string; form?: string; json?: unknown },
): Promise<string> {
  const headers: Record<string, string> = { authorization: emulatorAuthorization(service, region) };
  let body: string | undefined;
  if (request.target) {
    headers['content-type'] = 'application/x-amz-json-1.1';
    headers['x-amz-target'] = request.target;
    body = JSON.stringify(request.json ?? {});
  } else if (request.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = request.form;
  }
  const response = await fetch(`${endpoint}${request.path ?? '/'}`, {
    method: request.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    ...(body === undefined ? {} : { body }),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(
      `${service} ${request.target ?? request.path}: HTTP ${response.status} ${text.slice(0, 200)}`,
    );
  }
  return text;
}

function jsonField(text: string, field: string): unknown[] {
  const value: unknown = JSON.parse(text);
  if (value && typeof value === 'object' && field in value) {
    const list = (value as Record<string, unknown>)[field];
    if (Array.isArray(list)) return list;
  }
  return [];
}

function named(items: unknown[], key: string): string[] {
  return items
    .map((item) => (item && typeof item === 'object' ? (item as Record<string, unknown>)[key] : item))
    .filter((name): name is string => typeof name === 'string');
}

function xmlValues(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, 'g'))].map((m) => m[1] ?? '');
}

/** What an emulator holds, by kind, as names (ids for HTTP APIs and user pools). */
export interface EmulatorInventory {
  readonly buckets: readonly string[];
  readonly streams: readonly string[];
  readonly userPools: readonly string[];
  readonly userPoolIds: readonly string[];
  readonly functions: readonly string[];
  readonly httpApis: readonly string[];
  readonly httpApiIds: readonly string[];
  readonly logGroups: readonly string[];
  readonly roles: readonly string[];
}

/** Lists, through the AWS APIs moto serves, every kind of resource the stack creates. */
export async function emulatorInventory(endpoint: string, region: string): Promise<EmulatorInventory> {
  const call = (service: string, request: Parameters<typeof emulatorRequest>[3]) =>
    emulatorRequest(endpoint, region, service, request);
  const [buckets, streams, pools, functions, apis, logGroups, roles] = await Promise.all([
    call('s3', { path: '/' }),
    call('kinesis', { target: 'Kinesis_20131202.ListStreams', json: {} }),
    call('cognito-idp', {
      target: 'AWSCognitoIdentityProviderService.ListUserPools',
      json: { MaxResults: 60 },
    }),
    call('lambda', { path: '/2015-03-31/functions/' }),
    call('apigateway', { path: '/v2/apis' }),
    call('logs', { target: 'Logs_20140328.DescribeLogGroups', json: {} }),
    call('iam', { form: 'Action=ListRoles&Version=2010-05-08' }),
  ]);
  const poolList = jsonField(pools, 'UserPools');
  const apiList = jsonField(apis, 'items');
  return {
    buckets: xmlValues(buckets, 'Name'),
    streams: jsonField(streams, 'StreamNames').filter((s): s is string => typeof s === 'string'),
    userPools: named(poolList, 'Name'),
    userPoolIds: named(poolList, 'Id'),
    functions: named(jsonField(functions, 'Functions'), 'FunctionName'),
    httpApis: named(apiList, 'name'),
    httpApiIds: named(apiList, 'apiId'),
    logGroups: named(jsonField(logGroups, 'logGroups'), 'logGroupName'),
    roles: xmlValues(roles, 'RoleName'),
  };
}

/** The inventory's names that contain `fragment` (e.g. `streamdrop-rehearsal`), by kind; empty kinds dropped. */
export function leftovers(inventory: EmulatorInventory, fragment: string): Record<string, string[]> {
  const kinds = ['buckets', 'streams', 'userPools', 'functions', 'httpApis', 'logGroups', 'roles'] as const;
  const result: Record<string, string[]> = {};
  for (const kind of kinds) {
    const found = inventory[kind].filter((name) => name.includes(fragment));
    if (found.length > 0) result[kind] = found;
  }
  return result;
}
