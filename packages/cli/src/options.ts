import { ChaosError, FAULT_OPTIONS, type FaultInput, type FaultKey } from '@streamdrop/chaos';
import { type Args, type FlagSpec, type RunOptions, stringFlag } from '@streamdrop/cli-kit';
import { ConfigError } from '@streamdrop/config';
import { LocalError } from '@streamdrop/local';

/** Errors of the packages below whose message is written for the person at the keyboard. */
export const USER_ERRORS = [LocalError, ChaosError, ConfigError];

/** How `npm start` and `pnpm streamdrop` report errors: `streamdrop ▸ error: …`, exit code 1. */
export const STREAMDROP_RUN: RunOptions = {
  prefix: 'streamdrop ▸ ',
  userErrors: USER_ERRORS,
  exitOnError: true,
};

/** The fault flags, from chaos's one option table; `omit` those a command names its own way. */
export function faultFlags(omit: readonly FaultKey[] = []): Record<string, FlagSpec> {
  const flags: Record<string, FlagSpec> = {};
  for (const [key, option] of Object.entries(FAULT_OPTIONS) as Array<
    [FaultKey, (typeof FAULT_OPTIONS)[FaultKey]]
  >) {
    if (omit.includes(key)) continue;
    flags[option.flag] = {
      type: 'string',
      value: option.value,
      description: option.description,
      env: option.env,
    };
  }
  return flags;
}

/** What the fault flags of `faultFlags` were given as, by setting. */
export function faultInput(args: Args): FaultInput {
  const input: FaultInput = {};
  for (const [key, option] of Object.entries(FAULT_OPTIONS) as Array<
    [FaultKey, (typeof FAULT_OPTIONS)[FaultKey]]
  >) {
    const value = stringFlag(args, option.flag);
    if (value !== undefined) input[key] = value;
  }
  return input;
}
