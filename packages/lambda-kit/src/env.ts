import { ConfigError } from './errors';

export type Env = Readonly<Record<string, string | undefined>>;

/** A pattern a value must match, and what it stands for in the error: `an S3 bucket name`. */
export interface Format {
  readonly pattern: RegExp;
  readonly description: string;
}

export interface IntOptions {
  /** The value when the variable is unset. */
  readonly fallback: number;
  /** Largest accepted value; the smallest is 1. */
  readonly max: number;
}

/** Getters for one environment; each throws a ConfigError that names its variable. */
export interface EnvReader {
  /** The value; throws when it is unset or empty, or does not match `format`. */
  required(name: string, format?: Format): string;
  /** A whole number from 1 to `max` written in digits, or `fallback` when unset. */
  int(name: string, options: IntOptions): number;
  /** `true` for "true"; `false` for "false" or unset; throws for anything else. */
  bool(name: string): boolean;
}

/** Reads variables from `env` (process.env in production) at the moment a getter is called. */
export function envReader(env: Env): EnvReader {
  // Terraform and shells often set a variable to '' rather than leaving it out: treat both alike.
  const value = (name: string): string | undefined => {
    const raw = env[name];
    return raw === undefined || raw === '' ? undefined : raw;
  };
  return {
    required(name, format) {
      const raw = value(name);
      if (raw === undefined) throw new ConfigError(name, 'is not set');
      if (format !== undefined && !format.pattern.test(raw)) {
        throw new ConfigError(name, `must be ${format.description} (got "${raw}")`);
      }
      return raw;
    },
    int(name, { fallback, max }) {
      const raw = value(name);
      if (raw === undefined) return fallback;
      const parsed = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
      if (!Number.isSafeInteger(parsed) || parsed < 1 || parsed > max) {
        throw new ConfigError(name, `must be an integer from 1 to ${max} (got "${raw}")`);
      }
      return parsed;
    },
    bool(name) {
      const raw = value(name);
      if (raw === undefined || raw === 'false') return false;
      if (raw === 'true') return true;
      throw new ConfigError(name, `must be "true" or "false" (got "${raw}")`);
    },
  };
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
