import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import {
  CASE_CREATED_DETAIL_TYPE,
  CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE,
  CASE_STATUS_CHANGED_DETAIL_TYPE,
  CASE_WATCHER_DETAIL_TYPES,
  CaseEventDetail,
  CaseEventRuleOptions,
  DEFAULT_EVENT_SOURCE,
  EVENT_SCHEMA_VERSION,
  SecurityIrCaseWatcher,
} from '../lib';
import { TEST_ACCOUNT_ID, TEST_REGION } from '../local-aws/credentials';
import { matchesEventPattern } from './support/event-pattern';
import { deliveredEvent } from '../local-aws/eventbridge-simulator';
import { startPollerHarness } from '../local-aws/poller-harness';

/** An event as the watcher puts it on the bus (CONTRACT section 1), as EventBridge delivers it. */
function caseEvent(detailType: string, overrides: Partial<CaseEventDetail> = {}, source = DEFAULT_EVENT_SOURCE) {
  const created = detailType === CASE_CREATED_DETAIL_TYPE;
  const detail: CaseEventDetail = {
    schemaVersion: EVENT_SCHEMA_VERSION,
    changeId: '0f1e2d3c4b5a69788796a5b4c3d2e1f0',
    caseId: '1234567890',
    caseArn: 'arn:aws:security-ir:us-east-1:111122223333:case/1234567890',
    accountId: '111122223333',
    region: 'us-east-1',
    title: 'Suspicious IAM activity',
    caseStatus: 'Detection and Analysis',
    previousCaseStatus: created ? null : 'Acknowledged',
    pendingAction: 'Customer',
    previousPendingAction: created ? null : 'None',
    engagementType: 'Security Incident',
    resolverType: 'AWS',
    createdDate: '2026-11-20T10:00:00.000Z',
    lastUpdatedDate: '2026-11-23T09:12:44.000Z',
    closedDate: null,
    observedAt: '2026-11-23T09:13:00.000Z',
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

type Helper = 'onCaseCreated' | 'onCaseStatusChanged' | 'onPendingActionChanged';
const HELPERS: Array<[Helper, string]> = [
  ['onCaseCreated', CASE_CREATED_DETAIL_TYPE],
  ['onCaseStatusChanged', CASE_STATUS_CHANGED_DETAIL_TYPE],
  ['onPendingActionChanged', CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE],
];

type BusVariant = 'default bus' | 'custom bus';

function watcherOn(bus: BusVariant, eventSource?: string) {
  const stack = new Stack(new App(), 'Stack');
  const eventBus = bus === 'custom bus' ? new events.EventBus(stack, 'Bus', { eventBusName: 'security' }) : undefined;
  const watcher = new SecurityIrCaseWatcher(stack, 'Watcher', { eventBus, eventSource });
  return { stack, watcher, eventBus };
}

/** The rendered `AWS::Events::Rule` properties of a rule. */
function ruleProps(stack: Stack, rule: events.Rule): Record<string, any> {
  const resources = Template.fromStack(stack).toJSON().Resources as Record<string, { Properties: Record<string, any> }>;
  return resources[stack.getLogicalId(rule.node.defaultChild as events.CfnRule)].Properties;
}

function expectedBusName(stack: Stack, eventBus: events.EventBus | undefined): unknown {
  return eventBus === undefined ? 'default' : { Ref: stack.getLogicalId(eventBus.node.defaultChild as events.CfnEventBus) };
}

describe.each<BusVariant>(['default bus', 'custom bus'])('on the %s', (bus) => {
  test.each(HELPERS)('%s: a rule on the watcher bus for its source and detail-type only', (helper, detailType) => {
    const { stack, watcher, eventBus } = watcherOn(bus);
    const props = ruleProps(stack, watcher[helper]('Rule'));
    expect(props.EventBusName).toEqual(expectedBusName(stack, eventBus));
    expect(props.EventPattern).toEqual({ source: [DEFAULT_EVENT_SOURCE], 'detail-type': [detailType] });

    expect(matchesEventPattern(props.EventPattern, caseEvent(detailType))).toBe(true);
    for (const other of CASE_WATCHER_DETAIL_TYPES.filter((t) => t !== detailType)) {
      expect(matchesEventPattern(props.EventPattern, caseEvent(other))).toBe(false);
    }
    expect(matchesEventPattern(props.EventPattern, caseEvent(detailType, {}, 'someone.else'))).toBe(false);
  });

  test('onAnyCaseEvent: every detail-type the watcher publishes', () => {
    const { stack, watcher, eventBus } = watcherOn(bus);
    const props = ruleProps(stack, watcher.onAnyCaseEvent('Rule'));
    expect(props.EventBusName).toEqual(expectedBusName(stack, eventBus));
    expect(props.EventPattern).toEqual({ source: [DEFAULT_EVENT_SOURCE], 'detail-type': [...CASE_WATCHER_DETAIL_TYPES] });
    for (const detailType of CASE_WATCHER_DETAIL_TYPES) {
      expect(matchesEventPattern(props.EventPattern, caseEvent(detailType))).toBe(true);
    }
    expect(matchesEventPattern(props.EventPattern, caseEvent('Security IR Case Deleted'))).toBe(false);
  });

  test('a custom eventSource is what the rules match', () => {
    const { stack, watcher } = watcherOn(bus, 'acme.security');
    const pattern = ruleProps(stack, watcher.onCaseCreated('Rule')).EventPattern;
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

  test('the history published one event of each detail-type', () => {
    expect(published.map((e) => e['detail-type']).sort()).toEqual([...CASE_WATCHER_DETAIL_TYPES].sort());
  });

  describe.each<BusVariant>(['default bus', 'custom bus'])('on the %s', (bus) => {
    test.each(HELPERS)('%s matches its own events and none of the other detail-types', (helper, detailType) => {
      const { stack, watcher } = watcherOn(bus);
      const pattern = ruleProps(stack, watcher[helper]('Rule')).EventPattern;
      const matched = published.filter((e) => matchesEventPattern(pattern, e)).map((e) => e['detail-type']);
      expect(matched).toEqual([detailType]);
    });

    test('the documented filters pick the events they name', () => {
      const { stack, watcher } = watcherOn(bus);
      const rules = [
        watcher.onCaseStatusChanged('ToClosed', { caseStatus: ['Closed'] }),
        watcher.onPendingActionChanged('CustomerAction', { pendingAction: ['Customer'] }),
      ];
      const [toClosed, customerAction] = rules.map((rule) => ruleProps(stack, rule).EventPattern);
      expect(published.filter((e) => matchesEventPattern(toClosed, e)).map((e) => e.detail.caseStatus)).toEqual(['Closed']);
      expect(published.filter((e) => matchesEventPattern(customerAction, e)).map((e) => e.detail.pendingAction)).toEqual(['Customer']);
    });
  });
});

describe('detail filters', () => {
  test('caseStatus: only the listed statuses', () => {
    const { stack, watcher } = watcherOn('default bus');
    const pattern = ruleProps(stack, watcher.onCaseStatusChanged('ToClosed', { caseStatus: ['Closed'] })).EventPattern;
    expect(pattern.detail).toEqual({ caseStatus: ['Closed'] });
    expect(matchesEventPattern(pattern, caseEvent(CASE_STATUS_CHANGED_DETAIL_TYPE, { caseStatus: 'Closed' }))).toBe(true);
    expect(matchesEventPattern(pattern, caseEvent(CASE_STATUS_CHANGED_DETAIL_TYPE, { caseStatus: 'Acknowledged' }))).toBe(false);
    expect(matchesEventPattern(pattern, caseEvent(CASE_STATUS_CHANGED_DETAIL_TYPE, { caseStatus: null }))).toBe(false);
  });

  test('pendingAction: only the listed pending actions', () => {
    const { stack, watcher } = watcherOn('custom bus');
    const pattern = ruleProps(stack, watcher.onPendingActionChanged('Customer', { pendingAction: ['Customer'] })).EventPattern;
    expect(pattern.detail).toEqual({ pendingAction: ['Customer'] });
    expect(matchesEventPattern(pattern, caseEvent(CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE, { pendingAction: 'Customer' }))).toBe(true);
    expect(matchesEventPattern(pattern, caseEvent(CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE, { pendingAction: 'None' }))).toBe(false);
  });

  test('both filters must hold, and merge with an eventPattern of the caller', () => {
    const { stack, watcher } = watcherOn('default bus');
    const options: CaseEventRuleOptions = {
      caseStatus: ['Detection and Analysis', 'Containment, Eradication and Recovery'],
      pendingAction: ['Customer'],
      eventPattern: { detail: { engagementType: ['Security Incident'] } },
    };
    const pattern = ruleProps(stack, watcher.onAnyCaseEvent('Urgent', options)).EventPattern;
    expect(pattern.detail).toEqual({
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
  test('target, rule name and description reach the rule', () => {
    const { stack, watcher } = watcherOn('custom bus');
    const queue = new sqs.Queue(stack, 'Inbox');
    const props = ruleProps(
      stack,
      watcher.onCaseCreated('NewCase', { target: new targets.SqsQueue(queue), ruleName: 'new-security-ir-case', description: 'New case' }),
    );
    expect(props.Name).toBe('new-security-ir-case');
    expect(props.Description).toBe('New case');
    expect(props.Targets).toEqual([
      expect.objectContaining({ Arn: { 'Fn::GetAtt': [stack.getLogicalId(queue.node.defaultChild as sqs.CfnQueue), 'Arn'] } }),
    ]);
  });

  test('the helpers return distinct rules, children of the watcher', () => {
    const { watcher } = watcherOn('default bus');
    const a = watcher.onCaseCreated('A');
    const b = watcher.onCaseStatusChanged('B');
    expect(a).toBeInstanceOf(events.Rule);
    expect(a).not.toBe(b);
    expect(a.node.scope).toBe(watcher);
  });
});

describe('docs/construct.md', () => {
  test('its raw JSON patterns are the ones the documented helper calls create', () => {
    const markdown = fs.readFileSync(path.join(__dirname, '..', 'docs', 'construct.md'), 'utf8');
    const documented = [...markdown.matchAll(/```json\n([\s\S]*?)```/g)]
      .map((m) => JSON.parse(m[1]))
      .filter((p) => p['detail-type'] !== undefined);
    const { stack, watcher } = watcherOn('default bus');
    const created = [
      watcher.onPendingActionChanged('CustomerAction', { pendingAction: ['Customer'] }),
      watcher.onCaseStatusChanged('Closed', { caseStatus: ['Closed'] }),
      watcher.onAnyCaseEvent('ActiveIncident', {
        eventPattern: { detail: { engagementType: ['Security Incident'] } },
        caseStatus: ['Detection and Analysis', 'Containment, Eradication and Recovery'],
      }),
    ].map((rule) => ruleProps(stack, rule).EventPattern);
    expect(documented).toEqual(created);
  });
});
