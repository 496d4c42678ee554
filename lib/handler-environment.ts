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

/** Shapes the construct checks at synth time and the handler again at cold start. */
export const AWS_REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
/** An IAM role ARN; the first group is the role's account. */
export const IAM_ROLE_ARN_PATTERN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;
/** EventBridge reserves sources starting with `aws.` (in any case) for AWS services. */
export const RESERVED_EVENT_SOURCE_PREFIX = 'aws.';
export const MAX_EVENT_SOURCE_LENGTH = 256;
