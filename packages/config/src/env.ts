/**
 * The one environment reader of streamdrop: the functions, the stack (infra) and the local
 * tools read every variable through it, with the same rules — blanks around a value are
 * dropped, an empty variable counts as unset, booleans are true/false/1/0 in any case — and the
 * same error, which names each variable to fix.
 */

export type Env = Readonly<Record<string, string | undefined>>;

/** A pattern a value must match, and what it stands for in the error: `an S3 bucket name`. */
export interface Format {
  readonly pattern: RegExp;
  readonly description: string;
}

/** One thing wrong with the configuration: the variable, and what is wrong with its value. */
export interface ConfigProblem {
  readonly variable: string;
  /** Reads after the variable's name: `is not set`, `must be an integer from 1 to 10 (got "x")`. */
  readonly problem: string;
}

/**
 * The configuration is wrong: variables are missing or malformed. Not an HTTP error: a function
 * answers it as any unexpected error (a generic 500, the details in its log); a command prints
 * the message, which says what to fix, and stops.
 */
export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];

  constructor(
    problems: readonly ConfigProblem[] | ConfigProblem,
    heading = 'Invalid streamdrop configuration',
  ) {
    const list = Array.isArray(problems) ? problems : [problems as ConfigProblem];
    const line = (p: ConfigProblem) => `${p.variable} ${p.problem}`;
    super(
      list.length === 1 && list[0]
        ? `environment variable ${line(list[0])}`
        : `${heading}:\n${list.map((p) => `  - ${line(p)}`).join('\n')}`,
    );
    this.name = 'ConfigError';
    this.problems = list;
  }

  /** The variable of the first problem. */
  get variable(): string {
    return this.problems[0]?.variable ?? '';
  }
}

export interface IntOptions {
  /** The value when the variable is unset. */
  readonly fallback: number;
  /** Smallest accepted value (default 1). */
  readonly min?: number;
  /** Largest accepted value. */
  readonly max: number;
  /** What the range means when it is not a plain `from min to max` (e.g. `-1 (no limit) or 60 to 604800`). */
  readonly rule?: string;
  /** Further test of an in-range value (e.g. one of CloudWatch's retention periods). */
  readonly accept?: (value: number) => boolean;
}

export interface ListOptions {
  readonly fallback: readonly string[];
  /** Why one item is not acceptable, or undefined when it is. */
  readonly item?: (item: string) => string | undefined;
}

/** Getters for one environment. Each reports a problem that names its variable. */
export interface EnvReader {
  /** The value; a problem when it is unset, or does not match `format`. */
  required(name: string, format?: Format): string;
  /** The value, or undefined when unset; a problem when it does not match `format`. */
  optional(name: string, format?: Format): string | undefined;
  /** A whole number in range written in digits, or `fallback` when unset. */
  int(name: string, options: IntOptions): number;
  /** true/false/1/0 in any case, or `fallback` (default false) when unset. */
  bool(name: string, fallback?: boolean): boolean;
  /** A comma-separated list (blank items dropped), or `fallback` when unset. */
  list(name: string, options: ListOptions): string[];
  /** One of `values`, or `fallback` when unset. */
  oneOf<T extends string>(name: string, values: readonly T[], fallback: T): T;
  /** Reports a problem found by the caller (e.g. between two variables). */
  problem(variable: string, problem: string): void;
}

/** Where a reader sends its problems: throw at once (the default), or collect them. */
export type ProblemSink = (problem: ConfigProblem) => void;

const throwAtOnce: ProblemSink = (problem) => {
  throw new ConfigError(problem);
};

/**
 * Reads variables from `env` at the moment a getter is called. By default a getter throws a
 * ConfigError for its variable; with `onProblem`, it reports the problem and returns the
 * fallback, so that every problem can be shown at once (see `readEnv`).
 */
export function envReader(env: Env, onProblem: ProblemSink = throwAtOnce): EnvReader {
  // Terraform and shells often set a variable to '' rather than leaving it out: treat both alike.
  const value = (name: string): string | undefined => {
    const raw = env[name]?.trim();
    return raw === undefined || raw === '' ? undefined : raw;
  };
  const report = (variable: string, problem: string) => onProblem({ variable, problem });
  const matches = (name: string, raw: string, format: Format | undefined): boolean => {
    if (format === undefined || format.pattern.test(raw)) return true;
    report(name, `must be ${format.description} (got "${raw}")`);
    return false;
  };

  return {
    required(name, format) {
      const raw = value(name);
      if (raw === undefined) {
        report(name, 'is not set');
        return '';
      }
      matches(name, raw, format);
      return raw;
    },
    optional(name, format) {
      const raw = value(name);
      if (raw === undefined) return undefined;
      return matches(name, raw, format) ? raw : undefined;
    },
    int(name, { fallback, min = 1, max, rule, accept }) {
      const raw = value(name);
      if (raw === undefined) return fallback;
      const parsed = /^-?\d+$/.test(raw) ? Number(raw) : Number.NaN;
      const ok = Number.isSafeInteger(parsed) && parsed >= min && parsed <= max && (accept?.(parsed) ?? true);
      if (ok) return parsed;
      report(name, `must be ${rule ?? `an integer from ${min} to ${max}`} (got "${raw}")`);
      return fallback;
    },
    bool(name, fallback = false) {
      const raw = value(name);
      if (raw === undefined) return fallback;
      const word = raw.toLowerCase();
      if (word === 'true' || word === '1') return true;
      if (word === 'false' || word === '0') return false;
      report(name, `must be true or false (got "${raw}")`);
      return fallback;
    },
    list(name, { fallback, item }) {
      const raw = value(name);
      if (raw === undefined) return [...fallback];
      const items = raw
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part !== '');
      if (items.length === 0) report(name, 'must list at least one value');
      for (const entry of items) {
        const problem = item?.(entry);
        if (problem !== undefined) report(name, `"${entry}" ${problem}`);
      }
      return items;
    },
    oneOf(name, values, fallback) {
      const raw = value(name);
      if (raw === undefined) return fallback;
      const found = values.find((v) => v === raw);
      if (found !== undefined) return found;
      report(name, `must be ${values.join(' or ')} (got "${raw}")`);
      return fallback;
    },
    problem: report,
  };
}

/**
 * Runs `build` over a reader that collects problems instead of throwing, then throws one
 * ConfigError listing every problem (or returns what `build` made when there were none).
 */
export function readEnv<T>(env: Env, build: (read: EnvReader) => T, heading?: string): T {
  const problems: ConfigProblem[] = [];
  const result = build(envReader(env, (problem) => problems.push(problem)));
  if (problems.length > 0) throw new ConfigError(problems, heading);
  return result;
}

/**
 * A config object over `readers`: each property is read on first use and then kept, so a
 * variable is checked once and later changes to the environment do not leak in. A read that
 * throws keeps nothing and throws again the next time.
 */
export function lazyConfig<T extends object>(readers: { readonly [K in keyof T]: () => T[K] }): T {
  const config = {} as T;
  for (const key of Object.keys(readers) as Array<keyof T>) {
    const read = readers[key];
    let cached: { value: T[keyof T] } | undefined;
    Object.defineProperty(config, key, {
      enumerable: true,
      get: () => {
        cached ??= { value: read() };
        return cached.value;
      },
    });
  }
  return config;
}
