import * as fs from 'node:fs';
import * as path from 'node:path';
import { Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { createExampleApp, ExampleContext } from '../../bin/example-stack';
import { matchesEventPattern } from '../support/event-pattern';

const FULL_CONTEXT = {
  [ExampleContext.EVENT_BUS_NAME]: 'security-events',
  [ExampleContext.POLL_INTERVAL]: '5',
  [ExampleContext.FAST_PATH]: 'false',
  [ExampleContext.EVENT_SOURCE]: 'acme.security-ir',
  [ExampleContext.SECURITY_IR_REGION]: 'eu-west-1',
  [ExampleContext.SECURITY_IR_ROLE_ARN]: 'arn:aws:iam::444455556666:role/SecurityIrReader',
  [ExampleContext.NOTIFY_EMAIL]: 'secops@example.com',
};

function synthTemplate(context?: Record<string, string>) {
  // Without the built-in CloudFormation validation, whose report nag.test.ts checks for this app.
  const { app, stack } = createExampleApp({ context, builtinCloudFormationValidation: false });
  // Synthesising the whole app also runs the cdk-nag plugin: any unacknowledged finding throws here.
  const assembly = app.synth();
  const template = Template.fromJSON(JSON.parse(fs.readFileSync(path.join(assembly.directory, stack.templateFile), 'utf8')));
  return { stack, template };
}

function functionVariables(template: Template): Record<string, unknown> {
  return Object.values(template.findResources('AWS::Lambda::Function'))[0].Properties.Environment.Variables;
}

describe('example app without context', () => {
  const { stack, template } = synthTemplate();

  test('is env-agnostic', () => {
    expect(Token.isUnresolved(stack.account)).toBe(true);
    expect(Token.isUnresolved(stack.region)).toBe(true);
  });

  test('runs the watcher with its defaults and no notification', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(1 minute)' });
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: Match.objectLike({ source: ['aws.security-ir'] }) });
    expect(functionVariables(template)).toMatchObject({ EVENT_SOURCE: 'security-ir.case-watcher', SECURITY_IR_REGION: { Ref: 'AWS::Region' } });
    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.resourceCountIs('AWS::KMS::Key', 0);
  });
});

describe('context values that are not what their key takes fail the synth, naming the key', () => {
  test.each([
    [{ [ExampleContext.POLL_INTERVAL]: 'five' }, /^context pollInterval must be a number, got "five"$/],
    [{ [ExampleContext.POLL_INTERVAL]: '0.5' }, /^pollInterval must be a whole number of minutes, at least 1, got 30 seconds$/],
    [{ [ExampleContext.FAST_PATH]: 'yes' }, /^context fastPath must be "true" or "false", got "yes"$/],
    [{ [ExampleContext.EVENT_BUS_NAME]: 'arn:aws:sns:us-east-1:222233334444:topic' }, /^context eventBusName must be a bus name or an event bus ARN .*, got "arn:aws:sns/],
  ])('%o', (context, message) => {
    expect(() => synthTemplate(context)).toThrow(message);
  });
});

describe('eventBusName may be an ARN', () => {
  test('another account\'s bus by ARN: the function puts its events there and the rules are created on it', () => {
    const arn = 'arn:aws:events:us-east-1:222233334444:event-bus/central';
    const { template } = synthTemplate({ [ExampleContext.EVENT_BUS_NAME]: arn, [ExampleContext.NOTIFY_EMAIL]: 'secops@example.com' });
    expect(functionVariables(template).EVENT_BUS_NAME).toBe(arn);
    const notifyRules = Object.values(template.findResources('AWS::Events::Rule')).filter((r) => r.Properties.EventPattern?.source?.[0] === 'security-ir.case-watcher');
    expect(notifyRules.length).toBeGreaterThan(0);
    for (const rule of notifyRules) expect(rule.Properties.EventBusName).toBe(arn);
  });
});

describe('with securityIrRoleArn, synth prints no deprecation notice (cdk-nag reads a deprecated property of the bus policy)', () => {
  test('no [WARNING] line', () => {
    const mode = process.env.JSII_DEPRECATED;
    delete process.env.JSII_DEPRECATED; // another file of this worker may have quieted them
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const { template } = synthTemplate({ [ExampleContext.SECURITY_IR_ROLE_ARN]: 'arn:aws:iam::444455556666:role/SecurityIrReader' });
      template.resourceCountIs('AWS::Events::EventBusPolicy', 2); // the policies cdk-nag reads are there: forwarded hints, no forgeries
      expect(warn.mock.calls.map((call) => call.join(' ')).filter((line) => line.includes('deprecated'))).toEqual([]);
    } finally {
      warn.mockRestore();
      if (mode !== undefined) process.env.JSII_DEPRECATED = mode;
    }
  });
});

