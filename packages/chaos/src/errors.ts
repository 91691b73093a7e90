/**
 * Base class of the errors fault injection and the chaos run raise on purpose: a bad fault
 * setting, a stack that would not start. Its message tells the person what to do.
 */
export class ChaosError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ChaosError';
  }
}
