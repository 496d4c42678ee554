import { backoffDelayMs, fitsBeforeDeadline, parseRetryAfterSeconds, retryDelayMs } from '../lambda/backoff';

const OPTS = { baseDelayMs: 100, maxDelayMs: 5_000 };

describe('backoffDelayMs (full jitter)', () => {
  test('the ceiling doubles per attempt up to the maximum', () => {
    const ceiling = (attempt: number) => backoffDelayMs(attempt, OPTS, () => 0.999999);
    expect([0, 1, 2, 3, 4, 5, 6, 10].map(ceiling)).toEqual([99, 199, 399, 799, 1599, 3199, 4999, 4999]);
  });

  test('the delay is random over the whole interval, from 0', () => {
    expect(backoffDelayMs(3, OPTS, () => 0)).toBe(0);
    expect(backoffDelayMs(3, OPTS, () => 0.5)).toBe(400);
  });

  test('stays within [0, ceiling) with the real random source', () => {
    for (let i = 0; i < 200; i++) {
      const delay = backoffDelayMs(2, OPTS);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(400);
    }
  });
});

describe('retryDelayMs', () => {
  test('without Retry-After it is the backoff delay', () => {
    expect(retryDelayMs(1, OPTS, undefined, () => 0.5)).toBe(100);
  });

  test('Retry-After is a lower bound', () => {
    expect(retryDelayMs(0, OPTS, 2, () => 0.5)).toBe(2_000);
    expect(retryDelayMs(0, OPTS, 0.25, () => 0)).toBe(250);
  });

  test('a longer backoff delay wins over a short Retry-After', () => {
    expect(retryDelayMs(6, OPTS, 1, () => 0.5)).toBe(2_500);
  });
});

describe('parseRetryAfterSeconds', () => {
  test('delta-seconds', () => {
    expect(parseRetryAfterSeconds('3')).toBe(3);
    expect(parseRetryAfterSeconds(' 1.5 ')).toBe(1.5);
  });

  test('an HTTP date, relative to now', () => {
    const now = Date.parse('2026-11-23T09:00:00Z');
    expect(parseRetryAfterSeconds('Mon, 23 Nov 2026 09:00:10 GMT', now)).toBe(10);
    expect(parseRetryAfterSeconds('Mon, 23 Nov 2026 08:59:00 GMT', now)).toBe(0);
  });

  test('absent or unparseable values are ignored', () => {
    expect(parseRetryAfterSeconds(null)).toBeUndefined();
    expect(parseRetryAfterSeconds('')).toBeUndefined();
    expect(parseRetryAfterSeconds('soon')).toBeUndefined();
    expect(parseRetryAfterSeconds('-5')).toBeUndefined();
  });
});

describe('fitsBeforeDeadline', () => {
  test('everything fits without a deadline', () => {
    expect(fitsBeforeDeadline(1_000, 1e9, 200)).toBe(true);
  });

  test('the wait plus a minimal attempt must end by the deadline', () => {
    expect(fitsBeforeDeadline(1_000, 500, 200, 1_700)).toBe(true);
    expect(fitsBeforeDeadline(1_000, 500, 200, 1_699)).toBe(false);
  });
});
