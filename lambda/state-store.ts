/**
 * The watcher's state in DynamoDB (layout in docs/design.md): one meta item (listing digest,
 * baseline marker, lease), one item per case and, beside it, the case's write-ahead intent. Only
 * GetItem, UpdateItem, Query, PutItem and BatchWriteItem: conditional single-item writes instead
 * of transactions.
 */
import {
  AttributeValue,
  BatchGetItemCommand,
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { type Clock, systemClock } from './clock';
import { forEachConcurrently } from './concurrency';
import { done, retryAfterBackoff, retryUntilDeadline, type RetryPolicy } from './retry';
import type { CaseState, RecordedCase } from './change-detection';

/** The part of `DynamoDBClient` the store uses. */
export type DynamoDbSender = Pick<DynamoDBClient, 'send'>;

export interface MetaRecord {
  /** Digest of the last listing recorded in full; absent while a run holds (or crashed with) the lease. */
  readonly digest?: string;
  /** When the first complete listing was recorded. */
  readonly baselineAt?: string;
  readonly leaseOwner?: string;
  readonly leaseExpiresAt?: number;
  /** Epoch ms at which the listing last recorded was started. */
  readonly listedAt?: number;
  /**
   * Incremented by every lease taken: a run that read the state at generation g knows nothing was
   * recorded since while the generation is still g. 0 before the first lease.
   */
  readonly generation: number;
}

/** What one hint reads in one request: the meta item and the case's item and intent. */
export interface CaseSnapshot {
  readonly meta: MetaRecord | undefined;
  /** The recorded case with its live intent, as `loadCases` would return it; undefined when neither exists. */
  readonly recorded: RecordedCase | undefined;
}

/** A case state to write. */
export interface CaseWrite {
  readonly caseId: string;
  readonly state: CaseState;
  /** The recorded version this write replaces; undefined for a case never recorded. */
  readonly expectedVersion: number | undefined;
}

/** The write-ahead intent of a case about to be announced (see `putIntents`). */
export interface CaseIntent {
  readonly caseId: string;
  /** The recorded version the intent was computed from; undefined for a case never recorded. */
  readonly expectedVersion: number | undefined;
  /** The states the case's events lead to, oldest first. */
  readonly pending: readonly CaseState[];
}

export interface StateStoreOptions {
  readonly client: DynamoDbSender;
  readonly tableName: string;
  /** Attempts at a BatchWriteItem's unprocessed items, the first included. @default 8 */
  readonly maxBatchAttempts?: number;
  /** BatchWriteItem requests in flight at once (a 10,000-case baseline is 400 of them). @default 4 */
  readonly batchConcurrency?: number;
  /** Items per Query page; DynamoDB's 1 MB page limit applies anyway. @default no limit */
  readonly queryPageSize?: number;
  /** @default systemClock */
  readonly clock?: Clock;
}

/** The partition of the one meta item and of the case items. */
const META_KEY = { pk: { S: 'META' }, sk: { S: 'META' } };
const CASE_PARTITION = 'CASE';
/**
 * Sort key prefix of intent items, in the case partition so the one Query reads them too. Case IDs
 * are digits, so no case item can take this key.
 */
const INTENT_PREFIX = 'INTENT#';
/** Owners of a poll's lease start with this. */
export const POLL_LEASE_PREFIX = 'poll:';
/** Owners of a hint's lease start with this, so that a poll finding it held knows to wait for it. */
export const HINT_LEASE_PREFIX = 'hint:';
/**
 * How a run waits for the lease: its holder needs it for a few requests, so short waits, as many as
 * the deadline allows (a crashed holder's lease outlives the waiter's deadline: the waiter fails).
 */
export const LEASE_WAIT: RetryPolicy = { maxAttempts: 1_000, baseDelayMs: 25, maxDelayMs: 1_000, minAttemptMs: 500 };

/** Items per BatchWriteItem request (DynamoDB's limit). */
export const BATCH_WRITE_LIMIT = 25;
/** BatchWriteItem requests in flight at once, unless configured. */
export const DEFAULT_BATCH_WRITE_CONCURRENCY = 4;

export class StateStore {
  private readonly client: DynamoDbSender;
  private readonly tableName: string;
  /** How a batch write retries its unprocessed items. */
  private readonly batchRetryPolicy: RetryPolicy;
  private readonly batchConcurrency: number;
  private readonly queryPageSize?: number;
  private readonly clock: Clock;

  constructor(options: StateStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.batchRetryPolicy = {
      maxAttempts: options.maxBatchAttempts ?? 8,
      baseDelayMs: 50,
      maxDelayMs: 1_000,
      minAttemptMs: 0, // the poller's deadlines already keep a margin for the request in flight
    };
    this.batchConcurrency = options.batchConcurrency ?? DEFAULT_BATCH_WRITE_CONCURRENCY;
    this.queryPageSize = options.queryPageSize;
    this.clock = options.clock ?? systemClock;
  }

  /** The meta item (strongly consistent read), or undefined before the first run. */
  async getMeta(): Promise<MetaRecord | undefined> {
    const { Item } = await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: META_KEY, ConsistentRead: true }));
    return Item ? metaOf(Item) : undefined;
  }

  /**
   * The meta item, the case item and the case's intent in one strongly consistent `BatchGetItem`.
   * Keys DynamoDB leaves unprocessed under load are asked again with the batch writes' retry policy
   * (backoff, bounded attempts, nothing started past `deadline`); throws if some remain unread.
   */
  async readCase(caseId: string, deadline?: number): Promise<CaseSnapshot> {
    let keys: Record<string, AttributeValue>[] = [META_KEY, caseKey(caseId), caseKey(INTENT_PREFIX + caseId)];
    const items: Record<string, AttributeValue>[] = [];
    const result = await retryUntilDeadline(this.batchRetryPolicy, { clock: this.clock, deadline }, async () => {
      const { Responses, UnprocessedKeys } = await this.client.send(new BatchGetItemCommand({
        RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } },
      }));
      items.push(...(Responses?.[this.tableName] ?? []));
      keys = UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      return keys.length === 0 ? done(undefined) : retryAfterBackoff();
    });
    if (!result.ok) {
      throw new Error(`BatchGetItem left ${keys.length} key(s) of case ${caseId} unread (${result.reason === 'attempts' ? `after ${result.attempts} attempts` : 'the deadline came'})`);
    }
    const meta = items.find((item) => item.pk.S === 'META');
    const cases = recordedCases(items.filter((item) => item.pk.S === CASE_PARTITION));
    return { meta: meta ? metaOf(meta) : undefined, recorded: cases.get(caseId) };
  }

  /**
   * Takes the lease unless another run holds an unexpired one or has recorded a listing newer than
   * ours (`listedAt`). Removes the digest while we work, so a run that crashes half-way never leaves
   * a digest that would make the next run skip what it wrote. Returns false when someone else is at work.
   */
  async acquireLease(owner: string, opts: { expiresAt: number; listedAt: number }): Promise<boolean> {
    return this.ifConditionHolds(this.client.send(new UpdateItemCommand({
      TableName: this.tableName,
      Key: META_KEY,
      UpdateExpression: LEASE_UPDATE,
      ConditionExpression: `${LEASE_IS_FREE} AND (attribute_not_exists(listedAt) OR listedAt <= :listedAt)`,
      ExpressionAttributeValues: { ...this.leaseValues(owner, opts.expiresAt), ':listedAt': { N: String(opts.listedAt) } },
    })));
  }

  /**
   * The lease for a hint: taken only if it is free and no lease was taken since the hint read the
   * state (`generation` unchanged), so a hint that lost a race re-reads without writing. (The hint
   * still reads again under the lease: `generation` moves when a lease is taken, not when its holder
   * records.) Removes the digest like every lease. Returns false when another run is at work or was.
   */
  async acquireLeaseAtGeneration(owner: string, opts: { expiresAt: number; generation: number }): Promise<boolean> {
    return this.ifConditionHolds(this.client.send(new UpdateItemCommand({
      TableName: this.tableName,
      Key: META_KEY,
      UpdateExpression: LEASE_UPDATE,
      ConditionExpression: `${LEASE_IS_FREE} AND attribute_exists(baselineAt) AND ${GENERATION_IS}`,
      ExpressionAttributeValues: { ...this.leaseValues(owner, opts.expiresAt), ':generation': { N: String(opts.generation) } },
    })));
  }

  private leaseValues(owner: string, expiresAt: number): Record<string, AttributeValue> {
    return {
      ':owner': { S: owner },
      ':expiresAt': { N: String(expiresAt) },
      ':nowMs': { N: String(this.clock.now()) },
      ':now': { S: new Date(this.clock.now()).toISOString() },
      ':zero': { N: '0' },
      ':one': { N: '1' },
    };
  }

  /**
   * Releases the lease; with `listedAt` (a poll) records when its listing started; with `digest`,
   * also the digest (the listing was recorded in full) and the baseline marker if not yet set.
   * False when the lease was lost.
   */
  async releaseLease(owner: string, opts: { listedAt?: number; digest?: string } = {}): Promise<boolean> {
    const now = new Date(this.clock.now()).toISOString();
    const values: Record<string, AttributeValue> = { ':owner': { S: owner }, ':now': { S: now } };
    let set = 'updatedAt = :now';
    if (opts.listedAt !== undefined) {
      set += ', listedAt = :listedAt';
      values[':listedAt'] = { N: String(opts.listedAt) };
    }
    if (opts.digest !== undefined) {
      set += ', digest = :digest, baselineAt = if_not_exists(baselineAt, :now)';
      values[':digest'] = { S: opts.digest };
    }
    return this.ifConditionHolds(this.client.send(new UpdateItemCommand({
      TableName: this.tableName,
      Key: META_KEY,
      UpdateExpression: `SET ${set} REMOVE leaseOwner, leaseExpiresAt`,
      ConditionExpression: 'leaseOwner = :owner',
      ExpressionAttributeValues: values,
    })));
  }

  /**
   * Every recorded case (strongly consistent, all pages), with its intent when the intent was
   * computed from the version recorded now. An intent from an older version is spent: the run that
   * recorded since had read it and re-sent its events. A case with only an intent has version 0.
   */
  async loadCases(): Promise<Map<string, RecordedCase>> {
    const items: Record<string, AttributeValue>[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.client.send(new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: CASE_PARTITION } },
        ProjectionExpression: 'pk, sk, caseStatus, pendingAction, lastUpdatedDate, version, basedOnVersion, #pending',
        ExpressionAttributeNames: { '#pending': 'pending' },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
        Limit: this.queryPageSize,
      }));
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return recordedCases(items);
  }


  /**
   * Writes one case if its recorded version is still the one the change was computed from, so two
   * overlapping runs never both advance a case. Returns false when another run got there first.
   */
  async putCase(write: CaseWrite): Promise<boolean> {
    const condition = write.expectedVersion === undefined
      ? { ConditionExpression: 'attribute_not_exists(pk)' }
      : { ConditionExpression: 'version = :expected', ExpressionAttributeValues: { ':expected': { N: String(write.expectedVersion) } } };
    return this.ifConditionHolds(this.client.send(new PutItemCommand({
      TableName: this.tableName,
      Item: this.caseItem(write),
      ...condition,
    })));
  }

  /**
   * Writes cases that have nothing to publish (baseline, silent new cases), 25 per request, under
   * the lease; `UnprocessedItems` are retried with backoff. No request (or retry wait) starts after
   * `deadline` (epoch ms). Throws if some items remain unwritten.
   */
  async putCasesInBatches(writes: readonly CaseWrite[], deadline?: number): Promise<void> {
    await this.putInBatches(writes.map((w) => this.caseItem(w)), deadline);
  }

  /**
   * Writes the intents of the cases a run is about to announce, before it publishes, 25 per
   * request under the lease, into items of their own: an unconditional batch write must never
   * replace a case item, or it could undo another run's conditional write. No request (or retry
   * wait) starts after `deadline` (epoch ms). Throws if some remain unwritten (then nothing may be
   * published).
   */
  async putIntents(intents: readonly CaseIntent[], deadline?: number): Promise<void> {
    await this.putInBatches(intents.map((intent) => ({
      pk: { S: CASE_PARTITION },
      sk: { S: INTENT_PREFIX + intent.caseId },
      basedOnVersion: { N: String(intent.expectedVersion ?? 0) },
      pending: { L: intent.pending.map((step) => ({ M: stateAttributes(step) })) },
      updatedAt: { S: new Date(this.clock.now()).toISOString() },
    })), deadline);
  }

  /**
   * The batch writes run under the lease, which ends at the invocation's deadline: past `deadline`
   * no request starts, so none can land after another run has taken over.
   */
  private async putInBatches(items: readonly Record<string, AttributeValue>[], deadline?: number): Promise<void> {
    const chunks: Record<string, AttributeValue>[][] = [];
    for (let start = 0; start < items.length; start += BATCH_WRITE_LIMIT) {
      chunks.push(items.slice(start, start + BATCH_WRITE_LIMIT));
    }
    await forEachConcurrently(chunks, this.batchConcurrency, async (chunk) => {
      let requests: WriteRequest[] = chunk.map((Item) => ({ PutRequest: { Item } }));
      const result = await retryUntilDeadline(this.batchRetryPolicy, { clock: this.clock, deadline }, async () => {
        const { UnprocessedItems } = await this.client.send(new BatchWriteItemCommand({ RequestItems: { [this.tableName]: requests } }));
        requests = UnprocessedItems?.[this.tableName] ?? [];
        return requests.length === 0 ? done(undefined) : retryAfterBackoff();
      });
      if (!result.ok) {
        throw new Error(result.reason === 'attempts'
          ? `BatchWriteItem left ${requests.length} item(s) unprocessed after ${result.attempts} attempts`
          : `BatchWriteItem: the deadline came with ${requests.length} item(s) of a batch unwritten`);
      }
    });
  }

  private caseItem(write: CaseWrite): Record<string, AttributeValue> {
    return {
      pk: { S: CASE_PARTITION },
      sk: { S: write.caseId },
      ...stateAttributes(write.state),
      version: { N: String((write.expectedVersion ?? 0) + 1) },
      updatedAt: { S: new Date(this.clock.now()).toISOString() },
    };
  }

  /** Resolves true when the conditional write went through, false when its condition failed. */
  private async ifConditionHolds(request: Promise<unknown>): Promise<boolean> {
    try {
      await request;
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || (error as Error)?.name === 'ConditionalCheckFailedException') {
        return false;
      }
      throw error;
    }
  }
}

