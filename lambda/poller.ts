/**
 * One poll (docs/design.md, "One poll"): list every case, short-cut on an unchanged listing, take
 * the lease, detect, publish, record. Every dependency is passed in so tests can drive each step.
 */
import { randomUUID } from 'crypto';
import { detectChanges, listingDigest, RecordedCase } from './change-detection';
import { type Clock, systemClock } from './clock';
import { DEFAULT_WRITE_CONCURRENCY, publishAndRecord, RecorderPublisher, RecorderStore, releaseLeaseQuietly } from './change-recorder';
import type { SecurityIrCase } from './security-ir-case';
import type { ListCasesPage, RequestOptions } from './security-ir-client';
import { done, retryAfterBackoff, retryUntilDeadline } from './retry';
import { InvalidTokenException, SecurityIrError } from './security-ir-errors';
import { LEASE_WAIT, POLL_LEASE_PREFIX, type MetaRecord } from './state-store';
import { describeError, type RunOutcome, type RunSummary, type Telemetry } from './telemetry';

/** Where the cases come from: the Security IR client's paginator. */
export interface CaseSource {
  paginateCases(input?: { maxResults?: number }, options?: RequestOptions): AsyncIterableIterator<ListCasesPage>;
}

/** The state operations a poll needs (`StateStore` implements them). */
export interface PollerStore extends RecorderStore {
  getMeta(): Promise<MetaRecord | undefined>;
  acquireLease(owner: string, opts: { expiresAt: number; listedAt: number }): Promise<boolean>;
  releaseLease(owner: string, opts?: { listedAt?: number; digest?: string }): Promise<boolean>;
  loadCases(): Promise<Map<string, RecordedCase>>;
}

/** The publishing a poll needs (`EventPublisher` implements it). */
export type PollerPublisher = RecorderPublisher;

export interface PollerDependencies {
  readonly source: CaseSource;
  readonly store: PollerStore;
  readonly publisher: PollerPublisher;
  readonly telemetry: Telemetry;
  /** ListCases requests made so far (retries included), read before and after the poll. */
  readonly listCasesCalls?: () => number;
  /** @default systemClock */
  readonly clock?: Clock;
}

export interface PollerSettings {
  readonly eventSource: string;
  readonly emitCreatedEvents: boolean;
  readonly emitExistingCasesOnFirstRun: boolean;
  /** `region` of the events of cases without an ARN. */
  readonly securityIrRegion: string;
  /** `accountId` of the events of cases without an ARN. */
  readonly accountId: string | null;
  /** No listing page or publish is started later than this before the deadline. @default 3_000 */
  readonly safetyMarginMs?: number;
  /** No state write is started later than this before the deadline. @default 1_000 */
  readonly recordMarginMs?: number;
  /** Concurrent conditional case writes. @default 10 */
  readonly writeConcurrency?: number;
}

/** What an operator should check when the listing fails with one of these errors. */
const LISTING_FAILURE_HINTS: ReadonlyMap<string, string> = new Map([
  ['AccessDeniedException', 'the function\'s role (or the assumed SECURITY_IR_ROLE_ARN) may not call security-ir:ListCases'],
  ['SecurityIncidentResponseNotActiveException', 'the account has no active Security Incident Response membership in this region'],
  ['PaginationLoop', 'Security IR kept handing back pagination tokens (a service fault): the next poll lists again; the fast path is unaffected'],
]);

/** A poll that could not publish and record every transition it detected. */
export class PollIncompleteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PollIncompleteError';
  }
}

interface Progress {
  casesSeen: number;
  pages: number;
  eventsPublished: number;
  publishFailures: number;
  casesRecorded: number;
}

export class Poller {
  private readonly clock: Clock;

  constructor(private readonly deps: PollerDependencies, private readonly settings: PollerSettings) {
    this.clock = deps.clock ?? systemClock;
  }

  /**
   * Runs one poll that must end by `deadline` (epoch ms). Resolves with the run's summary, or
   * throws (after recording what was published) when the run could not do all its work.
   */
  async poll(deadline: number): Promise<RunSummary> {
    const started = this.clock.now();
    const callsBefore = this.deps.listCasesCalls?.() ?? 0;
    const progress: Progress = { casesSeen: 0, pages: 0, eventsPublished: 0, publishFailures: 0, casesRecorded: 0 };
    const summarize = (outcome: RunOutcome, error?: unknown): RunSummary => ({
      outcome,
      ...progress,
      listCasesCalls: (this.deps.listCasesCalls?.() ?? 0) - callsBefore,
      durationMs: this.clock.now() - started,
      ...(error === undefined ? {} : { error: describeError(error) }),
    });

    let failure: unknown;
    let outcome: RunOutcome = 'failed';
    try {
      const result = await this.run(deadline, progress);
      if (result === 'incomplete' || progress.publishFailures > 0) {
        failure = new PollIncompleteError('Not every transition was published and recorded: the next run sends the rest');
      } else {
        outcome = result;
      }
    } catch (error) {
      failure = error;
    }
    const summary = summarize(outcome, failure);
    this.deps.telemetry.runCompleted(summary);
    if (failure !== undefined) {
      throw failure;
    }
    return summary;
  }

