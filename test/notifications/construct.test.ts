/**
 * SecurityIrCaseNotifications in a template: the rules (the watcher's, one per kind of event, the
 * reminders' with their own detail-type), the function and its delivery settings, the exact policy
 * (each action on exactly its resource; KMS through SNS and Secrets Manager only), alarms with their
 * actions, cdk-nag clean with reasons, and props that fail at synth naming the prop. Two syntheses
 * shared by the file: every destination given, and chat made for a Slack channel with encrypted inputs.
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PagerDutySeverity, SecurityIrCaseNotifications, SecurityIrCaseNotificationsProps, SecurityIrCaseWatcher } from '../../lib';
import { once, testApp } from '../support/test-app';
import { AWAITING_CUSTOMER, CREATED, PENDING_ACTION_CHANGED, STATUS_CHANGED } from './sample-events';

process.env.JSII_DEPRECATED = 'quiet';

function build(app: App, props: (stack: Stack, watcher: SecurityIrCaseWatcher) => Omit<SecurityIrCaseNotificationsProps, 'watcher'>) {
  const stack = new Stack(app, 'Stack', { env: { account: '111122223333', region: 'us-east-1' } });
  const watcher = new SecurityIrCaseWatcher(stack, 'Watcher');
  const notifications = new SecurityIrCaseNotifications(stack, 'Notifications', { watcher, ...props(stack, watcher) });
  return { stack, watcher, notifications };
}

/** The user's secret (not the construct's): its rotation is the user's to acknowledge. */
function routingKeySecret(stack: Stack): secretsmanager.Secret {
  const secret = new secretsmanager.Secret(stack, 'RoutingKey', { encryptionKey: new kms.Key(stack, 'SecretKey', { enableKeyRotation: true }) });
  Validations.of(secret).acknowledge({ id: 'AwsSolutions-SMG4', reason: 'A PagerDuty integration key is rotated in PagerDuty, then pasted here.' });
  return secret;
}

const everyDestination = once(() => {
  const app = testApp();
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const built = build(app, (stack) => ({
    chatTopic: new sns.Topic(stack, 'TeamsTopic', { enforceSSL: true, masterKey: new kms.Key(stack, 'TopicKey', { enableKeyRotation: true }) }),
    emailAddresses: ['soc@example.com'],
    pagerDutyRoutingKey: routingKeySecret(stack),
    pagerDutySeverity: PagerDutySeverity.ERROR,
    pagerDutyOnCaseCreated: true,
    caseUrlTemplate: 'https://irc.example/cases/{caseId}?region={region}',
    alarmActions: [new cloudwatchActions.SnsAction(new sns.Topic(stack, 'AlarmTopic', { enforceSSL: true, masterKey: new kms.Key(stack, 'AlarmKey', { enableKeyRotation: true }) }))],
  }));
  return { ...built, app, template: Template.fromStack(built.stack) };
});

const slack = once(() => {
  const app = testApp();
  const built = build(app, (stack) => ({
    slackChannel: new chatbot.SlackChannelConfiguration(stack, 'Slack', { slackChannelConfigurationName: 'soc', slackWorkspaceId: 'T0123', slackChannelId: 'C0123' }),
    notifyOn: { caseStatusChanged: false },
  }));
  return { ...built, template: Template.fromStack(built.stack) };
});

