import { UserError } from './errors';
import type { Args } from './spec';

/** A string flag's value, or undefined when it was not given. */
export function stringFlag(args: Args, name: string): string | undefined {
  const value = args.flags[name];
  return typeof value === 'string' ? value : undefined;
}

/** True when a boolean flag was given. */
export function booleanFlag(args: Args, name: string): boolean {
  return args.flags[name] === true;
}

/** Every value of a repeatable string flag (`multiple: true`), in order; empty when not given. */
export function stringsFlag(args: Args, name: string): string[] {
  const value = args.flags[name];
  if (Array.isArray(value)) return [...value];
  return typeof value === 'string' ? [value] : [];
}

export interface IntegerOptions {
  readonly min: number;
  readonly max: number;
  /** What the range means, when not `an integer from min to max`: `a port number (1-65535)`. */
  readonly rule?: string;
}

/** A whole number written in digits, within range; a UserError naming `--flag` otherwise. */
export function parseInteger(flag: string, raw: string, options: IntegerOptions): number {
  const n = /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < options.min || n > options.max) {
    throw new UserError(
      `${flag} must be ${options.rule ?? `an integer from ${options.min} to ${options.max}`}, got "${raw}".`,
    );
  }
  return n;
}

/** An integer flag's value within range, or `fallback` when it was not given. */
export function integerFlag(args: Args, name: string, fallback: number, options: IntegerOptions): number {
  const raw = stringFlag(args, name);
  return raw === undefined ? fallback : parseInteger(`--${name}`, raw, options);
}
