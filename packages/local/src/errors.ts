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
  ) {
    super(
      `Port ${port} (${service}) is already in use on 127.0.0.1. Stop whatever holds it (\`lsof -i :${port}\`), ` +
        'or pick another port, e.g. `npm start -- --port 3001` (see `npm start -- --help`).',
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
