/** One flag of a command, as it is parsed and as `--help` shows it. */
export interface FlagSpec {
  readonly type: 'boolean' | 'string';
  readonly description: string;
  /** A one-letter alias: `-h`. */
  readonly short?: string;
  /** What the value looks like in --help (`N`, `DIR`, `MIN-MAX`); default `<value>`. */
  readonly value?: string;
  /** The value used when the flag is not given, as a person would write it (shown in --help). */
  readonly default?: string;
  /** The environment variable that stands in for the flag when it is not given (shown in --help). */
  readonly env?: string;
  /** A string flag that may be given more than once; read its values with `stringsFlag`. */
  readonly multiple?: boolean;
}

export type Flags = Readonly<Record<string, FlagSpec>>;

/** Flags shown under a heading of their own (e.g. fault injection, or the target of every command). */
export interface FlagSection {
  /** May span several lines. */
  readonly heading: string;
  /** Lines between the heading and the flags. */
  readonly intro?: readonly string[];
  readonly flags: Flags;
}

export interface PositionalSpec {
  /** The most positional arguments accepted; no limit when absent. */
  readonly max?: number;
}

/** A command that takes flags (and maybe positional arguments), e.g. `pnpm plan`. */
export interface CommandSpec {
  /** e.g. `pnpm plan [--offline] [--stage <name>]` */
  readonly usage: string;
  readonly summary: string;
  readonly flags: Flags;
  /** More flags, each group under its own heading after the options. */
  readonly sections?: readonly FlagSection[];
  /** Accept positional arguments (their meaning goes in `usage`). */
  readonly positionals?: boolean | PositionalSpec;
  /** Extra lines for --help (environment variables, examples). */
  readonly notes?: readonly string[];
}

/** What a command's main returns: its exit code (undefined is 0). */
export type ExitCode = number | undefined;

/** One command of a program: `upload` in `pnpm streamdrop upload <file>`. */
export interface SubcommandSpec {
  /**
   * How it is called after the program's name (and its group's word, for a command in a group),
   * e.g. `upload <file>`; one entry per form when there are several.
   */
  readonly synopsis: string | readonly string[];
  /** What it does (may span several lines). */
  readonly summary: string;
  readonly flags?: Flags;
  readonly positionals?: boolean | PositionalSpec;
  readonly run: (args: Args) => Promise<ExitCode> | ExitCode;
}

/** A command that only groups others: `failures` in `pnpm streamdrop failures list`. */
export interface CommandGroup {
  readonly commands: Readonly<Record<string, SubcommandSpec>>;
}

/** A program with commands: `pnpm streamdrop <command> [options]`. */
export interface ProgramSpec {
  /** How it is started, e.g. `pnpm streamdrop`. */
  readonly name: string;
  readonly summary?: string;
  readonly commands: Readonly<Record<string, SubcommandSpec | CommandGroup>>;
  /** Flags every command takes, shown once under their own heading. */
  readonly shared?: FlagSection;
  readonly notes?: readonly string[];
}

export type FlagValue = string | boolean | readonly string[] | undefined;

/** The parsed arguments of a command that is not just printing its --help. */
export interface Args {
  readonly help: false;
  readonly flags: Readonly<Record<string, FlagValue>>;
  readonly positionals: readonly string[];
}

export interface HelpRequest {
  readonly help: true;
  readonly text: string;
  /** 0 when help was asked for; 2 when it stands in for a missing command. */
  readonly exitCode: number;
}

export type ParsedArgs = HelpRequest | Args;

/** A program's arguments: which command, then its flags and positional arguments. */
export interface ProgramArgs extends Args {
  /** The command's words, e.g. `['failures', 'list']`. */
  readonly command: readonly string[];
  readonly spec: SubcommandSpec;
}

export const isGroup = (node: SubcommandSpec | CommandGroup): node is CommandGroup => 'commands' in node;
