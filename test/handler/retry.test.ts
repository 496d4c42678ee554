import { systemClock } from '../../lambda/clock';
import {
  AttemptOutcome,
  backoffDelayMs,
  done,
  fitsBeforeDeadline,
  parseRetryAfterSeconds,
  retryAfterBackoff,
  retryAtOnce,
  retryDelayMs,
  retryUntilDeadline,
  RetryPolicy,
} from '../../lambda/retry';
import { fakeClock } from '../support/virtual-clock';
import { rejectionOf } from '../support/rejection';

const OPTS = { baseDelayMs: 100, maxDelayMs: 5_000 };
const POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 5_000, minAttemptMs: 200 };

/** A virtual clock starting at 0. */
const clockAtZero = (random: () => number = () => 0.5) => fakeClock({ now: () => 0, random });

/** An attempt function that reports `outcomes` in turn (the last one again once they run out) and notes when each attempt started. */
function scripted<T>(clock: { now(): number }, ...outcomes: AttemptOutcome<T>[]) {
  const startedAt: number[] = [];
  return {
    startedAt,
    attempt: async () => {
      startedAt.push(clock.now());
      return outcomes[Math.min(startedAt.length, outcomes.length) - 1];
    },
  };
}

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
      const delay = backoffDelayMs(2, OPTS, systemClock.random);
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

  test('an attempt cannot start at the deadline, however short it may be', () => {
    expect(fitsBeforeDeadline(1_000, 0, 0, 1_001)).toBe(true);
    expect(fitsBeforeDeadline(1_000, 0, 0, 1_000)).toBe(false);
    expect(fitsBeforeDeadline(1_000, 500, 0, 1_500)).toBe(false);
  });
});

