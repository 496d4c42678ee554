/**
 * The synthesised policies evaluated by a real IAM policy evaluator (`@cloud-copilot/iam-simulate`):
 * every request the bundled handler made in a history through the stand-ins, run with the template's
 * own environment, is allowed by the function role's identity policy, and near misses (another bus,
 * source, detail-type, table, account or region; `Scan`, `DeleteItem`) are denied. The forwarder's
 * cross-account delivery of Security IR's events is evaluated against both sides' policies.
 *
 * Known finding (`known-findings.ts`): the `StringEquals` on the multivalued `events:source` and
 * `events:detail-type` keys matches no request under IAM's rules, so `PutEvents` is denied as
 * synthesised. Each check is therefore also run on the policy with the set operator the finding calls
 * for (`withSetOperators`): the near misses are denied by that corrected policy too, not only by the
 * defect. When the construct is fixed, the expectations follow the reference check by themselves.
 */
import { HandlerEnvironment } from '../../lib/internal/handler-environment';
import { CASE_WATCHER_DETAIL_TYPES, DEFAULT_EVENT_SOURCE } from '../../lib/events';
import { SECURITY_IR_CASE_DETAIL_TYPES, SECURITY_IR_EVENT_SOURCE } from '../../lib/internal/security-ir-events';
import { TEST_ACCOUNT_ID, TEST_REGION } from '../../local-aws/credentials';
import { AccessKey } from '../../local-aws/http-server';
import { PollerHarness, startPollerHarness } from '../../local-aws/poller-harness';
import { startStsSimulator, StsSimulator } from '../../local-aws/sts-simulator';
import { CfnTemplate, resolveIntrinsics, resourcesOfType } from '../support/cloud-assembly';
import { evaluate, IamRequest, iamRequestsOfCalls, iamRequestsOfDynamoDbCalls, Policy, withSetOperators } from '../support/iam-evaluation';
import { representativeReferences, roleAssumedBy, roleIdentityPolicy, templateStatements } from '../support/iam-policies';
import { referenceFindings } from '../support/iam-reference';
import { CONFIGURATIONS, MEMBER_ACCOUNT, SECURITY_IR_ROLE_ARN } from './configurations';

const SCOPE = { account: TEST_ACCOUNT_ID, region: TEST_REGION };

/** The function role of `template`, its session's ARN and identity policy, and the template's environment, with the table named `tableName`. */
function watcherOf(template: CfnTemplate, tableName: string) {
  const [table] = resourcesOfType(template, 'AWS::DynamoDB::Table');
  const references = representativeReferences(template, { names: { [table.logicalId]: tableName }, ...SCOPE });
  const roleId = roleAssumedBy(template, 'lambda.amazonaws.com');
  const [fn] = resourcesOfType(template, 'AWS::Lambda::Function').filter(({ resource }) => resource.Properties?.Role?.['Fn::GetAtt']?.[0] === roleId);
  return {
    session: `arn:aws:sts::${TEST_ACCOUNT_ID}:assumed-role/${references.refs[roleId]}/${fn.logicalId}`,
    policy: roleIdentityPolicy(template, roleId, references) as Policy,
    environment: resolveIntrinsics(fn.resource.Properties!.Environment.Variables, references) as Record<string, string>,
    references,
  };
}

/** Whether the reference check still finds the single-valued operator on PutEvents' multivalued keys in `template`. */
async function putEventsOperatorFindingOpen(template: CfnTemplate): Promise<boolean> {
  const findings = await referenceFindings(templateStatements(template));
  return findings.some((f) => / identity statement PutCaseEvents$/.test(f.where) && /is multivalued/.test(f.problem));
}

/** What the policy as synthesised decides for a request the handler made: allowed, but for the known finding. */
const expectedForRecorded = (request: IamRequest, findingOpen: boolean) => (request.action === 'events:PutEvents' && findingOpen ? 'ImplicitlyDenied' : 'Allowed');

