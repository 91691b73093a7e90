import { join } from 'node:path';
import { FunctionInitError } from '../errors';
import { localPackageDir } from '../paths';
import type { FunctionModel, InvocationObserver, InvokeResult, Invoker, Log } from '../types';
import { extractArchive } from './archive';
import { type BundleContext, bundleEnvironment } from './bundle';
import { ExecutionEnvironment } from './instance';
import { FunctionPool } from './pool';

export interface RunnerOptions extends BundleContext {
  functions: FunctionModel[];
  /** Where bundles are unpacked. */
  cacheDir: string;
  log: Log;
  /** Receives each line a function writes to stdout/stderr. */
  onFunctionLog?: (functionName: string, line: string) => void;
  /** Concurrent instances per function (Lambda's reserved concurrency stand-in). */
  maxInstances?: number;
  /** Observes every invocation once it has finished (tests, metrics). */
  onInvoke?: (functionName: string, event: unknown, result: InvokeResult) => void;
}

export interface FunctionRunner extends Invoker {
  /**
   * Starts one environment per function, so that the first requests skip the cold start; rejects
   * with a FunctionInitError naming the first function that cannot start.
   */
  warm(): Promise<void>;
  /**
   * Kills every execution environment of the function that is running an invocation now, as
   * Lambda environments can die: those invocations fail with Runtime.ExitError. Returns how many
   * environments died.
   */
  terminateRunning(functionName: string): number;
  close(): Promise<void>;
}

/**
 * Runs each function's deployed bundle in worker threads: a pool per function (pool.ts) of
 * execution environments (instance.ts), each one worker serving one invocation at a time with
 * the function's own environment, a Lambda-like context and its timeout (transport.ts is the
 * protocol with worker.mjs). A timed-out or dead environment is discarded.
 */
export function createFunctionRunner(options: RunnerOptions): FunctionRunner {
  const workerFile = join(localPackageDir(), 'src', 'functions', 'worker.mjs');
  const models = new Map(options.functions.map((f) => [f.name, f]));
  const codeDirs = new Map<string, string>();
  let closed = false;

  const codeDir = (fn: FunctionModel) => {
    let dir = codeDirs.get(fn.name);
    if (!dir) {
      dir = extractArchive(fn.archivePath, options.cacheDir);
      codeDirs.set(fn.name, dir);
    }
    return dir;
  };
  const pools = new Map(
    options.functions.map((fn) => [
      fn.name,
      new FunctionPool({
        functionName: fn.name,
        maxInstances: options.maxInstances ?? 10,
        log: options.log,
        spawn: (busy) =>
          ExecutionEnvironment.start(
            {
              functionName: fn.name,
              workerFile,
              ...bundleEnvironment(fn, codeDir(fn), options),
              onLine: (line) => options.onFunctionLog?.(fn.name, line),
              log: options.log,
            },
            busy,
          ),
      }),
    ]),
  );

  return {
    async invoke(functionName, event, observer) {
      const fn = models.get(functionName);
      const pool = pools.get(functionName);
      if (!fn || !pool) throw new Error(`No function named ${functionName} in the stack`);
      if (closed) throw new Error('The function runner is closed');
      const result = await invokeIn(pool, fn, event, observer, options.log);
      options.onInvoke?.(functionName, event, result);
      return result;
    },
    async warm() {
      await Promise.all(
        [...pools].map(([name, pool]) =>
          pool.warm().catch((error: unknown) => {
            throw new FunctionInitError(name, error, options.cacheDir);
          }),
        ),
      );
    },
    terminateRunning(functionName) {
      const busy = pools.get(functionName)?.busy() ?? [];
      for (const environment of busy) environment.kill();
      return busy.length;
    },
    async close() {
      closed = true;
      await Promise.all([...pools.values()].map((pool) => pool.close()));
    },
  };
}

/** One invocation in one of the function's environments, reported as Lambda reports it. */
async function invokeIn(
  pool: FunctionPool,
  fn: FunctionModel,
  event: unknown,
  observer: InvocationObserver | undefined,
  log: Log,
): Promise<InvokeResult> {
  const started = Date.now();
  let environment: ExecutionEnvironment;
  try {
    environment = await pool.acquire();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log.error(`${fn.name}: init failed: ${message}`);
    return fail('error', 'Runtime.ImportModuleError', message, started);
  }
  const outcome = await environment.invoke(event, fn.timeoutSeconds * 1000, observer);
  if (outcome.kind !== 'reply') {
    // The environment is unusable after a timeout or its death: Lambda discards it too.
    await environment.terminate();
    pool.discard(environment);
    return outcome.kind === 'timeout'
      ? fail(
          'timeout',
          'Sandbox.Timedout',
          `Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds`,
          started,
        )
      : fail('error', 'Runtime.ExitError', 'Runtime exited without providing a reason', started);
  }
  pool.release(environment);
  const { reply } = outcome;
  if (reply.ok) return { ok: true, result: reply.result, durationMs: Date.now() - started };
  return fail('error', reply.error.errorType, reply.error.errorMessage, started);
}

function fail(
  kind: 'error' | 'timeout',
  errorType: string,
  errorMessage: string,
  started: number,
): InvokeResult {
  return { ok: false, kind, error: { errorType, errorMessage }, durationMs: Date.now() - started };
}
