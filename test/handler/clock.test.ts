import { systemClock } from '../../lambda/clock';

describe('systemClock', () => {
  test('now is the real time, random is in [0, 1)', () => {
    const before = Date.now();
    const now = systemClock.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
    for (let i = 0; i < 100; i++) {
      const value = systemClock.random();
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
    }
  });
});

describe('systemClock.sleep', () => {
  test('resolves', async () => {
    await expect(systemClock.sleep(1)).resolves.toBeUndefined();
  });

  test('rejects with the reason when the signal aborts, and leaves no timer behind', async () => {
    const controller = new AbortController();
    const pending = systemClock.sleep(60_000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(pending).rejects.toThrow('stop');
  });

  test('rejects at once for an already aborted signal', async () => {
    await expect(systemClock.sleep(60_000, AbortSignal.abort(new Error('already')))).rejects.toThrow('already');
  });
});
