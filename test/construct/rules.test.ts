import * as fs from 'node:fs';
import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import {
  CASE_AWAITING_CUSTOMER_DETAIL_TYPE,
  CASE_CREATED_DETAIL_TYPE,
  CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE,
  CASE_STATUS_CHANGED_DETAIL_TYPE,
  CASE_WATCHER_DETAIL_TYPES,
  CaseEventDetail,
  CaseEventRuleOptions,
  DEFAULT_EVENT_SOURCE,
  EVENT_SCHEMA_VERSION,
  SecurityIrCaseWatcher,
} from '../../lib';
import { TEST_ACCOUNT_ID, TEST_REGION } from '../../local-aws/credentials';
import { matchesEventPattern } from '../support/event-pattern';
import { deliveredEvent } from '../../local-aws/eventbridge-simulator';
import { startPollerHarness } from '../../local-aws/poller-harness';
import { testApp } from '../support/test-app';
import { CONTRACT_EXAMPLE_DETAIL } from '../support/contract-example';

/** An event as the watcher puts it on the bus (docs/events.md section 1), as EventBridge delivers it. */
function caseEvent(detailType: string, overrides: Partial<CaseEventDetail> = {}, source = DEFAULT_EVENT_SOURCE) {
  const created = detailType === CASE_CREATED_DETAIL_TYPE;
  const detail: CaseEventDetail = {
    ...CONTRACT_EXAMPLE_DETAIL,
    schemaVersion: EVENT_SCHEMA_VERSION,
    // On Created the previous values and their moments are null (docs/events.md).
    ...(created ? { previousCaseStatus: null, previousPendingAction: null, previousCaseStatusSince: null, previousPendingActionSince: null } : {}),
    ...overrides,
  };
  return {
    version: '0',
    id: 'b2a9c4e0-0000-4000-8000-000000000000',
    'detail-type': detailType,
    source,
    account: '111122223333',
    time: detail.observedAt,
    region: 'us-east-1',
    resources: detail.caseArn === null ? [] : [detail.caseArn],
    detail,
  };
}

/** The detail filter every helper rule carries: only the cases of the watched account and region. */
const WATCHED = { accountId: [TEST_ACCOUNT_ID], region: [TEST_REGION] };

type Helper = 'onCaseCreated' | 'onCaseStatusChanged' | 'onPendingActionChanged' | 'onAwaitingCustomer';
const HELPERS: Array<[Helper, string]> = [
  ['onCaseCreated', CASE_CREATED_DETAIL_TYPE],
  ['onCaseStatusChanged', CASE_STATUS_CHANGED_DETAIL_TYPE],
  ['onPendingActionChanged', CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE],
  ['onAwaitingCustomer', CASE_AWAITING_CUSTOMER_DETAIL_TYPE],
];

/** What a poll publishes on a change; the fourth, the reminder, comes after a mark of waiting. */
const CHANGE_DETAIL_TYPES = CASE_WATCHER_DETAIL_TYPES.filter((t) => t !== CASE_AWAITING_CUSTOMER_DETAIL_TYPE);

type BusVariant = 'default bus' | 'custom bus';

function newWatcher(bus: BusVariant, eventSource?: string) {
  // The account and region the events below come from: the rules match only the watched ones.
  const stack = new Stack(testApp(), 'Stack', { env: { account: TEST_ACCOUNT_ID, region: TEST_REGION } });
  const eventBus = bus === 'custom bus' ? new events.EventBus(stack, 'Bus', { eventBusName: 'security' }) : undefined;
  const watcher = new SecurityIrCaseWatcher(stack, 'Watcher', { eventBus, eventSource });
  return { stack, watcher, eventBus };
}

const sharedWatchers = new Map<string, ReturnType<typeof newWatcher>>();

/**
 * The watcher of one configuration, shared by every test of this file that reads a rule of it: each
 * test adds its rules (under ids of their own) while jest collects the tests, before any test runs,
 * so that the stack is synthesised once, with all of them (see `ruleProps`).
 */
function watcherOn(bus: BusVariant, eventSource?: string) {
  const key = `${bus} ${eventSource ?? ''}`;
  if (!sharedWatchers.has(key)) sharedWatchers.set(key, newWatcher(bus, eventSource));
  return sharedWatchers.get(key)!;
}

