import type { CompleteUploadResponse, CreateSessionResponse, SessionPart } from '@streamdrop/events';
import { CancelledError, PartError, type PutPart } from './transport';

/** What an upload needs of the API (the Api class, or a fake in the tests). */
export interface SessionApi {
  createSession(request: {
    filename: string;
    size: number;
    contentType?: string;
  }): Promise<CreateSessionResponse>;
  complete(uploadId: string): Promise<CompleteUploadResponse>;
  deleteUpload(uploadId: string): Promise<void>;
}

export interface UploadOptions {
  readonly api: SessionApi;
  readonly putPart: PutPart;
  /** Parts in flight at once. */
  readonly concurrency?: number;
  /** Tries of one part, the first included, when it fails transiently. */
  readonly attempts?: number;
  /** Waits before a retry; the default backs off 0.5 s, 1 s, 2 s… */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly signal?: AbortSignal;
  /** Bytes confirmed or in flight, of the whole file. */
  readonly onProgress?: (sentBytes: number, totalBytes: number) => void;
  /** The session is open (its id is known): from here a cancel deletes it. */
  readonly onSession?: (session: CreateSessionResponse) => void;
}

export const DEFAULT_CONCURRENCY = 4;
export const DEFAULT_ATTEMPTS = 5;

/** A file to upload: a File, or any Blob with a name. */
export interface NamedBlob {
  readonly name: string;
  readonly size: number;
  readonly type: string;
  slice(start: number, end: number): Blob;
}

const backoff = (attempt: number) => Math.min(8_000, 500 * 2 ** (attempt - 1));

export function sleepFor(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new CancelledError());
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', stop);
      resolve();
    }, ms);
    const stop = () => {
      clearTimeout(timer);
      reject(new CancelledError());
    };
    signal.addEventListener('abort', stop, { once: true });
  });
}

/**
 * Uploads one file through an upload session: opens it (POST /uploads with the size), sends
 * every part straight to S3 with its presigned request, `concurrency` at a time, each retried
 * with backoff on a transient failure, then completes it. Cancelled through `signal`: the parts
 * in flight are aborted and the session is deleted, so nothing of it stays behind.
 */
export async function uploadThroughSession(
  file: NamedBlob,
  options: UploadOptions,
): Promise<CompleteUploadResponse> {
  const signal = options.signal ?? new AbortController().signal;
  const sleep = options.sleep ?? sleepFor;
  const attempts = options.attempts ?? DEFAULT_ATTEMPTS;
  if (signal.aborted) throw new CancelledError();

  const session = await options.api.createSession({
    filename: file.name,
    size: file.size,
    ...(file.type ? { contentType: file.type } : {}),
  });
  options.onSession?.(session);
  const sent = new Map<number, number>();
  const report = () => {
    let total = 0;
    for (const bytes of sent.values()) total += bytes;
    options.onProgress?.(Math.min(total, file.size), file.size);
  };

  // Aborted by the caller's cancel or by the first part that fails for good: the others stop too.
  const inner = new AbortController();
  const abortInner = () => inner.abort();
  signal.addEventListener('abort', abortInner, { once: true });

  const sendPart = async (part: SessionPart) => {
    const body = file.slice(part.offset, part.offset + part.size);
    for (let attempt = 1; ; attempt++) {
      try {
        await options.putPart(
          part,
          body,
          (bytes) => {
            sent.set(part.partNumber, bytes);
            report();
          },
          inner.signal,
        );
        sent.set(part.partNumber, part.size);
        report();
        return;
      } catch (error) {
        // What this attempt sent does not count: the next one sends the part again.
        sent.set(part.partNumber, 0);
        report();
        if (!(error instanceof PartError) || !error.transient || attempt >= attempts) throw error;
        await sleep(backoff(attempt), inner.signal);
      }
    }
  };

  try {
    await inParallel(session.parts, options.concurrency ?? DEFAULT_CONCURRENCY, sendPart, inner);
  } catch (error) {
    // Nothing is kept of a session that will not be completed (best effort: what S3 holds of it
    // expires within a day anyway, by the bucket's lifecycle rules).
    await options.api.deleteUpload(session.uploadId).catch(() => undefined);
    throw signal.aborted ? new CancelledError() : error;
  } finally {
    signal.removeEventListener('abort', abortInner);
  }
  if (signal.aborted) {
    await options.api.deleteUpload(session.uploadId).catch(() => undefined);
    throw new CancelledError();
  }
  return options.api.complete(session.uploadId);
}

/** Runs `work` over `items`, at most `limit` at once; the first failure stops new work and is thrown. */
async function inParallel<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
  controller: AbortController,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && !controller.signal.aborted && next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
        controller.abort();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw failure.error;
  if (controller.signal.aborted) throw new CancelledError();
}
