/**
 * Crash injection on the runtime's invocation seam, against a scripted invoker that behaves as
 * the runner does: it hands the observer a handle when the handler starts and when it answers,
 * and a terminated environment fails the invocation with Runtime.ExitError.
 */
import { type EnvironmentHandle, type InvokeResult, type Invoker, silentLog } from '@streamdrop/local';
import { crashInjection } from '../src/faults/crash';
import { seededRandom } from '../src/faults/random';

interface Call {
  functionName: string;
  terminatedAt?: 'running' | 'answered';
}

/** Each invocation's handler runs `event.ms` milliseconds, then answers. */
function scriptedInvoker(calls: Call[]): Invoker {
  return {
    async invoke(functionName, event, observer) {
      const call: Call = { functionName };
      calls.push(call);
      let phase: 'running' | 'answered' = 'running';
      const handle: EnvironmentHandle = {
        functionName,
        terminate: () => {
          call.terminatedAt ??= phase;
        },
      };
      observer?.started?.(handle);
      const until = Date.now() + (event as { ms: number }).ms;
      while (Date.now() < until && !call.terminatedAt) await new Promise((r) => setTimeout(r, 2));
      if (!call.terminatedAt) {
        phase = 'answered';
        observer?.answered?.(handle);
      }
      const result: InvokeResult = call.terminatedAt
        ? {
            ok: false,
            kind: 'error',
            error: {
              errorType: 'Runtime.ExitError',
              errorMessage: 'Runtime exited without providing a reason',
            },
            durationMs: 1,
          }
        : { ok: true, result: null, durationMs: 1 };
      return result;
    },
  };
}

const injection = (rate: number, seed = 'crash-test') =>
  crashInjection({
    rate: () => rate,
    functions: new Set(['processor']),
    random: seededRandom(seed, 'crashes'),
    log: silentLog,
  });

describe('crash injection', () => {
  it('never crashes or counts a function that is not a crash target', async () => {
    const calls: Call[] = [];
    const crashes = injection(1);
    const invoker = crashes.wrap(scriptedInvoker(calls));
    for (let i = 0; i < 5; i += 1) expect((await invoker.invoke('upload', { ms: 1 })).ok).toBe(true);
    expect(calls.every((c) => c.terminatedAt === undefined)).toBe(true);
    expect(crashes.stats()).toEqual({ crashes: 0, invocations: 0 });
  });

  it('kills the environment mid-invocation, or just after a quick handler answered, and counts each crash', async () => {
    const calls: Call[] = [];
    const crashes = injection(1);
    const invoker = crashes.wrap(scriptedInvoker(calls));
    // A slow handler dies while it runs (the crash strikes within the typical 100 ms)…
    const slow = await invoker.invoke('processor', { ms: 300 });
    // …a handler quicker than the crash dies just after it answered: the answer is lost.
    const quick = await invoker.invoke('processor', { ms: 0 });
    expect([slow.ok, quick.ok]).toEqual([false, false]);
    expect(calls.map((c) => c.terminatedAt)).toEqual(['running', 'answered']);
    expect(crashes.stats()).toEqual({ crashes: 2, invocations: 2 });
  });

  it('crashes the share of invocations the rate asks for, the same ones for the same seed', async () => {
    const run = async (seed: string) => {
      const calls: Call[] = [];
      const crashes = injection(0.3, seed);
      const invoker = crashes.wrap(scriptedInvoker(calls));
      const outcomes: boolean[] = [];
      for (let i = 0; i < 60; i += 1) outcomes.push((await invoker.invoke('processor', { ms: 0 })).ok);
      return { outcomes, stats: crashes.stats() };
    };
    const first = await run('seed-a');
    expect(await run('seed-a')).toEqual(first);
    expect((await run('seed-b')).outcomes).not.toEqual(first.outcomes);
    expect(first.stats.invocations).toBe(60);
    expect(first.stats.crashes).toBe(first.outcomes.filter((ok) => !ok).length);
    expect(first.stats.crashes).toBeGreaterThan(5);
    expect(first.stats.crashes).toBeLessThan(35);
  });

  it('counts environments killed by anyone else as crashes too, and passes the caller’s observer on', async () => {
    const seen: string[] = [];
    const crashes = injection(0);
    const killer: Invoker = {
      invoke: (functionName, event, observer) =>
        scriptedInvoker([]).invoke(functionName, event, {
          started: (env) => {
            observer?.started?.(env);
            env.terminate();
          },
          answered: (env) => observer?.answered?.(env),
        }),
    };
    const result = await crashes
      .wrap(killer)
      .invoke('processor', { ms: 50 }, { started: (env) => seen.push(`started ${env.functionName}`) });
    expect(result.ok).toBe(false);
    expect(seen).toEqual(['started processor']);
    expect(crashes.stats()).toEqual({ crashes: 1, invocations: 1 });
  });
});
