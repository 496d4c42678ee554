/**
 * A virtual clock for retry tests: `sleep` records the wait and moves `now` forward instead of
 * waiting, so backoff and deadline behaviour is exact and fast.
 */
import type { Clock } from '../../lambda/clock';

export interface FakeClock extends Clock {
  /** Every wait asked of `sleep`, in order. */
  readonly waits: number[];
}

export interface FakeClockOptions {
  /** The time before any wait. @default Date.now (so requests signed with it are accepted) */
  readonly now?: () => number;
  /** @default Math.random */
  readonly random?: () => number;
}

export function fakeClock(options: FakeClockOptions = {}): FakeClock {
  const base = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  let slept = 0;
  const waits: number[] = [];
  return {
    waits,
    now: () => base() + slept,
    sleep: async (ms, signal) => {
      signal?.throwIfAborted();
      waits.push(ms);
      slept += ms;
    },
    random: () => random(),
  };
}
