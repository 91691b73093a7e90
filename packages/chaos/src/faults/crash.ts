import type { EnvironmentHandle, InvocationObserver, Invoker, Log } from '@streamdrop/local';
import type { Random } from './random';

/** Kills the execution environment of some invocations, as a Lambda sandbox can die (out of memory, a fatal native error). */
export interface CrashInjectionOptions {
  /** Share (0..1) of invocations that crash; read per invocation, so it can change while the stack runs. */
  rate(): number;
  /** Only these functions crash. */
  functions: ReadonlySet<string>;
  random: Random;
  log: Log;
}

export interface CrashStats {
  /** Invocations whose environment died (injected here, or killed by anyone else). */
  crashes: number;
  /** Invocations of the functions that may crash. */
  invocations: number;
}

export interface CrashInjection {
  /** Wraps the stack's invoker (a RuntimeExtension's `wrapInvoker`). */
  wrap(invoker: Invoker): Invoker;
  stats(): CrashStats;
}

/**
 * Crash injection on the runtime's invocation seam: when an invocation of a crash function
 * starts, it is chosen to crash with probability `rate`; its environment then dies at a random
 * moment within the function's typical duration (a running average of its invocations), or,
 * when the handler is quicker, just after it returned and before its answer left the
 * environment. Either way the invocation fails with Runtime.ExitError, as on Lambda.
 */
export function crashInjection(options: CrashInjectionOptions): CrashInjection {
  /** A running average of each function's invocation time: injected crashes strike within it. */
  const typicalMs = new Map<string, number>();
  const stats: CrashStats = { crashes: 0, invocations: 0 };

  /** Follows one invocation; `done` cancels a crash still pending when the invocation ended first (a timeout). */
  function follow(functionName: string, inner: InvocationObserver | undefined) {
    let crashing = false;
    let startedAt = 0;
    let timer: NodeJS.Timeout | undefined;
    const observer: InvocationObserver = {
      started(environment: EnvironmentHandle) {
        inner?.started?.(environment);
        startedAt = Date.now();
        if (!options.functions.has(functionName)) return;
        stats.invocations += 1;
        crashing = options.random() < options.rate();
        if (!crashing) return;
        const afterMs = Math.round(options.random() * (typicalMs.get(functionName) ?? 100));
        timer = setTimeout(() => environment.terminate(), afterMs);
        options.log.info(
          `${functionName}: fault injection: its execution environment dies ~${afterMs} ms into this invocation`,
        );
      },
      answered(environment: EnvironmentHandle) {
        inner?.answered?.(environment);
        clearTimeout(timer);
        if (crashing) {
          // The handler was quicker: the environment dies before its answer leaves it.
          environment.terminate();
          return;
        }
        const took = Date.now() - startedAt;
        typicalMs.set(functionName, 0.8 * (typicalMs.get(functionName) ?? took) + 0.2 * took);
      },
    };
    return { observer, done: () => clearTimeout(timer) };
  }

  return {
    wrap: (invoker) => ({
      async invoke(functionName, event, inner) {
        const { observer, done } = follow(functionName, inner);
        try {
          const result = await invoker.invoke(functionName, event, observer);
          if (!result.ok && result.error.errorType === 'Runtime.ExitError') stats.crashes += 1;
          return result;
        } finally {
          done();
        }
      },
    }),
    stats: () => ({ ...stats }),
  };
}
