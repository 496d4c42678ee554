/**
 * One poll (docs/design.md, "One poll"): list every case, short-cut on an unchanged listing, take
 * the lease, detect, publish, record. Every dependency is passed in so tests can drive each step.
 */
import { arnMismatch, type WatchedScope } from './case-identity';
import { type Detection, detectChanges, listingDigest } from './change-detection';
import { nextReminderAt } from './waiting-period';
import { publishAndRecord, type RecorderPublisher, type RecorderStore } from './change-recorder';
import { type Clock, systemClock } from './clock';
import { type LeaseStore, takePollLease, underLease } from './lease';
import { type RunBudget, runBudget, RunIncompleteError, reportedRun, type RunSettings, scopeOf } from './run';
import type { SecurityIrCase } from './security-ir-case';
import type { ListCasesPage, RequestOptions } from './security-ir-client';
import type { SkippedItem } from './security-ir-responses';
import { isSecurityIrError, SecurityIrError } from './security-ir-errors';
import type { RecordedCase } from './case-state';
import type { MetaRecord, ReminderSchedule } from './state-store';
import { describeError, echoed } from './strings';
import type { RunOutcome, RunSummary, Telemetry } from './telemetry';

/** Where the cases come from: the Security IR client's paginator. */
export interface CaseSource {
  paginateCases(input?: { maxResults?: number }, options?: RequestOptions): AsyncIterableIterator<ListCasesPage>;
}

/** The state operations a poll needs (`StateStore` implements them). */
export interface PollerStore extends RecorderStore, LeaseStore {
  loadCases(deadline?: number): Promise<Map<string, RecordedCase>>;
}

export interface PollerDependencies {
  readonly source: CaseSource;
  readonly store: PollerStore;
  readonly publisher: RecorderPublisher;
  readonly telemetry: Telemetry;
  /** ListCases requests made so far (retries included), read before and after the poll. */
  readonly listCasesCalls?: () => number;
  /** @default systemClock */
  readonly clock?: Clock;
}

/** What an operator should check when the listing fails with one of these errors. */
const LISTING_FAILURE_HINTS: ReadonlyMap<string, string> = new Map([
  ['AccessDeniedException', 'the function\'s role (or the assumed SECURITY_IR_ROLE_ARN) may not call security-ir:ListCases'],
  ['SecurityIncidentResponseNotActiveException', 'the account has no active Security Incident Response membership in this region'],
  ['PaginationLoop', 'Security IR kept handing back pagination tokens (a service fault): the next poll lists again; the fast path is unaffected'],
]);

/** The most case IDs a WARN line names. */
const MAX_NAMED_CASES = 20;

interface Progress {
  casesSeen: number;
  casesSkipped: number;
  pages: number;
  eventsPublished: number;
  publishFailures: number;
  casesRecorded: number;
}

export class Poller {
  private readonly clock: Clock;

  constructor(private readonly deps: PollerDependencies, private readonly settings: RunSettings) {
    this.clock = deps.clock ?? systemClock;
  }

  /**
   * Runs one poll that must end by `deadline` (epoch ms). Resolves with the run's summary, or
   * throws (after recording what was published) when the run could not do all its work.
   */
  poll(deadline: number): Promise<RunSummary> {
    const callsBefore = this.deps.listCasesCalls?.() ?? 0;
    const progress: Progress = { casesSeen: 0, casesSkipped: 0, pages: 0, eventsPublished: 0, publishFailures: 0, casesRecorded: 0 };
    return reportedRun<RunOutcome, RunSummary>(
      this.clock,
      () => this.run(runBudget(deadline, this.settings), progress),
      (outcome, durationMs, error) => ({
        outcome,
        ...progress,
        listCasesCalls: (this.deps.listCasesCalls?.() ?? 0) - callsBefore,
        durationMs,
        ...(error === undefined ? {} : { error: describeError(error) }),
      }),
      (summary) => this.deps.telemetry.runCompleted(summary),
    );
  }

