/**
 * The function runner on tiny bundles (no emulators): the pool's limits, an execution
 * environment's timeout and death, and the invocation seam that extensions build on.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { createFunctionRunner, type FunctionRunner } from '../../src/functions/runner';
import { type FunctionModel, type InvocationObserver, type InvokeResult, silentLog } from '../../src/types';

jest.setTimeout(30_000);

// Each environment draws its own id when the bundle loads; `sleep` holds the invocation.
const HANDLER = `
const environment = Math.random().toString(36).slice(2);
export const handler = async (event, context) => {
  if (event.sleep) await new Promise((r) => setTimeout(r, event.sleep));
  if (event.fail) throw Object.assign(new Error(event.fail), { name: 'BadInput' });
  return { environment, echo: event.echo, fn: context.functionName, bucket: process.env.SOME_BUCKET };
};`;

function bundle(source: string | undefined): string {
  const dir = mkdtempSync(join(tmpdir(), 'streamdrop-runner-'));
  const file = join(dir, 'archive.zip');
  writeFileSync(
    file,
    zipSync(source === undefined ? { 'other.mjs': strToU8('') } : { 'index.mjs': strToU8(source) }),
  );
  return file;
}

const model = (name: string, archivePath: string, timeoutSeconds = 5): FunctionModel => ({
  address: `aws_lambda_function.${name}`,
  name,
  handler: 'index.handler',
  timeoutSeconds,
  memoryMb: 128,
  archivePath,
  environment: { SOME_BUCKET: `bucket-of-${name}` },
});

let runner: FunctionRunner;
const results: Array<{ functionName: string; result: InvokeResult }> = [];

beforeAll(() => {
  const archive = bundle(HANDLER);
  runner = createFunctionRunner({
    functions: [
      model('fn', archive),
      model('quick-timeout', archive, 0.3),
      model('broken', bundle(undefined)),
    ],
    cacheDir: mkdtempSync(join(tmpdir(), 'streamdrop-runner-cache-')),
    baseEnv: {},
    region: 'eu-west-1',
    accountId: '000000000000',
    log: silentLog,
    maxInstances: 2,
    onInvoke: (functionName, _event, result) => results.push({ functionName, result }),
  });
});
afterAll(async () => {
  await runner.close();
});

const resultOf = (r: InvokeResult) =>
  r.ok ? (r.result as { environment: string; echo?: unknown }) : undefined;

describe('function runner', () => {
  it('runs the handler with the function’s environment and context, and reports each invocation', async () => {
    const r = await runner.invoke('fn', { echo: 'hi' });
    expect(r).toMatchObject({ ok: true, result: { echo: 'hi', fn: 'fn', bucket: 'bucket-of-fn' } });
    expect(results.at(-1)).toMatchObject({ functionName: 'fn', result: { ok: true } });
  });

  it('reports what the handler threw as a function error', async () => {
    expect(await runner.invoke('fn', { fail: 'nope' })).toMatchObject({
      ok: false,
      kind: 'error',
      error: { errorType: 'BadInput', errorMessage: 'nope' },
    });
  });

  it('reports a bundle without the handler’s module as Runtime.ImportModuleError', async () => {
    expect(await runner.invoke('broken', {})).toMatchObject({
      ok: false,
      error: { errorType: 'Runtime.ImportModuleError', errorMessage: expect.stringContaining("'index'") },
    });
  });

  it('reuses an idle environment, and never runs more than maxInstances at once', async () => {
    const first = resultOf(await runner.invoke('fn', {}));
    const second = resultOf(await runner.invoke('fn', {}));
    expect(second?.environment).toBe(first?.environment);
    const burst = await Promise.all(Array.from({ length: 6 }, () => runner.invoke('fn', { sleep: 100 })));
    expect(burst.every((r) => r.ok)).toBe(true);
    expect(new Set(burst.map((r) => resultOf(r)?.environment)).size).toBeLessThanOrEqual(2);
  });

  it('times an invocation out as Sandbox.Timedout and discards its environment', async () => {
    const before = resultOf(await runner.invoke('quick-timeout', {}));
    expect(await runner.invoke('quick-timeout', { sleep: 2_000 })).toMatchObject({
      ok: false,
      kind: 'timeout',
      error: { errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 0.30 seconds' },
    });
    const after = resultOf(await runner.invoke('quick-timeout', {}));
    expect(after?.environment).toBeDefined();
    expect(after?.environment).not.toBe(before?.environment);
  });

  it('kills the environments running an invocation now: they fail with Runtime.ExitError', async () => {
    const running = runner.invoke('fn', { sleep: 1_000 });
    await new Promise((r) => setTimeout(r, 200));
    expect(runner.terminateRunning('fn')).toBe(1);
    expect(await running).toMatchObject({
      ok: false,
      kind: 'error',
      error: { errorType: 'Runtime.ExitError', errorMessage: 'Runtime exited without providing a reason' },
    });
    expect(runner.terminateRunning('fn')).toBe(0);
  });
});

describe('the invocation seam', () => {
  it('lets an observer see the invocation start and answer, in that order, with the function’s name', async () => {
    const seen: string[] = [];
    const observer: InvocationObserver = {
      started: (env) => seen.push(`started ${env.functionName}`),
      answered: (env) => seen.push(`answered ${env.functionName}`),
    };
    expect(await runner.invoke('fn', { echo: 1 }, observer)).toMatchObject({ ok: true });
    expect(seen).toEqual(['started fn', 'answered fn']);
  });

  it('terminating the environment mid-invocation fails it with Runtime.ExitError, before any answer', async () => {
    let answered = false;
    const result = await runner.invoke(
      'fn',
      { sleep: 1_000 },
      {
        started: (env) => setTimeout(() => env.terminate(), 100),
        answered: () => {
          answered = true;
        },
      },
    );
    expect(result).toMatchObject({ ok: false, error: { errorType: 'Runtime.ExitError' } });
    expect(result.durationMs).toBeLessThan(1_000);
    expect(answered).toBe(false);
    expect(await runner.invoke('fn', { echo: 'next' })).toMatchObject({ ok: true, result: { echo: 'next' } });
  });

  it('terminating it once the handler answered loses the answer (Runtime.ExitError)', async () => {
    const result = await runner.invoke('fn', { echo: 'lost' }, { answered: (env) => env.terminate() });
    expect(result).toMatchObject({ ok: false, error: { errorType: 'Runtime.ExitError' } });
    expect(results.at(-1)?.result).toEqual(result);
  });

  it('terminating after the invocation ended changes nothing', async () => {
    let handle: { terminate(): void } | undefined;
    const result = await runner.invoke('fn', { echo: 'kept' }, { started: (env) => (handle = env) });
    handle?.terminate();
    expect(result).toMatchObject({ ok: true, result: { echo: 'kept' } });
    expect(await runner.invoke('fn', { echo: 'still' })).toMatchObject({
      ok: true,
      result: { echo: 'still' },
    });
  });
});