/** Takes the lease: owner and expiry, a new generation, and no digest while the holder works. */
const LEASE_UPDATE = 'SET leaseOwner = :owner, leaseExpiresAt = :expiresAt, updatedAt = :now, '
  + 'generation = if_not_exists(generation, :zero) + :one REMOVE digest';
const LEASE_IS_FREE = '(attribute_not_exists(leaseExpiresAt) OR leaseExpiresAt < :nowMs)';
const GENERATION_IS = '(generation = :generation OR (attribute_not_exists(generation) AND :generation = :zero))';

function caseKey(sortKey: string): Record<string, AttributeValue> {
  return { pk: { S: CASE_PARTITION }, sk: { S: sortKey } };
}

function metaOf(item: Record<string, AttributeValue>): MetaRecord {
  return {
    digest: item.digest?.S,
    baselineAt: item.baselineAt?.S,
    leaseOwner: item.leaseOwner?.S,
    leaseExpiresAt: numberOf(item.leaseExpiresAt),
    listedAt: numberOf(item.listedAt),
    generation: numberOf(item.generation) ?? 0,
  };
}

/**
 * Case items and intent items to recorded cases: each with its intent when the intent was computed
 * from the version recorded now. An intent from an older version is spent: the run that recorded
 * since had read it and re-sent its events. A case with only an intent has version 0.
 */
