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
});

describe('systemClock.timeoutSignal', () => {
  test('aborts with a TimeoutError once its time has passed, not before', async () => {
    const signal = systemClock.timeoutSignal(1);
    expect(signal.aborted).toBe(false);
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    expect(signal.aborted).toBe(true);
    expect((signal.reason as Error).name).toBe('TimeoutError');
  });
});
