import type { core } from 'zod/mini';

/** Base class of every error thrown by @streamdrop/events. */
export class EventsError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'EventsError';
  }
}

/** Input did not match the contract; `message` names the offending field and is safe to show a caller. */
export class ValidationError extends EventsError {
  readonly issues: readonly string[];
  constructor(issues: readonly string[]) {
    super(issues.join('; '));
    this.name = 'ValidationError';
    this.issues = issues;
  }

  static fromZod(error: core.$ZodError): ValidationError {
    return new ValidationError(
      error.issues.map((issue) => {
        const path = issue.path.map(String).join('.');
        if (issue.code === 'unrecognized_keys') {
          return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
        }
        return path ? `${path}: ${issue.message}` : issue.message;
      }),
    );
  }
}
