/**
 * The meta item: the digest of the last listing recorded in full with its reminder schedule, the
 * baseline marker, when the listing last recorded started, and the lease (its owner, expiry and
 * generation). Conditional
 * single-item UpdateItems; the lease protocol that uses them is `lease.ts`.
 */
import { type AttributeValue, GetItemCommand, type GetItemCommandOutput, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { Clock } from './clock';
import { numberOf } from './state-attributes';
import type { Item, StateTable } from './state-table';

export interface MetaRecord {
  /** Digest of the last listing recorded in full; absent while a run holds (or crashed with) the lease. */
  readonly digest?: string;
  /** When the first complete listing was recorded. */
  readonly baselineAt?: string;
  /** The reminder schedule recorded with the digest; absent when none was (an older version's). */
  readonly reminders?: ReminderSchedule;
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

/**
 * What a quiet poll needs to know of the waiting cases, recorded with the digest: the marks it was
 * computed for and when the earliest next mark of any listed case is due.
 */
export interface ReminderSchedule {
  /** The marks in minutes, comma-separated (`60,240,1440`; empty: reminders off). */
  readonly marks: string;
  /** Epoch ms of the earliest mark due; null when no listed case has a mark to come. */
  readonly nextAt: number | null;
}

/** Takes the lease: owner and expiry, a new generation, and no digest while the holder works. */
const LEASE_UPDATE = 'SET leaseOwner = :owner, leaseExpiresAt = :expiresAt, updatedAt = :now, '
  + 'generation = if_not_exists(generation, :zero) + :one REMOVE digest';
const LEASE_IS_FREE = '(attribute_not_exists(leaseExpiresAt) OR leaseExpiresAt < :nowMs)';
const GENERATION_IS = '(generation = :generation OR (attribute_not_exists(generation) AND :generation = :zero))';

export class MetaItem {
  constructor(private readonly table: StateTable, readonly key: Item, private readonly clock: Clock) {}

  /** The meta item (strongly consistent read), or undefined before the first run. */
  async get(deadline?: number): Promise<MetaRecord | undefined> {
    const { Item: item } = await this.table.send<GetItemCommandOutput>(
      new GetItemCommand({ TableName: this.table.tableName, Key: this.key, ConsistentRead: true }), deadline);
    return item ? metaOf(item) : undefined;
  }

  /**
   * Takes the lease unless another run holds an unexpired one or has recorded a listing newer than
   * ours (`listedAt`). Removes the digest while we work, so a run that crashes half-way never leaves
   * a digest that would make the next run skip what it wrote. False when someone else is at work.
   */
  acquireLease(owner: string, opts: { expiresAt: number; listedAt: number }, deadline?: number): Promise<boolean> {
    return this.update({
      UpdateExpression: LEASE_UPDATE,
      ConditionExpression: `${LEASE_IS_FREE} AND (attribute_not_exists(listedAt) OR listedAt <= :listedAt)`,
      ExpressionAttributeValues: { ...this.leaseValues(owner, opts.expiresAt), ':listedAt': { N: String(opts.listedAt) } },
    }, deadline);
  }

  /**
   * The lease for a hint: taken only if it is free, the baseline exists and no lease was taken since
   * the hint read the state (`generation` unchanged). False when another run is at work or was.
   */
  acquireLeaseAtGeneration(owner: string, opts: { expiresAt: number; generation: number }, deadline?: number): Promise<boolean> {
    return this.update({
      UpdateExpression: LEASE_UPDATE,
      ConditionExpression: `${LEASE_IS_FREE} AND attribute_exists(baselineAt) AND ${GENERATION_IS}`,
      ExpressionAttributeValues: { ...this.leaseValues(owner, opts.expiresAt), ':generation': { N: String(opts.generation) } },
    }, deadline);
  }

  /**
   * Releases the lease; with `listedAt` (a poll) records when its listing started; with `digest`,
   * also the digest (the listing was recorded in full), its reminder schedule and the baseline
   * marker if not yet set. False when the lease was lost.
   */
  releaseLease(owner: string, opts: ReleaseOptions = {}, deadline?: number): Promise<boolean> {
    const values: Record<string, AttributeValue> = { ':owner': { S: owner }, ':now': { S: new Date(this.clock.now()).toISOString() } };
    let set = 'updatedAt = :now';
    if (opts.listedAt !== undefined) {
      set += ', listedAt = :listedAt';
      values[':listedAt'] = { N: String(opts.listedAt) };
    }
    if (opts.digest !== undefined) {
      set += ', digest = :digest, baselineAt = if_not_exists(baselineAt, :now)';
      values[':digest'] = { S: opts.digest };
    }
    if (opts.digest !== undefined && opts.reminders !== undefined) {
      set += ', reminderMarks = :marks, nextReminderAt = :nextAt';
      values[':marks'] = { S: opts.reminders.marks };
      values[':nextAt'] = opts.reminders.nextAt === null ? { NULL: true } : { N: String(opts.reminders.nextAt) };
    }
    return this.update({
      UpdateExpression: `SET ${set} REMOVE leaseOwner, leaseExpiresAt`,
      ConditionExpression: 'leaseOwner = :owner',
      ExpressionAttributeValues: values,
    }, deadline);
  }

  private update(
    expression: { UpdateExpression: string; ConditionExpression: string; ExpressionAttributeValues: Record<string, AttributeValue> },
    deadline: number | undefined,
  ): Promise<boolean> {
    return this.table.ifConditionHolds(new UpdateItemCommand({ TableName: this.table.tableName, Key: this.key, ...expression }), deadline);
  }

  private leaseValues(owner: string, expiresAt: number): Record<string, AttributeValue> {
    const now = this.clock.now();
    return {
      ':owner': { S: owner },
      ':expiresAt': { N: String(expiresAt) },
      ':nowMs': { N: String(now) },
      ':now': { S: new Date(now).toISOString() },
      ':zero': { N: '0' },
      ':one': { N: '1' },
    };
  }
}

export interface ReleaseOptions {
  readonly listedAt?: number;
  readonly digest?: string;
  /** Recorded only together with `digest`. */
  readonly reminders?: ReminderSchedule;
}

export function metaOf(item: Item): MetaRecord {
  const marks = item.reminderMarks?.S;
  return {
    digest: item.digest?.S,
    baselineAt: item.baselineAt?.S,
    reminders: marks === undefined ? undefined : { marks, nextAt: numberOf(item.nextReminderAt) ?? null },
    leaseOwner: item.leaseOwner?.S,
    leaseExpiresAt: numberOf(item.leaseExpiresAt),
    listedAt: numberOf(item.listedAt),
    generation: numberOf(item.generation) ?? 0,
  };
}