function rulePatterns(template: Template): Record<string, any> {
  const rules = template.findResources('AWS::Events::Rule', { Properties: { Targets: Match.arrayWith([Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NotificationsFunction'), 'Arn'] } })]) } });
  return Object.fromEntries(Object.entries(rules).map(([id, r]) => [id.replace(/^Notifications(\w+Rule)[0-9A-F]{8}$/, '$1'), r.Properties.EventPattern]));
}

describe('rules', () => {
  test('one per kind of event, on the watcher\'s bus, filtered like its own helpers; the reminders with their detail-type', () => {
    const patterns = rulePatterns(everyDestination().template);
    const detail = { accountId: ['111122223333'], region: ['us-east-1'] };
    expect(patterns).toEqual({
      CaseCreatedRule: { 'source': ['security-ir.case-watcher'], 'detail-type': [CREATED], detail },
      PendingActionChangedRule: { 'source': ['security-ir.case-watcher'], 'detail-type': [PENDING_ACTION_CHANGED], detail },
      StatusChangedRule: { 'source': ['security-ir.case-watcher'], 'detail-type': [STATUS_CHANGED], detail },
      AwaitingCustomerRule: { 'source': ['security-ir.case-watcher'], 'detail-type': [AWAITING_CUSTOMER], detail },
    });
  });

  test('notifyOn leaves a kind out; each target retries into the dead-letter queue', () => {
    expect(Object.keys(rulePatterns(slack().template)).sort()).toEqual(['AwaitingCustomerRule', 'CaseCreatedRule', 'PendingActionChangedRule']);
    const { template } = everyDestination();
    const targets = Object.values(template.findResources('AWS::Events::Rule')).flatMap((r: any) => r.Properties.Targets ?? [])
      .filter((t: any) => JSON.stringify(t.Arn).includes('NotificationsFunction'));
    expect(targets).toHaveLength(4);
    for (const target of targets) {
      expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 });
      expect(JSON.stringify(target.DeadLetterConfig)).toContain('NotificationsDeadLetterQueue');
    }
  });
});

describe('the notifier function', () => {
  test('its own small bundle, its destinations in the environment, never the routing key', () => {
    const { template } = everyDestination();
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('^Tells people') } })) as any[];
    expect(fn.Properties).toMatchObject({ Handler: 'index.handler', Architectures: ['arm64'], Timeout: 30, MemorySize: 256 });
    const env = fn.Properties.Environment.Variables;
    expect(Object.keys(env).sort()).toEqual(['CASE_URL_TEMPLATE', 'CHAT_TOPIC_ARN', 'EMAIL_TOPIC_ARN', 'EVENT_SOURCE', 'NODE_OPTIONS', 'PAGERDUTY_SECRET_ARN', 'PAGERDUTY_SEVERITY', 'PAGERDUTY_TRIGGER_ON_CREATED']);
    expect([env.EVENT_SOURCE, env.PAGERDUTY_SEVERITY, env.PAGERDUTY_TRIGGER_ON_CREATED]).toEqual(['security-ir.case-watcher', 'error', 'true']);
    expect(env.PAGERDUTY_SECRET_ARN).toEqual({ Ref: expect.stringMatching(/^RoutingKey/) });
    // The secret's value is nowhere in the template: only its ARN is (no dynamic reference either).
    expect(JSON.stringify(template.toJSON()).includes('resolve:secretsmanager')).toBe(false);
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 21600,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NotificationsDeadLetterQueue'), 'Arn'] } } },
    });
  });

  test('a Slack channel gets the topic made for it', () => {
    const { template, notifications } = slack();
    template.hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', { SnsTopicArns: [{ Ref: Match.stringLikeRegexp('^NotificationsChatTopic') }] });
    expect(notifications.chatTopic).toBeDefined();
    expect(notifications.emailTopic).toBeUndefined();
  });
});

describe('least privilege', () => {
  const policy = (template: Template) => {
    const [role] = Object.values(template.findResources('AWS::IAM::Role', { Properties: { Description: Match.stringLikeRegexp('^Security IR case notifications') } })) as any[];
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    return Object.fromEntries(role.Properties.Policies[0].PolicyDocument.Statement.map((s: any) => [s.Sid, { Action: s.Action, Resource: s.Resource, Condition: s.Condition }]));
  };

  test('publish to exactly its topics, read exactly its secret, keys only through the services', () => {
    const statements = policy(everyDestination().template);
    expect(Object.keys(statements).sort()).toEqual(['PublishNotifications', 'ReadRoutingKey', 'SendFailedInvocations', 'UseSecretKeyThroughSecretsManager', 'UseTopicKeysThroughSns', 'WriteOwnLogs']);
    expect(statements.PublishNotifications).toEqual({ Action: 'sns:Publish', Resource: [{ Ref: expect.stringMatching(/^TeamsTopic/) }, { Ref: expect.stringMatching(/^NotificationsEmailTopic/) }], Condition: undefined });
    expect(statements.ReadRoutingKey).toEqual({ Action: 'secretsmanager:GetSecretValue', Resource: { Ref: expect.stringMatching(/^RoutingKey/) }, Condition: undefined });
    expect(statements.UseTopicKeysThroughSns).toMatchObject({ Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: { 'Fn::GetAtt': [expect.stringMatching(/^TopicKey/), 'Arn'] } });
    expect(JSON.stringify(statements.UseTopicKeysThroughSns.Condition)).toContain('"sns.');
    expect(statements.UseSecretKeyThroughSecretsManager).toMatchObject({ Action: 'kms:Decrypt', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^SecretKey/), 'Arn'] } });
    expect(JSON.stringify(statements.UseSecretKeyThroughSecretsManager.Condition)).toContain('"secretsmanager.');
    expect(statements.WriteOwnLogs.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^NotificationsLogGroup/), 'Arn'] });
    expect(statements.SendFailedInvocations).toEqual({ Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^NotificationsDeadLetterQueue/), 'Arn'] }, Condition: undefined });
  });

  test('without PagerDuty nor a key, no secret and no KMS at all', () => {
    expect(Object.keys(policy(slack().template)).sort()).toEqual(['PublishNotifications', 'SendFailedInvocations', 'WriteOwnLogs']);
  });

  test('a secret known by name only is read with the suffix Secrets Manager adds, nothing wider', () => {
    const { template } = (() => {
      const built = build(testApp(), (stack) => ({ pagerDutyRoutingKey: secretsmanager.Secret.fromSecretNameV2(stack, 'Named', 'pagerduty/key') }));
      return { template: Template.fromStack(built.stack) };
    })();
    expect(JSON.stringify(policy(template).ReadRoutingKey.Resource)).toMatch(/:secret:pagerduty\/key-\?\?\?\?\?\?"/);
  });
});

