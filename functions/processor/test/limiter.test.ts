import { createLimiter } from '../src/limiter';

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