const synthesised = new WeakMap<Stack, Record<string, { Properties: Record<string, any> }>>();

/** The rendered `AWS::Events::Rule` properties of a rule, from its stack synthesised once. */
function ruleProps(stack: Stack, rule: events.Rule): Record<string, any> {
  if (!synthesised.has(stack)) synthesised.set(stack, Template.fromStack(stack).toJSON().Resources);
  const resource = synthesised.get(stack)![stack.getLogicalId(rule.node.defaultChild as events.CfnRule)];
  if (resource === undefined) throw new Error(`${rule.node.path} was added after its stack was synthesised: add it where the tests are declared`);
  return resource.Properties;
}

/** `make(helper)` for each of the three helpers, by helper. */
function perHelper(make: (helper: Helper) => events.Rule): Record<Helper, events.Rule> {
  return Object.fromEntries(HELPERS.map(([helper]) => [helper, make(helper)])) as Record<Helper, events.Rule>;
}

function expectedBusName(stack: Stack, eventBus: events.EventBus | undefined): unknown {
  return eventBus === undefined ? 'default' : { Ref: stack.getLogicalId(eventBus.node.defaultChild as events.CfnEventBus) };
}

describe.each<BusVariant>(['default bus', 'custom bus'])('on the %s', (bus) => {
  const { stack, watcher, eventBus } = watcherOn(bus);
  const helperRules = perHelper((helper) => watcher[helper](`${helper}Rule`));
  const anyRule = watcher.onAnyCaseEvent('AnyRule');
  const custom = watcherOn(bus, 'acme.security');
  const customSourceRule = custom.watcher.onCaseCreated('Rule');
  const afterAnHour = watcher.onAwaitingCustomer('AfterAnHour', { minMinutes: 60 });

  test.each(HELPERS)('%s: a rule on the watcher bus for its source and detail-type only', (helper, detailType) => {
    const props = ruleProps(stack, helperRules[helper]);
    expect(props.EventBusName).toEqual(expectedBusName(stack, eventBus));
    expect(props.EventPattern).toEqual({
      source: [DEFAULT_EVENT_SOURCE], 'detail-type': [detailType], detail: WATCHED,
    });

    expect(matchesEventPattern(props.EventPattern, caseEvent(detailType))).toBe(true);
    for (const other of CASE_WATCHER_DETAIL_TYPES.filter((t) => t !== detailType)) {
      expect(matchesEventPattern(props.EventPattern, caseEvent(other))).toBe(false);
    }
    expect(matchesEventPattern(props.EventPattern, caseEvent(detailType, {}, 'someone.else'))).toBe(false);
  });

  test('onAnyCaseEvent: every detail-type the watcher publishes', () => {
    const props = ruleProps(stack, anyRule);
    expect(props.EventBusName).toEqual(expectedBusName(stack, eventBus));
    expect(props.EventPattern).toEqual({ source: [DEFAULT_EVENT_SOURCE], 'detail-type': [...CASE_WATCHER_DETAIL_TYPES], detail: WATCHED });
    for (const detailType of CASE_WATCHER_DETAIL_TYPES) {
      expect(matchesEventPattern(props.EventPattern, caseEvent(detailType))).toBe(true);
    }
    expect(matchesEventPattern(props.EventPattern, caseEvent('Security IR Case Deleted'))).toBe(false);
  });

  test('onAwaitingCustomer minMinutes: the reminders of cases that have waited at least that long', () => {
    const pattern = ruleProps(stack, afterAnHour).EventPattern;
    expect(pattern).toEqual({
      source: [DEFAULT_EVENT_SOURCE], 'detail-type': [CASE_AWAITING_CUSTOMER_DETAIL_TYPE],
      detail: { ...WATCHED, awaitingCustomerMinutes: [{ numeric: ['>=', 60] }] },
    });
    const reminder = (minutes: number) => {
      const e = caseEvent(CASE_AWAITING_CUSTOMER_DETAIL_TYPE, { pendingAction: 'Customer', previousPendingAction: 'Customer' });
      return { ...e, detail: { ...e.detail, awaitingCustomerSince: '2026-11-23T08:00:00.000Z', awaitingCustomerMinutes: minutes } };
    };
    expect([59, 60, 240].map((m) => matchesEventPattern(pattern, reminder(m)))).toEqual([false, true, true]);
    expect(matchesEventPattern(pattern, caseEvent(CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE))).toBe(false);
  });

  test('a custom eventSource is what the rules match', () => {
    const pattern = ruleProps(custom.stack, customSourceRule).EventPattern;
    expect(pattern.source).toEqual(['acme.security']);
    expect(matchesEventPattern(pattern, caseEvent(CASE_CREATED_DETAIL_TYPE, {}, 'acme.security'))).toBe(true);
    expect(matchesEventPattern(pattern, caseEvent(CASE_CREATED_DETAIL_TYPE))).toBe(false);
  });
});