/** A copy of `policy` with `change` applied to its statements. */
function broken(policy: Policy, change: (statements: Policy['Statement']) => Policy['Statement']): Policy {
  return { ...policy, Statement: change(structuredClone(policy.Statement)) };
}

describe('default props: the history\'s requests and their near misses', () => {
  const template = CONFIGURATIONS['default props']();
  let harness: PollerHarness;
  let watcher: ReturnType<typeof watcherOf>;
  let recorded: IamRequest[];
  let corrected: Policy;
  let findingOpen: boolean;

  beforeAll(async () => {
    harness = await startPollerHarness();
    watcher = watcherOf(template, harness.tableName);
    corrected = await withSetOperators(watcher.policy);
    findingOpen = await putEventsOperatorFindingOpen(template);
    const { securityIr } = harness;
    const [first, second, third] = [0, 1, 2].map(() => securityIr.addCase({ caseStatus: 'Submitted', pendingAction: 'None' }));
    const handler = await harness.startBundledHandler(watcher.environment);
    const run = async (event?: unknown) => expect((await handler.invoke(event === undefined ? {} : { event })).error).toBeUndefined();
    await run(); // baseline
    securityIr.updateCase(first.caseId, { caseStatus: 'Acknowledged' });
    securityIr.updateCase(second.caseId, { pendingAction: 'Customer' });
    securityIr.addCase({ caseStatus: 'Submitted' });
    await run(); // every detail-type, several entries in one PutEvents
    await run(); // quiet
    await harness.ageWaits(61);
    await run(); // the second case's first reminder
    securityIr.removeCase(third.caseId);
    await run();
    securityIr.updateCase(first.caseId, { caseStatus: 'Closed' });
    await run(securityIr.nativeEvents.at(-1)); // the fast path publishes
    securityIr.addComment(first.caseId);
    await run(securityIr.nativeEvents.at(-1)); // a hint with nothing to publish
    recorded = [...iamRequestsOfCalls([...securityIr.calls, ...harness.eventBridge.calls], SCOPE), ...iamRequestsOfDynamoDbCalls(harness.dynamoDb.calls, SCOPE)];
  });
  afterAll(() => harness?.close());

  test('the history made every kind of request the handler makes, with the template\'s bus and source', () => {
    expect([...new Set(recorded.map((r) => r.action))].sort()).toEqual([
      'dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem',
      'events:PutEvents', 'security-ir:GetCase', 'security-ir:ListCases',
    ]);
    const putEvents = recorded.filter((r) => r.action === 'events:PutEvents');
    expect(new Set(putEvents.map((r) => r.resource))).toEqual(new Set([`arn:aws:events:${TEST_REGION}:${TEST_ACCOUNT_ID}:event-bus/default`]));
    expect(new Set(putEvents.flatMap((r) => r.context['events:detail-type']))).toEqual(new Set(CASE_WATCHER_DETAIL_TYPES));
    expect(putEvents.some((r) => r.context['events:detail-type'].length > 1)).toBe(true); // one call carrying several entries
  });

  test('every recorded request is allowed by the corrected policy, and by the synthesised one but for the known finding', async () => {
    for (const request of recorded) {
      expect([request.action, request.resource, await evaluate(request, watcher.session, corrected)]).toEqual([request.action, request.resource, 'Allowed']);
      expect([request.action, await evaluate(request, watcher.session, watcher.policy)]).toEqual([request.action, expectedForRecorded(request, findingOpen)]);
    }
  });

  const bus = `arn:aws:events:${TEST_REGION}:${TEST_ACCOUNT_ID}:event-bus/default`;
  const ours = { 'events:source': [DEFAULT_EVENT_SOURCE], 'events:detail-type': [CASE_WATCHER_DETAIL_TYPES[1]] };
  const table = () => `arn:aws:dynamodb:${TEST_REGION}:${TEST_ACCOUNT_ID}:table/${harness.tableName}`;
  const nearMisses: [string, () => IamRequest][] = [
    ['PutEvents on another bus', () => ({ action: 'events:PutEvents', resource: `arn:aws:events:${TEST_REGION}:${TEST_ACCOUNT_ID}:event-bus/payments`, context: ours })],
    ['PutEvents with another source', () => ({ action: 'events:PutEvents', resource: bus, context: { ...ours, 'events:source': ['payments.orders'] } })],
    ['PutEvents with another detail-type', () => ({ action: 'events:PutEvents', resource: bus, context: { ...ours, 'events:detail-type': ['Security IR Case Deleted'] } })],
    ['PutEvents of several entries, one with another source', () => ({ action: 'events:PutEvents', resource: bus, context: { ...ours, 'events:source': [DEFAULT_EVENT_SOURCE, 'payments.orders'] } })],
    ['GetItem on another table', () => ({ action: 'dynamodb:GetItem', resource: `arn:aws:dynamodb:${TEST_REGION}:${TEST_ACCOUNT_ID}:table/payments`, context: {} })],
    ['Scan of the state table', () => ({ action: 'dynamodb:Scan', resource: table(), context: {} })],
    ['DeleteItem on the state table', () => ({ action: 'dynamodb:DeleteItem', resource: table(), context: {} })],
    ['GetCase on another account\'s case', () => ({ action: 'security-ir:GetCase', resource: `arn:aws:security-ir:${TEST_REGION}:444455556666:case/1234567890`, context: {} })],
    ['GetCase in another region', () => ({ action: 'security-ir:GetCase', resource: `arn:aws:security-ir:eu-west-1:${TEST_ACCOUNT_ID}:case/1234567890`, context: {} })],
    ['PutLogEvents on another log group', () => ({ action: 'logs:PutLogEvents', resource: `arn:aws:logs:${TEST_REGION}:${TEST_ACCOUNT_ID}:log-group:/aws/lambda/other:log-stream:s`, context: {} })],
    ['SendMessage to another queue', () => ({ action: 'sqs:SendMessage', resource: `arn:aws:sqs:${TEST_REGION}:${TEST_ACCOUNT_ID}:payments`, context: {} })],
  ];

  test.each(nearMisses)('denied: %s', async (_name, request) => {
    expect(await evaluate(request(), watcher.session, corrected)).toBe('ImplicitlyDenied');
    expect(await evaluate(request(), watcher.session, watcher.policy)).toBe('ImplicitlyDenied');
  });

  describe('a policy broken on purpose is caught', () => {
    const nearMiss = (name: string) => nearMisses.find(([n]) => n === name)![1]();

    test('the DynamoDB statement on every table: "another table" is allowed', async () => {
      const wide = broken(corrected, (s) => s.map((st) => ([st.Action].flat().some((a) => a?.startsWith('dynamodb:')) ? { ...st, Resource: '*' } : st)));
      expect(await evaluate(nearMiss('GetItem on another table'), watcher.session, wide)).toBe('Allowed');
    });

    test('PutEvents without its source condition: "another source" is allowed', async () => {
      const unconditioned = broken(corrected, (s) => s.map(({ Condition, ...st }) => (st.Sid === 'PutCaseEvents' ? st : { ...st, ...(Condition ? { Condition } : {}) })));
      expect(await evaluate(nearMiss('PutEvents with another source'), watcher.session, unconditioned)).toBe('Allowed');
      expect(await evaluate(nearMiss('PutEvents of several entries, one with another source'), watcher.session, unconditioned)).toBe('Allowed');
    });

    test('ForAnyValue instead of ForAllValues: one foreign entry among ours is allowed', async () => {
      const anyValue = broken(corrected, (s) => s.map((st) => (st.Sid === 'PutCaseEvents'
        ? { ...st, Condition: Object.fromEntries(Object.entries(st.Condition!).map(([op, keys]) => [op.replace('ForAllValues:', 'ForAnyValue:'), keys])) }
        : st)));
      expect(await evaluate(nearMiss('PutEvents of several entries, one with another source'), watcher.session, anyValue)).toBe('Allowed');
    });

    test('without the GetCase statement, the fast path\'s GetCase is denied', async () => {
      const withoutGetCase = broken(corrected, (s) => s.filter((st) => ![st.Action].flat().includes('security-ir:GetCase')));
      const getCase = recorded.find((r) => r.action === 'security-ir:GetCase')!;
      expect(await evaluate(getCase, watcher.session, withoutGetCase)).toBe('ImplicitlyDenied');
    });
  });
});