function recordedCases(items: readonly Record<string, AttributeValue>[]): Map<string, RecordedCase> {
  const cases = new Map<string, RecordedCase>();
  const intents = new Map<string, { basedOnVersion: number; pending: CaseState[] }>();
  for (const item of items) {
    const key = item.sk.S!;
    if (key.startsWith(INTENT_PREFIX)) {
      intents.set(key.slice(INTENT_PREFIX.length), {
        basedOnVersion: numberOf(item.basedOnVersion) ?? 0,
        pending: (item.pending?.L ?? []).map((step) => stateOf(step.M ?? {})),
      });
    } else {
      cases.set(key, { ...stateOf(item), version: numberOf(item.version) ?? 0 });
    }
  }
  for (const [caseId, intent] of intents) {
    const recorded = cases.get(caseId) ?? { caseStatus: null, pendingAction: null, lastUpdatedDate: null, version: 0 };
    if (intent.basedOnVersion === recorded.version && intent.pending.length > 0) {
      cases.set(caseId, { ...recorded, pending: intent.pending });
    }
  }
  return cases;
}

function stateAttributes(state: CaseState): Record<string, AttributeValue> {
  return {
    caseStatus: stringOrNull(state.caseStatus),
    pendingAction: stringOrNull(state.pendingAction),
    lastUpdatedDate: stringOrNull(state.lastUpdatedDate),
  };
}

function stateOf(attributes: Record<string, AttributeValue>): CaseState {
  return {
    caseStatus: attributes.caseStatus?.S ?? null,
    pendingAction: attributes.pendingAction?.S ?? null,
    lastUpdatedDate: attributes.lastUpdatedDate?.S ?? null,
  };
}

function stringOrNull(value: string | null): AttributeValue {
  return value === null ? { NULL: true } : { S: value };
}

function numberOf(value: AttributeValue | undefined): number | undefined {
  return value?.N === undefined ? undefined : Number(value.N);
}
