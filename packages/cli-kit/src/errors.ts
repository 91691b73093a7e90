/**
 * An error the person at the keyboard can fix: its message says what went wrong and what to do.
 * Commands print it as one `error: …` line, without a stack trace.
 */
export class UserError extends Error {
  override readonly name: string = 'UserError';
}

/** A class of errors, for `RunOptions.userErrors`. */
// biome-ignore lint/suspicious/noExplicitAny: any constructor signature; only `instanceof` is used.
export type ErrorClass = abstract new (...args: any[]) => Error;
