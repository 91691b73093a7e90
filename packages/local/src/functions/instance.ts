import { createInterface } from 'node:readline';
import { Worker } from 'node:worker_threads';
import type { EnvironmentHandle, InvocationObserver, Log } from '../types';
import { WorkerChannel, type WorkerData, type WorkerReply } from './transport';

/** How to start one execution environment of a function. */
export interface EnvironmentSpec {
  functionName: string;
  /** worker.mjs */
  workerFile: string;
  /** The whole process.env of the environment (the function's own, plus Lambda's variables). */
  env: Record<string, string>;
  workerData: WorkerData;
  /** Receives each line the function writes to stdout/stderr. */
  onLine?: (line: string) => void;
  log: Log;
}

/** How an invocation ended, seen from outside the environment. */
export type InvocationOutcome =
  | { kind: 'reply'; reply: WorkerReply }
  /** It ran past its timeout: the environment is unusable (Lambda discards it too). */
  | { kind: 'timeout' }
  /** The environment died before its answer left it. */
  | { kind: 'died' };

/**
 * One execution environment: one worker thread that loads the bundle once (its cold start) and
 * then serves one invocation at a time.
 */
export class ExecutionEnvironment {
  busy: boolean;
  /** Settles the invocation in flight when the environment dies. */
  private onDeath: (() => void) | undefined;
  private readonly exitListeners: Array<() => void> = [];

  private constructor(
    readonly functionName: string,
    private readonly worker: Worker,
    private readonly channel: WorkerChannel,
    busy: boolean,
  ) {
    this.busy = busy;
  }

  /** Spawns the worker and resolves once the bundle has loaded; rejects when it fails to load. */
  static async start(spec: EnvironmentSpec, busy: boolean): Promise<ExecutionEnvironment> {
    const worker = new Worker(spec.workerFile, {
      env: spec.env,
      workerData: spec.workerData,
      stdout: true,
      stderr: true,
    });
    for (const stream of [worker.stdout, worker.stderr]) {
      createInterface({ input: stream }).on('line', (line) => spec.onLine?.(line));
    }
    const channel = new WorkerChannel(worker);
    await channel.ready();
    const environment = new ExecutionEnvironment(spec.functionName, worker, channel, busy);
    worker.on('error', (error) => {
      spec.log.error(`${spec.functionName}: uncaught error in the function: ${error.message}`);
      environment.onDeath?.();
    });
    worker.once('exit', () => {
      environment.onDeath?.();
      for (const listener of environment.exitListeners) listener();
    });
    return environment;
  }

  /** Called once the worker has exited, whatever the reason. */
  onExit(listener: () => void): void {
    this.exitListeners.push(listener);
  }

  /**
   * Runs one invocation within `timeoutMs` (Lambda's timeout covers the invocation, not the
   * environment's init). The observer sees it start and answer, with a handle that can kill the
   * environment in between.
   */
  async invoke(event: unknown, timeoutMs: number, observer?: InvocationObserver): Promise<InvocationOutcome> {
    const { reply, forget } = this.channel.send(event, Date.now() + timeoutMs);
    let terminated = false;
    let settled = false;
    const handle: EnvironmentHandle = {
      functionName: this.functionName,
      terminate: () => {
        if (settled || terminated) return;
        terminated = true;
        this.kill();
      },
    };
    const died = new Promise<'died'>((resolve) => {
      this.onDeath = () => resolve('died');
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    observer?.started?.(handle);
    const first = await Promise.race([reply, died, timedOut]);
    clearTimeout(timer);
    forget();
    this.onDeath = undefined;
    if (first !== 'timeout' && first !== 'died') observer?.answered?.(handle);
    settled = true;
    if (first === 'timeout') return { kind: 'timeout' };
    // An answer that had not left the environment when it was killed is lost with it.
    if (first === 'died' || terminated) return { kind: 'died' };
    return { kind: 'reply', reply: first };
  }

  /** Kills the worker now; the invocation in flight, if any, ends as `died`. */
  kill(): void {
    void this.worker.terminate();
  }

  /** Kills the worker and waits until it is gone. */
  async terminate(): Promise<void> {
    await this.worker.terminate();
  }
}
