/**
 * The state table's I/O: every DynamoDB request of the handler goes through here, under the one
 * retry helper (the SDK client makes a single attempt): throttling, server faults and timeouts are
 * retried with backoff, no request or wait is started that cannot finish before the deadline, and
 * each request is timed out by the clock. Batches retry what DynamoDB leaves unprocessed the same way.
 */
import {
  type AttributeValue,
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  BatchWriteItemCommand,
  type BatchWriteItemCommandOutput,
  DynamoDBClient,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { isRetryableAwsError } from './aws-errors';
import type { Clock } from './clock';
import { forEachConcurrently } from './concurrency';
import { type Attempt, done, retryAfterBackoff, retryUntilDeadline, type RetryPolicy } from './retry';

/** The part of `DynamoDBClient` the store uses. */
export type DynamoDbSender = Pick<DynamoDBClient, 'send'>;

export type Item = Record<string, AttributeValue>;

/** Items per BatchWriteItem request (DynamoDB's limit). */
export const BATCH_WRITE_LIMIT = 25;
/** BatchWriteItem requests in flight at once, unless configured. */
export const DEFAULT_BATCH_WRITE_CONCURRENCY = 4;
/** The longest a single request may take, when the deadline leaves more. */
const REQUEST_TIMEOUT_MS = 10_000;

export interface StateTableOptions {
  readonly client: DynamoDbSender;
  readonly tableName: string;
  readonly clock: Clock;
  /** Attempts at a request (or at a batch's unprocessed items), the first included. @default 8 */
  readonly maxAttempts?: number;
  /** Upper bound of the first retry's delay. @default 50 */
  readonly baseDelayMs?: number;
  /** BatchWriteItem requests in flight at once. @default 4 */
  readonly batchConcurrency?: number;
}

/** What `attempt` returns for a failure another attempt may fix. */
const RETRY = Symbol('retry');

/** A DynamoDB command (any of them: the caller names its output type). */
type Command = { readonly input: object };

export class StateTable {
  readonly tableName: string;
  private readonly client: DynamoDbSender;
  private readonly clock: Clock;
  private readonly policy: RetryPolicy;
  private readonly batchConcurrency: number;

  constructor(options: StateTableOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.clock = options.clock;
    this.policy = {
      maxAttempts: options.maxAttempts ?? 8,
      baseDelayMs: options.baseDelayMs ?? 50,
      maxDelayMs: 1_000,
      minAttemptMs: 0, // the runs' deadlines already keep a margin for the request in flight
    };
    this.batchConcurrency = options.batchConcurrency ?? DEFAULT_BATCH_WRITE_CONCURRENCY;
  }

  /** One request, retried while it fails in a way a retry may fix; the last error when none is left. */
  async send<Output>(command: Command, deadline?: number): Promise<Output> {
    const failures: unknown[] = [];
    const result = await retryUntilDeadline<Output>(this.policy, { clock: this.clock, deadline }, async (attempt) => {
      const output = await this.attempt<Output>(command, attempt, failures);
      return output === RETRY ? retryAfterBackoff() : done(output);
    });
    if (!result.ok) {
      throw failures.pop() ?? new Error('DynamoDB: the deadline leaves no time for a request');
    }
    return result.value;
  }

  /** One attempt at `command`: its output, or `RETRY` after a failure a retry may fix (noted in `failures`). */
  private async attempt<Output>(command: Command, attempt: Attempt, failures: unknown[]): Promise<Output | typeof RETRY> {
    try {
      const abortSignal = this.clock.timeoutSignal(Math.min(REQUEST_TIMEOUT_MS, attempt.timeLeftMs()));
      const client = this.client as unknown as { send(c: Command, o: { abortSignal: AbortSignal }): Promise<Output> };
      return await client.send(command, { abortSignal });
    } catch (error) {
      if (!isRetryableAwsError(error)) {
        throw error;
      }
      failures.push(error);
      return RETRY;
    }
  }

  /** Resolves true when the conditional write went through, false when its condition failed. */
  async ifConditionHolds(command: Command, deadline?: number): Promise<boolean> {
    try {
      await this.send(command, deadline);
      return true;
    } catch (error) {
      if ((error as Error)?.name === 'ConditionalCheckFailedException') {
        return false;
      }
      throw error;
    }
  }

  /**
   * Reads `keys` strongly consistently in one `BatchGetItem`, asking again for the keys DynamoDB
   * leaves unprocessed under load; throws if some remain unread.
   */
  async batchGet(keys: readonly Item[], deadline: number | undefined, what: string): Promise<Item[]> {
    let unread = [...keys];
    const items: Item[] = [];
    const failures: unknown[] = [];
    const result = await retryUntilDeadline(this.policy, { clock: this.clock, deadline }, async (attempt) => {
      const output = await this.attempt<BatchGetItemCommandOutput>(new BatchGetItemCommand({
        RequestItems: { [this.tableName]: { Keys: unread, ConsistentRead: true } },
      }), attempt, failures);
      if (output === RETRY) {
        return retryAfterBackoff();
      }
      failures.length = 0; // what is left unread now is DynamoDB's choice, not a failure
      const { Responses, UnprocessedKeys } = output;
      items.push(...(Responses?.[this.tableName] ?? []));
      unread = UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      return unread.length === 0 ? done(undefined) : retryAfterBackoff();
    });
    if (!result.ok) {
      throw failures.pop() ?? new Error(`BatchGetItem left ${unread.length} key(s) of ${what} unread (${result.reason === 'attempts' ? `after ${result.attempts} attempts` : 'the deadline came'})`);
    }
    return items;
  }

  /**
   * Puts `items`, 25 per request, a few requests in flight, retrying `UnprocessedItems`. Batch
   * writes run under the lease, which ends at the invocation's deadline: past `deadline` no request
   * starts, so none can land after another run has taken over. Throws if some remain unwritten.
   */
  async batchPut(items: readonly Item[], deadline?: number): Promise<void> {
    const chunks: Item[][] = [];
    for (let start = 0; start < items.length; start += BATCH_WRITE_LIMIT) {
      chunks.push(items.slice(start, start + BATCH_WRITE_LIMIT));
    }
    await forEachConcurrently(chunks, this.batchConcurrency, async (chunk) => {
      let requests: WriteRequest[] = chunk.map((Item) => ({ PutRequest: { Item } }));
      const failures: unknown[] = [];
      const result = await retryUntilDeadline(this.policy, { clock: this.clock, deadline }, async (attempt) => {
        const output = await this.attempt<BatchWriteItemCommandOutput>(new BatchWriteItemCommand({ RequestItems: { [this.tableName]: requests } }), attempt, failures);
        if (output === RETRY) {
          return retryAfterBackoff();
        }
        failures.length = 0;
        requests = output.UnprocessedItems?.[this.tableName] ?? [];
        return requests.length === 0 ? done(undefined) : retryAfterBackoff();
      });
      if (!result.ok) {
        throw failures.pop() ?? new Error(result.reason === 'attempts'
          ? `BatchWriteItem left ${requests.length} item(s) unprocessed after ${result.attempts} attempts`
          : `BatchWriteItem: the deadline came with ${requests.length} item(s) of a batch unwritten`);
      }
    });
  }
}