describe('the patterns against events the watcher really published', () => {
  /** What the poller put on the bus, as EventBridge delivers it: one event of each detail-type. */
  let published: Record<string, any>[] = [];

  beforeAll(async () => {
    const h = await startPollerHarness();
    try {
      const closing = h.securityIr.addCase({ caseStatus: 'Containment, Eradication and Recovery', pendingAction: 'None' });
      const waiting = h.securityIr.addCase({ caseStatus: 'Detection and Analysis', pendingAction: 'None' });
      expect((await h.poll()).error).toBeUndefined();
      h.securityIr.updateCase(closing.caseId, { caseStatus: 'Closed' });
      h.securityIr.updateCase(waiting.caseId, { pendingAction: 'Customer' });
      h.securityIr.addCase({ caseStatus: 'Submitted', pendingAction: 'None' });
      expect((await h.poll()).error).toBeUndefined();
      published = h.eventBridge.events.map((e) => deliveredEvent(e, TEST_ACCOUNT_ID, TEST_REGION));
    } finally {
      await h.close();
    }
  });

  test('the history published one event of each change detail-type (a reminder needs an hour of waiting: the synthetic events above)', () => {
    expect(published.map((e) => e['detail-type']).sort()).toEqual(CHANGE_DETAIL_TYPES.sort());
  });

  describe.each<BusVariant>(['default bus', 'custom bus'])('on the %s', (bus) => {
    const { stack, watcher } = watcherOn(bus);
    const helperRules = perHelper((helper) => watcher[helper](`${helper}PublishedRule`));
    const documentedRules = [
      watcher.onCaseStatusChanged('PublishedToClosed', { caseStatus: ['Closed'] }),
      watcher.onPendingActionChanged('PublishedCustomerAction', { pendingAction: ['Customer'] }),
    ];

    test.each(HELPERS.filter(([, detailType]) => CHANGE_DETAIL_TYPES.includes(detailType)))('%s matches its own events and none of the other detail-types', (helper, detailType) => {
      const pattern = ruleProps(stack, helperRules[helper]).EventPattern;
      const matched = published.filter((e) => matchesEventPattern(pattern, e)).map((e) => e['detail-type']);
      expect(matched).toEqual([detailType]);
    });

    test('the documented filters pick the events they name', () => {
      const [toClosed, customerAction] = documentedRules.map((rule) => ruleProps(stack, rule).EventPattern);
      expect(published.filter((e) => matchesEventPattern(toClosed, e)).map((e) => e.detail.caseStatus)).toEqual(['Closed']);
      expect(published.filter((e) => matchesEventPattern(customerAction, e)).map((e) => e.detail.pendingAction)).toEqual(['Customer']);
    });
  });
});

