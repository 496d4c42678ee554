/**
 * The construct's two paths: the poll on an EventBridge Scheduler schedule, with every figure
 * derived from `pollInterval`, and the fast-path rule on the default bus with its IAM.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import { SecurityIrCaseWatcherProps, SecurityIrEventForwarder, SecurityIrEventForwarderProps } from '../../lib';
import { SECURITY_IR_CASE_DETAIL_TYPES } from '../../lib/internal/security-ir-events';
import { onlyResource, READER_ROLE_ARN, TEST_ENV, watcherStack } from '../support/watcher-synth';

/** The bus-policy statements of `template` that allow something (the forwarded hints). */
const grantsOnTheBus = (template: Template) => Object.values(template.findResources('AWS::Events::EventBusPolicy'))
  .map((p) => p.Properties).filter((p) => p.Statement.Effect === 'Allow');


describe('the poll runs on EventBridge Scheduler, every figure from pollInterval', () => {
  test.each([
    // interval, rate expression, timeout (s), alarm period (s), staleness evaluation periods, delivery age (s), async age (s)
    [Duration.minutes(1), 'rate(1 minute)', 50, 60, 3, 60, 300],
    [Duration.minutes(5), 'rate(5 minutes)', 290, 300, 3, 300, 300],
    [Duration.minutes(60), 'rate(1 hour)', 300, 3600, 3, 3600, 3600],
    [Duration.days(1), 'rate(1 day)', 300, 86400, 3, 86400, 21600],
  ])('%s', (pollInterval, expression, timeout, period, stalenessPeriods, deliveryAge, asyncAge) => {
    const { template, watcher } = watcherStack({ pollInterval }, { env: TEST_ENV });
    expect(onlyResource(template, 'AWS::Scheduler::Schedule')).toMatchObject({
      ScheduleExpression: expression,
      State: 'ENABLED',
      Target: {
        Arn: { 'Fn::GetAtt': [expect.stringMatching(/^WatcherFunction/), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: deliveryAge },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [expect.stringMatching(/^WatcherDeadLetterQueue/), 'Arn'] } },
      },
    });
    expect(watcher.function.timeout?.toSeconds()).toBe(timeout);
    expect(onlyResource(template, 'AWS::Lambda::Function').Timeout).toBe(timeout);
    const alarms = template.findResources('AWS::CloudWatch::Alarm');
    const staleness = Object.values(alarms).find((a) => a.Properties.MetricName === 'PollSucceeded')!.Properties;
    expect(staleness).toMatchObject({ Period: period, EvaluationPeriods: stalenessPeriods, DatapointsToAlarm: stalenessPeriods, TreatMissingData: 'breaching' });
    const failed = Object.values(alarms).find((a) => a.Properties.MetricName === 'Errors')!.Properties;
    expect(failed).toMatchObject({ Period: period, EvaluationPeriods: 1 });
    expect(onlyResource(template, 'AWS::Lambda::EventInvokeConfig')).toMatchObject({
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: asyncAge,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [expect.stringMatching(/^WatcherDeadLetterQueue/), 'Arn'] } } },
    });
  });

  test('no legacy scheduled rule (the schedule\'s role: construct.test.ts)', () => {
    const { template } = watcherStack({}, { env: TEST_ENV });
    expect(Object.values(template.findResources('AWS::Events::Rule')).filter((r) => r.Properties.ScheduleExpression)).toEqual([]);
  });
});

describe('the fast path', () => {
  test('by default: a rule on this account\'s default bus for the watched account\'s case events, to the function', () => {
    const { template, watcher, stack } = watcherStack({}, { env: TEST_ENV });
    const [ruleId, found] = Object.entries(template.findResources('AWS::Events::Rule')).find(([, r]) => r.Properties.EventPattern?.source?.[0] === 'aws.security-ir')!;
    expect(stack.getLogicalId(watcher.fastPathRule!.node.defaultChild as events.CfnRule)).toBe(ruleId); // the member is that rule
    const rule = found.Properties;
    expect(rule).toMatchObject({
      EventPattern: {
        source: ['aws.security-ir'],
        'detail-type': [...SECURITY_IR_CASE_DETAIL_TYPES],
        account: ['111122223333'],
        region: ['us-east-1'],
      },
      State: 'ENABLED',
      Targets: [expect.objectContaining({
        Arn: { 'Fn::GetAtt': [expect.stringMatching(/WatcherFunction/), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 60 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [expect.stringMatching(/WatcherDeadLetterQueue/), 'Arn'] } },
      })],
    });
    expect(rule).not.toHaveProperty('EventBusName'); // the default bus, where Security IR puts its events
    expect(Annotations.fromStack(watcher.node.scope as Stack).findWarning('*', Match.anyValue())).toEqual([]);
  });

  test('GetCase on the watched account\'s and region\'s cases only', () => {
    const { template } = watcherStack({ securityIrRegion: 'us-east-1' }, { env: TEST_ENV });
    const statements = Object.values(template.findResources('AWS::IAM::Role'))
      .flatMap((r) => r.Properties.Policies ?? []).flatMap((p: any) => p.PolicyDocument.Statement);
    expect(statements.filter((st: any) => [].concat(st.Action).some((a: string) => a.startsWith('security-ir:')))).toEqual([
      { Sid: 'ListSecurityIrCases', Effect: 'Allow', Action: 'security-ir:ListCases', Resource: '*' },
      {
        Sid: 'ReadSecurityIrCases',
        Effect: 'Allow',
        Action: 'security-ir:GetCase',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':security-ir:us-east-1:111122223333:case/*']] },
      },
    ]);
  });

  test('fastPath: false: no rule, no GetCase', () => {
    const { template, watcher } = watcherStack({ fastPath: false }, { env: TEST_ENV });
    expect(watcher.fastPathRule).toBeUndefined();
    expect(JSON.stringify(template.toJSON())).not.toMatch(/aws\.security-ir|security-ir:GetCase/);
  });

  test.each<[string, SecurityIrCaseWatcherProps, RegExp]>([
    ['another account (securityIrRoleArn)', { securityIrRoleArn: READER_ROLE_ARN }, /account 444455556666, region us-east-1/],
    ['another region (securityIrRegion)', { securityIrRegion: 'eu-west-1' }, /this account, region eu-west-1/],
  ])('cases in %s: the rule matches that account and region, and synth warns that a forwarder is needed', (_what, props, where) => {
    const { stack, template } = watcherStack(props, { env: TEST_ENV });
    const rule = Object.values(template.findResources('AWS::Events::Rule')).map((r) => r.Properties).find((r) => r.EventPattern?.source?.[0] === 'aws.security-ir');
    expect(rule?.EventPattern.account).toEqual([props.securityIrRoleArn ? '444455556666' : '111122223333']);
    expect(rule?.EventPattern.region).toEqual([props.securityIrRegion ?? 'us-east-1']);
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('SecurityIrEventForwarder'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0].entry.data).toMatch(where);
    expect(warnings[0].entry.data).toMatch(/\[ack: cdk-security-ir-case-watcher:fastPathNeedsForwarder\]/);
  });

  test('with a role, GetCase runs on the assumed role: the function role may only assume it', () => {
    const { template } = watcherStack({ securityIrRoleArn: READER_ROLE_ARN }, { env: TEST_ENV });
    expect(JSON.stringify(template.toJSON())).not.toMatch(/security-ir:(GetCase|ListCases)/);
  });
});

