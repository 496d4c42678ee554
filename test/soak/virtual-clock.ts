/**
 * The soak's one clock for every run: the real time plus an offset that waits move forward instead
 * of waiting. Retry backoff and lease waits then cost no real time, and a crashed run's lease
 * expires after as many waits as it would in Lambda.
 */
import type { Clock } from '../../lambda/clock';

export class VirtualClock implements Clock {
  private offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  /** Moves the time on by `ms` and yields once, so other runs in flight take their turn. */
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    this.advance(ms);
    await new Promise((resolve) => setImmediate(resolve));
    signal?.throwIfAborted();
  }

  random(): number {
    return Math.random();
  }

  advance(ms: number): void {
    this.offsetMs += Math.max(0, ms);
  }

  /** Moves the time on to `epochMs` (never back). */
  advanceTo(epochMs: number): void {
    this.advance(epochMs - this.now());
  }
}