describe('detail filters', () => {
  const onDefaultBus = watcherOn('default bus');
  const onCustomBus = watcherOn('custom bus');
  const toClosed = onDefaultBus.watcher.onCaseStatusChanged('ToClosed', { caseStatus: ['Closed'] });
  const customer = onCustomBus.watcher.onPendingActionChanged('Customer', { pendingAction: ['Customer'] });
  const urgentOptions: CaseEventRuleOptions = {
    caseStatus: ['Detection and Analysis', 'Containment, Eradication and Recovery'],
    pendingAction: ['Customer'],
    eventPattern: { detail: { engagementType: ['Security Incident'] } },
  };
  const urgentRule = onDefaultBus.watcher.onAnyCaseEvent('Urgent', urgentOptions);

  test('caseStatus: only the listed statuses', () => {
    const pattern = ruleProps(onDefaultBus.stack, toClosed).EventPattern;
    expect(pattern.detail).toEqual({ ...WATCHED, caseStatus: ['Closed'] });
    expect(matchesEventPattern(pattern, caseEvent(CASE_STATUS_CHANGED_DETAIL_TYPE, { caseStatus: 'Closed' }))).toBe(true);
    expect(matchesEventPattern(pattern, caseEvent(CASE_STATUS_CHANGED_DETAIL_TYPE, { caseStatus: 'Acknowledged' }))).toBe(false);
    expect(matchesEventPattern(pattern, caseEvent(CASE_STATUS_CHANGED_DETAIL_TYPE, { caseStatus: null }))).toBe(false);
  });

  test('pendingAction: only the listed pending actions', () => {
    const pattern = ruleProps(onCustomBus.stack, customer).EventPattern;
    expect(pattern.detail).toEqual({ ...WATCHED, pendingAction: ['Customer'] });
    expect(matchesEventPattern(pattern, caseEvent(CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE, { pendingAction: 'Customer' }))).toBe(true);
    expect(matchesEventPattern(pattern, caseEvent(CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE, { pendingAction: 'None' }))).toBe(false);
  });

  test('both filters must hold, and merge with an eventPattern of the caller', () => {
    const pattern = ruleProps(onDefaultBus.stack, urgentRule).EventPattern;
    expect(pattern.detail).toEqual({
      ...WATCHED,
      caseStatus: ['Detection and Analysis', 'Containment, Eradication and Recovery'],
      pendingAction: ['Customer'],
      engagementType: ['Security Incident'],
    });
    const urgent = caseEvent(CASE_STATUS_CHANGED_DETAIL_TYPE);
    expect(matchesEventPattern(pattern, urgent)).toBe(true);
    expect(matchesEventPattern(pattern, caseEvent(CASE_STATUS_CHANGED_DETAIL_TYPE, { pendingAction: 'None' }))).toBe(false);
    expect(matchesEventPattern(pattern, caseEvent(CASE_STATUS_CHANGED_DETAIL_TYPE, { caseStatus: 'Closed' }))).toBe(false);
    expect(matchesEventPattern(pattern, caseEvent(CASE_STATUS_CHANGED_DETAIL_TYPE, { engagementType: 'Investigation' }))).toBe(false);
  });
});

describe('OnEventOptions', () => {
  const { stack, watcher } = watcherOn('custom bus');
  const queue = new sqs.Queue(stack, 'Inbox');
  const newCase = watcher.onCaseCreated('NewCase', { target: new targets.SqsQueue(queue), ruleName: 'new-security-ir-case', description: 'New case' });

  test('target, rule name and description reach the rule', () => {
    const props = ruleProps(stack, newCase);
    expect(props.Name).toBe('new-security-ir-case');
    expect(props.Description).toBe('New case');
    expect(props.Targets).toEqual([
      expect.objectContaining({ Arn: { 'Fn::GetAtt': [stack.getLogicalId(queue.node.defaultChild as sqs.CfnQueue), 'Arn'] } }),
    ]);
  });

  test('the helpers return distinct rules, children of the watcher', () => {
    const { watcher } = newWatcher('default bus'); // not synthesised: a watcher of its own
    const a = watcher.onCaseCreated('A');
    const b = watcher.onCaseStatusChanged('B');
    expect(a).toBeInstanceOf(events.Rule);
    expect(a).not.toBe(b);
    expect(a.node.scope).toBe(watcher);
  });
});

describe('docs/construct.md', () => {
  const { stack, watcher } = watcherOn('default bus');
  const documentedCalls = [
    watcher.onPendingActionChanged('CustomerAction', { pendingAction: ['Customer'] }),
    watcher.onCaseStatusChanged('Closed', { caseStatus: ['Closed'] }),
    watcher.onAnyCaseEvent('ActiveIncident', {
      eventPattern: { detail: { engagementType: ['Security Incident'] } },
      caseStatus: ['Detection and Analysis', 'Containment, Eradication and Recovery'],
    }),
  ];

  test('its raw JSON patterns are the ones the documented helper calls create', () => {
    const markdown = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'construct.md'), 'utf8');
    const documented = [...markdown.matchAll(/```json\n([\s\S]*?)```/g)]
      .map((m) => JSON.parse(m[1]))
      .filter((p) => p['detail-type'] !== undefined);
    const created = documentedCalls.map((rule) => ruleProps(stack, rule).EventPattern);
    expect(documented).toEqual(created);
  });
});
