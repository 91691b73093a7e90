import { type ErrorClass, UserError } from './errors';
import { parseCli, parseProgram } from './parse';
import type { Args, CommandSpec, ExitCode, ProgramSpec } from './spec';
import { escapeControls } from './terminal';

export interface RunOptions {
  /** Put before every line written for the person, e.g. `streamdrop ▸ ` (default none). */
  readonly prefix?: string;
  /** Error classes besides UserError whose message is written for the person (one line, no stack). */
  readonly userErrors?: readonly ErrorClass[];
  /** The exit code of such an error (default 1). */
  readonly userErrorCode?: number;
  /** The exit code of any other error (default 1). */
  readonly unexpectedErrorCode?: number;
  /**
   * One line for an error that is not a user error but says enough on its own (e.g. a cloud
   * service's answer); undefined leaves it to the stack trace.
   */
  readonly describe?: (error: unknown) => string | undefined;
  /** End the process once an error is reported, for commands that leave servers or timers behind. */
  readonly exitOnError?: boolean;
  /** End the process when main is done, error or not (e.g. after benchmarks that leave workers behind). */
  readonly exitWhenDone?: boolean;
}

const isUserError = (error: unknown, options: RunOptions) =>
  error instanceof UserError || (options.userErrors ?? []).some((type) => error instanceof type);

/**
 * How an error is reported, and with which exit code. Messages often quote data (a key, a file
 * name, an answer): control characters in them are escaped, line breaks kept.
 */
export function reportOf(error: unknown, options: RunOptions = {}): { line: string; code: number } {
  const prefix = options.prefix ?? '';
  const safe = (text: string) => escapeControls(text, { keepLines: true });
  if (isUserError(error, options)) {
    return { line: `${prefix}error: ${safe((error as Error).message)}`, code: options.userErrorCode ?? 1 };
  }
  const described = options.describe?.(error);
  const code = options.unexpectedErrorCode ?? 1;
  if (described !== undefined) return { line: `${prefix}error: ${safe(described)}`, code };
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return { line: `${prefix}unexpected error: ${safe(text)}`, code };
}

/**
 * Runs a command's main: its result is the exit code; a user error prints as one clear line,
 * anything else with its stack.
 */
export function run(main: () => Promise<ExitCode> | ExitCode, options: RunOptions = {}): void {
  Promise.resolve()
    .then(main)
    .then(
      (code) => {
        if (options.exitWhenDone) process.exit(code ?? 0);
        process.exitCode = code ?? 0;
      },
      (error: unknown) => {
        const { line, code } = reportOf(error, options);
        console.error(line);
        if (options.exitOnError || options.exitWhenDone) process.exit(code);
        process.exitCode = code;
      },
    );
}

/**
 * A script's whole main: parses argv against `spec`, prints --help and stops, or runs `main`
 * with the parsed arguments; errors are reported by `run`.
 */
export function command(
  spec: CommandSpec,
  main: (args: Args) => Promise<ExitCode> | ExitCode,
  argv: readonly string[] = process.argv.slice(2),
  options: RunOptions = {},
): void {
  run(() => {
    const args = parseCli(argv, spec);
    if (args.help) {
      console.log(args.text);
      return args.exitCode;
    }
    return main(args);
  }, options);
}

/** A program's whole main: picks the command named in argv and runs it (see `parseProgram`). */
export function program(
  spec: ProgramSpec,
  argv: readonly string[] = process.argv.slice(2),
  options: RunOptions = {},
): void {
  run(() => {
    const args = parseProgram(argv, spec);
    if (args.help) {
      console.log(args.text);
      return args.exitCode;
    }
    return args.spec.run(args);
  }, options);
}
