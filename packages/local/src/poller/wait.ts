/**
 * Cancellable waiting. Every timer the poller starts goes through here, so that stop() can end
 * them all at once and leave nothing behind that would keep the process (or jest) alive.
 */

/** Flips once, when the poller stops; every pending wait resolves at that moment. */
export class StopSignal {
  private isStopped = false;
  private readonly listeners = new Set<() => void>();

  get stopped(): boolean {
    return this.isStopped;
  }

  stop(): void {
    if (this.isStopped) return;
    this.isStopped = true;
    const listeners = [...this.listeners];
    this.listeners.clear();
    for (const listener of listeners) listener();
  }

  /** Registers a callback for the stop; returns the function that unregisters it. */
  onStop(listener: () => void): () => void {
    if (this.isStopped) {
      listener();
      return () => undefined;
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves after `ms`, or at once when the poller stops. */
  sleep(ms: number): Promise<void> {
    return waitFor(this, undefined, ms);
  }
}

/** A condition variable: waiters wake on the next notify(). */
export class Notifier {
  private waiters: Array<() => void> = [];

  notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** @internal used by waitFor */
  subscribe(wake: () => void): () => void {
    this.waiters.push(wake);
    return () => {
      this.waiters = this.waiters.filter((w) => w !== wake);
    };
  }
}

/** Resolves on the first of: a notify on `notifier`, the stop, or `timeoutMs` passing (when given). */
export function waitFor(stop: StopSignal, notifier: Notifier | undefined, timeoutMs?: number): Promise<void> {
  if (stop.stopped) return Promise.resolve();
  return new Promise<void>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let offNotify: (() => void) | undefined;
    let offStop: (() => void) | undefined;
    const done = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      offNotify?.();
      offStop?.();
      resolve();
    };
    offStop = stop.onStop(done);
    offNotify = notifier?.subscribe(done);
    if (timeoutMs !== undefined) timer = setTimeout(done, Math.max(0, timeoutMs));
  });
}
