/**
 * Names of the environment variables through which the construct configures the poller.
 * Shared by the construct and the handler; imports nothing.
 */
export const HandlerEnvironment = {
  STATE_TABLE_NAME: 'STATE_TABLE_NAME',
  EVENT_BUS_NAME: 'EVENT_BUS_NAME',
  EVENT_SOURCE: 'EVENT_SOURCE',
  EMIT_CREATED_EVENTS: 'EMIT_CREATED_EVENTS',
  EMIT_EXISTING_CASES_ON_FIRST_RUN: 'EMIT_EXISTING_CASES_ON_FIRST_RUN',
  SECURITY_IR_REGION: 'SECURITY_IR_REGION',
  SECURITY_IR_ROLE_ARN: 'SECURITY_IR_ROLE_ARN',
  /** Account whose cases are watched; used for `accountId` when a case has no ARN. */
  SECURITY_IR_ACCOUNT_ID: 'SECURITY_IR_ACCOUNT_ID',
} as const;

/** Namespace of the CloudWatch metrics the handler emits in EMF. */
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
 * Every metric carries one dimension, `service`, whose value the construct sets through
 * `POWERTOOLS_SERVICE_NAME` so that several watchers in one account keep apart.
 */
export const METRIC_SERVICE_DIMENSION = 'service';
export const METRIC_SERVICE_ENV = 'POWERTOOLS_SERVICE_NAME';
