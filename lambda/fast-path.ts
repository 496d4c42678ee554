/**
 * One hint (docs/design.md, "The fast path"): read the case with `GetCase`, compare it with its
 * recorded state in one read, and when it changed take the lease at the generation read, then
 * write ahead, publish and record exactly as a poll does for that case.
 */
import { randomUUID } from 'crypto';
import { type Detection, detectChanges } from './change-detection';
import { DEFAULT_WRITE_CONCURRENCY, publishAndRecord, RecorderPublisher, RecorderStore, RecordResult, releaseLeaseQuietly } from './change-recorder';
import { type Clock, systemClock } from './clock';
import type { PollerSettings } from './poller';
import { done, retryAfterBackoff, retryUntilDeadline } from './retry';
import type { SecurityIrCase } from './security-ir-case';
import type { RequestOptions } from './security-ir-client';
import { ResourceNotFoundException } from './security-ir-errors';
import { type CaseSnapshot, HINT_LEASE_PREFIX, LEASE_WAIT } from './state-store';
import { describeError, type HintOutcome, type HintSummary, type Telemetry } from './telemetry';

/** Reads one case (the Security IR client's `getCase`). */
export interface CaseReader {
  getCase(caseId: string, options?: RequestOptions): Promise<SecurityIrCase>;
}

/** The state operations a hint needs (`StateStore` implements them). */
export interface FastPathStore extends RecorderStore {
  readCase(caseId: string, deadline?: number): Promise<CaseSnapshot>;
  acquireLeaseAtGeneration(owner: string, opts: { expiresAt: number; generation: number }): Promise<boolean>;
  releaseLease(owner: string): Promise<boolean>;
}

export interface FastPathDependencies {
  readonly source: CaseReader;
  readonly store: FastPathStore;
  readonly publisher: RecorderPublisher;
  readonly telemetry: Telemetry;
  /** @default systemClock */
  readonly clock?: Clock;
}

/** What one hint did, before the summary is made of it. */
interface HintRun {
  readonly outcome: HintOutcome;
  readonly result?: RecordResult;
}

/** A hint that could not finish its work: the invocation fails, Lambda retries it, the next poll delivers. */
export class HintIncompleteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HintIncompleteError';
  }
}

export class FastPath {
  private readonly clock: Clock;

  constructor(private readonly deps: FastPathDependencies, private readonly settings: PollerSettings) {
    this.clock = deps.clock ?? systemClock;
  }

  /** Handles the hint for `caseId`, ending by `deadline` (epoch ms); throws when it could not finish its work. */
  async handle(caseId: string, deadline: number): Promise<HintSummary> {
    const started = this.clock.now();
    let result: RecordResult | undefined;
    let outcome: HintOutcome = 'failed';
    let failure: unknown;
    try {
      ({ outcome, result } = await this.run(caseId, deadline));
      if (result && (result.publishFailures > 0 || result.recorded + result.conflicts < 1)) {
        outcome = 'failed';
        failure = new HintIncompleteError(`Case ${caseId}: not every transition was published and recorded; the next run sends the rest`);
      }
    } catch (error) {
      failure = error;
    }
    const summary: HintSummary = {
      outcome,
      caseId,
      eventsPublished: result?.eventsPublished ?? 0,
      publishFailures: result?.publishFailures ?? 0,
      durationMs: this.clock.now() - started,
      ...(failure === undefined ? {} : { error: describeError(failure) }),
    };
    this.deps.telemetry.hintCompleted(summary);
    if (failure !== undefined) {
      throw failure;
    }
    return summary;
  }

  private async run(caseId: string, deadline: number): Promise<HintRun> {
    const { store, telemetry } = this.deps;
    const workDeadline = deadline - (this.settings.safetyMarginMs ?? 3_000);
    const recordDeadline = deadline - (this.settings.recordMarginMs ?? 1_000);

    const observedAt = new Date(this.clock.now());
    let current: SecurityIrCase;
    try {
      current = await this.deps.source.getCase(caseId, { deadline: workDeadline });
    } catch (error) {
      if (error instanceof ResourceNotFoundException) {
        // Deleted, or a hint ahead of the service's own consistency: the poll is the judge.
        telemetry.log('WARN', 'GetCase found no such case: left to the next poll', { caseId });
        return { outcome: 'not-found' as const };
      }
      throw error;
    }

    const detect = (recorded: CaseSnapshot['recorded']) => detectChanges(new Map(recorded ? [[caseId, recorded]] : []), [current], {
      baseline: false,
      emitCreatedEvents: this.settings.emitCreatedEvents,
      emitExistingCasesOnFirstRun: false,
      observedAt,
      fallbackAccountId: this.settings.accountId,
      fallbackRegion: this.settings.securityIrRegion,
    });
    const nothingToDo = (detection: Detection): HintRun | undefined => {
      if (detection.staleCaseIds.length > 0) {
        telemetry.log('DEBUG', 'The recorded state is newer than this read of the case: nothing to do', { caseId });
        return { outcome: 'unchanged' };
      }
      return detection.changes.length === 0 ? { outcome: 'unchanged' } : undefined;
    };

    const attempts = await retryUntilDeadline<HintRun>(LEASE_WAIT, { clock: this.clock, deadline: workDeadline }, async (attempt) => {
      const snapshot = await store.readCase(caseId, workDeadline);
      if (!snapshot.meta?.baselineAt) {
        return done<HintRun>({ outcome: 'no-baseline' });
      }
      const unchanged = nothingToDo(detect(snapshot.recorded));
      if (unchanged) {
        return done(unchanged);
      }
      const owner = HINT_LEASE_PREFIX + randomUUID();
      if (!(await store.acquireLeaseAtGeneration(owner, { expiresAt: deadline, generation: snapshot.meta.generation }))) {
        telemetry.log('DEBUG', 'Another run is at work or recorded since the read: reading again', { caseId, attempt: attempt.number });
        return retryAfterBackoff();
      }
      try {
        // The read above may predate a record by the run that held the lease then (the generation
        // moves when a lease is taken, not when its holder records), and BatchGetItem reads its
        // items one by one: what to publish is decided on a read made under our own lease.
        const detection = detect((await store.readCase(caseId, workDeadline)).recorded);
        const unchangedSince = nothingToDo(detection);
        if (unchangedSince) {
          return done(unchangedSince);
        }
        const result = await publishAndRecord(detection.changes, { ...this.deps, clock: this.clock }, {
          eventSource: this.settings.eventSource,
          workDeadline,
          recordDeadline,
          writeConcurrency: this.settings.writeConcurrency ?? DEFAULT_WRITE_CONCURRENCY,
        });
        return done({ outcome: 'published', result });
      } finally {
        await releaseLeaseQuietly(() => store.releaseLease(owner), telemetry);
      }
    });
    if (!attempts.ok) {
      throw new HintIncompleteError(`Case ${caseId}: the lease stayed busy until the deadline; the next poll delivers`);
    }
    return attempts.value;
  }
}
