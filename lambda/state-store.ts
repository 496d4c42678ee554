/**
 * The watcher's state in DynamoDB (layout in docs/design.md), by job: `state-table.ts` (every
 * request, its retry and timer, batches), `state-meta-item.ts` (digest, baseline, lease) and
 * `state-case-items.ts` (case and intent items). This class is what the runs see: the operations
 * of the poll and the hint. GetItem, UpdateItem, Query, PutItem, BatchGetItem and BatchWriteItem
 * only: conditional single-item writes instead of transactions (which dynalite lacks, too).
 */
import type { WatchedScope } from './case-identity';
import type { RecordedCase } from './case-state';
import { type Clock, systemClock } from './clock';
import { CaseItems, type CaseIntent, type CaseWrite } from './state-case-items';
import { MetaItem, metaOf, type MetaRecord, type ReleaseOptions } from './state-meta-item';
import { type DynamoDbSender, StateTable } from './state-table';

export type { CaseIntent, CaseWrite } from './state-case-items';
export type { MetaRecord, ReleaseOptions, ReminderSchedule } from './state-meta-item';
export { BATCH_WRITE_LIMIT, DEFAULT_BATCH_WRITE_CONCURRENCY, type DynamoDbSender } from './state-table';

/** What one hint reads in one request: the meta item and the case's item and intent. */
export interface CaseSnapshot {
  readonly meta: MetaRecord | undefined;
  /** The recorded case with its live intent, as `loadCases` would return it; undefined when neither exists. */
  readonly recorded: RecordedCase | undefined;
}

export interface StateStoreOptions {
  readonly client: DynamoDbSender;
  readonly tableName: string;
  /** The watched account and region: the state of each is its own (one partition per scope). */
  readonly scope: WatchedScope;
  /** Attempts at a request, or at a batch's unprocessed items, the first included. @default 8 */
  readonly maxAttempts?: number;
  /** Upper bound of the first retry's delay. @default 50 */
  readonly baseDelayMs?: number;
  /** BatchWriteItem requests in flight at once (a 10,000-case baseline is 400 of them). @default 4 */
  readonly batchConcurrency?: number;
  /** Items per Query page; DynamoDB's 1 MB page limit applies anyway. @default no limit */
  readonly queryPageSize?: number;
  /** @default systemClock */
  readonly clock?: Clock;
}

export class StateStore {
  private readonly table: StateTable;
  private readonly meta: MetaItem;
  private readonly cases: CaseItems;

  constructor(options: StateStoreOptions) {
    const clock = options.clock ?? systemClock;
    this.table = new StateTable({ ...options, clock });
    const partition = scopePartition(options.scope);
    this.meta = new MetaItem(this.table, { pk: { S: partition }, sk: { S: 'META' } }, clock);
    this.cases = new CaseItems(this.table, partition, clock, options.queryPageSize);
  }

  getMeta(deadline?: number): Promise<MetaRecord | undefined> {
    return this.meta.get(deadline);
  }

  /** The meta item, the case item and the case's intent in one strongly consistent `BatchGetItem`. */
  async readCase(caseId: string, deadline?: number): Promise<CaseSnapshot> {
    const items = await this.table.batchGet([this.meta.key, this.cases.caseKey(caseId), this.cases.intentKey(caseId)], deadline, `case ${caseId}`);
    const meta = items.find((item) => !this.cases.holds(item));
    return { meta: meta ? metaOf(meta) : undefined, recorded: this.cases.recordedCases(items.filter((item) => this.cases.holds(item))).get(caseId) };
  }

  acquireLease(owner: string, opts: { expiresAt: number; listedAt: number }, deadline?: number): Promise<boolean> {
    return this.meta.acquireLease(owner, opts, deadline);
  }

  acquireLeaseAtGeneration(owner: string, opts: { expiresAt: number; generation: number }, deadline?: number): Promise<boolean> {
    return this.meta.acquireLeaseAtGeneration(owner, opts, deadline);
  }

  releaseLease(owner: string, opts: ReleaseOptions = {}, deadline?: number): Promise<boolean> {
    return this.meta.releaseLease(owner, opts, deadline);
  }

  loadCases(deadline?: number): Promise<Map<string, RecordedCase>> {
    return this.cases.loadAll(deadline);
  }

  putCase(write: CaseWrite, deadline?: number): Promise<boolean> {
    return this.cases.put(write, deadline);
  }

  /** No request (or retry wait) starts after `deadline` (epoch ms); throws if some cases remain unwritten. */
  putCasesInBatches(writes: readonly CaseWrite[], deadline?: number): Promise<void> {
    return this.cases.putSilently(writes, deadline);
  }

  /** No request (or retry wait) starts after `deadline` (epoch ms); throws if some intents remain unwritten. */
  putIntents(intents: readonly CaseIntent[], deadline?: number): Promise<void> {
    return this.cases.putIntents(intents, deadline);
  }
}

/** The partition key of a scope's items: `SCOPE#<account>#<region>`. */
export function scopePartition(scope: WatchedScope): string {
  return `SCOPE#${scope.accountId}#${scope.region}`;
}
