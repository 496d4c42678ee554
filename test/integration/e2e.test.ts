/**
 * End to end from what `cdk synth` produces: the example app's cloud assembly, its state table
 * created in dynalite from the template, the watcher function run from its asset folder with the
 * template's handler, environment and timeout, invoked with the template's schedule input through a
 * scripted case history (with throttling, 5xx and PutEvents failures), then with Security IR's own
 * events that the template's fast-path rule matches, and the template's own notify rules matched
 * against the events it published. Only loopback traffic; no AWS.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_ACCOUNT_ID, TEST_REGION, localAwsEnv } from '../../local-aws/credentials';
import { DynamoDbProxy, DynamoDbServer, startDynalite, startDynamoDbProxy } from '../../local-aws/dynamodb';
import { auditEventContract } from '../support/event-audit';
import { matchesEventPattern } from '../support/event-pattern';
import { AcceptedEvent, deliveredEvent, EventBridgeSimulator, startEventBridgeSimulator } from '../../local-aws/eventbridge-simulator';
import {
  CloudAssembly,
  createTemplateTables,
  LocalFunction,
  pseudoParameters,
  resolveIntrinsics,
  resourcesOfType,
  startTemplateFunction,
  SynthesizedStack,
  synthesizeApp,
} from '../support/cloud-assembly';
import { LAMBDA_NODE, LAMBDA_NODE_PACKAGE, LambdaInvocation } from '../../local-aws/lambda-process';
import { ensureBundle } from '../../local-aws/poller-harness';
import { SecurityIrSimulator, SimCase, startSecurityIrSimulator } from '../../local-aws/security-ir-simulator';

// The contract's names (docs/events.md section 1), spelt out: this test reads no code of the watcher.
const CREATED = 'Security IR Case Created';
const STATUS_CHANGED = 'Security IR Case Status Changed';
const PENDING_ACTION_CHANGED = 'Security IR Case Pending Action Changed';
const DETAIL_FIELDS = [
  'schemaVersion', 'changeId', 'caseId', 'caseArn', 'accountId', 'region', 'title', 'caseStatus', 'previousCaseStatus',
  'pendingAction', 'previousPendingAction', 'engagementType', 'resolverType', 'createdDate', 'lastUpdatedDate', 'closedDate', 'observedAt',
  'previousCaseStatusSince', 'previousPendingActionSince',
];
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;
/** The example app's notification rules (bin/app.ts with `-c notifyEmail=...`: SecurityIrCaseNotifications' defaults) and the events each must match. */
const NOTIFY_RULES: Record<string, (e: AcceptedEvent) => boolean> = {
  CaseCreatedRule: (e) => e.DetailType === CREATED,
  StatusChangedRule: (e) => e.DetailType === STATUS_CHANGED,
  PendingActionChangedRule: (e) => e.DetailType === PENDING_ACTION_CHANGED,
  AwaitingCustomerRule: (e) => e.DetailType === 'Security IR Case Awaiting Customer',
};

/** What the watcher must have recorded for a case: the values the next event's `previous*` fields show. */
interface RecordedState {
  caseStatus: string | null;
  pendingAction: string | null;
}

/** One transition the contract says the next poll publishes. */
interface Transition {
  key: string;
  detailType: string;
  snapshot: SimCase;
  previous?: RecordedState;
}

interface Poll {
  name: string;
  invocation: LambdaInvocation;
  events: AcceptedEvent[];
  /** HTTP statuses of the calls this run made, by service. */
  listCasesStatuses: number[];
  putEventsStatuses: number[];
  startedAt: number;
  endedAt: number;
}

let workDir: string;
let assembly: CloudAssembly;
let stack: SynthesizedStack;
let watcherId: string;
let watcher: LocalFunction;
let scheduleInput: unknown;
let scheduleExpression: string;
let fastPathPattern: unknown;
let securityIr: SecurityIrSimulator;
let eventBridge: EventBridgeSimulator;
let dynalite: DynamoDbServer;
let dynamoDb: DynamoDbProxy;

