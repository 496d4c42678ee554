/**
 * The public metric contract: what the handler emits in the CloudWatch Embedded Metric Format and
 * what dashboards and alarms outside the construct may rely on. Imports nothing.
 */

/** Namespace of the CloudWatch metrics the handler emits. */
export const METRIC_NAMESPACE = 'SecurityIrCaseWatcher';

/** Names of the metrics the handler emits. */
export const MetricName = {
  CASES_SEEN: 'CasesSeen',
  LIST_CASES_CALLS: 'ListCasesCalls',
  EVENTS_PUBLISHED: 'EventsPublished',
  PUBLISH_FAILURES: 'PublishFailures',
  POLL_DURATION_MS: 'PollDurationMs',
  POLL_SUCCEEDED: 'PollSucceeded',
} as const;

/**
 * Every metric carries this one dimension; its value is the watcher's `serviceName`, unique per
 * watcher, so that several watchers in one account keep apart.
 */
export const METRIC_SERVICE_DIMENSION = 'service';

/**
 * The metric contract as static members of a class: module constants are TypeScript-only, while
 * these also reach the languages jsii generates bindings for (the same values as above).
 */
export class CaseWatcherMetrics {
  /** `SecurityIrCaseWatcher` */
  public static readonly NAMESPACE = METRIC_NAMESPACE;
  /** `service`: its value is the watcher's `serviceName`. */
  public static readonly SERVICE_DIMENSION = METRIC_SERVICE_DIMENSION;
  /** `CasesSeen` */
  public static readonly CASES_SEEN = MetricName.CASES_SEEN;
  /** `ListCasesCalls` */
  public static readonly LIST_CASES_CALLS = MetricName.LIST_CASES_CALLS;
  /** `EventsPublished` */
  public static readonly EVENTS_PUBLISHED = MetricName.EVENTS_PUBLISHED;
  /** `PublishFailures` */
  public static readonly PUBLISH_FAILURES = MetricName.PUBLISH_FAILURES;
  /** `PollDurationMs` */
  public static readonly POLL_DURATION_MS = MetricName.POLL_DURATION_MS;
  /** `PollSucceeded`: 1 per successful poll, the heartbeat the staleness alarm watches. */
  public static readonly POLL_SUCCEEDED = MetricName.POLL_SUCCEEDED;

  private constructor() {}
}