  private async run(budget: RunBudget, progress: Progress): Promise<RunOutcome> {
    const { telemetry, store } = this.deps;

    // 1. The complete listing, or nothing: a failed listing never counts as "no cases".
    const listedAt = this.clock.now();
    const cases = this.vetted(await this.listAllCases(budget.workDeadline, progress), scopeOf(this.settings));
    const digest = listingDigest(cases);
    progress.casesSeen = new Set(cases.map((c) => c.caseId)).size;

    // 2. Unchanged since the last fully recorded listing and no reminder due: one read, no write.
    const meta = await store.getMeta(budget.workDeadline);
    const baseline = !meta?.baselineAt;
    const marks = this.settings.awaitingCustomerReminderMinutes ?? [];
    const unchanged = !baseline && meta?.digest === digest;
    if (unchanged && !reminderDue(meta, marks, listedAt)) {
      telemetry.log('DEBUG', 'Listing unchanged since the last recorded one: nothing to do', { cases: progress.casesSeen });
      return 'succeeded';
    }
    telemetry.log('DEBUG', baseline ? 'No baseline yet: recording one' : unchanged ? 'A reminder is due' : 'Listing differs from the last recorded one', { cases: progress.casesSeen });

    // 3. There is work: take the lease.
    if (this.clock.now() >= budget.workDeadline) {
      throw new Error('The deadline came before the changes could be processed');
    }
    const owner = await takePollLease(store, this.clock, { listedAt, expiresAt: budget.deadline, workDeadline: budget.workDeadline });
    if (owner === undefined) {
      telemetry.log('INFO', 'Another run holds the lease or has recorded a newer listing: nothing to do', { digest });
      return 'skipped';
    }
    telemetry.log('DEBUG', 'Lease taken', { runId: owner, expiresAt: new Date(budget.deadline).toISOString() });

    let complete = false;
    let reminders: ReminderSchedule | undefined;
    const recordedAll = await underLease(async () => {
      // 4-5. Recorded state, then the pure comparison.
      const state = await store.loadCases(budget.workDeadline);
      const resumed = [...state.values()].filter((c) => c.pending).length;
      if (resumed > 0) {
        telemetry.log('WARN', 'An earlier run may have published without recording some cases: their events are sent again', { cases: resumed });
      }
      const detection = detectChanges(state, cases, {
        baseline,
        emitCreatedEvents: this.settings.emitCreatedEvents,
        emitExistingCasesOnFirstRun: this.settings.emitExistingCasesOnFirstRun,
        observedAt: new Date(listedAt),
        accountId: this.settings.accountId,
        region: this.settings.securityIrRegion,
        reminderMinutes: marks,
      });
      reminders = reminderSchedule(cases, state, detection, marks);
      if (telemetry.enabled('DEBUG')) {
        telemetry.log('DEBUG', 'Compared the listing with the recorded state', {
          recordedCases: state.size,
          changedCases: detection.changes.length,
          events: detection.changes.reduce((sum, change) => sum + change.events.length, 0),
          staleCases: detection.staleCaseIds.length,
        });
      }
      if (detection.staleCaseIds.length > 0) {
        telemetry.log('WARN', 'Listing older than the recorded state of some cases: left them alone', { caseIds: detection.staleCaseIds });
      }

      // 6-9. Write-ahead intents, publish, then record every case whose events were all accepted.
      const result = await publishAndRecord(detection.changes, { ...this.deps, clock: this.clock }, {
        eventSource: this.settings.eventSource,
        ...budget,
      });
      Object.assign(progress, { eventsPublished: result.eventsPublished, publishFailures: result.publishFailures, casesRecorded: result.recorded });
      const all = result.recorded + result.conflicts === detection.changes.length;
      complete = all && result.conflicts === 0 && detection.staleCaseIds.length === 0;
      return all;
    }, () => store.releaseLease(owner, { listedAt, ...(complete ? { digest, reminders } : {}) }, budget.deadline), telemetry);
    // 10. (Above) the lease released; the digest only when the state matches the whole listing.

    if (!recordedAll || progress.publishFailures > 0) {
      throw new RunIncompleteError('Poll: not every transition was published and recorded; the next run sends the rest');
    }
    return 'succeeded';
  }

