/**
 * Structured JSON log lines and CloudWatch metrics in the Embedded Metric Format (EMF).
 *
 * Written by hand rather than with Powertools: the two Powertools packages add about 31 KiB to a
 * 342 KiB bundle for what is a dozen lines here. Lines go to `process.stdout` directly: the Lambda
 * runtime prefixes `console.log` output, and a prefixed line is neither JSON nor extractable EMF.
 */
import { METRIC_NAMESPACE, METRIC_SERVICE_DIMENSION, MetricName } from '../lib/metrics';
import { type Clock, systemClock } from './clock';

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/**
 * Listing items skipped because they are not cases (their `caseId` is no Security IR case ID, or a
 * member is malformed): 0 on a clean listing. Beside the public `MetricName`s of lib/metrics.ts,
 * which it is to join.
 */
export const CASES_SKIPPED_METRIC = 'CasesSkipped';

/** Severity order: a line is written when its level ranks at or above the configured one. */
const LEVEL_RANK: Readonly<Record<LogLevel, number>> = { DEBUG: 10, INFO: 20, WARN: 30, ERROR: 40 };

/** How a run ended. `skipped`: another run held the lease, so this one did nothing (a success). */
export type RunOutcome = 'succeeded' | 'skipped' | 'failed';

/** The figures of one run: its summary log line and its metrics. */
export interface RunSummary {
  readonly outcome: RunOutcome;
  readonly casesSeen: number;
  /** Listing items skipped: not cases. */
  readonly casesSkipped: number;
  readonly pages: number;
  readonly listCasesCalls: number;
  readonly eventsPublished: number;
  readonly publishFailures: number;
  readonly casesRecorded: number;
  readonly durationMs: number;
  /** The error that failed the run. */
  readonly error?: string;
}

/**
 * How a hint ended: `published` (a change went out and was recorded), `unchanged` (status and
 * pending action as recorded), `no-baseline` (the poll has not taken the baseline yet),
 * `not-found` (GetCase answered 404: left to the poll), `rejected` (the answer's ARN names another
 * case, account or region: left to the poll), `failed`.
 */
export type HintOutcome = 'published' | 'unchanged' | 'no-baseline' | 'not-found' | 'rejected' | 'failed';

/** The figures of one fast-path invocation. */
export interface HintSummary {
  readonly outcome: HintOutcome;
  readonly caseId: string;
  readonly eventsPublished: number;
  readonly publishFailures: number;
  readonly durationMs: number;
  readonly error?: string;
}

export interface Telemetry {
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
  /** Whether lines of `level` are written: lets a caller skip building the fields of a DEBUG line. */
  enabled(level: LogLevel): boolean;
  /** Logs the run's one summary line and emits its metrics. */
  runCompleted(summary: RunSummary): void;
  /** Logs the hint's one summary line and emits the metrics it moves (events published, failures). */
  hintCompleted(summary: HintSummary): void;
}

export interface TelemetryOptions {
  /** The `service` dimension and log field. */
  readonly serviceName: string;
  /** Fields added to every log line, e.g. the request id. */
  readonly fields?: Record<string, unknown>;
  /** Lines below this level are not written; metrics always are. @default 'INFO' */
  readonly level?: LogLevel;
  /** Where lines go. @default process.stdout */
  readonly write?: (line: string) => void;
  /** @default systemClock */
  readonly clock?: Clock;
}

export function createTelemetry(options: TelemetryOptions): Telemetry {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const clock = options.clock ?? systemClock;

  const minRank = LEVEL_RANK[options.level ?? 'INFO'];
  const enabled = (level: LogLevel): boolean => LEVEL_RANK[level] >= minRank;

  const log = (level: LogLevel, message: string, fields?: Record<string, unknown>): void => {
    if (!enabled(level)) {
      return;
    }
    write(JSON.stringify({
      level,
      message,
      timestamp: new Date(clock.now()).toISOString(),
      service: options.serviceName,
      ...options.fields,
      ...fields,
    }));
  };

  const runCompleted = (summary: RunSummary): void => {
    log(summary.outcome === 'failed' ? 'ERROR' : 'INFO', `Poll ${summary.outcome}`, { summary });
    // Metrics are written whatever the log level: the staleness alarm depends on the heartbeat.
    write(JSON.stringify(emfLine(options.serviceName, clock.now(), {
      [MetricName.CASES_SEEN]: [summary.casesSeen, 'Count'],
      [CASES_SKIPPED_METRIC]: [summary.casesSkipped, 'Count'],
      [MetricName.LIST_CASES_CALLS]: [summary.listCasesCalls, 'Count'],
      [MetricName.EVENTS_PUBLISHED]: [summary.eventsPublished, 'Count'],
      [MetricName.PUBLISH_FAILURES]: [summary.publishFailures, 'Count'],
      [MetricName.POLL_DURATION_MS]: [summary.durationMs, 'Milliseconds'],
      // The heartbeat that the staleness alarm watches: 1 for every run that did its job.
      [MetricName.POLL_SUCCEEDED]: [summary.outcome === 'failed' ? 0 : 1, 'Count'],
    })));
  };

  const hintCompleted = (summary: HintSummary): void => {
    log(summary.outcome === 'failed' ? 'ERROR' : 'INFO', `Hint ${summary.outcome}`, { hint: summary });
    // No PollSucceeded: the staleness alarm watches the poll, the safety net, alone.
    write(JSON.stringify(emfLine(options.serviceName, clock.now(), {
      [MetricName.EVENTS_PUBLISHED]: [summary.eventsPublished, 'Count'],
      [MetricName.PUBLISH_FAILURES]: [summary.publishFailures, 'Count'],
    })));
  };

  return { log, enabled, runCompleted, hintCompleted };
}

/** One EMF document: the metric values as top-level members, described under `_aws`. */
function emfLine(service: string, timestamp: number, metrics: Record<string, [number, string]>): Record<string, unknown> {
  const line: Record<string, unknown> = {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [{
        Namespace: METRIC_NAMESPACE,
        Dimensions: [[METRIC_SERVICE_DIMENSION]],
        Metrics: Object.entries(metrics).map(([name, [, unit]]) => ({ Name: name, Unit: unit })),
      }],
    },
    [METRIC_SERVICE_DIMENSION]: service,
  };
  for (const [name, [value]] of Object.entries(metrics)) {
    line[name] = value;
  }
  return line;
}
