/**
 * What a CDK user meets beyond the happy path: rules on another account's bus, two watchers on one
 * bus, alarms wired to actions, misconfigurations named at synth time, rules built in another stack.
 */
import { CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { CASE_STATUS_CHANGED_DETAIL_TYPE, SecurityIrCaseWatcher } from '../../lib';
import { matchesEventPattern } from '../support/event-pattern';
import { testApp } from '../support/test-app';
import { TEST_ENV, watcherStack } from '../support/watcher-synth';

const ENV = TEST_ENV;

function rules(stack: Stack) {
  return Object.values(Template.fromStack(stack).findResources('AWS::Events::Rule')).map((r) => r.Properties);
}

describe("rules on another account's bus", () => {
  test('are created with the bus ARN, so CloudFormation puts them on that bus, not on a same-named local one', () => {
    const stack = new Stack(testApp(), 'Stack', { env: ENV });
    const central = events.EventBus.fromEventBusArn(stack, 'Central', 'arn:aws:events:us-east-1:222233334444:event-bus/central');
    const watcher = new SecurityIrCaseWatcher(stack, 'Watcher', { eventBus: central });
    watcher.onAnyCaseEvent('Any');
    expect(rules(stack).filter((r) => r.EventPattern?.source?.[0] === 'security-ir.case-watcher').map((r) => r.EventBusName))
      .toEqual(['arn:aws:events:us-east-1:222233334444:event-bus/central']);
  });

  test("a bus of this stack's own account keeps its name", () => {
    const stack = new Stack(testApp(), 'Stack', { env: ENV });
    const own = events.EventBus.fromEventBusArn(stack, 'Own', 'arn:aws:events:us-east-1:111122223333:event-bus/security');
    new SecurityIrCaseWatcher(stack, 'Watcher', { eventBus: own }).onAnyCaseEvent('Any');
    expect(rules(stack).filter((r) => r.EventPattern?.source?.[0] === 'security-ir.case-watcher').map((r) => r.EventBusName)).toEqual(['security']);
  });
});

describe('two watchers on one bus', () => {
  const app = testApp();
  const stack = new Stack(app, 'Shared', { env: ENV });
  const bus = new events.EventBus(stack, 'Bus');
  const local = new SecurityIrCaseWatcher(stack, 'Local', { eventBus: bus });
  const europe = new SecurityIrCaseWatcher(stack, 'Europe', { eventBus: bus, securityIrRegion: 'eu-west-1' });
  const localRule = local.onPendingActionChanged('Page', { pendingAction: ['Customer'] });
  const europeRule = europe.onPendingActionChanged('Page', { pendingAction: ['Customer'] });

  const event = (region: string) => ({
    source: 'security-ir.case-watcher',
    'detail-type': 'Security IR Case Pending Action Changed',
    detail: { accountId: '111122223333', region, pendingAction: 'Customer' },
  });

  test("each watcher's rules match only the events about the cases it watches: no double page", () => {
    const template = Template.fromStack(stack).toJSON().Resources;
    const pattern = (rule: events.Rule) => template[stack.getLogicalId(rule.node.defaultChild as events.CfnRule)].Properties.EventPattern;
    expect(matchesEventPattern(pattern(localRule), event('us-east-1'))).toBe(true);
    expect(matchesEventPattern(pattern(localRule), event('eu-west-1'))).toBe(false);
    expect(matchesEventPattern(pattern(europeRule), event('eu-west-1'))).toBe(true);
    expect(matchesEventPattern(pattern(europeRule), event('us-east-1'))).toBe(false);
    expect(() => app.synth()).not.toThrow(); // not indistinguishable: another region
  });

  test('two watchers that would publish indistinguishable events fail the synth, each naming the other', () => {
    const app = testApp();
    const twins = new Stack(app, 'Twins', { env: ENV });
    new SecurityIrCaseWatcher(twins, 'First');
    new SecurityIrCaseWatcher(twins, 'Second');
    const synth = () => app.synth();
    expect(synth).toThrow(/\[Twins\/First\] This watcher and Twins\/Second watch the same account and region and publish with the same eventSource on the same bus/);
    expect(synth).toThrow(/\[Twins\/Second\] This watcher and Twins\/First watch the same account and region/);
  });

  test('the check is app-wide: a twin in another stack of the same environment, created first or later, is found', () => {
    const app = testApp();
    new SecurityIrCaseWatcher(new Stack(app, 'Early', { env: ENV }), 'Watcher');
    new SecurityIrCaseWatcher(new Stack(app, 'Late', { env: ENV }), 'Watcher');
    expect(() => app.synth()).toThrow(/\[Early\/Watcher\] This watcher and Late\/Watcher watch the same account and region/);
  });

  test('watchers in two env-agnostic stacks may go to different accounts: not judged', () => {
    const app = testApp();
    new SecurityIrCaseWatcher(new Stack(app, 'Dev'), 'Watcher');
    new SecurityIrCaseWatcher(new Stack(app, 'Prod'), 'Watcher');
    expect(() => app.synth()).not.toThrow();
  });

  test('another eventSource keeps them apart: synth passes', () => {
    const app = testApp();
    const apart = new Stack(app, 'Apart', { env: ENV });
    new SecurityIrCaseWatcher(apart, 'First');
    new SecurityIrCaseWatcher(apart, 'Second', { eventSource: 'acme.security-ir' });
    expect(() => app.synth()).not.toThrow();
  });
});

describe('alarms that act', () => {
  test('alarmActions go on every alarm the watcher creates, the dead-letter queue alarm included', () => {
    const stack = new Stack(testApp(), 'Stack', { env: ENV });
    const topic = new sns.Topic(stack, 'OnCall');
    const watcher = new SecurityIrCaseWatcher(stack, 'Watcher', { alarmActions: [new cloudwatchActions.SnsAction(topic)] });
    const alarms = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    expect(alarms).toHaveLength(3);
    expect(alarms.map((a) => a.AlarmActions)).toEqual(Array(3).fill([{ Ref: stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic) }]));
    expect(alarms.find((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible')).toMatchObject({
      Namespace: 'AWS/SQS',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [stack.getLogicalId(watcher.deadLetterQueue.node.defaultChild as sqs.CfnQueue), 'QueueName'] } }],
      Statistic: 'Maximum',
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
    });
    // The member is that alarm.
    const dlqAlarmId = Object.entries(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'))
      .find(([, a]) => a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible')![0];
    expect(stack.getLogicalId(watcher.deadLetterQueueAlarm!.node.defaultChild as cloudwatch.CfnAlarm)).toBe(dlqAlarmId);
  });
});