describe('retryUntilDeadline', () => {
  test('the attempt that reports done ends the call with its value; every failure before it waits a backoff delay', async () => {
    const clock = clockAtZero();
    const numbers: number[] = [];
    const result = await retryUntilDeadline(POLICY, { clock, deadline: 10_000 }, async (attempt) => {
      numbers.push(attempt.number);
      return attempt.number < 3 ? retryAfterBackoff() : done('listed');
    });
    expect(result).toEqual({ ok: true, value: 'listed' });
    expect(numbers).toEqual([1, 2, 3]);
    expect(clock.waits).toEqual([50, 100]); // full jitter at 0.5 of 100 * 2^retry
  });

  test('backoff delays stay below base * 2^retry and below the maximum', async () => {
    const clock = clockAtZero(() => 0.999999);
    const script = scripted(clock, retryAfterBackoff());
    const result = await retryUntilDeadline({ ...POLICY, maxAttempts: 7, maxDelayMs: 1_000 }, { clock }, script.attempt);
    expect(result).toEqual({ ok: false, reason: 'attempts', attempts: 7 });
    expect(clock.waits).toEqual([99, 199, 399, 799, 999, 999]);
  });

  test('Retry-After wins when it is larger than the backoff delay, the backoff delay when it is larger', async () => {
    const clock = clockAtZero();
    await retryUntilDeadline({ ...POLICY, maxAttempts: 2 }, { clock }, scripted(clock, retryAfterBackoff(2)).attempt);
    expect(clock.waits).toEqual([2_000]);

    const slow = clockAtZero();
    await retryUntilDeadline({ ...POLICY, maxAttempts: 2, baseDelayMs: 10_000, maxDelayMs: 10_000 }, { clock: slow }, scripted(slow, retryAfterBackoff(1)).attempt);
    expect(slow.waits).toEqual([5_000]);
  });

  test('waits continue while a wait and a minimal attempt still fit before the deadline, and stop before one that would not', async () => {
    const clock = clockAtZero();
    const script = scripted(clock, retryAfterBackoff(1));
    const result = await retryUntilDeadline({ ...POLICY, maxAttempts: 10 }, { clock, deadline: 2_500 }, script.attempt);
    expect(result).toEqual({ ok: false, reason: 'deadline', attempts: 3 });
    expect(script.startedAt).toEqual([0, 1_000, 2_000]);
    expect(clock.waits).toEqual([1_000, 1_000]); // a third wait would leave 500 ms after the deadline: not started
    expect(clock.now()).toBeLessThanOrEqual(2_500 - POLICY.minAttemptMs);
  });

  test('a wait that would leave no time for the attempt after it is not started', async () => {
    const clock = clockAtZero();
    const script = scripted(clock, retryAfterBackoff(1));
    const result = await retryUntilDeadline(POLICY, { clock, deadline: 1_100 }, script.attempt);
    expect(result).toEqual({ ok: false, reason: 'deadline', attempts: 1 });
    expect(clock.waits).toEqual([]);
  });

  test('no attempt at all when the deadline leaves less than minAttemptMs', async () => {
    const clock = clockAtZero();
    const script = scripted(clock, done('never'));
    expect(await retryUntilDeadline(POLICY, { clock, deadline: 199 }, script.attempt)).toEqual({ ok: false, reason: 'deadline', attempts: 0 });
    expect(await retryUntilDeadline({ ...POLICY, minAttemptMs: 0 }, { clock, deadline: 0 }, script.attempt)).toEqual({ ok: false, reason: 'deadline', attempts: 0 });
    expect(script.startedAt).toEqual([]);
  });

  test('maxAttempts counts failures only: an attempt retried at once is neither counted nor waited for', async () => {
    const clock = clockAtZero();
    const script = scripted(clock, retryAtOnce(), retryAfterBackoff());
    const result = await retryUntilDeadline({ ...POLICY, maxAttempts: 3 }, { clock, deadline: 60_000 }, script.attempt);
    expect(result).toEqual({ ok: false, reason: 'attempts', attempts: 4 });
    expect(script.startedAt).toEqual([0, 0, 50, 150]);
    expect(clock.waits).toEqual([50, 100]);
  });

  test('at least one attempt is made', async () => {
    const clock = clockAtZero();
    const script = scripted(clock, retryAfterBackoff());
    expect(await retryUntilDeadline({ ...POLICY, maxAttempts: 0 }, { clock }, script.attempt)).toEqual({ ok: false, reason: 'attempts', attempts: 1 });
    expect(clock.waits).toEqual([]);
  });

  test('an error thrown by an attempt ends the call at once, as is', async () => {
    const clock = clockAtZero();
    const numbers: number[] = [];
    const error = await rejectionOf(retryUntilDeadline(POLICY, { clock }, async (attempt) => {
      numbers.push(attempt.number);
      if (attempt.number === 2) throw new Error('access denied');
      return retryAfterBackoff();
    }));
    expect(error.message).toBe('access denied');
    expect(numbers).toEqual([1, 2]);
    expect(clock.waits).toHaveLength(1);
  });

  test('an attempt sees the time left and whether a request may still start', async () => {
    const clock = clockAtZero();
    const seen: [number, boolean][] = [];
    await retryUntilDeadline({ ...POLICY, minAttemptMs: 0 }, { clock, deadline: 1_000 }, async (attempt) => {
      seen.push([attempt.timeLeftMs(), attempt.canStartRequest()]);
      await clock.sleep(999); // a first request that takes almost all the time
      seen.push([attempt.timeLeftMs(), attempt.canStartRequest()]);
      await clock.sleep(1);
      seen.push([attempt.timeLeftMs(), attempt.canStartRequest()]);
      return done(undefined);
    });
    expect(seen).toEqual([[1_000, true], [1, true], [0, false]]);

    await retryUntilDeadline(POLICY, { clock }, async (attempt) => {
      expect([attempt.timeLeftMs(), attempt.canStartRequest()]).toEqual([Infinity, true]);
      return done(undefined);
    });
  });
});
