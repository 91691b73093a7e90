import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import type { InvokeResult, Invoker } from '../../src/types';

/** One invocation as the function saw it. */
export interface Call {
  records: KinesisStreamRecord[];
  /** Decoded record data, in batch order. */
  data: string[];
  sequenceNumbers: string[];
}

export type Behaviour = (call: Call, index: number) => InvokeResult | Promise<InvokeResult>;

export interface FakeInvoker extends Invoker {
  calls: Call[];
  functionNames: string[];
}

export const ok = (result?: unknown): InvokeResult => ({ ok: true, result, durationMs: 1 });
export const failed = (message = 'boom'): InvokeResult => ({
  ok: false,
  kind: 'error',
  error: { errorType: 'Error', errorMessage: message },
  durationMs: 1,
});

function isKinesisEvent(event: unknown): event is KinesisStreamEvent {
  return (
    typeof event === 'object' && event !== null && Array.isArray((event as { Records?: unknown }).Records)
  );
}

/** An Invoker that records every call and answers as the test scripts it (default: success). */
export function fakeInvoker(behaviour: Behaviour = () => ok()): FakeInvoker {
  const calls: Call[] = [];
  const functionNames: string[] = [];
  return {
    calls,
    functionNames,
    async invoke(functionName, event) {
      if (!isKinesisEvent(event)) throw new Error('not a Kinesis event');
      const call: Call = {
        // A deep copy: what the function received, whatever the poller does with its objects later.
        records: structuredClone(event.Records),
        data: event.Records.map((record) => Buffer.from(record.kinesis.data, 'base64').toString('utf8')),
        sequenceNumbers: event.Records.map((record) => record.kinesis.sequenceNumber),
      };
      calls.push(call);
      functionNames.push(functionName);
      return behaviour(call, calls.length - 1);
    },
  };
}

/** Polls a condition until it holds (or fails the test after `timeoutMs`). */
export async function eventually(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 3_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A promise with its resolve function outside. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
