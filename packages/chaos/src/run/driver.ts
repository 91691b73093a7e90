import { createHash } from 'node:crypto';
import type { Random } from '../faults/random';

/** One upload the chaos run wants to make, with what its processed twin must hold. */
export interface PlannedUpload {
  index: number;
  filename: string;
  content: string;
  expected: string;
  sha256: string;
}

/** An upload the API acknowledged with 2xx: from here on it must never be lost. */
export interface AcceptedUpload extends PlannedUpload {
  uploadId: string;
  key: string;
  /** Requests it took (1 = accepted at once). */
  attempts: number;
}

export interface DriveCounts {
  /** HTTP requests sent. */
  requests: number;
  accepted: number;
  /** New requests a client made after a 5xx/429 or a dropped connection (never after a 2xx). */
  clientRetries: number;
  /** Why requests were retried: HTTP status or `network`. */
  retriedOn: Record<string, number>;
  /** Uploads given up on after the last attempt (nothing acknowledged, nothing owed). */
  gaveUp: number;
  /** 4xx other than 429: a bug in the driver or the API. */
  clientErrors: number;
}

const WORDS = [
  'kinesis',
  'stream',
  'upload',
  'straße',
  'grüße',
  'café',
  'ﬁle',
  'łódź',
  'δέλτα',
  'résumé',
  'naïve',
  'ok',
  'ünïcödé',
  '日本',
  'emoji🙂',
];

/** Deterministic text for upload `index` (some of it multi-byte, which upper-cases to other lengths). */
export function planUpload(index: number, seed: string, random: Random): PlannedUpload {
  const words = Array.from(
    { length: 4 + Math.floor(random() * 60) },
    () => WORDS[Math.floor(random() * WORDS.length)],
  );
  const lines = Math.floor(random() * 40);
  const content = `chaos ${seed} #${index}: ${words.join(' ')}\n${'line of text\n'.repeat(lines)}`;
  return {
    index,
    filename: `chaos-${String(index).padStart(5, '0')}.txt`,
    content,
    // The reference transform (uppercase-text-v1, the default; `pnpm chaos` refuses to run with another).
    expected: content.toUpperCase(),
    sha256: createHash('sha256').update(content, 'utf8').digest('hex'),
  };
}

export interface DriverOptions {
  apiUrl: () => string;
  token: () => string;
  uploads: PlannedUpload[];
  concurrency: number;
  /** Requests per upload before giving up on 5xx/429 (dropped connections while the stack restarts do not count). */
  maxAttempts?: number;
  random: Random;
  /** Awaited before every request: closed while the stack is being killed and restarted. */
  gate: () => Promise<void>;
  /** Called when an upload starts (the kill schedule counts them). */
  onStart?: (index: number) => Promise<void> | void;
  onAccepted?: (upload: AcceptedUpload) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Drives the uploads through the real API like a well-behaved client: a 2xx is final (never
 * retried), a 5xx/429 or a dropped connection is retried as a new request after a backoff
 * (honouring Retry-After up to 2 s), anything else is a client error.
 */
export async function driveUploads(
  options: DriverOptions,
): Promise<{ accepted: AcceptedUpload[]; counts: DriveCounts }> {
  const maxAttempts = options.maxAttempts ?? 8;
  const counts: DriveCounts = {
    requests: 0,
    accepted: 0,
    clientRetries: 0,
    retriedOn: {},
    gaveUp: 0,
    clientErrors: 0,
  };
  const accepted: AcceptedUpload[] = [];
  let next = 0;

  const retry = (why: string) => {
    counts.clientRetries += 1;
    counts.retriedOn[why] = (counts.retriedOn[why] ?? 0) + 1;
  };

  async function one(upload: PlannedUpload): Promise<void> {
    let failures = 0;
    for (let attempt = 1; ; attempt += 1) {
      await options.gate();
      counts.requests += 1;
      let response: Response;
      try {
        response = await fetch(`${options.apiUrl()}/uploads`, {
          method: 'POST',
          headers: { authorization: `Bearer ${options.token()}`, 'content-type': 'application/json' },
          body: JSON.stringify({ filename: upload.filename, content: upload.content }),
          signal: AbortSignal.timeout(40_000),
        });
      } catch {
        // The stack died under the request (or did not answer): nothing was acknowledged.
        retry('network');
        if (attempt >= maxAttempts * 4) {
          counts.gaveUp += 1;
          return;
        }
        await sleep(200 + options.random() * 300);
        continue;
      }
      const text = await response.text().catch(() => '');
      if (response.status >= 200 && response.status < 300) {
        const body = JSON.parse(text) as { uploadId: string; file_key: string };
        const done: AcceptedUpload = {
          ...upload,
          uploadId: body.uploadId,
          key: body.file_key,
          attempts: attempt,
        };
        accepted.push(done);
        counts.accepted += 1;
        options.onAccepted?.(done);
        return;
      }
      if (response.status >= 500 || response.status === 429) {
        failures += 1;
        retry(String(response.status));
        if (failures >= maxAttempts) {
          counts.gaveUp += 1;
          return;
        }
        const retryAfter = Number(response.headers.get('retry-after'));
        const backoff = Math.min(2_000, 100 * 2 ** failures) * (0.5 + options.random() / 2);
        await sleep(
          Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(2_000, retryAfter * 1000) : backoff,
        );
        continue;
      }
      counts.clientErrors += 1;
      return;
    }
  }

  const worker = async () => {
    for (;;) {
      const upload = options.uploads[next];
      next += 1;
      if (!upload) return;
      await options.onStart?.(upload.index);
      await one(upload);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  return { accepted, counts };
}
