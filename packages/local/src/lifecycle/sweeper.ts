import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { SESSION_UPLOAD_TAG } from '@streamdrop/config';
import { LocalError } from '../errors';
import type { Log } from '../types';
import type { LifecycleRule } from './rules';
import { type SweepReport, sweepLifecycle } from './sweep';

/** A real day: the rules' own unit, and the default length of a local "day". */
export const DAY_SECONDS = 86_400;

/** `<state>/lifecycle.json`: the rules the stack carries out, its day, and what its sweeps did. */
export interface LifecycleState {
  pid: number;
  daySeconds: number;
  intervalMs: number;
  rules: LifecycleRule[];
  sweeps: number;
  /** The last sweep that finished. */
  last?: { startedAt: string; finishedAt: string; expired: number; aborted: number; errors: number };
  /** Totals over this process's sweeps. */
  expired: number;
  aborted: number;
}

export const lifecycleStatePath = (stateDir: string) => join(stateDir, 'lifecycle.json');

/** The running (or last) stack's lifecycle state, or undefined before its first sweep. */
export function readLifecycleState(stateDir: string): LifecycleState | undefined {
  const file = lifecycleStatePath(stateDir);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LifecycleState;
  } catch {
    return undefined; // being replaced
  }
}

/**
 * Refuses a "day" so short that an expiration rule could remove an object a function is still
 * writing: an upload stays `pending`, and an Idempotency-Key record unanswered, until the function
 * behind the HTTP API answers (at most its timeout). Two kinds of rule do not bind the day:
 * - abort-incomplete-multipart rules: an upload aborted in flight fails its completion with
 *   NoSuchUpload, which the processor retries and a client sends again; nothing was acknowledged;
 * - expiration of the bytes of an upload session (tagged `uploading`): clients write those, for
 *   as long as their URLs last; a short day expires abandoned sessions early, which is what a
 *   test or a chaos run shortens the day for.
 * Nothing acknowledged ever matches a rule (it is tagged `complete`), whatever the day.
 */
export function checkDayLength(
  rules: readonly LifecycleRule[],
  daySeconds: number,
  timeouts: { api: number },
): void {
  const sessionBytes = (rule: LifecycleRule) =>
    rule.tags.some((tag) => tag.key === SESSION_UPLOAD_TAG.key && tag.value === SESSION_UPLOAD_TAG.value);
  const limits = rules
    .filter((rule) => rule.enabled && rule.expirationDays !== undefined && !sessionBytes(rule))
    .map((rule) => {
      const days = rule.expirationDays ?? 1;
      return { rule, days, shortest: Math.floor(timeouts.api / days) + 1 };
    });
  const binding = limits.reduce<(typeof limits)[number] | undefined>(
    (worst, limit) => (worst === undefined || limit.shortest > worst.shortest ? limit : worst),
    undefined,
  );
  if (binding === undefined || daySeconds >= binding.shortest) return;
  const { rule, days, shortest } = binding;
  throw new LocalError(
    `--lifecycle-day-seconds ${daySeconds} is too short: the rule ${rule.id} of ${rule.bucket} expires objects after ` +
      `${days} day(s), ${days * daySeconds} s, while a function may still be writing them (it may run ${timeouts.api} s). ` +
      `Use at least ${shortest}.`,
  );
}

export interface LifecycleSweeper {
  /** Runs a sweep now (at `now`, for tests), after any sweep in progress. */
  sweep(now?: number): Promise<SweepReport>;
  stop(): Promise<void>;
}

/**
 * Carries out the stack's lifecycle rules locally: a sweep at start and then once per local day
 * (at most hourly, at least every second), each object acted on logged, the state written to
 * `<state>/lifecycle.json`. A sweep that fails (an emulator busy or restarting) is logged and
 * tried again at the next one.
 */
export function startLifecycleSweeper(options: {
  s3: S3Client;
  rules: readonly LifecycleRule[];
  daySeconds: number;
  stateDir: string;
  log: Log;
}): LifecycleSweeper {
  const { s3, rules, daySeconds, stateDir, log } = options;
  const dayMs = daySeconds * 1000;
  const intervalMs = Math.min(3_600_000, Math.max(1_000, dayMs));
  const state: LifecycleState = {
    pid: process.pid,
    daySeconds,
    intervalMs,
    rules: [...rules],
    sweeps: 0,
    expired: 0,
    aborted: 0,
  };
  const save = () => {
    const file = lifecycleStatePath(stateDir);
    writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
    renameSync(`${file}.tmp`, file);
  };
  save();
  const notEmulated = [...new Set(rules.filter((r) => r.enabled).flatMap((r) => r.notEmulated))];
  if (notEmulated.length > 0) {
    log.info(
      `lifecycle: ${rules.length} rule(s), a day of ${daySeconds} s; not carried out locally (s3rver keeps no versions or storage classes): ${notEmulated.join(', ')}`,
    );
  }

  let running: Promise<SweepReport | undefined> = Promise.resolve(undefined);
  let stopped = false;
  const once = (now?: number): Promise<SweepReport> => {
    const next = running.then(async () => {
      const report = await sweepLifecycle({ s3, rules, dayMs, now });
      state.sweeps += 1;
      state.expired += report.expired.length;
      state.aborted += report.aborted.length;
      state.last = {
        startedAt: new Date(report.startedAt).toISOString(),
        finishedAt: new Date(report.finishedAt).toISOString(),
        expired: report.expired.length,
        aborted: report.aborted.length,
        errors: report.errors.length,
      };
      if (!stopped) save();
      for (const e of report.expired) log.info(`lifecycle: expired ${e.bucket}/${e.key} (rule ${e.rule})`);
      for (const a of report.aborted)
        log.info(
          `lifecycle: aborted the multipart upload ${a.uploadId} of ${a.bucket}/${a.key} (rule ${a.rule})`,
        );
      for (const e of report.errors)
        log.warn(
          `lifecycle: could not act on ${e.bucket}/${e.key} (rule ${e.rule}): ${e.error}; next sweep retries`,
        );
      return report;
    });
    running = next.catch(() => undefined);
    return next;
  };
  let busy = false;
  const background = () => {
    // A sweep slower than the interval (a large bucket, a loaded machine) is not queued twice.
    if (stopped || busy) return;
    busy = true;
    once()
      .catch((error: Error) => {
        if (!stopped) log.warn(`lifecycle: sweep failed: ${error.message}; next sweep retries`);
      })
      .finally(() => {
        busy = false;
      });
  };
  background();
  const timer = setInterval(background, intervalMs);
  timer.unref();
  return {
    sweep: (now) => once(now),
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
