/**
 * The notifier's environment, read once per container: a deployment mistake fails naming the variable.
 */
import { ConfigError } from '../../lambda/config';
import { loadNotifierConfig } from '../../lambda/notifier/config';

const TOPIC = 'arn:aws:sns:us-east-1:111122223333:case-chat';
const SECRET = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:pd-AbCdEf';

test('every destination, with the defaults the construct relies on', () => {
  expect(loadNotifierConfig({ CHAT_TOPIC_ARN: TOPIC, EMAIL_TOPIC_ARN: TOPIC, PAGERDUTY_SECRET_ARN: SECRET })).toEqual({
    eventSource: 'security-ir.case-watcher',
    chatTopicArn: TOPIC,
    emailTopicArn: TOPIC,
    pagerDuty: { secretArn: SECRET, severity: 'critical', triggerOnCreated: false, eventsUrl: 'https://events.pagerduty.com/v2/enqueue' },
    caseUrlTemplate: undefined,
    serviceName: 'security-ir-case-notifications',
    logLevel: 'INFO',
  });
});

test.each([
  [{}, 'CHAT_TOPIC_ARN', /nowhere to notify/],
  [{ CHAT_TOPIC_ARN: 'arn:aws:sns:us-east-1:111122223333:chat.fifo' }, 'CHAT_TOPIC_ARN', /not an SNS topic ARN/],
  [{ EMAIL_TOPIC_ARN: 'topic' }, 'EMAIL_TOPIC_ARN', /not an SNS topic ARN/],
  [{ PAGERDUTY_SECRET_ARN: 'my-secret' }, 'PAGERDUTY_SECRET_ARN', /must be a Secrets Manager secret ARN/],
  [{ PAGERDUTY_SECRET_ARN: SECRET, PAGERDUTY_SEVERITY: 'loud' }, 'PAGERDUTY_SEVERITY', /must be one of critical, error, warning, info/],
  [{ PAGERDUTY_SECRET_ARN: SECRET, PAGERDUTY_TRIGGER_ON_CREATED: 'yes' }, 'PAGERDUTY_TRIGGER_ON_CREATED', /must be "true" or "false"/],
  [{ CHAT_TOPIC_ARN: TOPIC, CASE_URL_TEMPLATE: 'https://x.example/cases' }, 'CASE_URL_TEMPLATE', /must contain \{caseId\}/],
  [{ CHAT_TOPIC_ARN: TOPIC, EVENT_SOURCE: 'aws.evil' }, 'EVENT_SOURCE', /reserved for AWS services/],
])('%j fails naming %s', (env, variable, problem) => {
  let error: unknown;
  try {
    loadNotifierConfig(env);
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).variable).toBe(variable);
  expect((error as ConfigError).message).toMatch(problem);
});
