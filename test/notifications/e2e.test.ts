/**
 * End to end from a synthesised template: a stack with a watcher and SecurityIrCaseNotifications is
 * synthesised to a cloud assembly; the watcher's real poll runs against the stand-ins through a case
 * history; every event EventBridge accepted is matched against the template's notification rules
 * (their event patterns and bus, as EventBridge would) and, for each match, the template's notifier
 * function (its asset, handler and environment, resolved to the stand-ins) is invoked with it. The
 * messages are then read where they land: the chat topic (as Amazon Q Developer reads it), the e-mail
 * topic, PagerDuty's incidents. The actions the notifier called are those its role allows, on the
 * resources it allows them on. Nothing here reads the notifier's TypeScript.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { SecurityIrCaseNotifications, SecurityIrCaseWatcher } from '../../lib';
import { TEST_ACCOUNT_ID, TEST_REGION } from '../../local-aws/credentials';
import { deliveredEvent } from '../../local-aws/eventbridge-simulator';
import { type NotificationStandIns, startNotificationStandIns } from '../../local-aws/notifier-harness';
import { type PollerHarness, startPollerHarness } from '../../local-aws/poller-harness';
import { HandlerEnvironment } from '../../lib/internal/handler-environment';
import { type CloudAssembly, type LocalFunction, pseudoParameters, readCloudAssembly, resolveIntrinsics, resourcesOfType, startTemplateFunction, type SynthesizedStack } from '../support/cloud-assembly';
import { matchesEventPattern } from '../support/event-pattern';
import { testApp } from '../support/test-app';

const HOSTILE = 'Root login "from" <!channel> `evil` *now* @here \u202Ereversed';
let workDir: string;
let assembly: CloudAssembly;
let stack: SynthesizedStack;
let watcher: PollerHarness;
let standIns: NotificationStandIns;
let notifier: LocalFunction;
let references: { refs: Record<string, string>; attributes: Record<string, string> };
const invocations: { rule: string; error?: string }[] = [];

const logicalIdOf = (type: string, prefix: string) => resourcesOfType(stack.template, type).find((r) => r.logicalId.startsWith(prefix))!.logicalId;

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'notifications-e2e-'));
  const app = testApp({ outdir: join(workDir, 'cdk.out'), context: { 'aws:cdk:enable-asset-metadata': true } });
  const cdkStack = new Stack(app, 'NotifyStack', { env: { account: TEST_ACCOUNT_ID, region: TEST_REGION } });
  const caseWatcher = new SecurityIrCaseWatcher(cdkStack, 'Watcher');
  new SecurityIrCaseNotifications(cdkStack, 'Notifications', {
    watcher: caseWatcher,
    chatTopic: new sns.Topic(cdkStack, 'ChatTopic'),
    emailTopic: new sns.Topic(cdkStack, 'EmailTopic'),
    pagerDutyRoutingKey: new secretsmanager.Secret(cdkStack, 'RoutingKey'),
    pagerDutyOnCaseCreated: true,
  });
  app.synth();
  assembly = readCloudAssembly(join(workDir, 'cdk.out'));
  stack = assembly.stacks.find((s) => s.id === 'NotifyStack')!;

  [watcher, standIns] = await Promise.all([startPollerHarness({ busName: 'default' }), startNotificationStandIns()]);
  references = {
    refs: {
      ...pseudoParameters(stack.stackName, TEST_ACCOUNT_ID, TEST_REGION),
      [logicalIdOf('AWS::SNS::Topic', 'ChatTopic')]: standIns.chatTopicArn,
      [logicalIdOf('AWS::SNS::Topic', 'EmailTopic')]: standIns.emailTopicArn,
      [logicalIdOf('AWS::SecretsManager::Secret', 'RoutingKey')]: standIns.secretArn,
      [logicalIdOf('AWS::Logs::LogGroup', 'NotificationsLogGroup')]: '/aws/lambda/notifier',
    },
    attributes: {
      [`${logicalIdOf('AWS::Logs::LogGroup', 'NotificationsLogGroup')}.Arn`]: `arn:aws:logs:${TEST_REGION}:${TEST_ACCOUNT_ID}:log-group:/aws/lambda/notifier`,
      [`${logicalIdOf('AWS::SQS::Queue', 'NotificationsDeadLetterQueue')}.Arn`]: `arn:aws:sqs:${TEST_REGION}:${TEST_ACCOUNT_ID}:notifier-dlq`,
    },
  };
  const notifierId = resourcesOfType(stack.template, 'AWS::Lambda::Function').find((r) => String(r.resource.Properties?.Description).startsWith('Tells people'))!.logicalId;
  // Only the stand-ins' endpoints and the test credentials are added: the rest is the template's.
  notifier = await startTemplateFunction({ assembly, stack, logicalId: notifierId, references, account: TEST_ACCOUNT_ID, region: TEST_REGION, extraEnv: standIns.environment });

  // The watcher's reminder marks as the template configures its function (the defaults: 1 h, 4 h, 24 h).
  const watcherFunction = resourcesOfType(stack.template, 'AWS::Lambda::Function').find((r) => r.resource.Properties?.Environment?.Variables?.[HandlerEnvironment.AWAITING_CUSTOMER_REMINDER_MINUTES] !== undefined)!;
  const marks = String(watcherFunction.resource.Properties!.Environment.Variables[HandlerEnvironment.AWAITING_CUSTOMER_REMINDER_MINUTES]).split(',').map(Number);
  expect(marks).toEqual([60, 240, 1440]);

  // The history: a hostile-titled case goes through its life (an hour waiting on the customer); another case is opened.
  watcher.securityIr.addCase({ caseId: '1000000201', title: HOSTILE, caseStatus: 'Submitted', pendingAction: 'None', engagementType: 'Security Incident', resolverType: 'AWS' });
  const steps: (() => unknown)[] = [
    () => undefined, // the baseline poll: nothing published
    () => watcher.securityIr.updateCase('1000000201', { caseStatus: 'Acknowledged', pendingAction: 'Customer' }),
    () => watcher.securityIr.addCase({ caseId: '1000000202', title: 'Access keys used from two countries', caseStatus: 'Submitted', pendingAction: 'None' }),
    () => watcher.ageWaits(61), // the first mark passed: the reminder
    () => watcher.securityIr.updateCase('1000000201', { pendingAction: 'None' }),
    () => watcher.securityIr.updateCase('1000000201', { caseStatus: 'Closed' }),
  ];
  const rules = resourcesOfType(stack.template, 'AWS::Events::Rule').filter((r) => (r.resource.Properties?.Targets ?? []).some((t: any) => JSON.stringify(t.Arn).includes(notifierId)));
  for (const step of steps) {
    await step();
    const before = watcher.eventBridge.events.length;
    const run = await watcher.poll({ settings: { awaitingCustomerReminderMinutes: marks } });
    expect(run.error).toBeUndefined();
    for (const accepted of watcher.eventBridge.events.slice(before)) {
      const event = deliveredEvent(accepted, TEST_ACCOUNT_ID, TEST_REGION);
      for (const { logicalId, resource } of rules) {
        const bus = resolveIntrinsics(resource.Properties!.EventBusName ?? 'default', references);
        if (bus !== accepted.EventBusName || !matchesEventPattern(resource.Properties!.EventPattern, event)) continue;
        const invocation = await notifier.invoke(event);
        invocations.push({ rule: logicalId.replace(/^Notifications(\w+Rule)[0-9A-F]{8}$/, '$1'), error: invocation.error?.message });
      }
    }
  }
}, 120_000);

afterAll(async () => {
  await notifier?.stop();
  await Promise.all([watcher?.close(), standIns?.close()]);
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

test('each event the watcher published matched one notification rule, whose notifier succeeded', () => {
  expect(invocations).toEqual([
    { rule: 'StatusChangedRule', error: undefined },
    { rule: 'PendingActionChangedRule', error: undefined },
    { rule: 'CaseCreatedRule', error: undefined },
    { rule: 'AwaitingCustomerRule', error: undefined },
    { rule: 'PendingActionChangedRule', error: undefined },
    { rule: 'StatusChangedRule', error: undefined },
  ]);
  expect(invocations).toHaveLength(watcher.eventBridge.events.length);
});

test('chat: one thread per case, every message shown, the hostile title as text', () => {
  const chat = standIns.sns.deliveries.filter((d) => d.subscriber === 'chat');
  expect(chat.map((d) => d.chatProblems)).toEqual(Array(6).fill(undefined));
  const byThread = (caseId: string) => chat.filter((d) => d.chat!.metadata!.threadId === `arn:aws:security-ir:us-east-1:111122223333:case/${caseId}`).map((d) => d.chat!.content.title);
  expect(byThread('1000000201')).toEqual([
    '\u{1F504} Case moved to `\u2068Acknowledged\u2069` \u00b7 case 1000000201',
    '\u{1F514} AWS is waiting on you \u00b7 case 1000000201',
    '\u23F0 AWS is still waiting on you (1 h 1 min) \u00b7 case 1000000201',
    '\u2705 AWS is no longer waiting on you \u00b7 case 1000000201',
    '\u{1F3C1} Case closed \u00b7 case 1000000201',
  ]);
  expect(byThread('1000000202')).toEqual(['\u{1F195} New Security IR case \u00b7 case 1000000202']);
  const first = chat[0].chat!.content.description!.split('\n')[0];
  expect(first).toBe('Case 1000000201: `\u2068Root login "from" &lt;!channel&gt; \u02cbevil\u02cb *now* @here reversed\u2069`');
  // The watcher's own previous-value times are unknown to a notifier beside this watcher version: said so.
  expect(chat[1].chat!.content.description).toMatch(/Pending action: `\u2068None\u2069` \u2192 `\u2068Customer\u2069` \((`\u2068None\u2069` for \d+ (s|min)|how long `\u2068None\u2069` held is unknown)\)/);
});

test('e-mail: subjects SNS accepts, naming the case and what happened', () => {
  expect(standIns.sns.deliveries.filter((d) => d.subscriber === 'email').map((d) => d.subject)).toEqual([
    'Security IR case 1000000201: Case moved to Acknowledged - Root login "from" <!channel> `evil` *n...',
    'Security IR case 1000000201: AWS is waiting on you - Root login "from" <!channel> `evil` *now* @...',
    'Security IR case 1000000202: New Security IR case - Access keys used from two countries',
    'Security IR case 1000000201: AWS is still waiting on you (1 h 1 min) - Root login "from" <!chann...',
    'Security IR case 1000000201: AWS is no longer waiting on you - Root login "from" <!channel> `evi...',
    'Security IR case 1000000201: Case closed - Root login "from" <!channel> `evil` *now* @here reversed',
  ]);
});

test('PagerDuty: the wait paged (its reminder folded into the same incident) and resolved itself, the new case paged', () => {
  expect(standIns.pagerDuty.incidents.map((i) => [i.dedupKey, i.status, i.triggers])).toEqual([
    ['security-ir/1000000201/awaiting-customer', 'resolved', 2],
    ['security-ir/1000000202/created', 'triggered', 1],
  ]);
});

test('the notifier called exactly what its role allows, on exactly the resources it allows', () => {
  const role = resourcesOfType(stack.template, 'AWS::IAM::Role').find((r) => String(r.resource.Properties?.Description).startsWith('Security IR case notifications'))!;
  const statements = resolveIntrinsics(role.resource.Properties!.Policies[0].PolicyDocument.Statement, references) as { Action: string | string[]; Resource: string | string[] }[];
  const allowed = new Map(statements.flatMap((s) => [s.Action].flat().map((a) => [a, [s.Resource].flat()] as const)));
  const called = [
    ...standIns.sns.calls.map((c) => [c.action, new URLSearchParams(String(c.body)).get('TopicArn')] as const),
    ...standIns.secrets.calls.map((c) => [c.action, (c.body as { SecretId: string }).SecretId] as const),
  ];
  expect(called.length).toBeGreaterThan(0);
  for (const [action, resource] of called) expect([action, allowed.get(action)]).toEqual([action, expect.arrayContaining([resource])]);
  // Beyond what it called, only what Lambda itself does with the role (logs, the dead-letter queue).
  expect([...allowed.keys()].sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents', 'secretsmanager:GetSecretValue', 'sns:Publish', 'sqs:SendMessage']);
  expect(new Set(called.map(([action]) => action))).toEqual(new Set(['sns:Publish', 'secretsmanager:GetSecretValue']));
});