describe('operations', () => {
  test('alarms on failed notifications and on the dead-letter queue, with the alarm actions', () => {
    const { template } = everyDestination();
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmDescription: Match.stringLikeRegexp('notification|told') } })) as any[];
    expect(alarms.map((a) => a.Properties.MetricName).sort()).toEqual(['ApproximateNumberOfMessagesVisible', 'Errors']);
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^AlarmTopic/) }]);
  });

  test('cdk-nag AwsSolutions: no unacknowledged finding, and each acknowledgement of ours gives a reason', () => {
    const { app } = everyDestination();
    const findings = new AwsSolutionsChecks().validateScope(app).violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} @ ${r.constructPath}`));
    expect(findings).toEqual([]);
    const slackFindings = new AwsSolutionsChecks().validateScope(slack().stack.node.root as App).violations
      .flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} @ ${r.constructPath}`))
      .filter((f) => f.includes('/Notifications/'));
    expect(slackFindings).toEqual([]);
  });
});

describe('props that cannot work fail at synth, naming the prop', () => {
  const attempt = (props: (stack: Stack, watcher: SecurityIrCaseWatcher) => Omit<SecurityIrCaseNotificationsProps, 'watcher'>) => () => build(testApp(), props);
  test.each([
    ['no destination', () => ({}), /needs a destination: chatTopic, slackChannel, emailTopic, emailAddresses or pagerDutyRoutingKey/],
    ['a bad URL template', (s: Stack) => ({ chatTopic: new sns.Topic(s, 'T'), caseUrlTemplate: 'http://x/{id}' }), /^caseUrlTemplate must be an https URL/],
    ['a template without the case', (s: Stack) => ({ chatTopic: new sns.Topic(s, 'T'), caseUrlTemplate: 'https://x.example/cases' }), /^caseUrlTemplate must contain \{caseId\}/],
    ['a severity without PagerDuty', (s: Stack) => ({ chatTopic: new sns.Topic(s, 'T'), pagerDutySeverity: PagerDutySeverity.INFO }), /pagerDutySeverity and pagerDutyOnCaseCreated need pagerDutyRoutingKey/],
    ['every event off', (s: Stack) => ({ chatTopic: new sns.Topic(s, 'T'), notifyOn: { caseCreated: false, caseStatusChanged: false, pendingActionChanged: false, awaitingCustomerReminders: false } }), /notifyOn turns every event off/],
    ['a FIFO topic for chat', (s: Stack) => ({ chatTopic: new sns.Topic(s, 'T', { fifo: true }) }), /^chatTopic is a FIFO topic/],
    ['addresses for a given topic', (s: Stack) => ({ emailTopic: new sns.Topic(s, 'T'), emailAddresses: ['a@example.com'] }), /emailAddresses makes an e-mail topic/],
  ])('%s', (_name, props, message) => {
    expect(attempt(props as any)).toThrow(message);
  });

  test('new cases told by a watcher that publishes none', () => {
    const stack = new Stack(testApp(), 'Stack');
    const watcher = new SecurityIrCaseWatcher(stack, 'Watcher', { emitCreatedEvents: false });
    expect(() => new SecurityIrCaseNotifications(stack, 'N', { watcher, chatTopic: new sns.Topic(stack, 'T') })).toThrow(/^notifyOn\.caseCreated: .*emitCreatedEvents is false.*Or set notifyOn: \{ caseCreated: false \}\.$/s);
    expect(() => new SecurityIrCaseNotifications(stack, 'M', { watcher, chatTopic: new sns.Topic(stack, 'U'), notifyOn: { caseCreated: false } })).not.toThrow();
  });
});
