import { basename } from 'node:path';
import { parseArgs } from 'node:util';

/** An error the user can fix; printed without a stack trace. */
export class UserError extends Error {
  override readonly name = 'UserError';
}

export interface FlagSpec {
  readonly type: 'boolean' | 'string';
  readonly description: string;
  readonly short?: string;
}

export interface CommandSpec {
  /** e.g. `pnpm plan` */
  readonly usage: string;
  readonly summary: string;
  readonly flags: Readonly<Record<string, FlagSpec>>;
  /** Accept positional arguments (their meaning goes in `usage`). */
  readonly positionals?: boolean;
  /** Extra lines for --help (environment variables, examples). */
  readonly notes?: readonly string[];
}

export type ParsedArgs =
  | { readonly help: true; readonly text: string }
  | {
      readonly help: false;
      readonly flags: Readonly<Record<string, string | boolean | undefined>>;
      readonly positionals: readonly string[];
    };

/** Renders `--help`. */
export function helpText(spec: CommandSpec): string {
  const flags = Object.entries({
    ...spec.flags,
    help: { type: 'boolean', description: 'show this help', short: 'h' } satisfies FlagSpec,
  });
  const label = ([name, flag]: [string, FlagSpec]) =>
    `${flag.short ? `-${flag.short}, ` : '    '}--${name}${flag.type === 'string' ? ' <value>' : ''}`;
  const width = Math.max(...flags.map((f) => label(f).length));
  return [
    `Usage: ${spec.usage}`,
    '',
    spec.summary,
    '',
    'Options:',
    ...flags.map((f) => `  ${label(f).padEnd(width)}  ${f[1].description}`),
    ...(spec.notes && spec.notes.length > 0 ? ['', ...spec.notes] : []),
  ].join('\n');
}

/** Parses argv strictly: an unknown flag is a UserError that points at --help. */
export function parseCli(argv: readonly string[], spec: CommandSpec): ParsedArgs {
  const options: Record<string, { type: 'boolean' | 'string'; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const [name, flag] of Object.entries(spec.flags)) {
    options[name] = flag.short ? { type: flag.type, short: flag.short } : { type: flag.type };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new UserError(`${message}\nRun \`${spec.usage.split(' [')[0]} --help\` for the options.`);
  }
  if (parsed.values.help === true) return { help: true, text: helpText(spec) };
  if (!spec.positionals && parsed.positionals.length > 0) {
    throw new UserError(`unexpected argument "${parsed.positionals[0]}"; see --help`);
  }
  const flags: Record<string, string | boolean | undefined> = {};
  for (const [key, value] of Object.entries(parsed.values)) {
    if (typeof value === 'string' || typeof value === 'boolean') flags[key] = value;
  }
  return { help: false, flags, positionals: parsed.positionals };
}

/** The parsed arguments of a command that is not just printing its --help. */
export type Args = Extract<ParsedArgs, { readonly help: false }>;

/** A string flag's value, or undefined when it was not given. */
export function stringFlag(args: Args, name: string): string | undefined {
  const value = args.flags[name];
  return typeof value === 'string' ? value : undefined;
}

/** True when a boolean flag was given. */
export function booleanFlag(args: Args, name: string): boolean {
  return args.flags[name] === true;
}

/** The flags of every command that synthesizes the stack: `--stage <name>` and `--no-build`. */
export function stackFlags(verb: string) {
  return {
    stage: { type: 'string', description: `stage to ${verb} (sets STREAMDROP_STAGE; default dev)` },
    'no-build': { type: 'boolean', description: 'reuse dist/functions instead of rebuilding the bundles' },
  } as const satisfies Record<string, FlagSpec>;
}

/** What `stackFlags` asked for: the stage (undefined keeps STREAMDROP_STAGE) and whether to rebuild. */
export function stackArgs(args: Args): { readonly stage: string | undefined; readonly build: boolean } {
  return { stage: stringFlag(args, 'stage'), build: !booleanFlag(args, 'no-build') };
}

/**
 * A script's whole main: parses argv against `spec`, prints --help and stops, or runs `main`
 * with the parsed arguments; errors are reported by `run`.
 */
export function command(
  spec: CommandSpec,
  main: (args: Args) => Promise<number | undefined> | number | undefined,
  argv: readonly string[] = process.argv.slice(2),
): void {
  run(() => {
    const args = parseCli(argv, spec);
    if (args.help) {
      console.log(args.text);
      return 0;
    }
    return main(args);
  });
}

/** True when `name` (e.g. `build`) is the script node was started with, not a module importing it. */
export function isEntryPoint(name: string, argv1: string | undefined = process.argv[1]): boolean {
  return argv1 !== undefined && basename(argv1).replace(/\.[cm]?[jt]s$/, '') === name;
}

/** Prints a progress line and returns a function that prints how long the step took. */
export function step(label: string): (detail?: string) => void {
  const started = performance.now();
  console.log(`> ${label}...`);
  return (detail) => {
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`  ${label}: done in ${seconds} s${detail ? ` (${detail})` : ''}`);
  };
}

/** Runs a script's main: UserErrors print as one clear line, anything else with its stack. */
export function run(main: () => Promise<number | undefined> | number | undefined): void {
  Promise.resolve()
    .then(main)
    .then(
      (code) => {
        process.exitCode = code ?? 0;
      },
      (error: unknown) => {
        if (error instanceof UserError) console.error(`error: ${error.message}`);
        else console.error(error);
        process.exitCode = 1;
      },
    );
}
