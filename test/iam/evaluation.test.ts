/**
 * The synthesised policies evaluated by a real IAM policy evaluator (`@cloud-copilot/iam-simulate`):
 * every request the bundled handler made in a history through the stand-ins, run with the template's
 * own environment, is allowed by the function role's identity policy, and near misses (another bus,
 * source, detail-type, table, account or region; `Scan`, `DeleteItem`) are denied. The forwarder's
 * cross-account delivery of Security IR's events is evaluated against both sides' policies.
 *
 * The policies are evaluated as synthesised. (They compared the multivalued `events:source` and
 * `events:detail-type` keys with `StringEquals`, which matches no request under IAM's rules: the
 * watcher's `PutEvents` and the forwarder's delivery were denied until the construct used
 * `ForAllValues:StringEquals`.)
 */
import { HandlerEnvironment } from '../../lib/internal/handler-environment';
import { CASE_WATCHER_DETAIL_TYPES, DEFAULT_EVENT_SOURCE } from '../../lib/events';
import { SECURITY_IR_CASE_DETAIL_TYPES, SECURITY_IR_EVENT_SOURCE } from '../../lib/internal/security-ir-events';
import { TEST_ACCOUNT_ID, TEST_REGION } from '../../local-aws/credentials';
import { AccessKey } from '../../local-aws/http-server';
import { PollerHarness, startPollerHarness } from '../../local-aws/poller-harness';
import { startStsSimulator, StsSimulator } from '../../local-aws/sts-simulator';
import { CfnTemplate, resolveIntrinsics, resourcesOfType } from '../support/cloud-assembly';
import { evaluate, IamRequest, iamRequestsOfCalls, iamRequestsOfDynamoDbCalls, Policy } from '../support/iam-evaluation';
import { representativeReferences, roleAssumedBy, roleIdentityPolicy, templateStatements } from '../support/iam-policies';
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

/** The policy of the default bus as `template` writes it: its `AWS::Events::EventBusPolicy` statements. */
function busPolicyOf(template: CfnTemplate, references = representativeReferences(template, SCOPE)): Policy {
  return {
    Version: '2012-10-17',
    Statement: templateStatements(template, references).filter((s) => s.resourceType === 'AWS::Events::EventBusPolicy').map((s) => s.statement),
  };
}

/** A copy of `policy` with `change` applied to its statements. */
function broken(policy: Policy, change: (statements: Policy['Statement']) => Policy['Statement']): Policy {
  return { ...policy, Statement: change(structuredClone(policy.Statement)) };
}

