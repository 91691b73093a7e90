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

/**
 * Runs a task once `bytes` fit in what the running tasks have not taken. Waiters are served in
 * arrival order, so a large task is not starved by small ones; a task larger than the whole
 * capacity runs alone.
 */
export type ByteBudget = <T>(bytes: number, task: () => Promise<T>) => Promise<T>;

export function createByteBudget(capacity: number): ByteBudget {
  if (!Number.isSafeInteger(capacity) || capacity < 1)
    throw new RangeError(`capacity must be a positive integer (got ${capacity})`);
  let used = 0;
  const waiting: Array<{ bytes: number; start: () => void }> = [];
  const grant = () => {
    // Bytes are reserved before the waiter resumes, so that a newcomer cannot take them.
    for (let next = waiting[0]; next && used + next.bytes <= capacity; next = waiting[0]) {
      waiting.shift();
      used += next.bytes;
      next.start();
    }
  };
  return async (bytes, task) => {
    const weight = Math.min(capacity, Math.max(0, Math.ceil(bytes)));
    if (waiting.length === 0 && used + weight <= capacity) used += weight;
    else await new Promise<void>((start) => waiting.push({ bytes: weight, start }));
    try {
      return await task();
    } finally {
      used -= weight;
      grant();
    }
  };
}
