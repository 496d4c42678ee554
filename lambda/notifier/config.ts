/**
 * The notifier's configuration: its function's environment (names in
 * lib/private/notifications/notifier-environment.ts), validated once per container so that a
 * deployment mistake fails naming the variable. The rules the construct also checks at synth time
 * come from lib/private/notifications/rules.ts.
 */
import { DEFAULT_EVENT_SOURCE } from '../../lib/events';
import { eventSourceProblem } from '../../lib/internal/rules';
import { NotifierEnvironment } from '../../lib/private/notifications/notifier-environment';
import { caseUrlTemplateProblem, pagerDutySeverityProblem, secretArnProblem } from '../../lib/private/notifications/rules';
import { check, ConfigError, flag, logLevel } from '../config';
import { trimmedOrUndefined } from '../strings';
import type { LogLevel } from '../telemetry';
import { PAGERDUTY_EVENTS_URL } from './pagerduty-client';

export interface NotifierConfig {
  readonly eventSource: string;
  readonly chatTopicArn?: string;
  readonly emailTopicArn?: string;
  readonly pagerDuty?: {
    readonly secretArn: string;
    readonly severity: string;
    readonly triggerOnCreated: boolean;
    readonly eventsUrl: string;
  };
  readonly caseUrlTemplate?: string;
  readonly serviceName: string;
  readonly logLevel: LogLevel;
}

/** A standard topic: chat and e-mail subscribers read no FIFO topic (and Publish to one needs a group ID). */
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;
export const DEFAULT_NOTIFIER_SERVICE_NAME = 'security-ir-case-notifications';

export function loadNotifierConfig(env: NodeJS.ProcessEnv = process.env): NotifierConfig {
  const eventSource = trimmedOrUndefined(env[NotifierEnvironment.EVENT_SOURCE]) ?? DEFAULT_EVENT_SOURCE;
  check(NotifierEnvironment.EVENT_SOURCE, eventSourceProblem(eventSource));
  const topic = (name: string) => {
    const arn = trimmedOrUndefined(env[name]);
    if (arn !== undefined) check(name, TOPIC_ARN.test(arn) ? undefined : `is not an SNS topic ARN: ${arn.slice(0, 200)}`);
    return arn;
  };
  const chatTopicArn = topic(NotifierEnvironment.CHAT_TOPIC_ARN);
  const emailTopicArn = topic(NotifierEnvironment.EMAIL_TOPIC_ARN);
  const secretArn = trimmedOrUndefined(env[NotifierEnvironment.PAGERDUTY_SECRET_ARN]);
  let pagerDuty: NotifierConfig['pagerDuty'];
  if (secretArn !== undefined) {
    check(NotifierEnvironment.PAGERDUTY_SECRET_ARN, secretArnProblem(secretArn));
    const severity = trimmedOrUndefined(env[NotifierEnvironment.PAGERDUTY_SEVERITY]) ?? 'critical';
    check(NotifierEnvironment.PAGERDUTY_SEVERITY, pagerDutySeverityProblem(severity));
    const eventsUrl = trimmedOrUndefined(env[NotifierEnvironment.PAGERDUTY_EVENTS_URL]) ?? PAGERDUTY_EVENTS_URL;
    check(NotifierEnvironment.PAGERDUTY_EVENTS_URL, /^https?:\/\/\S+$/.test(eventsUrl) ? undefined : `is not a URL: ${eventsUrl.slice(0, 200)}`);
    pagerDuty = { secretArn, severity, triggerOnCreated: flag(env, NotifierEnvironment.PAGERDUTY_TRIGGER_ON_CREATED, false), eventsUrl };
  }
  if (chatTopicArn === undefined && emailTopicArn === undefined && pagerDuty === undefined) {
    throw new ConfigError(NotifierEnvironment.CHAT_TOPIC_ARN, `is not set, nor are ${NotifierEnvironment.EMAIL_TOPIC_ARN} and ${NotifierEnvironment.PAGERDUTY_SECRET_ARN}: there is nowhere to notify`);
  }
  const caseUrlTemplate = trimmedOrUndefined(env[NotifierEnvironment.CASE_URL_TEMPLATE]);
  if (caseUrlTemplate !== undefined) check(NotifierEnvironment.CASE_URL_TEMPLATE, caseUrlTemplateProblem(caseUrlTemplate));
  return {
    eventSource,
    chatTopicArn,
    emailTopicArn,
    pagerDuty,
    caseUrlTemplate,
    serviceName: trimmedOrUndefined(env[NotifierEnvironment.SERVICE_NAME]) ?? DEFAULT_NOTIFIER_SERVICE_NAME,
    logLevel: logLevel(env),
  };
}
