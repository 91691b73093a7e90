import { ConfigError, type Env, envReader, type VariableName } from '@streamdrop/config';
import { ChaosError } from '../errors';
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

export type FaultKey = keyof FaultSettings;

/** One fault flag: its name on the command line, its environment variable, and its help. */
export interface FaultOption {
  /** Without the dashes: `s3-error-rate`. */
  readonly flag: string;
  readonly env: VariableName;
  /** What the value looks like in --help. */
  readonly value: string;
  readonly description: string;
}

/**
 * THE table of the fault flags: `npm start` and `pnpm chaos` both declare, document and parse
 * their fault flags from it (pnpm chaos names the seed `--seed`, as it also seeds the uploads).
 */
export const FAULT_OPTIONS: { readonly [K in FaultKey]: FaultOption } = {
  s3ErrorRate: {
    flag: 's3-error-rate',
    env: 'STREAMDROP_FAULT_S3_ERROR_RATE',
    value: 'R',
    description:
      "share of the functions' S3 requests answered 503 SlowDown or 500 InternalError, with S3's XML error body",
  },
  s3LatencyMs: {
    flag: 's3-latency-ms',
    env: 'STREAMDROP_FAULT_S3_LATENCY_MS',
    value: 'N|MIN-MAX',
    description: 'latency added to each of their S3 requests',
  },
  kinesisThrottleRate: {
    flag: 'kinesis-throttle-rate',
    env: 'STREAMDROP_FAULT_KINESIS_THROTTLE_RATE',
    value: 'R',
    description: 'share of their PutRecord(s)/GetRecords answered 400 ProvisionedThroughputExceededException',
  },
  crashRate: {
    flag: 'crash-rate',
    env: 'STREAMDROP_FAULT_CRASH_RATE',
    value: 'R',
    description:
      'share of invocations (of the crash functions) whose execution environment dies mid-invocation',
  },
  crashFunctions: {
    flag: 'crash-functions',
    env: 'STREAMDROP_FAULT_CRASH_FUNCTIONS',
    value: 'A,B',
    description:
      'functions that may crash (default: those fed by an event source mapping, i.e. the processor)',
  },
  seed: {
    flag: 'fault-seed',
    env: 'STREAMDROP_FAULT_SEED',
    value: 'S',
    description: 'seed of every fault decision, for repeatable runs (default: random, printed in the banner)',
  },
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

const RATE_RULE = 'a rate from 0 to 1 (or a percentage such as 10%)';
const LATENCY_RULE = 'milliseconds N or a range MIN-MAX (at most 60000)';

function rateOf(raw: string): number | undefined {
  const text = raw.trim();
  const value = Number(text.endsWith('%') ? Number(text.slice(0, -1)) / 100 : text);
  return text === '' || !Number.isFinite(value) || value < 0 || value > 1 ? undefined : value;
}

function latencyOf(raw: string): { min: number; max: number } | undefined {
  const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(raw);
  const min = Number(m?.[1]);
  const max = m?.[2] === undefined ? min : Number(m[2]);
  return !m || min > max || max > 60_000 ? undefined : { min, max };
}

/** The fault flags as given on the command line (raw text), by setting. */
export type FaultInput = Partial<Record<FaultKey, string>>;

/**
 * Reads the fault settings from flags (which win) and the STREAMDROP_FAULT_* variables (through
 * the one env reader); every value is checked and a bad one is reported naming its flag or
 * variable.
 */
export function faultSettingsFrom(flags: FaultInput, env: Env = process.env): FaultSettings {
  const read = envReader(env);
  const pick = <T>(key: FaultKey, parse: (raw: string) => T | undefined, rule: string): T | undefined => {
    const { flag, env: variable } = FAULT_OPTIONS[key];
    const fromFlag = flags[key];
    if (fromFlag !== undefined) {
      const value = parse(fromFlag);
      if (value === undefined) throw new ChaosError(`--${flag} must be ${rule}, got "${fromFlag}".`);
      return value;
    }
    const fromEnv = read.optional(variable);
    if (fromEnv === undefined) return undefined;
    const value = parse(fromEnv);
    if (value === undefined)
      throw new ConfigError({ variable, problem: `must be ${rule} (got "${fromEnv}")` });
    return value;
  };
  const rate = (key: 's3ErrorRate' | 'kinesisThrottleRate' | 'crashRate') =>
    pick(key, rateOf, RATE_RULE) ?? 0;
  const crashFunctions = pick(
    'crashFunctions',
    (raw) =>
      raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    'a comma-separated list of function names',
  );
  const seed = pick('seed', (raw) => raw.trim(), 'a seed');
  return {
    seed: seed || newSeed(),
    s3ErrorRate: rate('s3ErrorRate'),
    s3LatencyMs: pick('s3LatencyMs', latencyOf, LATENCY_RULE) ?? { min: 0, max: 0 },
    kinesisThrottleRate: rate('kinesisThrottleRate'),
    crashRate: rate('crashRate'),
    ...(crashFunctions && crashFunctions.length > 0 && { crashFunctions }),
  };
}

/** The `npm start` flags that reproduce `settings` (pnpm chaos starts its stacks with them). */
export function faultFlagsOf(settings: FaultSettings): string[] {
  const flag = (key: FaultKey, value: string) => [`--${FAULT_OPTIONS[key].flag}`, value];
  return [
    ...flag('seed', settings.seed),
    ...flag('s3ErrorRate', String(settings.s3ErrorRate)),
    ...flag('s3LatencyMs', `${settings.s3LatencyMs.min}-${settings.s3LatencyMs.max}`),
    ...flag('kinesisThrottleRate', String(settings.kinesisThrottleRate)),
    ...flag('crashRate', String(settings.crashRate)),
    ...(settings.crashFunctions ? flag('crashFunctions', settings.crashFunctions.join(',')) : []),
  ];
}