describe('default props: the history\'s requests and their near misses', () => {
  const template = CONFIGURATIONS['default props']();
  let harness: PollerHarness;
  let watcher: ReturnType<typeof watcherOf>;
  let recorded: IamRequest[];

  beforeAll(async () => {
    harness = await startPollerHarness();
    watcher = watcherOf(template, harness.tableName);
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

  test('every recorded request is allowed by the synthesised policies (PutEvents under the bus policy too)', async () => {
    const busPolicy = busPolicyOf(template, watcher.references);
    expect(busPolicy.Statement.length).toBeGreaterThan(0);
    for (const request of recorded) {
      const resourcePolicy = request.action === 'events:PutEvents' ? busPolicy : undefined;
      expect([request.action, request.resource, await evaluate(request, watcher.session, watcher.policy, resourcePolicy)]).toEqual([request.action, request.resource, 'Allowed']);
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
    expect(await evaluate(request(), watcher.session, watcher.policy)).toBe('ImplicitlyDenied');
  });

  describe('a policy broken on purpose is caught', () => {
    const nearMiss = (name: string) => nearMisses.find(([n]) => n === name)![1]();

    test('the DynamoDB statement on every table: "another table" is allowed', async () => {
      const wide = broken(watcher.policy, (s) => s.map((st) => ([st.Action].flat().some((a) => a?.startsWith('dynamodb:')) ? { ...st, Resource: '*' } : st)));
      expect(await evaluate(nearMiss('GetItem on another table'), watcher.session, wide)).toBe('Allowed');
    });

    test('PutEvents without its source condition: "another source" is allowed', async () => {
      const unconditioned = broken(watcher.policy, (s) => s.map(({ Condition, ...st }) => (st.Sid === 'PutCaseEvents' ? st : { ...st, ...(Condition ? { Condition } : {}) })));
      expect(await evaluate(nearMiss('PutEvents with another source'), watcher.session, unconditioned)).toBe('Allowed');
      expect(await evaluate(nearMiss('PutEvents of several entries, one with another source'), watcher.session, unconditioned)).toBe('Allowed');
    });

    test('StringEquals without a set operator on the multivalued keys: the watcher\'s own PutEvents is denied', async () => {
      const single = broken(watcher.policy, (s) => s.map((st) => (st.Sid === 'PutCaseEvents'
        ? { ...st, Condition: { StringEquals: st.Condition!['ForAllValues:StringEquals'] } }
        : st)));
      const putEvents = recorded.find((r) => r.action === 'events:PutEvents')!;
      expect(await evaluate(putEvents, watcher.session, single)).toBe('ImplicitlyDenied');
    });

    test('ForAnyValue instead of ForAllValues: one foreign entry among ours is allowed', async () => {
      const anyValue = broken(watcher.policy, (s) => s.map((st) => (st.Sid === 'PutCaseEvents'
        ? { ...st, Condition: Object.fromEntries(Object.entries(st.Condition!).map(([op, keys]) => [op.replace('ForAllValues:', 'ForAnyValue:'), keys])) }
        : st)));
      expect(await evaluate(nearMiss('PutEvents of several entries, one with another source'), watcher.session, anyValue)).toBe('Allowed');
    });

    test('without the GetCase statement, the fast path\'s GetCase is denied', async () => {
      const withoutGetCase = broken(watcher.policy, (s) => s.filter((st) => ![st.Action].flat().includes('security-ir:GetCase')));
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

  beforeAll(async () => {
    const issued: AccessKey[] = [];
    sts = await startStsSimulator({ assumableRoleArns: [SECURITY_IR_ROLE_ARN], grantTo: issued });
    harness = await startPollerHarness({ securityIrCredentials: issued });
    watcher = watcherOf(template, harness.tableName);
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

  test('every request of the function role is allowed, AssumeRole under a trust policy naming exactly its role', async () => {
    expect(recorded.map((r) => r.action)).toContain('sts:AssumeRole');
    expect(recorded.filter((r) => r.action.startsWith('security-ir:'))).toEqual([]);
    for (const request of recorded) {
      const resourcePolicy = request.action === 'sts:AssumeRole' ? trusting(watcherRoleArn()) : undefined;
      expect([request.action, await evaluate(request, watcher.session, watcher.policy, resourcePolicy)]).toEqual([request.action, 'Allowed']);
    }
  });

  test('AssumeRole is refused by a trust policy naming another role of the account', async () => {
    const assume = recorded.find((r) => r.action === 'sts:AssumeRole')!;
    expect(await evaluate(assume, watcher.session, watcher.policy, trusting(`arn:aws:iam::${TEST_ACCOUNT_ID}:role/SomeoneElse`))).toBe('ImplicitlyDenied');
  });

  test.each<[string, IamRequest]>([
    ['AssumeRole of another role', { action: 'sts:AssumeRole', resource: 'arn:aws:iam::444455556666:role/Administrator', context: {} }],
    ['ListCases with the function role\'s own keys', { action: 'security-ir:ListCases', resource: '*', context: {} }],
    ['GetCase with the function role\'s own keys', { action: 'security-ir:GetCase', resource: `arn:aws:security-ir:${TEST_REGION}:444455556666:case/1234567890`, context: {} }],
  ])('denied: %s', async (_name, request) => {
    expect(await evaluate(request, watcher.session, watcher.policy)).toBe('ImplicitlyDenied');
  });
});

describe('the forwarder\'s cross-account delivery of Security IR\'s events to the watcher\'s bus', () => {
  const watcherTemplate = CONFIGURATIONS['another account\'s cases (securityIrRoleArn)']();
  const forwarderTemplate = CONFIGURATIONS['the forwarder in the member account']();
  const watcherBus = `arn:aws:events:${TEST_REGION}:${TEST_ACCOUNT_ID}:event-bus/default`;
  const delivery = (detailTypes: string[], source = SECURITY_IR_EVENT_SOURCE): IamRequest => ({
    action: 'events:PutEvents', resource: watcherBus, context: { 'events:source': [source], 'events:detail-type': detailTypes },
  });

  /** The target role's session, its identity policy and the watcher bus's policy, as synthesised. */
  function sides() {
    const references = representativeReferences(forwarderTemplate, { account: MEMBER_ACCOUNT, region: TEST_REGION });
    const roleId = roleAssumedBy(forwarderTemplate, 'events.amazonaws.com');
    const identity = roleIdentityPolicy(forwarderTemplate, roleId, references) as Policy;
    const busPolicy = busPolicyOf(watcherTemplate);
    return { session: `arn:aws:sts::${MEMBER_ACCOUNT}:assumed-role/${references.refs[roleId]}/forwarder`, identity, busPolicy };
  }

  test('as synthesised, every Security IR case detail-type is delivered, one at a time and together', async () => {
    const { session, identity, busPolicy } = sides();
    for (const detailType of SECURITY_IR_CASE_DETAIL_TYPES) expect([detailType, await evaluate(delivery([detailType]), session, identity, busPolicy)]).toEqual([detailType, 'Allowed']);
    expect(await evaluate(delivery([...SECURITY_IR_CASE_DETAIL_TYPES]), session, identity, busPolicy)).toBe('Allowed');
  });

  test('the bus policy with StringEquals (no set operator) on the multivalued keys refuses them', async () => {
    const { session, identity, busPolicy } = sides();
    const single = broken(busPolicy, (s) => s.map((st) => (st.Condition?.['ForAllValues:StringEquals']
      ? { ...st, Condition: { StringEquals: st.Condition['ForAllValues:StringEquals'] } }
      : st)));
    expect(await evaluate(delivery([SECURITY_IR_CASE_DETAIL_TYPES[0]]), session, identity, single)).toBe('ImplicitlyDenied');
  });

  test('another source, or the watcher\'s own source from the member account, is refused', async () => {
    const { session, identity, busPolicy } = sides();
    expect(await evaluate(delivery([SECURITY_IR_CASE_DETAIL_TYPES[0]], 'payments.orders'), session, identity, busPolicy)).toBe('ImplicitlyDenied');
    // The watcher's source from anyone but its role: the no-forgeries statement denies it outright.
    expect(await evaluate(delivery([CASE_WATCHER_DETAIL_TYPES[1]], DEFAULT_EVENT_SOURCE), session, identity, busPolicy)).toBe('ExplicitlyDenied');
  });

  test('the bus carries both statements: the hints grant and the no-forgeries deny, one after the other', () => {
    const policies = resourcesOfType(watcherTemplate, 'AWS::Events::EventBusPolicy');
    expect(policies.map(({ resource }) => resource.Properties!.Statement.Effect).sort()).toEqual(['Allow', 'Deny']);
    const deny = policies.find(({ resource }) => resource.Properties!.Statement.Effect === 'Deny')!;
    const grant = policies.find(({ resource }) => resource.Properties!.Statement.Effect === 'Allow')!;
    expect((deny.resource as { DependsOn?: string[] }).DependsOn).toEqual([grant.logicalId]);
  });
});

describe('no forgeries: the bus-policy deny as synthesised, on the default bus of the watcher\'s account', () => {
  const template = CONFIGURATIONS['default props']();
  const references = representativeReferences(template, SCOPE);
  const roleId = roleAssumedBy(template, 'lambda.amazonaws.com');
  const watcherSession = `arn:aws:sts::${TEST_ACCOUNT_ID}:assumed-role/${references.refs[roleId]}/CaseWatcherFunction`;
  const watcherIdentity = roleIdentityPolicy(template, roleId, references) as Policy;
  const busPolicy = busPolicyOf(template, references);
  const bus = `arn:aws:events:${TEST_REGION}:${TEST_ACCOUNT_ID}:event-bus/default`;
  const put = (sources: string[], detailTypes: string[]): IamRequest => ({ action: 'events:PutEvents', resource: bus, context: { 'events:source': sources, 'events:detail-type': detailTypes } });
  const ours = put([DEFAULT_EVENT_SOURCE], [...CASE_WATCHER_DETAIL_TYPES]);
  /** Another role of the account that may put any event on any bus (an administrator, a CI role). */
  const otherSession = `arn:aws:sts::${TEST_ACCOUNT_ID}:assumed-role/DeveloperAdmin/alice`;
  const broadIdentity: Policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'events:*', Resource: '*' }] };

  test('the bus policy is the one deny statement, with a statement id unique to the watcher', () => {
    expect(busPolicy.Statement).toHaveLength(1);
    expect(busPolicy.Statement[0]).toMatchObject({ Effect: 'Deny', Principal: '*', Action: 'events:PutEvents', Resource: bus });
    const [policy] = resourcesOfType(template, 'AWS::Events::EventBusPolicy');
    expect(policy.resource.Properties!.StatementId).toMatch(/^DenyForgedCaseEvents-WatcherStackWatcher[0-9A-F]{8}$/);
  });

  test('the watcher itself still publishes: one call carrying every detail-type, and one entry alone', async () => {
    expect(await evaluate(ours, watcherSession, watcherIdentity, busPolicy)).toBe('Allowed');
    expect(await evaluate(put([DEFAULT_EVENT_SOURCE], [CASE_WATCHER_DETAIL_TYPES[0]]), watcherSession, watcherIdentity, busPolicy)).toBe('Allowed');
  });

  test('another role of the account is denied our source: alone, and as one forged entry among another source\'s', async () => {
    expect(await evaluate(ours, otherSession, broadIdentity, busPolicy)).toBe('ExplicitlyDenied');
    expect(await evaluate(put(['payments.orders', DEFAULT_EVENT_SOURCE], ['Order Placed', CASE_WATCHER_DETAIL_TYPES[1]]), otherSession, broadIdentity, busPolicy)).toBe('ExplicitlyDenied');
  });

  test('other publishers on the bus are not affected', async () => {
    expect(await evaluate(put(['payments.orders'], ['Order Placed']), otherSession, broadIdentity, busPolicy)).toBe('Allowed');
  });

  test('EventBridge\'s own delivery of our events (a replay from the archive) is not denied', async () => {
    const withService: Policy = { ...busPolicy, Statement: [...busPolicy.Statement, { Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'events:PutEvents', Resource: bus }] };
    expect(await evaluate({ ...ours, context: { ...ours.context, 'aws:PrincipalIsAWSService': 'true' } }, 'events.amazonaws.com', undefined, withService)).toBe('Allowed');
  });

  test('broken on purpose: without the deny, the other role\'s forgery is allowed; with ForAllValues, the forged entry among others is', async () => {
    expect(await evaluate(ours, otherSession, broadIdentity, { ...busPolicy, Statement: [] })).toBe('Allowed');
    const allValues = broken(busPolicy, (s) => s.map(({ Condition, ...st }) => ({
      ...st, Condition: Object.fromEntries(Object.entries(Condition!).map(([op, keys]) => [op.replace('ForAnyValue:', 'ForAllValues:'), keys])),
    })));
    expect(await evaluate(put(['payments.orders', DEFAULT_EVENT_SOURCE], ['Order Placed', CASE_WATCHER_DETAIL_TYPES[1]]), otherSession, broadIdentity, allValues)).toBe('Allowed');
  });
});