  /**
   * The listing as the poll trusts it: a case whose ARN names another account or region is kept
   * (published with the watched ones), one whose ARN is no ARN of that case loses it; both WARN.
   */
  private vetted(cases: SecurityIrCase[], scope: WatchedScope): SecurityIrCase[] {
    const disagreeing: string[] = [];
    const vetted = cases.map((c) => {
      const mismatch = arnMismatch(c.caseArn, c.caseId, scope);
      if (mismatch === undefined) {
        return c;
      }
      disagreeing.push(c.caseId);
      return mismatch === 'scope' ? c : { ...c, caseArn: undefined };
    });
    if (disagreeing.length > 0) {
      this.deps.telemetry.log('WARN', 'Listed cases whose ARN names another account or region (or case): published with the watched ones', {
        caseIds: disagreeing.slice(0, MAX_NAMED_CASES), count: disagreeing.length, account: scope.accountId, region: scope.region,
      });
    }
    return vetted;
  }

  /** Every page of the listing; an invalid pagination token restarts it once. Items that are not cases are skipped. */
  private async listAllCases(deadline: number, progress: Progress): Promise<SecurityIrCase[]> {
    for (let restarts = 0; ; restarts++) {
      const cases: SecurityIrCase[] = [];
      const skipped: SkippedItem[] = [];
      try {
        for await (const page of this.deps.source.paginateCases({ maxResults: 25 }, { deadline })) {
          progress.pages++;
          cases.push(...page.items);
          skipped.push(...(page.skipped ?? []));
          this.deps.telemetry.log('DEBUG', 'Listed a page of cases', { page: progress.pages, items: page.items.length, more: page.nextToken !== undefined });
        }
        progress.casesSkipped = skipped.length;
        if (skipped.length > 0) {
          this.deps.telemetry.log('WARN', 'Skipped listing items that are not cases', {
            count: skipped.length,
            items: skipped.slice(0, MAX_NAMED_CASES).map((item) => ({ caseId: item.caseId === null ? null : echoed(item.caseId).slice(0, 64), reason: echoed(item.reason) })),
          });
        }
        return cases;
      } catch (error) {
        if (isSecurityIrError(error, 'InvalidTokenException') && restarts === 0) {
          this.deps.telemetry.log('WARN', 'ListCases rejected its pagination token: restarting the listing', { pagesRead: progress.pages });
          continue;
        }
        this.logListingFailure(error);
        throw error;
      }
    }
  }

  private logListingFailure(error: unknown): void {
    const type = error instanceof SecurityIrError ? error.type : (error as Error)?.name ?? 'UnknownError';
    const hint = LISTING_FAILURE_HINTS.get(type);
    this.deps.telemetry.log('ERROR', `Listing the cases failed (${type}): no state was changed`, {
      errorType: type,
      error: describeError(error),
      ...(hint === undefined ? {} : { hint }),
    });
  }
}

/**
 * Whether a quiet listing must still be compared: a mark is due, or the schedule recorded with the
 * digest was computed for other marks (or by a version that kept none).
 */
function reminderDue(meta: MetaRecord | undefined, marks: readonly number[], at: number): boolean {
  const schedule = meta?.reminders;
  return schedule?.marks !== marks.join(',') || (schedule.nextAt !== null && schedule.nextAt <= at);
}

/** The schedule of the listed cases once `detection` is recorded: the earliest next mark of any. */
function reminderSchedule(listing: readonly SecurityIrCase[], recorded: ReadonlyMap<string, RecordedCase>, detection: Detection, marks: readonly number[]): ReminderSchedule {
  const changed = new Map(detection.changes.map((change) => [change.caseId, change.state]));
  let nextAt: number | null = null;
  for (const { caseId } of listing) {
    const state = changed.get(caseId) ?? recorded.get(caseId);
    const due = state === undefined ? undefined : nextReminderAt(state, marks);
    if (due !== undefined && (nextAt === null || due < nextAt)) {
      nextAt = due;
    }
  }
  return { marks: marks.join(','), nextAt };
}