describe('SecurityIrEventForwarder and the bus policy that receives its events', () => {
  function forwarder(props: SecurityIrEventForwarderProps, env = { account: '444455556666', region: 'us-east-1' }) {
    const stack = new Stack(new App(), 'MembershipStack', { env });
    const construct = new SecurityIrEventForwarder(stack, 'Forwarder', props);
    return { stack, construct, template: Template.fromStack(stack) };
  }

  test('in the membership account: a rule for its own case events, to the watcher account\'s default bus, with a dead-letter queue', () => {
    const { template, construct } = forwarder({ watcherAccount: '111122223333', watcherRegion: 'eu-west-1' });
    const rule = onlyResource(template, 'AWS::Events::Rule');
    expect(rule.EventPattern).toEqual({
      source: ['aws.security-ir'], 'detail-type': [...SECURITY_IR_CASE_DETAIL_TYPES], account: ['444455556666'],
    });
    const busArn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:eu-west-1:111122223333:event-bus/default']] };
    expect(rule.Targets).toEqual([expect.objectContaining({
      Arn: busArn,
      RoleArn: { 'Fn::GetAtt': [expect.stringMatching(/EventsRole/), 'Arn'] },
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': [expect.stringMatching(/ForwarderDeadLetterQueue/), 'Arn'] } },
    })]);
    // The role EventBridge uses to forward may put events on that one bus and nothing else.
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements).toEqual([{ Action: 'events:PutEvents', Effect: 'Allow', Resource: busArn }]);
    expect(construct.watcherEventBusArn).toMatch(/:events:eu-west-1:111122223333:event-bus\/default$/);
  });

  test.each<[string, SecurityIrEventForwarderProps, RegExp]>([
    ['a malformed account', { watcherAccount: '1111' }, /^watcherAccount must be a 12-digit AWS account ID, got "1111"$/],
    ['a malformed region', { watcherAccount: '111122223333', watcherRegion: 'EU-WEST-1' }, /^watcherRegion must be an AWS region code/],
    ['its own account and region', { watcherAccount: '444455556666', watcherRegion: 'us-east-1' }, /^watcherAccount and watcherRegion name this stack's own account and region/],
  ])('rejects %s, naming the prop', (_what, props, message) => {
    expect(() => forwarder(props)).toThrow(message);
  });

  test('the watcher of another account\'s cases lets exactly that account put exactly the case events on its default bus', () => {
    const { template } = watcherStack({ securityIrRoleArn: READER_ROLE_ARN }, { env: TEST_ENV });
    const [policy] = grantsOnTheBus(template);
    expect(grantsOnTheBus(template)).toHaveLength(1);
    expect(policy).toMatchObject({
      EventBusName: 'default',
      Statement: {
        Effect: 'Allow',
        Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::444455556666:root']] } },
        Action: 'events:PutEvents',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:us-east-1:111122223333:event-bus/default']] },
        Condition: { 'ForAllValues:StringEquals': { 'events:source': ['aws.security-ir'], 'events:detail-type': [...SECURITY_IR_CASE_DETAIL_TYPES] } },
      },
    });
  });

  test('no bus-policy grant without the fast path, nor for cases of the same account (only the no-forgeries deny)', () => {
    for (const props of [{ securityIrRoleArn: READER_ROLE_ARN, fastPath: false }, { securityIrRegion: 'eu-west-1' }]) {
      const { template } = watcherStack(props, { env: TEST_ENV });
      expect(grantsOnTheBus(template)).toEqual([]);
      expect(Object.values(template.findResources('AWS::Events::EventBusPolicy')).map((p) => p.Properties.Statement.Effect)).toEqual(['Deny']);
    }
  });
});
