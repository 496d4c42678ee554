/**
 * Internal: the environment variables through which the construct configures the handler. Shared
 * by the two sides of that one deployment, and deliberately not exported from the package: the
 * names may change with any release, since the construct and the handler ship together.
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
  /** The `service` field of every log line and the `service` dimension of every metric. */
  SERVICE_NAME: 'SERVICE_NAME',
  /** The lowest level of the log lines written (`DEBUG`, `INFO`, `WARN`, `ERROR`). */
  LOG_LEVEL: 'LOG_LEVEL',
  /**
   * The `awaitingCustomerReminders` marks: whole minutes, comma-separated, strictly increasing
   * (`60,240,1440`); empty when the reminders are off.
   */
  AWAITING_CUSTOMER_REMINDER_MINUTES: 'AWAITING_CUSTOMER_REMINDER_MINUTES',
} as const;

/**
 * Set by Lambda when the function's application log level is configured (JSON log format): it wins
 * over `LOG_LEVEL`, so the console setting an operator changes is the one that takes effect.
 */
export const LAMBDA_LOG_LEVEL_ENV = 'AWS_LAMBDA_LOG_LEVEL';
