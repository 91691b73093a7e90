import type { SessionPart } from '@streamdrop/events';

/** A part's PUT that did not succeed. `transient`: the same request may succeed if sent again. */
export class PartError extends Error {
  constructor(
    readonly status: number,
    readonly transient: boolean,
    message: string,
  ) {
    super(message);
    this.name = 'PartError';
  }
}

/** The upload was cancelled: nothing more is sent. */
export class CancelledError extends Error {
  constructor() {
    super('Cancelled');
    this.name = 'CancelledError';
  }
}

/** Sends one part; reports the bytes of *this attempt* sent so far. */
export type PutPart = (
  part: SessionPart,
  body: Blob,
  onProgress: (sentBytes: number) => void,
  signal: AbortSignal,
) => Promise<void>;

/** Statuses worth sending again: throttling, timeouts, S3's 500/503 ("slow down"). */
export function isTransientStatus(status: number): boolean {
  return status === 0 || status === 408 || status === 429 || status >= 500;
}

/** Headers a page may not set (the browser sets them itself, from the body). */
const BROWSER_OWNED = new Set(['content-length', 'host', 'connection']);

/**
 * The browser's transport: XMLHttpRequest, because fetch still reports no upload progress. The
 * part's presigned headers go as they are, but those the browser owns.
 */
export const xhrPutPart: PutPart = (part, body, onProgress, signal) =>
  new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new CancelledError());
    const xhr = new XMLHttpRequest();
    xhr.open(part.method, part.url);
    for (const [name, value] of Object.entries(part.headers)) {
      if (!BROWSER_OWNED.has(name.toLowerCase())) xhr.setRequestHeader(name, value);
    }
    const abort = () => xhr.abort();
    signal.addEventListener('abort', abort, { once: true });
    xhr.upload.onprogress = (event) => onProgress(event.loaded);
    xhr.onload = () => {
      signal.removeEventListener('abort', abort);
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(part.size);
        resolve();
      } else {
        reject(
          new PartError(
            xhr.status,
            isTransientStatus(xhr.status),
            `part ${part.partNumber} was refused (${xhr.status})`,
          ),
        );
      }
    };
    xhr.onerror = () => {
      signal.removeEventListener('abort', abort);
      reject(new PartError(0, true, `part ${part.partNumber} could not be sent (network error)`));
    };
    xhr.ontimeout = xhr.onerror;
    xhr.onabort = () => {
      signal.removeEventListener('abort', abort);
      reject(new CancelledError());
    };
    xhr.send(body);
  });
