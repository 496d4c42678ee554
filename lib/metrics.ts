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
