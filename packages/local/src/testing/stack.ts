import { createSign } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts, type StackPorts } from '../emulators';
import type { RuntimeExtension } from '../extensions';
import { type LocalStack, startLocalStack } from '../local-stack';
import { localPackageDir } from '../paths';
import { type LocalTokens, signInLocalUser } from '../sign-in';
import { type InvokeResult, type Log, silentLog } from '../types';

export interface Invocation {
  functionName: string;
  event: unknown;
  result: InvokeResult;
}

export interface TestStack {
  stack: LocalStack;
  invocations: Invocation[];
  stateDir: string;
  ports: StackPorts;
}

/** A local stack on free ports in a fresh state folder, quiet, recording every invocation. */
export async function startTestStack(options: {
  stackFile: string;
  stateDir?: string;
  ports?: Partial<StackPorts>;
  shardCount?: number;
  /** The length of a local lifecycle "day", in seconds (default: a real day). */
  lifecycleDaySeconds?: number;
  /** E.g. fault injection (@streamdrop/chaos). */
  extensions?: readonly RuntimeExtension[];
  /** The runtime's own lines (default: none). */
  log?: Log;
  /** The functions' log lines (their EMF lines go to the stack's metrics instead). */
  onFunctionLog?: (functionName: string, line: string) => void;
}): Promise<TestStack> {
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), 'streamdrop-state-'));
  const ports = { ...(await freePorts()), ...options.ports };
  const invocations: Invocation[] = [];
  const stack = await startLocalStack({
    stackFile: options.stackFile,
    stateDir,
    ports,
    shardCount: options.shardCount,
    lifecycleDaySeconds: options.lifecycleDaySeconds,
    extensions: options.extensions,
    log: options.log ?? silentLog,
    onFunctionLog: options.onFunctionLog,
    onInvoke: (functionName, event, result) => invocations.push({ functionName, event, result }),
  });
  return { stack, invocations, stateDir, ports };
}

/** Tokens of one of the stack's users. */
export const signIn = (stack: LocalStack, user: 'demo' | 'admin' = 'demo'): Promise<LocalTokens> =>
  signInLocalUser(stack.config, user);

/** Signs a token with cognito-local's own key (it ships in the package), for expired/forged-claim cases. */
export function signWithCognitoLocalKey(payload: Record<string, unknown>): string {
  const keyFile = join(
    localPackageDir(),
    'node_modules',
    'cognito-local',
    'lib',
    'keys',
    'cognitoLocal.private.json',
  );
  const { pem } = JSON.parse(readFileSync(keyFile, 'utf8')) as { pem: string };
  const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const head = `${b64({ alg: 'RS256', kid: 'CognitoLocal', typ: 'JWT' })}.${b64(payload)}`;
  const signature = createSign('RSA-SHA256').update(head).sign(pem).toString('base64url');
  return `${head}.${signature}`;
}

export function decodeJwt(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
}

/** Polls `check` until it returns a value or the deadline passes. */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `condition not met within ${timeoutMs} ms${lastError ? `: ${(lastError as Error).message}` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
