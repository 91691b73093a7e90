import type { Emulators } from './emulators';
import { describeExit, RETRY_ADVICE } from './emulators/supervisor';
import { EmulatorError, LocalError } from './errors';

/** How long an emulator's death may trail the error it caused (a refused connection comes first). */
const EXIT_GRACE_MS = 1_000;

/**
 * The error a failed start ends with, as one line that says what to do: an emulator that died
 * meanwhile explains it best (the SDK's own error would be a refused connection and a stack
 * trace); an error of ours says what to do already; anything else — an emulator that answered a
 * bootstrap call with an error — is wrapped, its cause kept.
 */
export async function explainStartFailure(error: unknown, emulators: Emulators | undefined): Promise<Error> {
  if (emulators) {
    let timer: NodeJS.Timeout | undefined;
    const dead = await Promise.race([
      ...emulators.all.map((child) => child.exited.then((exit) => ({ child, exit }))),
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), EXIT_GRACE_MS);
      }),
    ]);
    clearTimeout(timer);
    if (dead) {
      return new EmulatorError(
        `${dead.child.name} stopped while the local stack was starting (${describeExit(dead.exit.code, dead.exit.signal)}). ${RETRY_ADVICE}`,
        { cause: error },
      );
    }
  }
  if (error instanceof LocalError) return error;
  const message = (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).split('\n')[0];
  return new LocalError(
    `The local stack could not be set up in its emulators (${message}). ${RETRY_ADVICE}`,
    { cause: error },
  );
}
