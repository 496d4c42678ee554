/**
 * What the poll and the hint share as runs: their settings (a slice of the configuration plus the
 * watched account), their time budget, the envelope that reports every run once (summary line and
 * metrics, success or not) and rethrows its failure, and the one error of a run that could not
 * finish its work.
 */
import type { WatchedScope } from './case-identity';
import type { Clock } from './clock';
import type { WatcherConfig } from './config';

/** What a run reads of the configuration, and of the invocation: the watched account. */
export interface RunSettings extends Pick<WatcherConfig, 'eventSource' | 'emitCreatedEvents' | 'emitExistingCasesOnFirstRun' | 'securityIrRegion'>,
  Partial<Pick<WatcherConfig, 'awaitingCustomerReminderMinutes'>> {
  /** The watched account: `accountId` of every event, and with the region the scope of the state. */
  readonly accountId: string;
  /** No listing page, read or publish is started later than this before the deadline. @default 3_000 */
  readonly safetyMarginMs?: number;
  /** No state write is started later than this before the deadline. @default 1_000 */
  readonly recordMarginMs?: number;
  /** Concurrent conditional case writes. @default 10 */
  readonly writeConcurrency?: number;
}

/** The account and region whose cases a run watches. */
export function scopeOf(settings: Pick<RunSettings, 'accountId' | 'securityIrRegion'>): WatchedScope {
  return { accountId: settings.accountId, region: settings.securityIrRegion };
}

/** When a run must stop starting each kind of work (epoch ms). */
export interface RunBudget {
  /** The invocation's end: the lease expires then. */
  readonly deadline: number;
  /** No listing page, read, intent write or publish starts at or after this. */
  readonly workDeadline: number;
  /** No state write starts at or after this. */
  readonly recordDeadline: number;
  /** Conditional case writes in flight at once. */
  readonly writeConcurrency: number;
}

/** Conditional case writes in flight at once, unless configured. */
export const DEFAULT_WRITE_CONCURRENCY = 10;

export function runBudget(deadline: number, settings: RunSettings): RunBudget {
  return {
    deadline,
    workDeadline: deadline - (settings.safetyMarginMs ?? 3_000),
    recordDeadline: deadline - (settings.recordMarginMs ?? 1_000),
    writeConcurrency: settings.writeConcurrency ?? DEFAULT_WRITE_CONCURRENCY,
  };
}

/**
 * A run that could not publish and record every transition it found: the invocation fails (the
 * failed-run alarm and Lambda's retry see it); what it published stays published, the next run
 * sends the rest.
 */
export class RunIncompleteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunIncompleteError';
  }
}

/**
 * Runs `work`, then reports the run once whatever happened (`summarize` gets the outcome, or
 * `failed` with the error, and the duration), and rethrows the run's failure after reporting it.
 */
export async function reportedRun<Outcome extends string, Summary>(
  clock: Clock,
  work: () => Promise<Outcome>,
  summarize: (outcome: Outcome | 'failed', durationMs: number, error?: unknown) => Summary,
  report: (summary: Summary) => void,
): Promise<Summary> {
  const started = clock.now();
  let outcome: Outcome | 'failed' = 'failed';
  let failure: unknown;
  try {
    outcome = await work();
  } catch (error) {
    failure = error;
  }
  const summary = summarize(outcome, clock.now() - started, failure);
  report(summary);
  if (failure !== undefined) {
    throw failure;
  }
  return summary;
}