beforeAll(async () => {
  ensureBundle(); // the asset `cdk synth` copies is dist/handler: build it if the sources are newer
  workDir = mkdtempSync(join(tmpdir(), 'case-watcher-e2e-'));
  assembly = synthesizeApp(join(workDir, 'cdk.out'), { notifyEmail: 'soc@example.com' });
  expect(assembly.stacks).toHaveLength(1);
  stack = assembly.stacks[0];

  // The watcher: the function configured through the contract's environment variables.
  const functions = resourcesOfType(stack.template, 'AWS::Lambda::Function')
    .filter(({ resource }) => resource.Properties?.Environment?.Variables?.STATE_TABLE_NAME !== undefined);
  expect(functions).toHaveLength(1);
  watcherId = functions[0].logicalId;
  const targetsWatcher = (target: { Arn: unknown }) => JSON.stringify(target.Arn) === JSON.stringify({ 'Fn::GetAtt': [watcherId, 'Arn'] });
  const schedules = resourcesOfType(stack.template, 'AWS::Scheduler::Schedule').filter(({ resource }) => targetsWatcher(resource.Properties!.Target));
  expect(schedules).toHaveLength(1);
  scheduleExpression = schedules[0].resource.Properties!.ScheduleExpression;
  // What Scheduler hands the function: the target's Input, or an empty object without one.
  const input = schedules[0].resource.Properties!.Target.Input;
  scheduleInput = input === undefined ? {} : JSON.parse(input);
  const fastPathRules = resourcesOfType(stack.template, 'AWS::Events::Rule').filter(({ resource }) =>
    (resource.Properties?.Targets as { Arn: unknown }[] | undefined)?.some(targetsWatcher));
  expect(fastPathRules).toHaveLength(1);
  expect(fastPathRules[0].resource.Properties!.EventBusName).toBeUndefined(); // the default bus, where Security IR puts its events
  fastPathPattern = resolveIntrinsics(fastPathRules[0].resource.Properties!.EventPattern, {
    refs: pseudoParameters(stack.stackName, TEST_ACCOUNT_ID, TEST_REGION),
  });

  [securityIr, eventBridge, dynalite] = await Promise.all([startSecurityIrSimulator(), startEventBridgeSimulator(), startDynalite()]);
  auditEventContract(eventBridge); // what the synthesised function publishes, against the shipped schemas
  dynamoDb = await startDynamoDbProxy(dynalite.endpoint);
  const tables = await createTemplateTables(dynalite.endpoint, stack.template, (id) => `${stack.stackName}-${id}`);
  const logGroups = Object.fromEntries(resourcesOfType(stack.template, 'AWS::Logs::LogGroup')
    .map(({ logicalId }) => [logicalId, `/aws/lambda/${stack.stackName}-${logicalId}`]));

  watcher = await startTemplateFunction({
    assembly,
    stack,
    logicalId: watcherId,
    account: TEST_ACCOUNT_ID,
    region: TEST_REGION,
    references: { refs: { ...pseudoParameters(stack.stackName, TEST_ACCOUNT_ID, TEST_REGION), ...tables, ...logGroups } },
    extraEnv: {
      ...localAwsEnv({ securityIr: securityIr.url, eventBridge: eventBridge.url, dynamoDb: dynamoDb.url }),
      AWS_EC2_METADATA_DISABLED: 'true',
    },
  });
}, 300_000); // a hang guard, not a budget: cdk synth and the bundle take what a shared machine gives them