describe('securityIrRoleArn: the function role assumes the reader role, and nothing else', () => {
  const template = CONFIGURATIONS['another account\'s cases (securityIrRoleArn)']();
  let sts: StsSimulator;
  let harness: PollerHarness;
  let watcher: ReturnType<typeof watcherOf>;
  let recorded: IamRequest[];
  let corrected: Policy;

  beforeAll(async () => {
    const issued: AccessKey[] = [];
    sts = await startStsSimulator({ assumableRoleArns: [SECURITY_IR_ROLE_ARN], grantTo: issued });
    harness = await startPollerHarness({ securityIrCredentials: issued });
    watcher = watcherOf(template, harness.tableName);
    corrected = await withSetOperators(watcher.policy);
    const handler = await harness.startBundledHandler({ ...watcher.environment, AWS_ENDPOINT_URL_STS: sts.url });
    const [only] = [harness.securityIr.addCase({ caseStatus: 'Submitted', pendingAction: 'None' })];
    expect((await handler.invoke()).error).toBeUndefined();
    harness.securityIr.updateCase(only.caseId, { pendingAction: 'Customer' });
    expect((await handler.invoke()).error).toBeUndefined();
    expect(watcher.environment[HandlerEnvironment.SECURITY_IR_ROLE_ARN]).toBe(SECURITY_IR_ROLE_ARN);
    // The function role's own requests: Security IR is called with the assumed role's keys (the reader role's policy is the other account's).
    const issuedKeys = new Set(sts.issued.map((k) => k.accessKeyId));
    const ownCalls = [...sts.calls, ...harness.eventBridge.calls, ...harness.securityIr.calls].filter((c) => !issuedKeys.has(c.accessKeyId ?? ''));
    recorded = [...iamRequestsOfCalls(ownCalls, SCOPE), ...iamRequestsOfDynamoDbCalls(harness.dynamoDb.calls, SCOPE)];
  });
  afterAll(async () => {
    await harness?.close();
    await sts?.close();
  });

  /** The reader role's trust policy as the README has its owner write it: trusting exactly the watcher's role. */
  const trusting = (principal: string): Policy => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: principal }, Action: 'sts:AssumeRole' }] });
  const watcherRoleArn = () => `arn:aws:iam::${TEST_ACCOUNT_ID}:role/${watcher.session.split('/')[1]}`;

  test('every request of the function role is allowed (corrected policy), AssumeRole under a trust policy naming exactly its role', async () => {
    expect(recorded.map((r) => r.action)).toContain('sts:AssumeRole');
    expect(recorded.filter((r) => r.action.startsWith('security-ir:'))).toEqual([]);
    for (const request of recorded) {
      const resourcePolicy = request.action === 'sts:AssumeRole' ? trusting(watcherRoleArn()) : undefined;
      expect([request.action, await evaluate(request, watcher.session, corrected, resourcePolicy)]).toEqual([request.action, 'Allowed']);
    }
  });

  test('AssumeRole is refused by a trust policy naming another role of the account', async () => {
    const assume = recorded.find((r) => r.action === 'sts:AssumeRole')!;
    expect(await evaluate(assume, watcher.session, corrected, trusting(`arn:aws:iam::${TEST_ACCOUNT_ID}:role/SomeoneElse`))).toBe('ImplicitlyDenied');
  });

  test.each<[string, IamRequest]>([
    ['AssumeRole of another role', { action: 'sts:AssumeRole', resource: 'arn:aws:iam::444455556666:role/Administrator', context: {} }],
    ['ListCases with the function role\'s own keys', { action: 'security-ir:ListCases', resource: '*', context: {} }],
    ['GetCase with the function role\'s own keys', { action: 'security-ir:GetCase', resource: `arn:aws:security-ir:${TEST_REGION}:444455556666:case/1234567890`, context: {} }],
  ])('denied: %s', async (_name, request) => {
    expect(await evaluate(request, watcher.session, corrected)).toBe('ImplicitlyDenied');
  });
});

