/** Runs a task when fewer than `limit` tasks started through it are still running. */
export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

export function createLimiter(limit: number): Limiter {
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`limit must be a positive integer (got ${limit})`);
  let active = 0;
  const waiting: Array<() => void> = [];
  return async (task) => {
    if (active < limit) active += 1;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await task();
    } finally {
      // Hand the slot straight to the next waiter: releasing it first would let a newcomer
      // take it before the waiter resumes, and both would run.
      const next = waiting.shift();
      if (next) next();
      else active -= 1;
    }
  };
}
