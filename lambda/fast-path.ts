/**
 * One hint (docs/design.md, "The fast path"): read the case with `GetCase`, compare it with its
 * recorded state in one read, and when it changed take the lease at the generation read, then
 * write ahead, publish and record exactly as a poll does for that case.
 */
import { arnMismatch, CASE_ID_PATTERN } from './case-identity';
import { type Detection, detectChanges } from './change-detection';
import { publishAndRecord, type RecorderPublisher, type RecorderStore, type RecordResult } from './change-recorder';
import { type Clock, systemClock } from './clock';
import { type LeaseStore, takeHintLease, underLease, untilLeaseFree } from './lease';
import { done, retryAfterBackoff } from './retry';
import { type RunBudget, runBudget, RunIncompleteError, reportedRun, type RunSettings, scopeOf } from './run';
import type { SecurityIrCase } from './security-ir-case';
import type { RequestOptions } from './security-ir-client';
import { isSecurityIrError } from './security-ir-errors';
import type { CaseSnapshot } from './state-store';
import { describeError, echoed } from './strings';
import type { HintOutcome, HintSummary, Telemetry } from './telemetry';

/** Reads one case (the Security IR client's `getCase`). */
export interface CaseReader {
  getCase(caseId: string, options?: RequestOptions): Promise<SecurityIrCase>;
}

/** The state operations a hint needs (`StateStore` implements them). */
export interface FastPathStore extends RecorderStore, LeaseStore {
  readCase(caseId: string, deadline?: number): Promise<CaseSnapshot>;
}

export interface FastPathDependencies {
  readonly source: CaseReader;
  readonly store: FastPathStore;
  readonly publisher: RecorderPublisher;
  readonly telemetry: Telemetry;
  /** @default systemClock */
  readonly clock?: Clock;
}

type Outcome = Exclude<HintOutcome, 'failed'>;

export class FastPath {
  private readonly clock: Clock;

  constructor(private readonly deps: FastPathDependencies, private readonly settings: RunSettings) {
    this.clock = deps.clock ?? systemClock;
  }

  /** Handles the hint for `caseId`, ending by `deadline` (epoch ms); throws when it could not finish its work. */
  handle(caseId: string, deadline: number): Promise<HintSummary> {
    const progress: { result?: RecordResult } = {};
    return reportedRun<Outcome, HintSummary>(
      this.clock,
      () => this.run(caseId, runBudget(deadline, this.settings), progress),
      (outcome, durationMs, error) => ({
        outcome,
        caseId: echoed(caseId),
        eventsPublished: progress.result?.eventsPublished ?? 0,
        publishFailures: progress.result?.publishFailures ?? 0,
        durationMs,
        ...(error === undefined ? {} : { error: describeError(error) }),
      }),
      (summary) => this.deps.telemetry.hintCompleted(summary),
    );
  }

  private async run(caseId: string, budget: RunBudget, progress: { result?: RecordResult }): Promise<Outcome> {
    const { store, telemetry } = this.deps;
    if (!CASE_ID_PATTERN.test(caseId)) {
      telemetry.log('WARN', 'A hint for no case ID: nothing read', { caseId: echoed(caseId) });
      return 'rejected';
    }
    const observedAt = new Date(this.clock.now());
    let current: SecurityIrCase;
    try {
      current = await this.deps.source.getCase(caseId, { deadline: budget.workDeadline });
    } catch (error) {
      if (isSecurityIrError(error, 'ResourceNotFoundException')) {
        // Deleted, or a hint ahead of the service's own consistency: the poll is the judge.
        telemetry.log('WARN', 'GetCase found no such case: left to the next poll', { caseId });
        return 'not-found';
      }
      throw error;
    }
    const mismatch = arnMismatch(current.caseArn, caseId, scopeOf(this.settings));
    if (mismatch !== undefined) {
      // Another case's (or account's, or region's) answer must not move this case: the poll is the judge.
      telemetry.log('WARN', 'GetCase answer names another case, account or region: left to the next poll', {
        caseId, caseArn: echoed(current.caseArn), mismatch,
      });
      return 'rejected';
    }

    const detect = (recorded: CaseSnapshot['recorded']) => detectChanges(new Map(recorded ? [[caseId, recorded]] : []), [current], {
      baseline: false,
      emitCreatedEvents: this.settings.emitCreatedEvents,
      emitExistingCasesOnFirstRun: false,
      observedAt,
      accountId: this.settings.accountId,
      region: this.settings.securityIrRegion,
      reminderMinutes: this.settings.awaitingCustomerReminderMinutes,
    });
    const nothingToDo = (detection: Detection): boolean => {
      if (detection.staleCaseIds.length > 0) {
        telemetry.log('DEBUG', 'The recorded state is newer than this read of the case: nothing to do', { caseId });
        return true;
      }
      return detection.changes.length === 0;
    };

    const attempts = await untilLeaseFree<Outcome>(this.clock, budget.workDeadline, async (attempt) => {
      const snapshot = await store.readCase(caseId, budget.workDeadline);
      if (!snapshot.meta?.baselineAt) {
        return done<Outcome>('no-baseline');
      }
      if (nothingToDo(detect(snapshot.recorded))) {
        return done<Outcome>('unchanged');
      }
      const owner = await takeHintLease(store, { generation: snapshot.meta.generation, expiresAt: budget.deadline, deadline: budget.workDeadline });
      if (owner === undefined) {
        telemetry.log('DEBUG', 'Another run is at work or recorded since the read: reading again', { caseId, attempt: attempt.number });
        return retryAfterBackoff();
      }
      return done(await underLease(async (): Promise<Outcome> => {
        // The read above may predate a record by the run that held the lease then (the generation
        // moves when a lease is taken, not when its holder records), and BatchGetItem reads its
        // items one by one: what to publish is decided on a read made under our own lease.
        const detection = detect((await store.readCase(caseId, budget.workDeadline)).recorded);
        if (nothingToDo(detection)) {
          return 'unchanged';
        }
        progress.result = await publishAndRecord(detection.changes, { ...this.deps, clock: this.clock }, {
          eventSource: this.settings.eventSource,
          ...budget,
        });
        return 'published';
      }, () => store.releaseLease(owner, {}, budget.deadline), telemetry));
    });
    if (!attempts.ok) {
      throw new RunIncompleteError(`Hint for case ${caseId}: the lease stayed busy until the deadline; the next poll delivers`);
    }
    const { result } = progress;
    if (result && (result.publishFailures > 0 || result.recorded + result.conflicts < 1)) {
      throw new RunIncompleteError(`Hint for case ${caseId}: not every transition was published and recorded; the next run sends the rest`);
    }
    return attempts.value;
  }
}
