import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Worker } from 'node:worker_threads';
import type { Random } from '../faults/random';
import { localPackageDir } from '../paths';
import type { FunctionModel, InvokeResult, Invoker, Log } from '../types';
import { extractArchive } from './archive';

export interface RunnerOptions {
  functions: FunctionModel[];
  /** Where bundles are unpacked. */
  cacheDir: string;
  /** Environment every function gets before its own (credentials, endpoints, region). */
  baseEnv: Record<string, string>;
  region: string;
  accountId: string;
  log: Log;
  /** Receives each line a function writes to stdout/stderr. */
  onFunctionLog?: (functionName: string, line: string) => void;
  /** Concurrent instances per function (Lambda's reserved concurrency stand-in). */
  maxInstances?: number;
  /** Observes every invocation once it has finished (tests, metrics). */
  onInvoke?: (functionName: string, event: unknown, result: InvokeResult) => void;
  /** Fault injection: execution environments that die mid-invocation. */
  crash?: CrashInjection;
}

/** Kills the execution environment of some invocations, as a Lambda sandbox can die (out of memory, a fatal native error). */
export interface CrashInjection {
  /** Share (0..1) of invocations that crash; read per invocation, so it can change while the stack runs. */
  rate(): number;
  /** Only these functions crash. */
  functions: ReadonlySet<string>;
  random: Random;
}

interface Instance {
  worker: Worker;
  busy: boolean;
  /** Settles the invocation in flight when the environment crashes. */
  onCrash?: () => void;
}

interface Pending {
  resolve: (message: WorkerReply) => void;
}

type WorkerReply =
  | { id: string; ok: true; result: unknown }
  | { id: string; ok: false; error: { errorType: string; errorMessage: string } };

export interface FunctionRunner extends Invoker {
  /** Starts one environment per function so the first requests skip the cold start. */
  warm(): Promise<void>;
  /**
   * Kills every execution environment of the function that is running an invocation now: those
   * invocations fail with Runtime.ExitError. Returns how many environments died.
   */
  crash(functionName: string): number;
  /** Invocations whose environment was killed (by crash injection or crash()), and how many invocations of the crash-injection functions ran. */
  crashStats(): { crashes: number; invocations: number };
  close(): Promise<void>;
}

/**
 * Runs each function's deployed bundle in worker threads: one worker is one execution
 * environment serving one invocation at a time, with the function's own environment,
 * a Lambda-like context and its timeout. A timed-out or crashed instance is discarded.
 */
