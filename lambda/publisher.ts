/**
 * Publishes events with EventBridge `PutEvents`: batches of at most 10 entries within the 256 KB
 * request limit, each entry's result checked, failed entries retried with backoff while time remains.
 */
import { PutEventsCommand, PutEventsCommandOutput, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { awsErrorCode, isRetryableAwsError } from './aws-errors';
import { type Clock, systemClock } from './clock';
import { forEachConcurrently } from './concurrency';
import { describeError } from './strings';
import { done, retryAfterBackoff, retryUntilDeadline, type RetryPolicy } from './retry';

/** The part of `EventBridgeClient` the publisher uses. */
export interface PutEventsSender {
  send(command: PutEventsCommand, options?: { abortSignal?: AbortSignal }): Promise<PutEventsCommandOutput>;
}

export interface EventToPublish {
  readonly source: string;
  readonly detailType: string;
  readonly detail: object;
  readonly resources: readonly string[];
  readonly time: Date;
}

export interface PublishOutcome {
  /** Per input entry, in input order: whether EventBridge accepted it. */
  readonly accepted: boolean[];
  /** The last error of every entry that was not accepted. */
  readonly failures: { readonly index: number; readonly errorCode: string; readonly errorMessage?: string }[];
  /** PutEvents requests made, retries included. */
  readonly putEventsCalls: number;
}

export interface PublisherOptions {
  readonly client: PutEventsSender;
  /** Bus name or ARN. */
  readonly eventBusName: string;
  /** Rounds of PutEvents over the not yet accepted entries, the first included. @default 5 */
  readonly maxRounds?: number;
  /**
   * PutEvents requests in flight at once. Subscribers deduplicate by changeId and EventBridge does
   * not keep order across requests anyway, so a few in parallel cost nothing in meaning.
   * @default 4
   */
  readonly concurrency?: number;
  /** @default 100 */
  readonly baseDelayMs?: number;
  /** @default 2_000 */
  readonly maxDelayMs?: number;
  /** @default systemClock */
  readonly clock?: Clock;
}

/** EventBridge's limits: entries per request and bytes per request (as EventBridge counts them). */
export const MAX_ENTRIES_PER_REQUEST = 10;
export const MAX_REQUEST_BYTES = 256 * 1024;
/** PutEvents requests in flight at once, unless configured. */
export const DEFAULT_PUT_EVENTS_CONCURRENCY = 4;

/** The longest a PutEvents request may take, when the deadline leaves more. */
const REQUEST_TIMEOUT_MS = 10_000;

/** Error code given to an entry that alone exceeds the request size limit (never sent). */
export const ENTRY_TOO_LARGE = 'EntryTooLarge';

export class EventPublisher {
  /** A round over the entries not yet accepted is one attempt. */
  private readonly retryPolicy: RetryPolicy;
  private readonly concurrency: number;
  private readonly clock: Clock;

  constructor(private readonly options: PublisherOptions) {
    this.retryPolicy = {
      maxAttempts: options.maxRounds ?? 5,
      baseDelayMs: options.baseDelayMs ?? 100,
      maxDelayMs: options.maxDelayMs ?? 2_000,
      minAttemptMs: 0, // the poller's deadline already keeps a margin for the requests in flight
    };
    this.concurrency = options.concurrency ?? DEFAULT_PUT_EVENTS_CONCURRENCY;
    this.clock = options.clock ?? systemClock;
  }

  /**
   * Puts every event, retrying the ones EventBridge did not accept. No request (or retry wait) is
   * started after `deadline` (epoch ms); whatever is left is reported as not accepted.
   */
  async publish(events: readonly EventToPublish[], deadline: number): Promise<PublishOutcome> {
    const entries = events.map((e) => this.toEntry(e));
    const accepted = entries.map(() => false);
    const lastError = new Map<number, { errorCode: string; errorMessage?: string }>();
    let putEventsCalls = 0;

    let pending: number[] = [];
    entries.forEach((entry, index) => {
      if (entrySize(entry) > MAX_REQUEST_BYTES) {
        lastError.set(index, { errorCode: ENTRY_TOO_LARGE, errorMessage: `entry is ${entrySize(entry)} bytes` });
      } else {
        pending.push(index);
      }
    });

    // Whatever is still pending when the rounds or the time run out is reported as not accepted.
    await retryUntilDeadline(this.retryPolicy, { clock: this.clock, deadline }, async (round) => {
      const failedThisRound: number[] = [];
      let permanentFailure = false;
      await forEachConcurrently(packBatches(pending, (i) => entrySize(entries[i])), this.concurrency, async (batch) => {
        if (permanentFailure || !round.canStartRequest()) {
          failedThisRound.push(...batch);
          return;
        }
        putEventsCalls++;
        try {
          const output = await this.options.client.send(
            new PutEventsCommand({ Entries: batch.map((i) => entries[i]) }),
            { abortSignal: this.clock.timeoutSignal(Math.min(REQUEST_TIMEOUT_MS, round.timeLeftMs())) },
          );
          batch.forEach((index, position) => {
            const result = output.Entries?.[position];
            if (result?.EventId && !result.ErrorCode) {
              accepted[index] = true;
              lastError.delete(index);
            } else {
              lastError.set(index, { errorCode: result?.ErrorCode ?? 'MissingResult', errorMessage: result?.ErrorMessage });
              failedThisRound.push(index);
            }
          });
        } catch (error) {
          // The whole request failed: none of its entries is known to be in.
          for (const index of batch) {
            lastError.set(index, { errorCode: awsErrorCode(error), errorMessage: describeError(error) });
          }
          // Access denied, validation: a retry would fail the same way. Leave it to the next run.
          permanentFailure ||= !isRetryableAwsError(error);
          failedThisRound.push(...batch);
        }
      });
      pending = failedThisRound.sort((a, b) => a - b);
      return pending.length === 0 || permanentFailure ? done(undefined) : retryAfterBackoff();
    });

    return this.outcome(accepted, lastError, putEventsCalls);
  }

  private outcome(
    accepted: boolean[],
    lastError: Map<number, { errorCode: string; errorMessage?: string }>,
    putEventsCalls: number,
  ): PublishOutcome {
    for (let index = 0; index < accepted.length; index++) {
      if (!accepted[index] && !lastError.has(index)) {
        lastError.set(index, { errorCode: 'NotAttempted' });
      }
    }
    const failures = [...lastError.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, e]) => ({ index, ...e }));
    return { accepted, failures, putEventsCalls };
  }

  private toEntry(event: EventToPublish): PutEventsRequestEntry {
    return {
      Source: event.source,
      DetailType: event.detailType,
      Detail: JSON.stringify(event.detail),
      Resources: [...event.resources],
      Time: event.time,
      EventBusName: this.options.eventBusName,
    };
  }
}

/** The size EventBridge counts for an entry: Time 14 bytes, then the UTF-8 bytes of the strings. */
export function entrySize(entry: PutEventsRequestEntry): number {
  let size = entry.Time ? 14 : 0;
  size += Buffer.byteLength(entry.Source ?? '') + Buffer.byteLength(entry.DetailType ?? '');
  size += entry.Detail ? Buffer.byteLength(entry.Detail) : 0;
  for (const resource of entry.Resources ?? []) {
    size += Buffer.byteLength(resource);
  }
  return size;
}

/** Splits items, in order, into requests of at most 10 entries and 256 KB. */
export function packBatches<T>(items: readonly T[], sizeOf: (item: T) => number): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (current.length === MAX_ENTRIES_PER_REQUEST || (current.length > 0 && bytes + size > MAX_REQUEST_BYTES)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) {
    batches.push(current);
  }
  return batches;
}
