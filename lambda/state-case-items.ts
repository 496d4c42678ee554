/**
 * The case items and, beside each, the case's write-ahead intent: read together by one Query (a
 * poll) or with the meta item by one BatchGetItem (a hint), written by conditional PutItems (cases
 * that were announced) and by batches under the lease (silent cases, intents).
 */
import { type AttributeValue, PutItemCommand, QueryCommand, type QueryCommandOutput } from '@aws-sdk/client-dynamodb';
import type { CaseState, RecordedCase } from './case-state';
import type { Clock } from './clock';
import { numberOf, stringOrNull } from './state-attributes';
import type { Item, StateTable } from './state-table';

/** A case state to write. */
export interface CaseWrite {
  readonly caseId: string;
  readonly state: CaseState;
  /** The recorded version this write replaces; undefined for a case never recorded. */
  readonly expectedVersion: number | undefined;
  /** When `state` was observed (ISO). */
  readonly observedAt?: string;
}

/** The write-ahead intent of a case about to be announced (see `putIntents`). */
export interface CaseIntent {
  readonly caseId: string;
  /** The recorded version the intent was computed from; undefined for a case never recorded. */
  readonly expectedVersion: number | undefined;
  /** The states the case's events lead to, oldest first. */
  readonly pending: readonly CaseState[];
  /** When the newest of them was observed (ISO). */
  readonly observedAt?: string;
}

/**
 * Sort key prefixes of the case and intent items, in the scope's partition beside its meta item
 * (`META`), so the one Query reads them all. Every key starts with its kind: no case ID, whatever
 * its characters, can take another item's key.
 */
const CASE_PREFIX = 'CASE#';
const INTENT_PREFIX = 'INTENT#';

export class CaseItems {
  /** `partition`: the scope's partition key value. */
  constructor(
    private readonly table: StateTable,
    private readonly partition: string,
    private readonly clock: Clock,
    private readonly queryPageSize?: number,
  ) {}

  caseKey(caseId: string): Item {
    return { pk: { S: this.partition }, sk: { S: CASE_PREFIX + caseId } };
  }

  intentKey(caseId: string): Item {
    return { pk: { S: this.partition }, sk: { S: INTENT_PREFIX + caseId } };
  }

  /** Whether `item` (read with the keys above, or in the scope's partition) is a case or an intent item. */
  holds(item: Item): boolean {
    const key = item.sk?.S ?? '';
    return key.startsWith(CASE_PREFIX) || key.startsWith(INTENT_PREFIX);
  }

