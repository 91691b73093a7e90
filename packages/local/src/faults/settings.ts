import { LocalError } from '../errors';
import { newSeed } from './random';

/** What the local stack injects into the functions' traffic and environments. All off by default. */
export interface FaultSettings {
  /** Seed of every fault decision, so that a run can be repeated. */
  seed: string;
  /** Share (0..1) of the functions' S3 requests answered 503 SlowDown or 500 InternalError. */
  s3ErrorRate: number;
  /** Latency added to each of the functions' S3 requests, uniform in [min, max] ms. */
  s3LatencyMs: { min: number; max: number };
  /** Share (0..1) of the functions' PutRecord(s)/GetRecords answered ProvisionedThroughputExceededException. */
  kinesisThrottleRate: number;
  /** Share (0..1) of invocations whose execution environment dies before it answers. */
  crashRate: number;
  /** Functions that may crash; when absent, every function fed by an event source mapping. */
  crashFunctions?: string[];
}

export const NO_FAULTS: Omit<FaultSettings, 'seed'> = {
  s3ErrorRate: 0,
  s3LatencyMs: { min: 0, max: 0 },
  kinesisThrottleRate: 0,
  crashRate: 0,
};

export function anyFault(settings: Omit<FaultSettings, 'seed'>): boolean {
  return (
    settings.s3ErrorRate > 0 ||
    settings.s3LatencyMs.max > 0 ||
    settings.kinesisThrottleRate > 0 ||
    settings.crashRate > 0
  );
}

/** One line for the banner and logs, e.g. `S3 errors 10%, +5-20 ms; Kinesis throttling 10%; crashes 5% of streamdrop-dev-processor (seed 42)`. */
export function describeFaults(settings: FaultSettings, crashTargets: readonly string[]): string {
  const pct = (rate: number) => `${Number((rate * 100).toFixed(2))}%`;
  const parts: string[] = [];
  const { min, max } = settings.s3LatencyMs;
  const latency = max > 0 ? (min === max ? `+${max} ms` : `+${min}-${max} ms`) : '';
  if (settings.s3ErrorRate > 0 || latency) {
    parts.push(
      [settings.s3ErrorRate > 0 ? `S3 errors ${pct(settings.s3ErrorRate)}` : 'S3', latency]
        .filter(Boolean)
        .join(', '),
    );
  }
  if (settings.kinesisThrottleRate > 0) parts.push(`Kinesis throttling ${pct(settings.kinesisThrottleRate)}`);
  if (settings.crashRate > 0)
    parts.push(`crashes ${pct(settings.crashRate)} of ${crashTargets.join(', ') || '(no function)'}`);
  return `${parts.join('; ') || 'none'} (seed ${settings.seed})`;
}

/** Where each setting comes from on the command line and in the environment. */
export const FAULT_FLAGS = {
  s3ErrorRate: { flag: '--s3-error-rate', env: 'STREAMDROP_FAULT_S3_ERROR_RATE' },
  s3LatencyMs: { flag: '--s3-latency-ms', env: 'STREAMDROP_FAULT_S3_LATENCY_MS' },
  kinesisThrottleRate: { flag: '--kinesis-throttle-rate', env: 'STREAMDROP_FAULT_KINESIS_THROTTLE_RATE' },
  crashRate: { flag: '--crash-rate', env: 'STREAMDROP_FAULT_CRASH_RATE' },
  crashFunctions: { flag: '--crash-functions', env: 'STREAMDROP_FAULT_CRASH_FUNCTIONS' },
  seed: { flag: '--fault-seed', env: 'STREAMDROP_FAULT_SEED' },
} as const;

export function parseRate(name: string, raw: string): number {
  const value = Number(raw.trim().endsWith('%') ? Number(raw.trim().slice(0, -1)) / 100 : raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new LocalError(`${name} must be a rate from 0 to 1 (or a percentage such as 10%), got "${raw}".`);
  }
  return value;
}

export function parseLatency(name: string, raw: string): { min: number; max: number } {
  const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(raw);
  const min = Number(m?.[1]);
  const max = m?.[2] === undefined ? min : Number(m[2]);
  if (!m || min > max || max > 60_000) {
    throw new LocalError(`${name} must be milliseconds N or a range MIN-MAX (at most 60000), got "${raw}".`);
  }
  return { min, max };
}

export type FaultInput = Partial<Record<keyof typeof FAULT_FLAGS, string>>;

/**
 * Reads the fault settings from flags (which win) and environment variables; every value is
 * checked and a bad one is reported naming its flag or variable.
 */
export function faultSettingsFrom(flags: FaultInput, env: NodeJS.ProcessEnv = process.env): FaultSettings {
  const pick = (key: keyof typeof FAULT_FLAGS): { name: string; raw: string } | undefined => {
    const { flag, env: variable } = FAULT_FLAGS[key];
    const fromFlag = flags[key];
    if (fromFlag !== undefined) return { name: flag, raw: fromFlag };
    const fromEnv = env[variable];
    return fromEnv !== undefined && fromEnv !== '' ? { name: variable, raw: fromEnv } : undefined;
  };
  const rate = (key: 's3ErrorRate' | 'kinesisThrottleRate' | 'crashRate') => {
    const v = pick(key);
    return v ? parseRate(v.name, v.raw) : 0;
  };
  const latency = pick('s3LatencyMs');
  const crashFunctions = pick('crashFunctions')
    ?.raw.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const seed = pick('seed')?.raw.trim();
  return {
    seed: seed || newSeed(),
    s3ErrorRate: rate('s3ErrorRate'),
    s3LatencyMs: latency ? parseLatency(latency.name, latency.raw) : { min: 0, max: 0 },
    kinesisThrottleRate: rate('kinesisThrottleRate'),
    crashRate: rate('crashRate'),
    ...(crashFunctions && crashFunctions.length > 0 && { crashFunctions }),
  };
}