describe('silent misconfigurations are named at synth time', () => {
  test('an imported encryptionKey: a warning that names the prop and the statements to add', () => {
    const stack = new Stack(testApp(), 'Stack', { env: ENV });
    const key = kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    new SecurityIrCaseWatcher(stack, 'Watcher', { encryptionKey: key });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('^encryptionKey is imported'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0].entry.data).toMatch(/Add them to the key policy yourself \(see docs\/construct.md/);
    const own = new Stack(testApp(), 'Own', { env: ENV });
    new SecurityIrCaseWatcher(own, 'Watcher', { encryptionKey: new kms.Key(own, 'Key') });
    expect(Annotations.fromStack(own).findWarning('*', Match.stringLikeRegexp('encryptionKey'))).toEqual([]);
  });

  test('onCaseCreated with emitCreatedEvents: false fails, naming both', () => {
    const { watcher } = watcherStack({ emitCreatedEvents: false }, { env: ENV });
    expect(() => watcher.onCaseCreated('New')).toThrow(/^onCaseCreated\('New'\): emitCreatedEvents is false, so this watcher publishes no Created event/);
  });

  test.each([
    [{ source: ['aws.security-ir'] }, /^eventPattern.source \["aws.security-ir"\] would widen the rule beyond \["security-ir.case-watcher"\]/],
    [{ detailType: ['Security IR Case Created'] }, /^eventPattern.detailType \["Security IR Case Created"\] would widen the rule beyond \["Security IR Case Status Changed"\]/],
  ])('an eventPattern that would widen the helper\'s rule fails, naming the field: %o', (eventPattern, message) => {
    const { watcher } = watcherStack({}, { env: ENV });
    expect(() => watcher.onCaseStatusChanged('Rule', { eventPattern })).toThrow(message);
  });

  test('an eventPattern that repeats or narrows the helper\'s is accepted', () => {
    const { watcher } = watcherStack({}, { env: ENV });
    expect(() => watcher.onCaseStatusChanged('Rule', {
      eventPattern: { source: ['security-ir.case-watcher'], detailType: [CASE_STATUS_CHANGED_DETAIL_TYPE], detail: { engagementType: ['Investigation'] } },
    })).not.toThrow();
  });
});

describe('every rejection names its prop; tokens are skipped, not misread', () => {
  test('a timeout in milliseconds', () => {
    expect(() => watcherStack({ timeout: Duration.millis(1500) }, { env: ENV })).toThrow(/^timeout must be a whole number of seconds \(Lambda's unit\), got 1 second 500 millis$/);
  });

  test('a token stalenessPeriods is passed to the alarm as it is', () => {
    const app = testApp();
    const stack = new Stack(app, 'Stack', { env: ENV });
    const periods = new CfnParameter(stack, 'Periods', { type: 'Number' });
    new SecurityIrCaseWatcher(stack, 'Watcher', { stalenessPeriods: periods.valueAsNumber });
    const staleness = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm')).find((a) => a.Properties.MetricName === 'PollSucceeded')!;
    expect(staleness.Properties).toMatchObject({ EvaluationPeriods: { Ref: 'Periods' }, DatapointsToAlarm: { Ref: 'Periods' }, Period: 60 });
  });
});

describe('rules for targets in another stack', () => {
  /** A watcher in one stack, a queue to page into in another. */
  function twoStacks() {
    const app = testApp();
    const watcher = new SecurityIrCaseWatcher(new Stack(app, 'WatcherStack', { env: ENV }), 'Watcher');
    const consumers = new Stack(app, 'Consumers', { env: ENV });
    return { app, watcher, consumers, queue: new sqs.Queue(consumers, 'Inbox') };
  }

  test('the crossStackScope option builds the rule in the target\'s stack: no cyclic reference', () => {
    const { app, watcher, consumers, queue } = twoStacks();
    const rule = watcher.onPendingActionChanged('ToInbox', { crossStackScope: consumers, pendingAction: ['Customer'], target: new targets.SqsQueue(queue) });
    expect(rule.stack).toBe(consumers);
    expect(() => app.synth()).not.toThrow();
    expect(rules(consumers)).toEqual([expect.objectContaining({
      EventBusName: 'default',
      EventPattern: expect.objectContaining({ source: ['security-ir.case-watcher'], detail: expect.objectContaining({ pendingAction: ['Customer'] }) }),
    })]);
  });

  test('without it, a target in another stack makes the cycle the option is for', () => {
    const { app, watcher, queue } = twoStacks();
    watcher.onPendingActionChanged('ToInbox', { target: new targets.SqsQueue(queue) });
    expect(() => app.synth()).toThrow(/cyclic reference|dependency cycle/i);
  });
});
