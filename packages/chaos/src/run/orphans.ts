import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { decodeUploadEvent } from '@streamdrop/events';
import { allRecordData, readLifecycleState } from '@streamdrop/local';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The object keys every upload event on the stream names (every shard, from TRIM_HORIZON). */
export async function keysNamedByEvents(kinesis: KinesisClient, streamName: string): Promise<Set<string>> {
  const keys = new Set<string>();
  for (const data of await allRecordData(kinesis, streamName)) {
    try {
      keys.add(decodeUploadEvent(data).key);
    } catch {
      // not an upload event: it names nothing
    }
  }
  return keys;
}

/**
 * Waits for the stack's own lifecycle sweep to have run with every rule's days over for what the
 * run stored: a sweep that began once `storedBy` (when the last upload request was answered) is
 * older than the longest expiration of the stack's rules (read from `<stateDir>/lifecycle.json`).
 * Resolves with when that sweep began, or undefined when none did in time (two sweep intervals
 * past that moment, and `slackMs`).
 */
export async function finalSweep(
  stateDir: string,
  storedBy: number,
  slackMs = 30_000,
): Promise<Date | undefined> {
  let deadline = Date.now() + 60_000 + slackMs;
  for (;;) {
    const state = readLifecycleState(stateDir);
    if (state) {
      const longest = Math.max(0, ...state.rules.map((r) => (r.enabled ? (r.expirationDays ?? 0) : 0)));
      const horizon = storedBy + longest * state.daySeconds * 1000;
      const last = state.last ? Date.parse(state.last.startedAt) : 0;
      if (last >= horizon) return new Date(last);
      deadline = Math.max(deadline, horizon + 2 * state.intervalMs + slackMs);
    }
    if (Date.now() > deadline) return undefined;
    await sleep(500);
  }
}
