/**
 * How the notifier talks to anything: one HTTP exchange under a timeout, the one error every
 * destination fails with (saying whether another attempt may help), and the retry of an exchange
 * through the handler's one retry loop (`../retry`: full jitter, `Retry-After`, the deadline).
 */
import type { Clock } from '../clock';
import { type Attempt, done, retryAfterBackoff, retryUntilDeadline, type RetryPolicy } from '../retry';

/** A request that failed: `retryable` says whether another attempt may succeed (throttling, 5xx, network). */
export class NotifierRequestError extends Error {
  readonly retryable: boolean;
  readonly status?: number;
  readonly retryAfterSeconds?: number;

  constructor(readonly target: string, message: string, options: { retryable: boolean; status?: number; retryAfterSeconds?: number; cause?: unknown }) {
    super(`${target}: ${message}`, { cause: options.cause });
    this.name = 'NotifierRequestError';
    this.retryable = options.retryable;
    this.status = options.status;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export interface Exchange {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
}

/**
 * `fetch` with a timeout (the clock's, like every request of the handlers) covering the body too;
 * network failures and timeouts are retryable errors of `target`.
 */
export async function exchange(target: string, url: string, init: RequestInit, timeoutMs: number, clock: Clock): Promise<Exchange> {
  if (timeoutMs <= 0) {
    throw new NotifierRequestError(target, 'the deadline passed before the request was sent', { retryable: false });
  }
  const signal = clock.timeoutSignal(timeoutMs);
  try {
    const response = await fetch(url, { ...init, signal });
    return { status: response.status, headers: response.headers, body: await response.text() };
  } catch (error) {
    const what = signal.aborted ? `no complete response within ${timeoutMs} ms` : `request failed (${error instanceof Error ? error.message : String(error)})`;
    throw new NotifierRequestError(target, what, { retryable: true, cause: error });
  }
}

export interface RetryContext {
  readonly clock: Clock;
  /** Epoch ms: no attempt, nor a wait before one, that cannot finish before it. */
  readonly deadline: number;
  readonly policy: RetryPolicy;
}

/** The retry policy of every delivery: a throttled or failing destination gets five tries within the deadline. */
export const DELIVERY_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 200, maxDelayMs: 5_000, minAttemptMs: 500 };

/**
 * `send` until it succeeds, throws an error no retry fixes, or the attempts or the time run out
 * (then the last failure is thrown). Returns the value and the attempts made.
 */
export async function withRetries<T>(target: string, context: RetryContext, send: (attempt: Attempt) => Promise<T>): Promise<{ value: T; attempts: number }> {
  let last: NotifierRequestError | undefined;
  let attempts = 0;
  const result = await retryUntilDeadline(context.policy, { clock: context.clock, deadline: context.deadline }, async (attempt) => {
    attempts = attempt.number;
    try {
      return done(await send(attempt));
    } catch (error) {
      if (!(error instanceof NotifierRequestError) || !error.retryable) throw error;
      last = error;
      return retryAfterBackoff(error.retryAfterSeconds);
    }
  });
  if (!result.ok) {
    throw last ?? new NotifierRequestError(target, 'the deadline leaves no time for a request', { retryable: false });
  }
  return { value: result.value, attempts };
}

/** Per-request timeout: clamped to what is left before the deadline. */
export const REQUEST_TIMEOUT_MS = 5_000;
