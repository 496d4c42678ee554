/**
 * Least privilege, shown rather than claimed: the function role's synthesised policy is compared with
 * the AWS actions the bundled handler really calls, as recorded by the local stand-ins over a
 * history that exercises every code path that touches AWS (baseline, every detail-type, a quiet poll,
 * a vanished case, fast-path hints for a changed and an unchanged case).
 */
import { CASE_AWAITING_CUSTOMER_DETAIL_TYPE, CASE_WATCHER_DETAIL_TYPES, SecurityIrCaseWatcher } from '../../lib';
import { startPollerHarness, PollerHarness } from '../../local-aws/poller-harness';
import { HandlerEnvironment } from '../../lib/internal/handler-environment';
import { AccessKey, RecordedCall } from '../../local-aws/http-server';
import { startStsSimulator, StsSimulator } from '../../local-aws/sts-simulator';
import { functionRole, watcherStack } from '../support/watcher-synth';

/**
 * Actions the Lambda service itself performs with the function's role: writing the function's logs,
 * and sending an invocation that failed its retries to the dead-letter queue (on-failure destination).
 */
const LAMBDA_RUNTIME_ACTIONS = ['logs:CreateLogStream', 'logs:PutLogEvents', 'sqs:SendMessage'];

const synthesised = new Map<string, ReturnType<typeof synthRolePolicy>>();

/** The watcher's role policy for `props`, synthesised once per distinct props. */
function rolePolicy(props: ConstructorParameters<typeof SecurityIrCaseWatcher>[2] = {}) {
  const key = JSON.stringify(props);
  if (!synthesised.has(key)) synthesised.set(key, synthRolePolicy(props));
  return synthesised.get(key)!;
}

function synthRolePolicy(props: ConstructorParameters<typeof SecurityIrCaseWatcher>[2]) {
  const { template } = watcherStack(props, { stackId: 'LeastPrivilege' });
  // The function's role: the one Lambda assumes (EventBridge Scheduler has its own, tested in construct.test.ts).
  const { properties: role, statements } = functionRole(template);
  const logicalId = (type: string) => Object.keys(template.findResources(type))[0];
  return {
    template,
    role,
    statements,
    tableId: logicalId('AWS::DynamoDB::Table'),
    logGroupId: logicalId('AWS::Logs::LogGroup'),
    actions: new Set(statements.flatMap((s) => [s.Action].flat())),
  };
}

/** The IAM actions a call log shows, leaving out requests rejected before any authorisation (bad signatures). */
function actionsOf(calls: readonly RecordedCall[]): string[] {
  return calls.filter((c) => c.operation !== 'Unknown' && c.status !== 403).map((c) => c.action);
}

