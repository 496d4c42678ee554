/**
 * The one retry loop of the handler: attempts until one ends the call, the attempts run out or the
 * deadline comes, waiting full-jitter exponential backoff (at least what `Retry-After` asked)
 * between them. A call site brings its policy as data and says, per attempt, how it ended; the
 * deadline rule lives here once: no attempt, and no wait before one, is started that cannot finish
 * before the deadline.
 */
import type { Clock } from './clock';

/** How a call site retries. */
export interface RetryPolicy {
  /** Attempts, the first included (at least one is made). Attempts retried at once do not count. */
  readonly maxAttempts: number;
  /** Upper bound of the first retry's delay; it doubles with every retry after that. */
  readonly baseDelayMs: number;
  /** No backoff delay grows beyond this (`Retry-After` may still ask for more). */
  readonly maxDelayMs: number;
  /** The least time an attempt needs: none is started, nor waited for, with less left before the deadline. */
  readonly minAttemptMs: number;
}

export interface RetryOptions {
  readonly clock: Clock;
  /** Epoch ms. Without it, only `maxAttempts` bounds the retries. */
  readonly deadline?: number;
}

/** What an attempt is told about itself. */
export interface Attempt {
  /** 1 for the first attempt; every attempt counts here, those retried at once included. */
  readonly number: number;
  /** Milliseconds left before the deadline (Infinity without one), to clamp a request's timeout. */
  timeLeftMs(): number;
  /** Whether a request started now can still finish before the deadline: for attempts made of several requests. */
  canStartRequest(): boolean;
}

/** How an attempt ended, as the call site judges it. */
export type AttemptOutcome<T> =
  | { readonly kind: 'done'; readonly value: T }
  | { readonly kind: 'retryAfterBackoff'; readonly retryAfterSeconds?: number }
  | { readonly kind: 'retryAtOnce' };

/** No further attempt: the call ends with `value` (a success, or a failure no retry can fix). */
export function done<T>(value: T): AttemptOutcome<T> {
  return { kind: 'done', value };
}

/** A failure another attempt may fix: counted, then retried after a backoff delay of at least `retryAfterSeconds`. */
export function retryAfterBackoff(retryAfterSeconds?: number): AttemptOutcome<never> {
  return { kind: 'retryAfterBackoff', retryAfterSeconds };
}

/** Not a failure of the call (a request signed with a skewed clock, say): retried at once, not counted. */
export function retryAtOnce(): AttemptOutcome<never> {
  return { kind: 'retryAtOnce' };
}

/** The value of the attempt that ended the call, or why no further attempt was made. */
export type RetryResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: 'attempts' | 'deadline'; readonly attempts: number };

/**
 * Runs `attempt` until it reports `done`, `maxAttempts` failures are counted or the deadline leaves
 * no time for another. An error thrown by `attempt` (one no retry fixes) ends the call at once and
 * propagates as is.
 */
export async function retryUntilDeadline<T>(
  policy: RetryPolicy,
  options: RetryOptions,
  attempt: (attempt: Attempt) => Promise<AttemptOutcome<T>>,
): Promise<RetryResult<T>> {
  const { clock, deadline } = options;
  const fits = (waitMs: number) => fitsBeforeDeadline(clock.now(), waitMs, policy.minAttemptMs, deadline);
  const timeLeftMs = () => (deadline === undefined ? Infinity : deadline - clock.now());
  let failures = 0;
  for (let number = 1; ; number++) {
    if (!fits(0)) {
      return { ok: false, reason: 'deadline', attempts: number - 1 };
    }
    const outcome = await attempt({ number, timeLeftMs, canStartRequest: () => fits(0) });
    if (outcome.kind === 'done') {
      return { ok: true, value: outcome.value };
    }
    if (outcome.kind === 'retryAfterBackoff') {
      if (++failures >= policy.maxAttempts) {
        return { ok: false, reason: 'attempts', attempts: number };
      }
      const waitMs = retryDelayMs(failures - 1, policy, outcome.retryAfterSeconds, () => clock.random());
      if (!fits(waitMs)) {
        return { ok: false, reason: 'deadline', attempts: number };
      }
      await clock.sleep(waitMs);
    }
  }
}

/**
 * The deadline rule: after a wait of `waitMs`, an attempt of at least `minAttemptMs` must still
 * end by `deadline` (epoch ms), and it must start before the deadline (an attempt takes some time,
 * so one starting at the deadline cannot finish before it). Without a deadline, everything fits.
 */
export function fitsBeforeDeadline(nowMs: number, waitMs: number, minAttemptMs: number, deadline?: number): boolean {
  if (deadline === undefined) {
    return true;
  }
  const start = nowMs + waitMs;
  return start < deadline && start + minAttemptMs <= deadline;
}

/**
 * Full jitter: a random delay in [0, min(max, base * 2^retry)). `retry` starts at 0.
 * Spreading retries over the whole interval keeps many throttled callers from retrying in step.
 */
export function backoffDelayMs(retry: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry));
  return Math.floor(Math.max(0, Math.min(random(), 1)) * Math.max(0, ceiling));
}

/**
 * The wait before retry number `retry + 1`: the backoff delay, but never less than what the server
 * asked for with `Retry-After`.
 */
export function retryDelayMs(
  retry: number,
  policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>,
  retryAfterSeconds: number | undefined,
  random: () => number,
): number {
  const jittered = backoffDelayMs(retry, policy, random);
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
