/** Base class of every error the local runtime raises on purpose; `message` tells the user what to do. */
export class LocalError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LocalError';
  }
}

/** The synthesized stack is missing, unreadable, or uses something the local runtime cannot mirror. */
export class StackError extends LocalError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StackError';
  }
}

/** A port we need is taken. */
export class PortInUseError extends LocalError {
  constructor(
    readonly service: string,
    readonly port: number,
    /** The `npm start` option that sets this service's port. */
    readonly flag = '--port',
  ) {
    super(
      `Port ${port} (${service}) is already in use on 127.0.0.1. Stop whatever holds it (\`lsof -i :${port}\`), ` +
        `or give the ${service} another port: \`npm start -- ${flag} <port>\` (see \`npm start -- --help\`).`,
    );
    this.name = 'PortInUseError';
  }
}

/** An emulator child process failed to start or died. */
export class EmulatorError extends LocalError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'EmulatorError';
  }
}

/** A function's execution environment cannot start: the stack cannot serve it. */
export class FunctionInitError extends LocalError {
  constructor(
    readonly functionName: string,
    cause: unknown,
    /** Where the function's bundle is unpacked. */
    cacheDir: string,
  ) {
    const message = (cause instanceof Error ? cause.message : String(cause)).split('\n')[0] ?? '';
    const code = (cause as NodeJS.ErrnoException | undefined)?.code;
    super(
      cause instanceof LocalError
        ? `${functionName} cannot start: ${message}`
        : code !== undefined && /^E[A-Z]+$/.test(code)
          ? `${functionName} cannot start: ${message}. Its bundle is unpacked under ${cacheDir}: make sure that ` +
            'folder can be written and its disk has room, then run `npm start` again.'
          : `${functionName} failed to initialise: ${message}. Fix its initialisation, then run ` +
            '`pnpm build && npm start` again.',
      { cause },
    );
    this.name = 'FunctionInitError';
  }
}