describe('example app with every context value', () => {
  const { stack, template } = synthTemplate(FULL_CONTEXT);

  test('is still env-agnostic', () => {
    expect(Token.isUnresolved(stack.account)).toBe(true);
  });

  test('poll interval, fast path, bus, source, region and role come from context', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(5 minutes)' });
    expect(JSON.stringify(template.toJSON())).not.toContain('aws.security-ir'); // fastPath=false: no fast-path rule
    const busArn = {
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':event-bus/security-events']],
    };
    expect(functionVariables(template)).toMatchObject({
      EVENT_BUS_NAME: busArn,
      EVENT_SOURCE: 'acme.security-ir',
      SECURITY_IR_REGION: 'eu-west-1',
      SECURITY_IR_ROLE_ARN: 'arn:aws:iam::444455556666:role/SecurityIrReader',
      SECURITY_IR_ACCOUNT_ID: '444455556666',
    });
    expect(Object.values(template.findResources('AWS::Lambda::Function'))[0].Properties.Timeout).toBe(290);
  });

  test('notifyEmail: an encrypted, TLS-only topic with the e-mail subscribed', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'secops@example.com' });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        // arrayWith keeps order: TLS guard, then the alarms (added with the topic). No EventBridge: the
        // notifier publishes with its role, not a rule.
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sns:Publish',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Condition: { ArnLike: { 'aws:SourceArn': Match.anyValue() } },
          }),
        ]),
      },
    });
  });

  test('notifyEmail: SecurityIrCaseNotifications tells the topic of every kind of event, with rules on the context bus', () => {
    const notifier = Object.entries(template.findResources('AWS::Lambda::Function')).find(([, fn]) => String(fn.Properties.Description).startsWith('Tells people'));
    expect(notifier).toBeDefined();
    const topicRef = { Ref: Object.keys(template.findResources('AWS::SNS::Topic'))[0] };
    expect(JSON.stringify(notifier![1].Properties.Environment.Variables)).toContain(JSON.stringify(topicRef));
    const rules = Object.values(template.findResources('AWS::Events::Rule')).filter((r) => r.Properties.EventPattern?.source?.[0] === 'acme.security-ir');
    for (const rule of rules) {
      expect(rule.Properties.EventBusName).toBe('security-events');
      expect(rule.Properties.Targets).toEqual([expect.objectContaining({ Arn: { 'Fn::GetAtt': [notifier![0], 'Arn'] } })]);
    }
    // The watched cases: the role's account, the context's region.
    const watched = { accountId: '444455556666', region: 'eu-west-1' };
    const patterns = rules.map((r) => r.Properties.EventPattern);
    for (const [detailType, detail] of [
      ['Security IR Case Created', watched],
      ['Security IR Case Status Changed', { ...watched, caseStatus: 'Closed' }],
      ['Security IR Case Pending Action Changed', { ...watched, pendingAction: 'Customer' }],
      ['Security IR Case Pending Action Changed', { ...watched, pendingAction: 'None' }],
      ['Security IR Case Awaiting Customer', { ...watched, awaitingCustomerMinutes: 60 }],
    ] as const) {
      const event = { source: 'acme.security-ir', 'detail-type': detailType, detail };
      expect([detailType, detail, patterns.filter((p) => matchesEventPattern(p, event)).length]).toEqual([detailType, detail, 1]);
    }
    // Another account's cases are not this watcher's.
    expect(patterns.filter((p) => matchesEventPattern(p, { source: 'acme.security-ir', 'detail-type': 'Security IR Case Created', detail: { ...watched, accountId: '111122223333' } }))).toEqual([]);
  });

  test('notifyEmail: every alarm (the watcher\'s failed runs, staleness, dead-letter queue; the notifier\'s failures and dead-letter queue) notifies the topic', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.map((a) => a.Properties.MetricName).sort()).toEqual(['ApproximateNumberOfMessagesVisible', 'ApproximateNumberOfMessagesVisible', 'Errors', 'Errors', 'PollSucceeded']);
    const topicRef = { Ref: Object.keys(template.findResources('AWS::SNS::Topic'))[0] };
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([topicRef]);
    }
  });
});
