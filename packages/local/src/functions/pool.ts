import type { Log } from '../types';
import type { ExecutionEnvironment } from './instance';

export interface PoolOptions {
  functionName: string;
  /** Concurrent environments (Lambda's reserved concurrency stand-in). */
  maxInstances: number;
  /** Starts one environment, busy (for the caller) or idle (a warm-up). */
  spawn(busy: boolean): Promise<ExecutionEnvironment>;
  log: Log;
}

/**
 * The execution environments of one function: an invocation takes an idle one, or starts one
 * while there are fewer than `maxInstances`, or waits for one to free up.
 */
export class FunctionPool {
  private readonly environments: ExecutionEnvironment[] = [];
  private readonly waiters: Array<() => void> = [];
  // One cold start at a time per function: on a small machine, ten bundles loading at once
  // starve each other (a burst of 20 uploads took 4 s that way); a queued request instead
  // takes the first environment that frees up or finishes starting.
  private spawning = false;
  private closed = false;

  constructor(private readonly options: PoolOptions) {}

  /** An environment marked busy for the caller: an idle one, a new one, or the next to free up. */
  async acquire(): Promise<ExecutionEnvironment> {
    for (;;) {
      const idle = this.environments.find((e) => !e.busy);
      if (idle) {
        idle.busy = true;
        return idle;
      }
      if (this.environments.length < this.options.maxInstances && !this.spawning) {
        this.spawning = true;
        try {
          return await this.add(true);
        } finally {
          this.spawning = false;
          // Someone else may now start the next environment.
          this.wakeOne();
        }
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /**
   * Starts one idle environment ahead of the first request, unless there is (or will be) one;
   * rejects when it cannot start, so that the stack is never called ready with a function that
   * cannot run.
   */
  async warm(): Promise<void> {
    if (this.environments.length > 0 || this.spawning) return;
    this.spawning = true;
    try {
      await this.add(false);
    } finally {
      this.spawning = false;
      this.wakeOne();
    }
  }

  /** The environment is free for the next invocation. */
  release(environment: ExecutionEnvironment): void {
    environment.busy = false;
    this.wakeOne();
  }

  /** The environment is gone (timed out, died): it leaves the pool. */
  discard(environment: ExecutionEnvironment): void {
    const index = this.environments.indexOf(environment);
    if (index >= 0) this.environments.splice(index, 1);
    this.wakeOne();
  }

  /** The environments running an invocation now. */
  busy(): ExecutionEnvironment[] {
    return this.environments.filter((e) => e.busy);
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = this.environments.splice(0);
    await Promise.all(all.map((e) => e.terminate()));
  }

  private async add(busy: boolean): Promise<ExecutionEnvironment> {
    const environment = await this.options.spawn(busy);
    if (this.closed) {
      // The runner closed while this environment started (e.g. a warm-up during shutdown).
      await environment.terminate();
      throw new Error('The function runner is closed');
    }
    this.environments.push(environment);
    environment.onExit(() => this.discard(environment));
    return environment;
  }

  private wakeOne(): void {
    this.waiters.shift()?.();
  }
}
