/**
 * The lease protocol (docs/design.md, "Lease"): one run at a time writes the state. A poll takes
 * the lease for the listing it made, waiting while a hint holds it and giving up to another poll
 * or a newer recorded listing; a hint takes it only at the generation it read; every run releases
 * it without masking its own outcome. The meta item's conditional writes are `state-meta-item.ts`.
 *
 * dynalite answers a failed condition without the item (`ReturnValuesOnConditionCheckFailure` is
 * not implemented there), so a refused poll reads the meta item to learn who holds the lease.
 */
import { randomUUID } from 'crypto';
import type { Clock } from './clock';
import { done, retryAfterBackoff, retryUntilDeadline, type RetryPolicy, type RetryResult, type Attempt, type AttemptOutcome } from './retry';
import type { MetaRecord, ReleaseOptions } from './state-store';
import { describeError } from './strings';
import type { Telemetry } from './telemetry';

/** The meta-item operations of the protocol (`StateStore` implements them). */
export interface LeaseStore {
  getMeta(deadline?: number): Promise<MetaRecord | undefined>;
  acquireLease(owner: string, opts: { expiresAt: number; listedAt: number }, deadline?: number): Promise<boolean>;
  acquireLeaseAtGeneration(owner: string, opts: { expiresAt: number; generation: number }, deadline?: number): Promise<boolean>;
  releaseLease(owner: string, opts?: ReleaseOptions, deadline?: number): Promise<boolean>;
}

/** Owners of a poll's lease start with this. */
export const POLL_LEASE_PREFIX = 'poll:';
/** Owners of a hint's lease start with this, so that a poll finding it held knows to wait for it. */
export const HINT_LEASE_PREFIX = 'hint:';
/**
 * How a run waits for the lease: its holder needs it for a few requests, so short waits, as many as
 * the deadline allows (a crashed holder's lease outlives the waiter's deadline: the waiter fails).
 */
export const LEASE_WAIT: RetryPolicy = { maxAttempts: 1_000, baseDelayMs: 25, maxDelayMs: 1_000, minAttemptMs: 500 };

export interface PollLeaseRequest {
  /** When the poll's listing started: a newer recorded listing wins. */
  readonly listedAt: number;
  /** The lease's expiry: the invocation's deadline. */
  readonly expiresAt: number;
  /** No attempt starts at or after this. */
  readonly workDeadline: number;
}

/**
 * The lease for a poll: its owner id, or undefined when another poll holds it or has recorded a
 * newer listing (that run does this work). A hint holding it, or one that released it between the
 * refusal and the read of the meta item, is waited for and asked again.
 */
export async function takePollLease(store: LeaseStore, clock: Clock, request: PollLeaseRequest): Promise<string | undefined> {
  const owner = POLL_LEASE_PREFIX + randomUUID();
  const taken = await retryUntilDeadline(LEASE_WAIT, { clock, deadline: request.workDeadline }, async () => {
    if (await store.acquireLease(owner, { expiresAt: request.expiresAt, listedAt: request.listedAt }, request.workDeadline)) {
      return done(true);
    }
    const meta = await store.getMeta(request.workDeadline);
    const newerListing = (meta?.listedAt ?? 0) > request.listedAt;
    const pollAtWork = meta?.leaseOwner?.startsWith(POLL_LEASE_PREFIX) === true && (meta.leaseExpiresAt ?? 0) >= clock.now();
    return newerListing || pollAtWork ? done(false) : retryAfterBackoff();
  });
  return taken.ok && taken.value ? owner : undefined;
}

/**
 * The lease for a hint, in one conditional write: its owner id, or undefined when it is held or a
 * lease was taken since the hint read the state at `generation` (then the hint reads again).
 */
export async function takeHintLease(
  store: LeaseStore, opts: { generation: number; expiresAt: number; deadline: number },
): Promise<string | undefined> {
  const owner = HINT_LEASE_PREFIX + randomUUID();
  return (await store.acquireLeaseAtGeneration(owner, { expiresAt: opts.expiresAt, generation: opts.generation }, opts.deadline)) ? owner : undefined;
}

/** Attempts of a hint at its read-and-lease step, waiting between them as every lease waiter does. */
export function untilLeaseFree<T>(clock: Clock, deadline: number, attempt: (attempt: Attempt) => Promise<AttemptOutcome<T>>): Promise<RetryResult<T>> {
  return retryUntilDeadline(LEASE_WAIT, { clock, deadline }, attempt);
}

/**
 * Runs `work` under the lease `owner` holds, then releases it (`release`), never masking the
 * run's own outcome: a lease that cannot be released expires at the run's deadline anyway.
 */
export async function underLease<T>(
  work: () => Promise<T>,
  release: () => Promise<boolean>,
  telemetry: Telemetry,
): Promise<T> {
  try {
    return await work();
  } finally {
    try {
      if (!(await release())) {
        telemetry.log('WARN', 'The lease was lost before the run released it');
      }
    } catch (error) {
      telemetry.log('WARN', 'Could not release the lease: it expires at the deadline', { error: describeError(error) });
    }
  }
}