  /** Every recorded case (strongly consistent, all pages), with its live intent (see `recordedCases`). */
  async loadAll(deadline?: number): Promise<Map<string, RecordedCase>> {
    const items: Item[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.table.send<QueryCommandOutput>(new QueryCommand({
        TableName: this.table.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: this.partition } },
        ProjectionExpression: 'pk, sk, caseStatus, pendingAction, lastUpdatedDate, caseStatusSince, pendingActionSince, awaitingCustomerSince, remindedMinutes, supersededStamps, observedAt, version, basedOnVersion, #pending',
        ExpressionAttributeNames: { '#pending': 'pending' },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
        Limit: this.queryPageSize,
      }), deadline);
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return this.recordedCases(items.filter((item) => this.holds(item)));
  }

  /**
   * Writes one case if its recorded version is still the one the change was computed from, so two
   * overlapping runs never both advance a case. False when another run got there first.
   */
  put(write: CaseWrite, deadline?: number): Promise<boolean> {
    const condition = write.expectedVersion === undefined
      ? { ConditionExpression: 'attribute_not_exists(pk)' }
      : { ConditionExpression: 'version = :expected', ExpressionAttributeValues: { ':expected': { N: String(write.expectedVersion) } } };
    return this.table.ifConditionHolds(new PutItemCommand({ TableName: this.table.tableName, Item: this.caseItem(write), ...condition }), deadline);
  }

  /** Writes cases that have nothing to publish (baseline, silent new cases) in batches, under the lease. */
  putSilently(writes: readonly CaseWrite[], deadline?: number): Promise<void> {
    return this.table.batchPut(writes.map((w) => this.caseItem(w)), deadline);
  }

  /**
   * Writes the intents of the cases a run is about to announce, before it publishes, in batches
   * under the lease, into items of their own: an unconditional batch write must never replace a
   * case item, or it could undo another run's conditional write. Throws if some remain unwritten
   * (then nothing may be published).
   */
  putIntents(intents: readonly CaseIntent[], deadline?: number): Promise<void> {
    return this.table.batchPut(intents.map((intent) => ({
      ...this.intentKey(intent.caseId),
      basedOnVersion: { N: String(intent.expectedVersion ?? 0) },
      pending: { L: intent.pending.map((step) => ({ M: stateAttributes(step) })) },
      ...observedAttribute(intent.observedAt),
      updatedAt: { S: new Date(this.clock.now()).toISOString() },
    })), deadline);
  }

  /**
   * Case items and intent items to recorded cases: each with its intent when the intent was
   * computed from the version recorded now. An intent from an older version is spent: the run that
   * recorded since had read it and re-sent its events. A case with only an intent has version 0.
   */
  recordedCases(items: readonly Item[]): Map<string, RecordedCase> {
    const cases = new Map<string, RecordedCase>();
    const intents = new Map<string, { basedOnVersion: number; pending: CaseState[]; observedAt?: string }>();
    for (const item of items) {
      const key = item.sk.S!;
      if (key.startsWith(INTENT_PREFIX)) {
        intents.set(key.slice(INTENT_PREFIX.length), {
          basedOnVersion: numberOf(item.basedOnVersion) ?? 0,
          pending: (item.pending?.L ?? []).map((step) => stateOf(step.M ?? {})),
          observedAt: item.observedAt?.S,
        });
      } else if (key.startsWith(CASE_PREFIX)) {
        cases.set(key.slice(CASE_PREFIX.length), { ...stateOf(item), version: numberOf(item.version) ?? 0, ...definedObservedAt(item.observedAt?.S) });
      }
    }
    for (const [caseId, intent] of intents) {
      const recorded = cases.get(caseId) ?? { caseStatus: null, pendingAction: null, lastUpdatedDate: null, version: 0 };
      if (intent.basedOnVersion === recorded.version && intent.pending.length > 0) {
        cases.set(caseId, { ...recorded, pending: intent.pending, ...(intent.observedAt === undefined ? {} : { pendingObservedAt: intent.observedAt }) });
      }
    }
    return cases;
  }

  private caseItem(write: CaseWrite): Item {
    return {
      ...this.caseKey(write.caseId),
      ...stateAttributes(write.state),
      ...observedAttribute(write.observedAt),
      version: { N: String((write.expectedVersion ?? 0) + 1) },
      updatedAt: { S: new Date(this.clock.now()).toISOString() },
    };
  }
}

function stateAttributes(state: CaseState): Item {
  return {
    caseStatus: stringOrNull(state.caseStatus),
    pendingAction: stringOrNull(state.pendingAction),
    lastUpdatedDate: stringOrNull(state.lastUpdatedDate),
    ...optionalString('caseStatusSince', state.caseStatusSince),
    ...optionalString('pendingActionSince', state.pendingActionSince),
    ...optionalString('awaitingCustomerSince', state.awaitingCustomerSince),
    ...(state.remindedMinutes === undefined ? {} : { remindedMinutes: { N: String(state.remindedMinutes) } }),
    ...(state.supersededStamps === undefined ? {} : { supersededStamps: { L: state.supersededStamps.map((stamp) => ({ S: stamp })) } }),
  };
}

function stateOf(attributes: Item): CaseState {
  return {
    caseStatus: attributes.caseStatus?.S ?? null,
    pendingAction: attributes.pendingAction?.S ?? null,
    lastUpdatedDate: attributes.lastUpdatedDate?.S ?? null,
    caseStatusSince: attributes.caseStatusSince?.S,
    pendingActionSince: attributes.pendingActionSince?.S,
    awaitingCustomerSince: attributes.awaitingCustomerSince?.S,
    remindedMinutes: numberOf(attributes.remindedMinutes),
    ...superseded(attributes.supersededStamps),
  };
}

function superseded(attribute: AttributeValue | undefined): Pick<CaseState, 'supersededStamps'> {
  const stamps = (attribute?.L ?? []).flatMap((stamp) => (stamp.S === undefined ? [] : [stamp.S]));
  return stamps.length === 0 ? {} : { supersededStamps: stamps };
}

function observedAttribute(observedAt: string | undefined): Item {
  return optionalString('observedAt', observedAt);
}

/** A string attribute only when the value is known: absent reads back as undefined. */
function optionalString(name: string, value: string | undefined): Item {
  return value === undefined ? {} : { [name]: { S: value } };
}

function definedObservedAt(observedAt: string | undefined): { observedAt?: string } {
  return observedAt === undefined ? {} : { observedAt };
}