describe('the function role allows exactly what the handler calls', () => {
  let harness: PollerHarness;
  const used = new Set<string>();
  const published: { Source: string; DetailType: string }[] = [];
  const tablesTouched = new Set<string | undefined>();

  beforeAll(async () => {
    harness = await startPollerHarness();
    const { securityIr } = harness;
    for (let i = 0; i < 30; i++) securityIr.addCase({ caseStatus: 'Submitted', pendingAction: 'None' });
    const handler = await harness.startBundledHandler();
    const record = () => {
      actionsOf(harness.securityIr.calls).forEach((a) => used.add(a));
      actionsOf(harness.eventBridge.calls).forEach((a) => used.add(a));
      harness.dynamoDb.calls.forEach((c) => { used.add(c.action); tablesTouched.add(c.tableName); });
      published.push(...harness.eventBridge.events);
      harness.resetRecords();
    };
    const poll = async () => {
      const run = await handler.invoke();
      expect(run.error).toBeUndefined();
      record();
    };
    const hint = async (event: unknown) => {
      const run = await handler.invoke({ event });
      expect(run.error).toBeUndefined();
      record();
    };

    await poll(); // baseline: every case recorded in batches
    const [first, second, third] = securityIr.cases;
    securityIr.updateCase(first.caseId, { caseStatus: 'Acknowledged' });
    securityIr.updateCase(second.caseId, { pendingAction: 'Customer' });
    securityIr.addCase({ caseStatus: 'Submitted' });
    await poll(); // all three detail-types
    await poll(); // nothing changed
    securityIr.removeCase(third.caseId);
    await poll(); // a case vanished from the listing
    securityIr.updateCase(first.caseId, { caseStatus: 'Closed' });
    await hint(securityIr.nativeEvents.at(-1)); // the fast path publishes a change
    securityIr.addComment(first.caseId);
    await hint(securityIr.nativeEvents.at(-1)); // a hint with nothing to publish
  });
  afterAll(() => harness?.close());

  test('the history exercised every change detail-type (a reminder needs an hour of waiting; the condition names it, below)', () => {
    expect(new Set(published.map((e) => e.DetailType))).toEqual(new Set(CASE_WATCHER_DETAIL_TYPES.filter((t) => t !== CASE_AWAITING_CUSTOMER_DETAIL_TYPE)));
  });

  test('nothing used is missing, nothing granted is unused', () => {
    const { actions } = rolePolicy();
    expect([...actions].sort()).toEqual([...new Set([...used, ...LAMBDA_RUNTIME_ACTIONS])].sort());
  });

  test('the history read cases through both paths', () => {
    expect(used).toContain('security-ir:ListCases');
    expect(used).toContain('security-ir:GetCase');
    expect(used).toContain('dynamodb:BatchGetItem');
  });

  test('the only wildcards: ListCases on "*" (no resource type) and GetCase on the watched account\'s and region\'s cases', () => {
    const { statements } = rolePolicy();
    const wildcard = statements.filter((s) => JSON.stringify(s.Resource).includes('*'));
    expect(wildcard.map((s) => [[s.Action].flat(), s.Resource])).toEqual([
      [['security-ir:ListCases'], '*'],
      [['security-ir:GetCase'], { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':security-ir:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':case/*']] }],
    ]);
  });

  test('DynamoDB actions name only the state table, which is the only table the handler touched', () => {
    const { statements, tableId } = rolePolicy();
    const dynamo = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:')));
    expect(dynamo).toHaveLength(1);
    expect(dynamo[0].Resource).toEqual({ 'Fn::GetAtt': [tableId, 'Arn'] });
    expect([...tablesTouched]).toEqual([harness.tableName]);
  });

  test('logs actions name only the function\'s own log group', () => {
    const { statements, logGroupId, template } = rolePolicy();
    const logs = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('logs:')));
    expect(logs.map((s) => s.Resource)).toEqual([{ 'Fn::GetAtt': [logGroupId, 'Arn'] }]);
    const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0];
    expect(fn.Properties.LoggingConfig.LogGroup).toEqual({ Ref: logGroupId });
  });

  // Whether every published event is allowed by the statement (and near misses are not) is decided by an
  // IAM evaluator over the recorded PutEvents calls in test/iam/evaluation.test.ts.
  test('PutEvents is limited to the bus, our source and our three detail-types', () => {
    const { statements } = rolePolicy();
    const putEvents = statements.filter((s) => [s.Action].flat().includes('events:PutEvents'));
    expect(putEvents).toHaveLength(1);
    expect(JSON.stringify(putEvents[0].Resource)).toContain(':event-bus/default');
    expect(Object.keys(putEvents[0].Condition!)).toEqual(['ForAllValues:StringEquals']); // multivalued keys: every entry ours
    const condition = putEvents[0].Condition!['ForAllValues:StringEquals'];
    expect(condition['events:source']).toEqual([harness.eventSource]);
    expect([...condition['events:detail-type']].sort()).toEqual([...CASE_WATCHER_DETAIL_TYPES].sort());
    expect(published.length).toBeGreaterThan(0);
  });

  test('no AWS managed policy is attached', () => {
    const { role, template } = rolePolicy();
    expect(role.ManagedPolicyArns).toBeUndefined();
    expect(Object.keys(template.findResources('AWS::IAM::ManagedPolicy'))).toEqual([]);
    expect(Object.keys(template.findResources('AWS::IAM::Policy'))).toEqual([]);
  });

  test('the dead-letter queue is the one SQS resource the role names', () => {
    const { statements, template } = rolePolicy();
    const sqs = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('sqs:')));
    expect(sqs.map((s) => s.Resource)).toEqual([{ 'Fn::GetAtt': [Object.keys(template.findResources('AWS::SQS::Queue'))[0], 'Arn'] }]);
  });
});

describe('with securityIrRoleArn, the function role may only assume that role to list cases', () => {
  const roleArn = 'arn:aws:iam::444455556666:role/SecurityIrReader';
  let sts: StsSimulator;
  let harness: PollerHarness;
  const usedByFunctionRole = new Set<string>();
  const usedByAssumedRole = new Set<string>();

  beforeAll(async () => {
    const issued: AccessKey[] = [];
    sts = await startStsSimulator({ assumableRoleArns: [roleArn], grantTo: issued });
    // Security IR trusts only the keys STS issued for the role: the function's own keys are refused.
    harness = await startPollerHarness({ securityIrCredentials: issued });
    // A case of the watched account (the role's): an answer naming another account is not believed.
    harness.securityIr.addCase({ caseId: '4000000001', caseArn: 'arn:aws:security-ir:us-east-1:444455556666:case/4000000001', caseStatus: 'Submitted', pendingAction: 'None' });
    const handler = await harness.startBundledHandler({
      [HandlerEnvironment.SECURITY_IR_ROLE_ARN]: roleArn,
      AWS_ENDPOINT_URL_STS: sts.url,
    });
    expect((await handler.invoke()).error).toBeUndefined();
    const [only] = harness.securityIr.cases;
    harness.securityIr.updateCase(only.caseId, { pendingAction: 'Customer' });
    expect((await handler.invoke()).error).toBeUndefined();
    expect(harness.eventBridge.events).toHaveLength(1);
    harness.securityIr.updateCase(only.caseId, { caseStatus: 'Closed' });
    expect((await handler.invoke({ event: harness.securityIr.nativeEvents.at(-1) })).result).toMatchObject({ outcome: 'published' });

    const issuedKeys = new Set(sts.issued.map((k) => k.accessKeyId));
    for (const call of [...sts.calls, ...harness.securityIr.calls, ...harness.eventBridge.calls]) {
      (issuedKeys.has(call.accessKeyId ?? '') ? usedByAssumedRole : usedByFunctionRole).add(call.action);
    }
    harness.dynamoDb.calls.forEach((c) => usedByFunctionRole.add(c.action));
  });
  afterAll(async () => {
    await harness?.close();
    await sts?.close();
  });

  test('the listing and the fast path\'s GetCase ran on the assumed role, everything else on the function role', () => {
    expect([...usedByAssumedRole].sort()).toEqual(['security-ir:GetCase', 'security-ir:ListCases']);
    expect(usedByFunctionRole).toContain('sts:AssumeRole');
    expect([...usedByFunctionRole].filter((a) => a.startsWith('security-ir:'))).toEqual([]);
  });

  test('granted equals used, and sts:AssumeRole names exactly the role', () => {
    const { actions, statements } = rolePolicy({ securityIrRoleArn: roleArn });
    expect([...actions].sort()).toEqual([...new Set([...usedByFunctionRole, ...LAMBDA_RUNTIME_ACTIONS])].sort());
    const assume = statements.filter((s) => [s.Action].flat().includes('sts:AssumeRole'));
    expect(assume.map((s) => s.Resource)).toEqual([roleArn]);
    expect(statements.filter((s) => JSON.stringify(s.Resource).includes('*'))).toEqual([]);
  });
});
