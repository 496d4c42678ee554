/**
 * The tests' one virtual clock: the real time (or a fixed start) plus an offset that waits move
 * forward instead of waiting. Retry backoff and lease waits then cost no real time and are exact,
 * and a crashed run's lease expires after as many waits as it would in Lambda. Request timers run
 * in real time (a request is real I/O on loopback) and, when one fires, the clock stands at least
 * at its end: with a frozen start (`now: () => T`) a test's deadlines then depend on which requests
 * hang, never on how fast the machine runs the others.
 */
import type { Clock } from '../../lambda/clock';

export interface VirtualClockOptions {
  /** The time before any wait. @default Date.now (so requests signed with it are accepted) */
  readonly now?: () => number;
  /** @default Math.random */
  readonly random?: () => number;
}

export class VirtualClock implements Clock {
  /** Every wait asked of `sleep`, in order. */
  readonly waits: number[] = [];
  private offsetMs = 0;
  private readonly base: () => number;
  private readonly randomSource: () => number;

  constructor(options: VirtualClockOptions = {}) {
    this.base = options.now ?? Date.now;
    this.randomSource = options.random ?? Math.random;
  }

  now(): number {
    return this.base() + this.offsetMs;
  }

  /** Records the wait, moves the time on by `ms` and yields once, so other runs in flight take their turn. */
  async sleep(ms: number): Promise<void> {
    this.waits.push(ms);
    this.advance(ms);
    await new Promise((resolve) => setImmediate(resolve));
  }

  timeoutSignal(ms: number): AbortSignal {
    const endsAt = this.now() + ms;
    const signal = AbortSignal.timeout(Math.max(1, Math.ceil(ms)));
    signal.addEventListener('abort', () => this.advanceTo(endsAt), { once: true });
    return signal;
  }

  random(): number {
    return this.randomSource();
  }

  advance(ms: number): void {
    this.offsetMs += Math.max(0, ms);
  }

  /** Moves the time on to `epochMs` (never back). */
  advanceTo(epochMs: number): void {
    this.advance(epochMs - this.now());
  }
}

/** A virtual clock (the name the unit tests use). */
export function fakeClock(options: VirtualClockOptions = {}): VirtualClock {
  return new VirtualClock(options);
}

/** A virtual clock frozen at the real time of its creation: only waits and fired request timers move it. */
export function frozenClock(): VirtualClock {
  const start = Date.now();
  return new VirtualClock({ now: () => start });
}
