/**
 * The one clock every module of the handler reads time, waits, times requests out and draws jitter
 * from. Injected as a whole, so a test swaps them together (a virtual clock whose `sleep` moves `now`).
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms`. */
  sleep(ms: number): Promise<void>;
  /** A signal that aborts (with a `TimeoutError`) after `ms`: the timer of one request. */
  timeoutSignal(ms: number): AbortSignal;
  /** Uniform in [0, 1): the jitter of retry delays. */
  random(): number;
}

/** The real time, timers and `Math.random`. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
  // Node's timeout signals hold no reference to the event loop: an abandoned one keeps nothing alive.
  timeoutSignal: (ms) => AbortSignal.timeout(Math.max(1, Math.ceil(ms))),
  random: () => Math.random(),
};
