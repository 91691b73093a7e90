import { randomUUID } from 'node:crypto';
import type { Worker } from 'node:worker_threads';

/*
 * The message protocol between the runner and worker.mjs, one worker thread per execution
 * environment:
 *   worker → runner  { ready: true }                      the bundle is loaded: the cold start is over
 *   runner → worker  { id, event, deadline, requestId }   one invocation
 *   worker → runner  { id, ok: true, result }             the handler returned
 *                  | { id, ok: false, error: { errorType, errorMessage } }   or threw
 */

/** What worker.mjs needs to load a bundle and build the Lambda context (its `workerData`). */
export interface WorkerData {
  modulePath: string;
  exportName: string;
  functionName: string;
  memoryMb: number;
  region: string;
  accountId: string;
}

export interface InvokeMessage {
  id: string;
  event: unknown;
  /** Epoch ms at which the invocation times out (the context's getRemainingTimeInMillis). */
  deadline: number;
  requestId: string;
}

export type WorkerReply =
  | { id: string; ok: true; result: unknown }
  | { id: string; ok: false; error: { errorType: string; errorMessage: string } };

type WorkerMessage = WorkerReply | { ready: true };

/** The runner's end of one worker: waits until it is ready, sends invocations, routes each reply by id. */
export class WorkerChannel {
  private readonly pending = new Map<string, (reply: WorkerReply) => void>();

  constructor(private readonly worker: Worker) {
    worker.on('message', (message: WorkerMessage) => {
      if (!('id' in message)) return;
      const resolve = this.pending.get(message.id);
      this.pending.delete(message.id);
      resolve?.(message);
    });
  }

  /** Resolves once the bundle has loaded; rejects when the worker fails (or exits) first. */
  ready(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onMessage = (message: WorkerMessage) => {
        if (!('ready' in message)) return;
        done();
        resolve();
      };
      const onError = (error: Error) => {
        done();
        reject(error);
      };
      const onExit = (code: number) => {
        done();
        reject(new Error(`the execution environment exited with code ${code} while loading the function`));
      };
      const done = () => {
        this.worker.off('message', onMessage);
        this.worker.off('error', onError);
        this.worker.off('exit', onExit);
      };
      this.worker.on('message', onMessage);
      this.worker.once('error', onError);
      this.worker.once('exit', onExit);
    });
  }

  /**
   * Sends one invocation. The reply never comes if the worker dies first: the caller races it
   * against the environment's death and its timeout, then calls `forget`.
   */
  send(event: unknown, deadline: number): { reply: Promise<WorkerReply>; forget: () => void } {
    const id = randomUUID();
    const reply = new Promise<WorkerReply>((resolve) => this.pending.set(id, resolve));
    const message: InvokeMessage = {
      id,
      // Events cross the boundary as JSON, exactly as Lambda serialises them.
      event: JSON.parse(JSON.stringify(event)),
      deadline,
      requestId: randomUUID(),
    };
    this.worker.postMessage(message);
    return { reply, forget: () => this.pending.delete(id) };
  }
}