  private async run(deadline: number, progress: Progress): Promise<RunOutcome | 'incomplete'> {
    const { telemetry } = this.deps;
    const workDeadline = deadline - (this.settings.safetyMarginMs ?? 3_000);
    const recordDeadline = deadline - (this.settings.recordMarginMs ?? 1_000);

    // 1. The complete listing, or nothing: a failed listing never counts as "no cases".
    const listedAt = this.clock.now();
    const cases = await this.listAllCases(workDeadline, progress);
    const digest = listingDigest(cases);
    progress.casesSeen = new Set(cases.map((c) => c.caseId)).size;

    // 2. Unchanged since the last fully recorded listing: one read, no write.
    const meta = await this.deps.store.getMeta();
    const baseline = !meta?.baselineAt;
    if (!baseline && meta?.digest === digest) {
      telemetry.log('DEBUG', 'Listing unchanged since the last recorded one: nothing to do', { cases: progress.casesSeen });
      return 'succeeded';
    }
    telemetry.log('DEBUG', baseline ? 'No baseline yet: recording one' : 'Listing differs from the last recorded one', { cases: progress.casesSeen });

    // 3. There is work: take the lease.
    if (this.clock.now() >= workDeadline) {
      throw new Error('The deadline came before the changes could be processed');
    }
    const runId = POLL_LEASE_PREFIX + randomUUID();
    if (!(await this.takeLease(runId, deadline, listedAt, workDeadline))) {
      telemetry.log('INFO', 'Another run holds the lease or has recorded a newer listing: nothing to do', { digest });
      return 'skipped';
    }
    telemetry.log('DEBUG', 'Lease taken', { runId, expiresAt: new Date(deadline).toISOString() });

    let complete = false;
    let recordedAll = false;
    try {
      // 4-5. Recorded state, then the pure comparison.
      const state = await this.deps.store.loadCases();
      const resumed = [...state.values()].filter((c) => c.pending).length;
      if (resumed > 0) {
        telemetry.log('WARN', 'An earlier run may have published without recording some cases: their events are sent again', { cases: resumed });
      }
      const detection = detectChanges(state, cases, {
        baseline,
        emitCreatedEvents: this.settings.emitCreatedEvents,
        emitExistingCasesOnFirstRun: this.settings.emitExistingCasesOnFirstRun,
        observedAt: new Date(listedAt),
        fallbackAccountId: this.settings.accountId,
        fallbackRegion: this.settings.securityIrRegion,
      });
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
      const { recorded, conflicts, eventsPublished, publishFailures } = await publishAndRecord(detection.changes, {
        ...this.deps,
        clock: this.clock,
      }, {
        eventSource: this.settings.eventSource,
        workDeadline,
        recordDeadline,
        writeConcurrency: this.settings.writeConcurrency ?? DEFAULT_WRITE_CONCURRENCY,
      });
      Object.assign(progress, { eventsPublished, publishFailures, casesRecorded: recorded });
      recordedAll = recorded + conflicts === detection.changes.length;
      complete = recordedAll && conflicts === 0 && detection.staleCaseIds.length === 0;
    } finally {
      // 10. Release the lease; the digest only when the state matches the whole listing.
      await releaseLeaseQuietly(() => this.deps.store.releaseLease(runId, { listedAt, ...(complete ? { digest } : {}) }), telemetry);
    }
    return recordedAll ? 'succeeded' : 'incomplete';
  }

  /**
   * Takes the lease. When a hint holds it (for a few requests), waits and asks again rather than
   * leave this period's changes to the next poll; when another poll holds it or has recorded a
   * newer listing, gives up: that run does the work. A lease released between the refusal and the
   * read of the meta item is free: asked for again, not given up on.
   */
  private async takeLease(runId: string, deadline: number, listedAt: number, workDeadline: number): Promise<boolean> {
    const { store } = this.deps;
    const taken = await retryUntilDeadline(LEASE_WAIT, { clock: this.clock, deadline: workDeadline }, async () => {
      if (await store.acquireLease(runId, { expiresAt: deadline, listedAt })) {
        return done(true);
      }
      // Give up only to another poll (it does this work) or to a newer recorded listing; a hint
      // holding the lease, or one that released it since, is waited for.
      const meta = await store.getMeta();
      const newerListing = (meta?.listedAt ?? 0) > listedAt;
      const pollAtWork = meta?.leaseOwner?.startsWith(POLL_LEASE_PREFIX) === true && (meta.leaseExpiresAt ?? 0) >= this.clock.now();
      return newerListing || pollAtWork ? done(false) : retryAfterBackoff();
    });
    return taken.ok && taken.value;
  }

  /** Every page of the listing; an invalid pagination token restarts it once. */
  private async listAllCases(deadline: number, progress: Progress): Promise<SecurityIrCase[]> {
    for (let restarts = 0; ; restarts++) {
      const cases: SecurityIrCase[] = [];
      try {
        for await (const page of this.deps.source.paginateCases({ maxResults: 25 }, { deadline })) {
          progress.pages++;
          cases.push(...page.items);
          this.deps.telemetry.log('DEBUG', 'Listed a page of cases', { page: progress.pages, items: page.items.length, more: page.nextToken !== undefined });
        }
        return cases;
      } catch (error) {
        if (error instanceof InvalidTokenException && restarts === 0) {
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