export function createFunctionRunner(options: RunnerOptions): FunctionRunner {
  const maxInstances = options.maxInstances ?? 10;
  const workerFile = join(localPackageDir(), 'src', 'functions', 'worker.mjs');
  const models = new Map(options.functions.map((f) => [f.name, f]));
  const pools = new Map<string, Instance[]>();
  const waiters = new Map<string, Array<() => void>>();
  const pending = new Map<string, Pending>();
  const codeDirs = new Map<string, string>();
  /** A running average of each function's invocation time: injected crashes strike within it. */
  const typicalMs = new Map<string, number>();
  let crashCount = 0;
  let crashTargetInvocations = 0;
  let closed = false;

  function codeDir(fn: FunctionModel): string {
    let dir = codeDirs.get(fn.name);
    if (!dir) {
      dir = extractArchive(fn.archivePath, options.cacheDir);
      codeDirs.set(fn.name, dir);
    }
    return dir;
  }

  async function spawnInstance(fn: FunctionModel, busy: boolean): Promise<Instance> {
    const [moduleName = 'index', exportName = 'handler'] = splitHandler(fn.handler);
    const dir = codeDir(fn);
    const modulePath = [`${moduleName}.mjs`, `${moduleName}.js`, `${moduleName}.cjs`]
      .map((file) => join(dir, file))
      .find((path) => existsSync(path));
    if (!modulePath) throw new Error(`Cannot find module '${moduleName}' in the bundle of ${fn.name}`);
    const worker = new Worker(workerFile, {
      env: {
        ...options.baseEnv,
        ...fn.environment,
        AWS_LAMBDA_FUNCTION_NAME: fn.name,
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
        AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
        AWS_REGION: options.region,
        AWS_DEFAULT_REGION: options.region,
        LAMBDA_TASK_ROOT: dir,
      },
      workerData: {
        modulePath,
        exportName,
        functionName: fn.name,
        memoryMb: fn.memoryMb,
        region: options.region,
        accountId: options.accountId,
      },
      stdout: true,
      stderr: true,
    });
    for (const stream of [worker.stdout, worker.stderr]) {
      createInterface({ input: stream }).on('line', (line) => options.onFunctionLog?.(fn.name, line));
    }
    worker.on('message', (message: WorkerReply | { ready: true }) => {
      if ('id' in message) {
        const p = pending.get(message.id);
        pending.delete(message.id);
        p?.resolve(message);
      }
    });
    await new Promise<void>((resolve, reject) => {
      const onMessage = (m: { ready?: boolean }) => {
        if (m.ready) {
          worker.off('error', onError);
          resolve();
        }
      };
      const onError = (error: Error) => reject(error);
      worker.once('error', onError);
      worker.on('message', onMessage);
    });
    if (closed) {
      // The runner closed while this environment started (e.g. a warm-up during shutdown).
      await worker.terminate();
      throw new Error('The function runner is closed');
    }
    const instance: Instance = { worker, busy };
    pools.get(fn.name)?.push(instance) ?? pools.set(fn.name, [instance]);
    worker.on('error', (error) => {
      options.log.error(`${fn.name}: uncaught error in the function: ${error.message}`);
      instance.onCrash?.();
    });
    worker.once('exit', () => {
      instance.onCrash?.();
      discard(fn.name, instance);
    });
    return instance;
  }

  function discard(name: string, instance: Instance): void {
    const pool = pools.get(name) ?? [];
    const index = pool.indexOf(instance);
    if (index >= 0) pool.splice(index, 1);
    waiters.get(name)?.shift()?.();
  }

  // One cold start at a time per function: on a small machine, ten bundles loading at once
  // starve each other (a burst of 20 uploads took 4 s that way); a queued request instead
  // takes the first environment that frees up or finishes starting.
  const spawning = new Set<string>();

  function wait(name: string): Promise<void> {
    return new Promise<void>((resolve) => {
      const list = waiters.get(name) ?? [];
      list.push(resolve);
      waiters.set(name, list);
    });
  }

  async function acquire(fn: FunctionModel): Promise<Instance> {
    for (;;) {
      const pool = pools.get(fn.name) ?? [];
      const idle = pool.find((i) => !i.busy);
      if (idle) {
        idle.busy = true;
        return idle;
      }
      if (pool.length < maxInstances && !spawning.has(fn.name)) {
        spawning.add(fn.name);
        try {
          const instance = await spawnInstance(fn, true);
          return instance;
        } finally {
          spawning.delete(fn.name);
          // Someone else may now spawn the next environment.
          waiters.get(fn.name)?.shift()?.();
        }
      }
      await wait(fn.name);
    }
  }

  /** Starts one environment per function ahead of the first request (in the background). */
  async function warm(): Promise<void> {
    await Promise.all(
      [...models.values()].map(async (fn) => {
        if ((pools.get(fn.name) ?? []).length > 0 || spawning.has(fn.name)) return;
        spawning.add(fn.name);
        try {
          await spawnInstance(fn, false);
        } catch (error) {
          options.log.warn(`${fn.name}: warm-up failed: ${(error as Error).message}`);
        } finally {
          spawning.delete(fn.name);
          waiters.get(fn.name)?.shift()?.();
        }
      }),
    );
  }

  function release(name: string, instance: Instance): void {
    instance.busy = false;
    waiters.get(name)?.shift()?.();
  }

  async function invoke(functionName: string, event: unknown): Promise<InvokeResult> {
    const result = await invokeOnce(functionName, event);
    options.onInvoke?.(functionName, event, result);
    return result;
  }

  async function invokeOnce(functionName: string, event: unknown): Promise<InvokeResult> {
    const started = Date.now();
    const fn = models.get(functionName);
    if (!fn) throw new Error(`No function named ${functionName} in the stack`);
    if (closed) throw new Error('The function runner is closed');
    let instance: Instance;
    try {
      instance = await acquire(fn);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      options.log.error(`${functionName}: init failed: ${message}`);
      return fail('error', 'Runtime.ImportModuleError', message, started);
    }
    const id = randomUUID();
    const timeoutMs = fn.timeoutSeconds * 1000;
    // Lambda's timeout covers the invocation, not the environment's init (which has its own limit).
    const invokedAt = Date.now();
    const reply = new Promise<WorkerReply | 'timeout' | 'crash'>((resolve) => {
      pending.set(id, { resolve });
      instance.onCrash = () => resolve('crash');
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    // Events cross the boundary as JSON, exactly as Lambda serialises them.
    instance.worker.postMessage({
      id,
      event: JSON.parse(JSON.stringify(event)),
      deadline: invokedAt + timeoutMs,
      requestId: randomUUID(),
    });
    // Crash injection: the environment dies at a random moment of the invocation, or, when the
    // handler is quicker, just after it returned and before its answer left the environment.
    const crash = options.crash;
    let crashTimer: NodeJS.Timeout | undefined;
    if (crash?.functions.has(fn.name)) crashTargetInvocations += 1;
    const crashing = !!crash && crash.functions.has(fn.name) && crash.random() < crash.rate();
    if (crashing) {
      const afterMs = Math.round(crash.random() * (typicalMs.get(fn.name) ?? 100));
      crashTimer = setTimeout(() => {
        void instance.worker.terminate();
      }, afterMs);
      options.log.info(
        `${fn.name}: fault injection: its execution environment dies ~${afterMs} ms into this invocation`,
      );
    }
    let outcome = await Promise.race([reply, timeout]);
    clearTimeout(timer);
    clearTimeout(crashTimer);
    pending.delete(id);
    instance.onCrash = undefined;
    if (crashing && outcome !== 'timeout') outcome = 'crash';
    if (outcome === 'crash') crashCount += 1;
    else if (outcome !== 'timeout') {
      const took = Date.now() - invokedAt;
      typicalMs.set(fn.name, 0.8 * (typicalMs.get(fn.name) ?? took) + 0.2 * took);
    }
    if (outcome === 'timeout' || outcome === 'crash') {
      // The environment is unusable after a timeout or crash: Lambda discards it too.
      await instance.worker.terminate();
      discard(fn.name, instance);
      return outcome === 'timeout'
        ? fail(
            'timeout',
            'Sandbox.Timedout',
            `Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds`,
            started,
          )
        : fail('error', 'Runtime.ExitError', 'Runtime exited without providing a reason', started);
    }
    release(fn.name, instance);
    if (outcome.ok) return { ok: true, result: outcome.result, durationMs: Date.now() - started };
    return fail('error', outcome.error.errorType, outcome.error.errorMessage, started);
  }

  return {
    invoke,
    warm,
    crash(functionName) {
      const busy = (pools.get(functionName) ?? []).filter((instance) => instance.busy);
      for (const instance of busy) void instance.worker.terminate();
      return busy.length;
    },
    crashStats: () => ({ crashes: crashCount, invocations: crashTargetInvocations }),
    async close() {
      closed = true;
      const all = [...pools.values()].flat();
      pools.clear();
      await Promise.all(all.map((i) => i.worker.terminate()));
    },
  };
}

function fail(
  kind: 'error' | 'timeout',
  errorType: string,
  errorMessage: string,
  started: number,
): InvokeResult {
  return { ok: false, kind, error: { errorType, errorMessage }, durationMs: Date.now() - started };
}

function splitHandler(handler: string): [string, string] {
  const dot = handler.lastIndexOf('.');
  return dot < 0 ? [handler, 'handler'] : [handler.slice(0, dot), handler.slice(dot + 1)];
}
