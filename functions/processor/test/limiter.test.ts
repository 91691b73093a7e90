import { createByteBudget, createLimiter } from '../src/limiter';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('createLimiter', () => {
  it('never runs more tasks at once than the limit, and completes every task', async () => {
    const limit = createLimiter(3);
    let active = 0;
    let maxActive = 0;
    const results = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        limit(async () => {
          active += 1;
          maxActive = Math.max(maxActive, active);
          await tick(i % 4);
          active -= 1;
          return i;
        }),
      ),
    );

    expect(results).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(maxActive).toBe(3);
    expect(active).toBe(0);
  });

  it('frees the slot of a failing task and passes its error on', async () => {
    const limit = createLimiter(1);
    const failing = limit(async () => {
      throw new Error('boom');
    });
    const next = limit(async () => 'ran');

    await expect(failing).rejects.toThrow('boom');
    await expect(next).resolves.toBe('ran');
  });

  it('does not let a newcomer slip in while a freed slot is handed to a waiting task', async () => {
    const limit = createLimiter(1);
    let active = 0;
    let maxActive = 0;
    const track = async (until: Promise<unknown>) => {
      active += 1;
      maxActive = Math.max(maxActive, active);
      await until;
      active -= 1;
    };

    let finishFirst: () => void = () => undefined;
    let firstTask: Promise<void> = Promise.resolve();
    const first = limit(() => {
      firstTask = track(new Promise<void>((resolve) => (finishFirst = resolve)));
      return firstTask;
    });
    const waiting = limit(() => track(Promise.resolve()));
    // Registered after the limiter's own await on the first task, so it runs right after the
    // limiter has released the slot and before the waiting task has resumed.
    const newcomer = firstTask.then(() => limit(() => track(Promise.resolve())));
    finishFirst();

    await Promise.all([first, waiting, newcomer]);
    expect(maxActive).toBe(1);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses a limit of %s', (value) => {
    expect(() => createLimiter(value)).toThrow(RangeError);
  });
});

describe('createByteBudget', () => {
  it('never lets the running tasks hold more bytes than the capacity, and completes every task', async () => {
    const budget = createByteBudget(10);
    let held = 0;
    let maxHeld = 0;
    const sizes = [4, 6, 3, 7, 5, 5, 1, 9, 2, 8];
    const results = await Promise.all(
      sizes.map((bytes, i) =>
        budget(bytes, async () => {
          held += bytes;
          maxHeld = Math.max(maxHeld, held);
          await tick(i % 3);
          held -= bytes;
          return bytes;
        }),
      ),
    );

    expect(results).toEqual(sizes);
    expect(maxHeld).toBeLessThanOrEqual(10);
    expect(held).toBe(0);
  });

  it('serves waiters in arrival order, so small tasks cannot starve a large one', async () => {
    const budget = createByteBudget(10);
    const order: number[] = [];
    let finishFirst: () => void = () => undefined;
    const first = budget(6, () => new Promise<void>((resolve) => (finishFirst = resolve)));
    const large = budget(10, async () => {
      order.push(10);
      return 10;
    });
    const small = budget(1, async () => {
      order.push(1);
      return 1;
    });
    await tick(0);
    // 4 bytes are free, enough for the small task, but the large one came first.
    expect(order).toEqual([]);

    finishFirst();
    await Promise.all([first, large, small]);
    expect(order).toEqual([10, 1]);
  });

  it('runs a task larger than the whole capacity alone instead of never', async () => {
    const budget = createByteBudget(10);
    await expect(budget(1_000, async () => 'ran')).resolves.toBe('ran');
  });

  it('gives back the bytes of a failing task and passes its error on', async () => {
    const budget = createByteBudget(10);
    const failing = budget(10, async () => {
      throw new Error('boom');
    });
    const next = budget(10, async () => 'ran');

    await expect(failing).rejects.toThrow('boom');
    await expect(next).resolves.toBe('ran');
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses a capacity of %s', (value) => {
    expect(() => createByteBudget(value)).toThrow(RangeError);
  });
});