describe('the forwarder\'s cross-account delivery of Security IR\'s events to the watcher\'s bus', () => {
  const watcherTemplate = CONFIGURATIONS['another account\'s cases (securityIrRoleArn)']();
  const forwarderTemplate = CONFIGURATIONS['the forwarder in the member account']();
  const watcherBus = `arn:aws:events:${TEST_REGION}:${TEST_ACCOUNT_ID}:event-bus/default`;
  const delivery = (detailTypes: string[], source = SECURITY_IR_EVENT_SOURCE): IamRequest => ({
    action: 'events:PutEvents', resource: watcherBus, context: { 'events:source': [source], 'events:detail-type': detailTypes },
  });

  /** The target role's session, its identity policy and the watcher bus's policy (both as synthesised, and corrected). */
  async function sides() {
    const references = representativeReferences(forwarderTemplate, { account: MEMBER_ACCOUNT, region: TEST_REGION });
    const roleId = roleAssumedBy(forwarderTemplate, 'events.amazonaws.com');
    const identity = roleIdentityPolicy(forwarderTemplate, roleId, references) as Policy;
    const busPolicy: Policy = {
      Version: '2012-10-17',
      Statement: templateStatements(watcherTemplate, representativeReferences(watcherTemplate, SCOPE))
        .filter((s) => s.resourceType === 'AWS::Events::EventBusPolicy').map((s) => s.statement),
    };
    return { session: `arn:aws:sts::${MEMBER_ACCOUNT}:assumed-role/${references.refs[roleId]}/forwarder`, identity, busPolicy, correctedBus: await withSetOperators(busPolicy) };
  }

  test('every Security IR case detail-type is delivered under the corrected bus policy, one at a time and together', async () => {
    const { session, identity, correctedBus } = await sides();
    for (const detailType of SECURITY_IR_CASE_DETAIL_TYPES) expect([detailType, await evaluate(delivery([detailType]), session, identity, correctedBus)]).toEqual([detailType, 'Allowed']);
    expect(await evaluate(delivery([...SECURITY_IR_CASE_DETAIL_TYPES]), session, identity, correctedBus)).toBe('Allowed');
  });

  test('as synthesised, the bus policy refuses them (the known finding: StringEquals on multivalued keys)', async () => {
    const { session, identity, busPolicy } = await sides();
    expect(await evaluate(delivery([SECURITY_IR_CASE_DETAIL_TYPES[0]]), session, identity, busPolicy)).toBe('ImplicitlyDenied');
  });

  test('another source, or the watcher\'s own source from the member account, is refused', async () => {
    const { session, identity, correctedBus } = await sides();
    expect(await evaluate(delivery([SECURITY_IR_CASE_DETAIL_TYPES[0]], 'payments.orders'), session, identity, correctedBus)).toBe('ImplicitlyDenied');
    expect(await evaluate(delivery([CASE_WATCHER_DETAIL_TYPES[1]], DEFAULT_EVENT_SOURCE), session, identity, correctedBus)).toBe('ImplicitlyDenied');
  });
});
