/**
 * Private: the environment variables through which `SecurityIrCaseNotifications` configures its
 * notifier function. Shared by the two sides of that one deployment and not exported from the
 * package: the names may change with any release, since the construct and the notifier ship together.
 */
export const NotifierEnvironment = {
  /** The watcher's `eventSource`: the only source the notifier accepts. */
  EVENT_SOURCE: 'EVENT_SOURCE',
  /** SNS topic read by Amazon Q Developer in chat applications (custom notifications). */
  CHAT_TOPIC_ARN: 'CHAT_TOPIC_ARN',
  /** SNS topic read by e-mail (plain text) subscribers. */
  EMAIL_TOPIC_ARN: 'EMAIL_TOPIC_ARN',
  /** Secrets Manager secret (ARN) holding the PagerDuty Events API v2 routing key. */
  PAGERDUTY_SECRET_ARN: 'PAGERDUTY_SECRET_ARN',
  /** `critical`, `error`, `warning` or `info`. */
  PAGERDUTY_SEVERITY: 'PAGERDUTY_SEVERITY',
  /** `true`: a new case also triggers a PagerDuty incident (resolved when the case closes). */
  PAGERDUTY_TRIGGER_ON_CREATED: 'PAGERDUTY_TRIGGER_ON_CREATED',
  /** The PagerDuty enqueue URL (another service region's, or a stand-in's). */
  PAGERDUTY_EVENTS_URL: 'PAGERDUTY_EVENTS_URL',
  /** URL template of one case (`{region}`, `{caseId}`, `{accountId}`); absent: the regional console. */
  CASE_URL_TEMPLATE: 'CASE_URL_TEMPLATE',
  /** The `service` field of every log line. */
  SERVICE_NAME: 'SERVICE_NAME',
  /** The lowest level of the log lines written (`DEBUG`, `INFO`, `WARN`, `ERROR`). */
  LOG_LEVEL: 'LOG_LEVEL',
} as const;
