/**
 * Steps 6-9 of a run, shared by the poll and the fast path: record the silent changes, write the
 * intents ahead, publish, then record every case whose events were all accepted. The caller holds
 * the lease; a case advances only when EventBridge accepted every one of its events.
 */
import type { CaseChange } from './change-detection';
import type { Clock } from './clock';
import { forEachConcurrently } from './concurrency';
import type { EventToPublish, PublishOutcome } from './publisher';
import type { RunBudget } from './run';
import type { CaseIntent, CaseWrite } from './state-store';
import type { Telemetry } from './telemetry';

/** The state writes a run makes under the lease (`StateStore` implements them). */
export interface RecorderStore {
  putCase(write: CaseWrite, deadline?: number): Promise<boolean>;
  /** No request starts after `deadline` (epoch ms); throws if some cases remain unwritten. */
  putCasesInBatches(writes: readonly CaseWrite[], deadline?: number): Promise<void>;
  /** No request starts after `deadline` (epoch ms); throws if some intents remain unwritten. */
  putIntents(intents: readonly CaseIntent[], deadline?: number): Promise<void>;
}

/** The publishing a run needs (`EventPublisher` implements it). */
export interface RecorderPublisher {
  publish(events: readonly EventToPublish[], deadline: number): Promise<PublishOutcome>;
}

export interface RecorderDependencies {
  readonly store: RecorderStore;
  readonly publisher: RecorderPublisher;
  readonly telemetry: Telemetry;
  readonly clock: Clock;
}

export interface RecordOptions extends RunBudget {
  /** The `source` of every event. */
  readonly eventSource: string;
}

export interface RecordResult {
  /** Cases this run recorded. */
  readonly recorded: number;
  /** Cases another run had recorded first (their conditional write failed). */
  readonly conflicts: number;
  readonly eventsPublished: number;
  readonly publishFailures: number;
}

export async function publishAndRecord(
  changes: readonly CaseChange[],
  deps: RecorderDependencies,
  options: RecordOptions,
): Promise<RecordResult> {
  const { store, publisher, telemetry, clock } = deps;
  let recorded = 0;
  const silent = changes.filter((c) => c.events.length === 0);
  const announced = changes.filter((c) => c.events.length > 0);

  // Nothing to publish for these: recorded under the lease, 25 per request.
  if (silent.length > 0 && clock.now() < options.recordDeadline) {
    await store.putCasesInBatches(silent, options.recordDeadline);
    recorded += silent.length;
  }

  // Before the first event leaves, each announced case notes where its events lead: should this
  // run fail to record it, the next run re-sends them even if the case has changed back since.
  // If the intents cannot be written, nothing is published.
  if (announced.length === 0 || clock.now() >= options.workDeadline) {
    return { recorded, conflicts: 0, eventsPublished: 0, publishFailures: 0 };
  }
  await store.putIntents(announced, options.workDeadline);

  const entries = announced.flatMap((change) => change.events.map((event): EventToPublish => ({
    source: options.eventSource,
    detailType: event.detailType,
    detail: event.detail,
    resources: change.caseArn ? [change.caseArn] : [],
    time: new Date(event.detail.observedAt),
  })));
  const published = await publisher.publish(entries, options.workDeadline);
  const eventsPublished = published.accepted.filter(Boolean).length;
  telemetry.log('DEBUG', 'Published', { events: entries.length, accepted: eventsPublished, putEventsCalls: published.putEventsCalls });
  if (published.failures.length > 0) {
    telemetry.log('ERROR', 'EventBridge did not accept every event: their cases are left for the next run', {
      failures: published.failures.slice(0, 10).map((f) => ({ ...f, changeId: (entries[f.index].detail as { changeId: string }).changeId })),
      failureCount: published.failures.length,
    });
  }

  // A case advances only if every one of its events was accepted.
  let offset = 0;
  const ready: CaseChange[] = [];
  for (const change of announced) {
    if (published.accepted.slice(offset, offset + change.events.length).every(Boolean)) {
      ready.push(change);
    }
    offset += change.events.length;
  }
  let conflicts = 0;
  await forEachConcurrently(ready, options.writeConcurrency, async (change) => {
    if (clock.now() >= options.recordDeadline) {
      return;
    }
    if (await store.putCase(change, options.recordDeadline)) {
      recorded++;
    } else {
      conflicts++;
    }
  });
  if (conflicts > 0) {
    telemetry.log('WARN', 'Another run recorded some cases first: left them as it wrote them', { conflicts });
  }
  return { recorded, conflicts, eventsPublished, publishFailures: published.failures.length };
}
