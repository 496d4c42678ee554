/**
 * Retry timing: full-jitter exponential backoff, `Retry-After` and deadlines. Pure functions
 * (waiting is the clock's job), so the retry loops stay testable with a fake clock.
 */

export interface BackoffOptions {
  /** Upper bound of the first retry's delay. */
  readonly baseDelayMs: number;
  /** No delay grows beyond this (before `Retry-After` is applied). */
  readonly maxDelayMs: number;
}

/**
 * Full jitter: a random delay in [0, min(max, base * 2^attempt)). `attempt` starts at 0.
 * Spreading retries over the whole interval keeps many throttled callers from retrying in step.
 */
export function backoffDelayMs(attempt: number, opts: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** Math.max(0, attempt));
  return Math.floor(Math.max(0, Math.min(random(), 1)) * Math.max(0, ceiling));
}

/**
 * The wait before retry number `attempt + 1`: the backoff delay, but never less than what the
 * server asked for with `Retry-After`.
 */
export function retryDelayMs(
  attempt: number,
  opts: BackoffOptions,
  retryAfterSeconds?: number,
  random: () => number = Math.random,
): number {
  const jittered = backoffDelayMs(attempt, opts, random);
  return retryAfterSeconds === undefined ? jittered : Math.max(jittered, Math.ceil(retryAfterSeconds * 1000));
}

/**
 * A `Retry-After` header value in seconds: either delta-seconds or an HTTP date (relative to `nowMs`).
 * Anything unparseable is ignored (undefined) rather than trusted.
 */
export function parseRetryAfterSeconds(value: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  const text = value?.trim();
  if (!text) {
    return undefined;
  }
  if (/^\d+(\.\d+)?$/.test(text)) {
    return Number(text);
  }
  // An HTTP date names its day and month; requiring letters keeps Date.parse from reading '-5' as a year.
  const date = /[a-z]/i.test(text) ? Date.parse(text) : NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, (date - nowMs) / 1000);
}

/**
 * Whether a wait of `waitMs` followed by an attempt of at least `minAttemptMs` can still finish
 * before `deadline` (epoch ms). Without a deadline, everything fits.
 */
export function fitsBeforeDeadline(nowMs: number, waitMs: number, minAttemptMs: number, deadline?: number): boolean {
  return deadline === undefined || nowMs + waitMs + minAttemptMs <= deadline;
}
