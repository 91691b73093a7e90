import { parseArgs } from 'node:util';
import { UserError } from './errors';
import { commandsOf, HELP_FLAG, helpText, programHelp, subcommandHelp } from './help';
import {
  type Args,
  type CommandSpec,
  type Flags,
  type FlagValue,
  isGroup,
  type ParsedArgs,
  type PositionalSpec,
  type ProgramArgs,
  type ProgramSpec,
  type SubcommandSpec,
} from './spec';

type ParseArgsOptions = Record<string, { type: 'boolean' | 'string'; short?: string; multiple?: boolean }>;

/** pnpm passes a literal `--` through (`pnpm bench -- --quick`): a leading one is not an argument. */
const withoutPassThrough = (argv: readonly string[]) => (argv[0] === '--' ? argv.slice(1) : [...argv]);

function toParseArgs(flags: Flags): ParseArgsOptions {
  const options: ParseArgsOptions = {};
  for (const [name, flag] of Object.entries({ ...flags, help: HELP_FLAG })) {
    options[name] = {
      type: flag.type,
      ...(flag.short && { short: flag.short }),
      ...(flag.multiple && { multiple: true }),
    };
  }
  return options;
}

/** Strict parse of `argv` against `flags`; a mistake is a UserError that says where the help is. */
function parseFlags(argv: readonly string[], flags: Flags, helpCommand: string) {
  try {
    return parseArgs({ args: [...argv], options: toParseArgs(flags), allowPositionals: true, strict: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new UserError(`${message}\nRun \`${helpCommand} --help\` for the options.`);
  }
}

function checkPositionals(positionals: readonly string[], spec: boolean | PositionalSpec | undefined): void {
  const max = spec === true ? Number.POSITIVE_INFINITY : spec ? (spec.max ?? Number.POSITIVE_INFINITY) : 0;
  if (positionals.length > max) {
    throw new UserError(`unexpected argument "${positionals[max]}"; see --help`);
  }
}

function flagValues(values: Record<string, unknown>): Record<string, FlagValue> {
  const flags: Record<string, FlagValue> = {};
  for (const [key, value] of Object.entries(values)) {
    if (key === 'help') continue;
    if (typeof value === 'string' || typeof value === 'boolean') flags[key] = value;
    else if (Array.isArray(value)) flags[key] = value.filter((v): v is string => typeof v === 'string');
  }
  return flags;
}

const allFlags = (spec: CommandSpec): Flags =>
  Object.assign({}, spec.flags, ...(spec.sections ?? []).map((s) => s.flags));

/** Parses argv strictly: an unknown flag is a UserError that points at --help. */
export function parseCli(argv: readonly string[], spec: CommandSpec): ParsedArgs {
  const parsed = parseFlags(
    withoutPassThrough(argv),
    allFlags(spec),
    spec.usage.split(' [')[0] ?? spec.usage,
  );
  if (parsed.values.help === true) return { help: true, text: helpText(spec), exitCode: 0 };
  checkPositionals(parsed.positionals, spec.positionals);
  return { help: false, flags: flagValues(parsed.values), positionals: parsed.positionals };
}

/**
 * Parses a program's argv: the command's words come first (`failures list`), then its flags and
 * the program's shared flags, in any order. No command at all is a help request with exit code 2.
 */
export function parseProgram(
  argv: readonly string[],
  program: ProgramSpec,
): ProgramArgs | { help: true; text: string; exitCode: number } {
  const args = withoutPassThrough(argv);
  const words = wordIndexes(args, stringFlagsOf(program));
  const name = words[0] === undefined ? undefined : args[words[0]];
  if (name === undefined) {
    const asked = args.includes('--help') || args.includes('-h');
    return { help: true, text: programHelp(program), exitCode: asked ? 0 : 2 };
  }
  const node = program.commands[name];
  if (!node) throw new UserError(`Unknown command "${name}". See \`${program.name} --help\`.`);
  let taken = [words[0] as number];
  let path = [name];
  let spec: SubcommandSpec;
  if (isGroup(node)) {
    const sub = words[1] === undefined ? undefined : args[words[1]];
    const found = sub === undefined ? undefined : node.commands[sub];
    if (sub === undefined || !found) {
      const choices = Object.keys(node.commands).join(' | ');
      const what = sub === undefined ? 'needs a command' : `has no command "${sub}"`;
      throw new UserError(`${program.name} ${name} ${what}: ${choices}. See \`${program.name} --help\`.`);
    }
    taken = [...taken, words[1] as number];
    path = [name, sub];
    spec = found;
  } else spec = node;
  const rest = args.filter((_, i) => !taken.includes(i));
  const helpCommand = `${program.name} ${path.join(' ')}`;
  const parsed = parseFlags(rest, { ...program.shared?.flags, ...spec.flags }, helpCommand);
  if (parsed.values.help === true) {
    return { help: true, text: subcommandHelp(program, path, spec), exitCode: 0 };
  }
  checkPositionals(parsed.positionals, spec.positionals);
  return {
    help: false,
    command: path,
    spec,
    flags: flagValues(parsed.values),
    positionals: parsed.positionals,
  };
}

/** Every string flag any command of the program takes: their values are not command words. */
function stringFlagsOf(program: ProgramSpec): Set<string> {
  const flags: Flags[] = [program.shared?.flags ?? {}, ...commandsOf(program).map(([, s]) => s.flags ?? {})];
  return new Set(
    flags.flatMap((f) => Object.entries(f).flatMap(([name, flag]) => (flag.type === 'string' ? [name] : []))),
  );
}

/** Where the first two words that are neither flags nor flag values stand in `args`. */
function wordIndexes(args: readonly string[], stringFlags: ReadonlySet<string>): number[] {
  const found: number[] = [];
  for (let i = 0; i < args.length && found.length < 2; i += 1) {
    const arg = args[i] ?? '';
    if (arg === '--') break;
    if (arg.startsWith('--')) {
      if (!arg.includes('=') && stringFlags.has(arg.slice(2))) i += 1;
    } else if (!arg.startsWith('-') || arg === '-') found.push(i);
  }
  return found;
}

export type { Args };