afterAll(async () => {
  await watcher?.stop();
  await Promise.all([securityIr?.close(), eventBridge?.close(), dynamoDb?.close()]);
  await dynalite?.close();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

test('cdk synth of the example app prints nothing: every feature flag of cdk.json is set, no warning', () => {
  // cdk.json holds aws-cdk-lib's recommended feature flags; without them the CLI prints
  // "N feature flags are not configured" on every synth.
  expect(assembly.cliOutput).toBe('');
});

test('the function runs from the cloud assembly with the template\'s configuration', () => {
  const tableRef = stack.template.Resources[watcherId].Properties!.Environment.Variables.STATE_TABLE_NAME;
  expect(resourcesOfType(stack.template, 'AWS::DynamoDB::Table').map((t) => ({ Ref: t.logicalId }))).toEqual([tableRef]);
  expect(watcher.environment).toMatchObject({
    STATE_TABLE_NAME: `${stack.stackName}-${tableRef.Ref}`,
    EVENT_BUS_NAME: `arn:aws:events:${TEST_REGION}:${TEST_ACCOUNT_ID}:event-bus/default`,
    EVENT_SOURCE: 'security-ir.case-watcher',
    SECURITY_IR_REGION: TEST_REGION,
  });
  // `cdk synth` validated the template (the CDK's built-in CloudFormation validation, cdk-nag) and found nothing.
  expect(JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')).pluginReports).toEqual([]);
  // The documented default timeout (README, docs/construct.md): the schedule interval less 10 s, at most 5 minutes.
  expect(watcher.timeoutSeconds).toBe(Math.min(rateSeconds(scheduleExpression) - 10, 5 * 60));
  // The process runs on the template's Node.js major (nodejs24.x: v24), when the package that provides it is installed.
  const runtimeMajor = /^nodejs(\d+)\.x$/.exec(stack.template.Resources[watcherId].Properties!.Runtime)?.[1];
  expect(runtimeMajor).toMatch(/^\d+$/);
  if (LAMBDA_NODE.source === LAMBDA_NODE_PACKAGE) expect(LAMBDA_NODE.version).toMatch(new RegExp(`^v${runtimeMajor}\\.`));
});

test('a scripted case history: every transition published once, as the contract says, through faults', async () => {
  const env = watcher.environment;
  const recorded = new Map<string, RecordedState>();
  const polls: Poll[] = [];
  /** Events accepted by a failed run, per transition: the next run may leave them out or re-send them identically. */
  let acceptedByFailedRun = new Map<string, AcceptedEvent>();
  let baselineDone = false;

  const stateOf = (c: SimCase): RecordedState => ({ caseStatus: c.caseStatus ?? null, pendingAction: c.pendingAction ?? null });
  const pending = (): Transition[] => securityIr.cases.flatMap((c): Transition[] => {
    const snapshot = structuredClone(c);
    const previous = recorded.get(c.caseId);
    if (previous === undefined) {
      return baselineDone && env.EMIT_CREATED_EVENTS === 'true' ? [{ key: `${c.caseId}/${CREATED}`, detailType: CREATED, snapshot }] : [];
    }
    const now = stateOf(c);
    return [
      ...(now.caseStatus !== previous.caseStatus ? [{ key: `${c.caseId}/${STATUS_CHANGED}`, detailType: STATUS_CHANGED, snapshot, previous }] : []),
      ...(now.pendingAction !== previous.pendingAction ? [{ key: `${c.caseId}/${PENDING_ACTION_CHANGED}`, detailType: PENDING_ACTION_CHANGED, snapshot, previous }] : []),
    ];
  });

  /** One scheduled invocation; checks its events against the transitions the contract expects. */
  const poll = async (name: string, outcome: 'succeeds' | 'fails' = 'succeeds'): Promise<Poll> => {
    const expected = new Map(pending().map((t) => [t.key, t]));
    const listed = securityIr.cases.map((c) => structuredClone(c));
    const before = { events: eventBridge.events.length, securityIr: securityIr.calls.length, eventBridge: eventBridge.calls.length };
    const startedAt = Date.now();
    const invocation = await watcher.invoke(scheduleInput);
    const result: Poll = {
      name,
      invocation,
      events: eventBridge.events.slice(before.events),
      listCasesStatuses: securityIr.calls.slice(before.securityIr).filter((c) => c.operation === 'ListCases').map((c) => c.status),
      putEventsStatuses: eventBridge.calls.slice(before.eventBridge).map((c) => c.status),
      startedAt,
      endedAt: Date.now(),
    };
    polls.push(result);

    expect({ name, failed: invocation.error !== undefined }).toEqual({ name, failed: outcome === 'fails' });
    const heartbeat = invocation.logs.map((l) => JSON.parse(l)).find((l) => l._aws !== undefined);
    expect({ name, PollSucceeded: heartbeat?.PollSucceeded }).toEqual({ name, PollSucceeded: outcome === 'fails' ? 0 : 1 });

    const seen = new Map<string, AcceptedEvent>();
    for (const event of result.events) {
      const key = `${event.Detail.caseId}/${event.DetailType}`;
      const transition = expected.get(key);
      expect({ name, unexpected: transition === undefined ? key : undefined }).toEqual({ name, unexpected: undefined });
      expect({ name, duplicated: seen.has(key) ? key : undefined }).toEqual({ name, duplicated: undefined });
      seen.set(key, event);
      expectContractEvent(event, transition!, result, env);
      const earlier = acceptedByFailedRun.get(key);
      if (earlier) expect(event.Detail.changeId).toBe(earlier.Detail.changeId);
    }
    if (outcome === 'succeeds') {
      // Nothing lost: every transition is in this run, or was accepted by the failed run before it.
      const missing = [...expected.keys()].filter((key) => !seen.has(key) && !acceptedByFailedRun.has(key));
      expect({ name, missing }).toEqual({ name, missing: [] });
      for (const c of listed) recorded.set(c.caseId, stateOf(c));
      baselineDone = true;
      acceptedByFailedRun = new Map();
    } else {
      acceptedByFailedRun = new Map([...acceptedByFailedRun, ...seen]);
    }
    return result;
  };

  // 30 cases: two ListCases pages.
  const a = securityIr.addCase({ caseStatus: 'Submitted', pendingAction: 'None', resolverType: 'AWS', title: 'Suspicious IAM activity' });
  const b = securityIr.addCase({ caseStatus: 'Detection and Analysis', pendingAction: 'Customer' });
  for (let i = 0; i < 28; i++) securityIr.addCase();

  expect((await poll('baseline')).events).toEqual([]);

  const dynamoCallsBefore = dynamoDb.calls.length;
  expect((await poll('nothing changed')).events).toEqual([]);
  const quietCalls = dynamoDb.calls.slice(dynamoCallsBefore);
  expect(quietCalls.length).toBeLessThanOrEqual(2);
  expect(quietCalls.filter((c) => c.isWrite)).toEqual([]);

  securityIr.updateCase(a.caseId, { caseStatus: 'Acknowledged' });
  expect((await poll('AWS acknowledges')).events.map((e) => e.DetailType)).toEqual([STATUS_CHANGED]);

  securityIr.updateCase(a.caseId, { caseStatus: 'Detection and Analysis', pendingAction: 'Customer' });
  const askedOnce = await poll('AWS asks the customer for action');
  expect(askedOnce.events.map((e) => e.DetailType).sort()).toEqual([PENDING_ACTION_CHANGED, STATUS_CHANGED]);

  securityIr.updateCase(a.caseId, { pendingAction: 'None' });
  expect((await poll('the customer responds')).events.map((e) => e.Detail.previousPendingAction)).toEqual(['Customer']);

  securityIr.updateCase(a.caseId, { caseStatus: 'Containment, Eradication and Recovery' });
  securityIr.faults.add({ kind: 'error', status: 429, type: 'ThrottlingException', message: 'Rate exceeded' }, { operation: 'ListCases', skip: 1 });
  const throttled = await poll('containment, second page throttled once');
  expect(throttled.listCasesStatuses).toEqual([200, 429, 200]);
  expect(throttled.events).toHaveLength(1);

  securityIr.updateCase(a.caseId, { pendingAction: 'Customer' });
  eventBridge.failEntries((entry) => entry.Detail.caseId === a.caseId, { errorCode: 'ThrottlingException' });
  const askedAgain = await poll('AWS asks again, first PutEvents entry failed once');
  expect(askedAgain.events).toHaveLength(1);
  expect(askedAgain.putEventsStatuses).toEqual([200, 200]); // the entry failed inside a 200, then its retry
  // The same values again, later: another transition, another changeId.
  const firstAsk = askedOnce.events.find((e) => e.DetailType === PENDING_ACTION_CHANGED)!;
  expect(askedAgain.events[0].Detail.changeId).not.toBe(firstAsk.Detail.changeId);

  securityIr.updateCase(b.caseId, { caseStatus: 'Containment, Eradication and Recovery', pendingAction: 'None' });
  securityIr.faults.add({ kind: 'error', status: 500, type: 'InternalServerException' }, { operation: 'ListCases', skip: 1, times: Infinity });
  const failedListing = await poll('every second page fails with 5xx', 'fails');
  securityIr.faults.clear();
  expect(failedListing.events).toEqual([]);
  expect(failedListing.listCasesStatuses.slice(0, 2)).toEqual([200, 500]);
  expect(failedListing.putEventsStatuses).toEqual([]);
  expect((await poll('the next run after the failed listing')).events).toHaveLength(2);

  securityIr.updateCase(a.caseId, { caseStatus: 'Post-incident Activities', pendingAction: 'None' });
  securityIr.updateCase(b.caseId, { caseStatus: 'Post-incident Activities' });
  let rejectCaseA = true;
  eventBridge.failEntries((entry) => rejectCaseA && entry.Detail.caseId === a.caseId, { times: Infinity, errorCode: 'InternalFailure' });
  const partial = await poll('PutEvents keeps failing the entries of one case', 'fails');
  rejectCaseA = false;
  expect(partial.events.map((e) => e.Detail.caseId)).toEqual([b.caseId]);
  const resent = await poll('the next run re-sends the entries that were not accepted');
  expect(resent.events.filter((e) => e.Detail.caseId === a.caseId).map((e) => e.DetailType).sort()).toEqual([PENDING_ACTION_CHANGED, STATUS_CHANGED]);

  securityIr.updateCase(a.caseId, { caseStatus: 'Ready to Close' });
  eventBridge.faults.add({ kind: 'error', status: 500, type: 'InternalException' }, { operation: 'PutEvents', times: Infinity });
  const failedPut = await poll('every PutEvents call fails', 'fails');
  eventBridge.faults.clear();
  expect(failedPut.events).toEqual([]);
  expect(failedPut.putEventsStatuses.length).toBeGreaterThan(0);
  expect(failedPut.putEventsStatuses.filter((status) => status !== 500)).toEqual([]);
  expect((await poll('the next run after the failed PutEvents')).events).toHaveLength(1);

  securityIr.updateCase(a.caseId, { caseStatus: 'Closed' });
  const closed = await poll('closure');
  expect(closed.events).toHaveLength(1);
  expect(closed.events[0].Detail.closedDate).toMatch(ISO_UTC);

  securityIr.addCase({ caseStatus: 'Submitted', pendingAction: 'Customer' });
  securityIr.addCase({ caseArn: undefined, caseStatus: 'Submitted', pendingAction: 'None' });
  const created = await poll('two new cases, one without an ARN');
  expect(created.events.map((e) => e.DetailType)).toEqual([CREATED, CREATED]);

  const removed = structuredClone(b);
  securityIr.removeCase(b.caseId);
  expect((await poll('a case missing from one listing')).events).toEqual([]);
  securityIr.addCase(removed);
  expect((await poll('the case is listed again, unchanged')).events).toEqual([]);
  expect((await poll('nothing changed at the end')).events).toEqual([]);

  // Across the whole history: a changeId names one transition, and is repeated only after a failed run.
  const all = polls.flatMap((p, index) => p.events.map((event) => ({ event, index })));
  // Some previous value was first observed by a poll of this history: its moment is known, not null.
  expect(all.some(({ event }) => event.Detail.previousCaseStatusSince !== null || event.Detail.previousPendingActionSince !== null)).toBe(true);
  const byChangeId = new Map<string, typeof all>();
  for (const entry of all) byChangeId.set(entry.event.Detail.changeId, [...(byChangeId.get(entry.event.Detail.changeId) ?? []), entry]);
  for (const [changeId, entries] of byChangeId) {
    const identity = (e: AcceptedEvent) => JSON.stringify({ ...e.Detail, observedAt: undefined, DetailType: e.DetailType });
    expect({ changeId, identities: new Set(entries.map((e) => identity(e.event))).size }).toEqual({ changeId, identities: 1 });
    for (const { index } of entries.slice(1)) expect(polls[index - 1].invocation.error).toBeDefined();
  }
  expect(byChangeId.size).toBe(new Set(all.map(({ event }) => `${event.Detail.caseId}/${event.DetailType}/${event.Detail.lastUpdatedDate}`)).size);

  // The template's own notify rules match exactly the events they are there for.
  const delivered = all.map(({ event }) => ({ event, asDelivered: deliveredEvent(event, TEST_ACCOUNT_ID, TEST_REGION) }));
  const patterned = resourcesOfType(stack.template, 'AWS::Events::Rule')
    .filter(({ resource }) => resource.Properties?.EventPattern !== undefined && resource.Properties.EventPattern.source?.[0] !== 'aws.security-ir');
  const byName = new Map(patterned.map(({ resource }) => [String(resource.Metadata?.['aws:cdk:path']).split('/').slice(-2)[0], resource.Properties!]));
  expect([...byName.keys()].sort()).toEqual(Object.keys(NOTIFY_RULES).sort());
  for (const [name, shouldMatch] of Object.entries(NOTIFY_RULES)) {
    const rule = byName.get(name)!;
    expect(busNameOf(env.EVENT_BUS_NAME)).toBe(rule.EventBusName ?? 'default');
    const pattern = resolveIntrinsics(rule.EventPattern, { refs: pseudoParameters(stack.stackName, TEST_ACCOUNT_ID, TEST_REGION) });
    const matched = delivered.filter((d) => matchesEventPattern(pattern, d.asDelivered)).map((d) => d.event.eventId);
    const wanted = delivered.filter((d) => shouldMatch(d.event)).map((d) => d.event.eventId);
    expect({ name, matched }).toEqual({ name, matched: wanted });
    // A reminder comes an hour into a wait, beyond this history: that rule must match none of its events.
    expect(wanted.length).toBeGreaterThanOrEqual(name === 'AwaitingCustomerRule' ? 0 : 2);
  }
});

test('Security IR\'s own events, matched by the template\'s fast-path rule, reach the function: one read, one event', async () => {
  const c = securityIr.cases.find((x) => x.caseStatus !== 'Closed' && x.pendingAction === 'None')!;
  const before = { events: eventBridge.events.length, dynamo: dynamoDb.calls.length, securityIr: securityIr.calls.length };
  securityIr.updateCase(c.caseId, { pendingAction: 'Customer' });
  const hint = securityIr.nativeEvents.at(-1)!;
  expect(matchesEventPattern(fastPathPattern, hint)).toBe(true);
  // Not for this rule: membership events, another account's or region's cases, our own events.
  expect(matchesEventPattern(fastPathPattern, { ...hint, 'detail-type': 'Membership Updated' })).toBe(false);
  expect(matchesEventPattern(fastPathPattern, { ...hint, account: '999988887777' })).toBe(false);
  expect(matchesEventPattern(fastPathPattern, { ...hint, region: 'eu-west-3' })).toBe(false);
  expect(matchesEventPattern(fastPathPattern, { ...hint, source: 'security-ir.case-watcher' })).toBe(false);

  const invokedAt = Date.now();
  const invocation = await watcher.invoke(hint);
  const returnedAt = Date.now();
  expect(invocation.error).toBeUndefined();
  expect(invocation.result).toMatchObject({ outcome: 'published', caseId: c.caseId, eventsPublished: 1 });
  const published = eventBridge.events.slice(before.events);
  // The contract's envelope and detail, as for the poll: every field, Time = observedAt = the GetCase read.
  expect(published.map((e) => Object.keys(e.Detail).sort())).toEqual([[...DETAIL_FIELDS].sort()]);
  expect(published[0]).toMatchObject({ Source: watcher.environment.EVENT_SOURCE, EventBusName: watcher.environment.EVENT_BUS_NAME, Resources: [c.caseArn] });
  expect(published[0].Time).toBe(published[0].Detail.observedAt);
  const observed = Date.parse(published[0].Detail.observedAt);
  expect(observed).toBeGreaterThanOrEqual(invokedAt - 1);
  expect(observed).toBeLessThanOrEqual(returnedAt);
  expect(published[0].Detail).toMatchObject({
    caseArn: c.caseArn, accountId: TEST_ACCOUNT_ID, region: TEST_REGION, title: c.title, caseStatus: c.caseStatus, previousCaseStatus: c.caseStatus,
    lastUpdatedDate: new Date(c.lastUpdatedDate! * 1000).toISOString(),
  });
  expect(published.map((e) => [e.DetailType, e.Detail.caseId, e.Detail.previousPendingAction, e.Detail.pendingAction]))
    .toEqual([[PENDING_ACTION_CHANGED, c.caseId, 'None', 'Customer']]);
  expect(securityIr.calls.slice(before.securityIr).map((call) => call.operation)).toEqual(['GetCase']);

  // A comment: the rule matches, the function reads, nothing is written or published.
  securityIr.addComment(c.caseId);
  const comment = securityIr.nativeEvents.at(-1)!;
  expect(matchesEventPattern(fastPathPattern, comment)).toBe(true);
  const dynamoBefore = dynamoDb.calls.length;
  expect((await watcher.invoke(comment)).result).toMatchObject({ outcome: 'unchanged', eventsPublished: 0 });
  expect(dynamoDb.calls.slice(dynamoBefore).map((call) => call.operation)).toEqual(['BatchGetItem']);

  // The next poll finds the transition recorded: published once.
  const poll = await watcher.invoke(scheduleInput);
  expect(poll.error).toBeUndefined();
  expect(eventBridge.events.slice(before.events)).toHaveLength(1);
});

/** Every field of docs/events.md section 1, against the case as listed and the state recorded before. */
function expectContractEvent(event: AcceptedEvent, transition: Transition, poll: Poll, env: Record<string, string>): void {
  const c = transition.snapshot;
  const created = transition.detailType === CREATED;
  const [, , , arnRegion, arnAccount] = c.caseArn?.split(':') ?? [];
  const iso = (seconds: number | undefined) => (seconds === undefined ? null : new Date(seconds * 1000).toISOString());
  const label = `${poll.name}: ${transition.key}`;
  expect({ label, Source: event.Source, EventBusName: event.EventBusName, DetailType: event.DetailType, Resources: event.Resources }).toEqual({
    label,
    Source: env.EVENT_SOURCE,
    EventBusName: env.EVENT_BUS_NAME,
    DetailType: transition.detailType,
    Resources: c.caseArn ? [c.caseArn] : [],
  });
  expect({ label, fields: Object.keys(event.Detail).sort() }).toEqual({ label, fields: [...DETAIL_FIELDS].sort() });
  expect({ label, detail: event.Detail }).toEqual({
    label,
    detail: {
      schemaVersion: 1,
      changeId: expect.stringMatching(/^[0-9a-f]{16,}$/),
      caseId: c.caseId,
      caseArn: c.caseArn ?? null,
      accountId: c.caseArn ? arnAccount : env.SECURITY_IR_ACCOUNT_ID,
      region: c.caseArn ? arnRegion : env.SECURITY_IR_REGION,
      title: c.title ?? null,
      caseStatus: c.caseStatus ?? null,
      previousCaseStatus: created ? null : transition.previous!.caseStatus,
      pendingAction: c.pendingAction ?? null,
      previousPendingAction: created ? null : transition.previous!.pendingAction,
      engagementType: c.engagementType ?? null,
      resolverType: c.resolverType ?? null,
      createdDate: iso(c.createdDate),
      lastUpdatedDate: iso(c.lastUpdatedDate),
      closedDate: iso(c.closedDate),
      observedAt: expect.stringMatching(ISO_UTC),
      previousCaseStatusSince: event.Detail.previousCaseStatusSince,
      previousPendingActionSince: event.Detail.previousPendingActionSince,
    },
  });
  // Each previous value's first observation: unknown (null) on Created or when the baseline found it, else before this read.
  for (const since of [event.Detail.previousCaseStatusSince, event.Detail.previousPendingActionSince]) {
    expect({ label, since: since === null || (ISO_UTC.test(since) && since < event.Detail.observedAt) }).toEqual({ label, since: true });
    if (created) expect({ label, since }).toEqual({ label, since: null });
  }
  expect({ label, Time: event.Time }).toEqual({ label, Time: event.Detail.observedAt });
  // observedAt is the time of this poll: within the invocation.
  const observed = Date.parse(event.Detail.observedAt);
  expect(observed).toBeGreaterThanOrEqual(poll.startedAt);
  expect(observed).toBeLessThanOrEqual(poll.endedAt);
}

/** The interval of a `rate(...)` schedule expression, in seconds. */
function rateSeconds(expression: string): number {
  const match = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression);
  if (!match) throw new Error(`not a rate expression in minutes, hours or days: ${expression}`);
  return Number(match[1]) * { minute: 60, hour: 3_600, day: 86_400 }[match[2] as 'minute' | 'hour' | 'day'];
}

/** `default` from `arn:aws:events:us-east-1:111122223333:event-bus/default`, or the name itself. */
function busNameOf(nameOrArn: string): string {
  return nameOrArn.startsWith('arn:') ? nameOrArn.slice(nameOrArn.indexOf(':event-bus/') + ':event-bus/'.length) : nameOrArn;
}
