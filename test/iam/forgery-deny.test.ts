/**
 * The bus-policy statement that keeps anyone else in the account from putting a forged watcher event
 * on the bus, as the construct builds it (`forgeryDenyStatement`), and the alternatives it was chosen
 * over: a Deny of `events:PutEvents` with the watcher's `source` to every principal but the watcher's
 * role, evaluated with iam-simulate, because its correctness is decided by the evaluation rules: the
 * set operator for a call carrying several entries, the key a negated operator finds missing, and who
 * else puts events on the bus (the forwarder, EventBridge itself). `evaluation.test.ts` evaluates the
 * synthesised one.
 *
 * The statement (docs/design.md, "Subscribers' trust: the construct's part"):
 *   Deny events:PutEvents on the bus to Principal "*" when
 *     ForAnyValue:StringEquals events:source = [the watcher's source]   (one entry of ours in a call is enough)
 *     ArnNotEquals aws:PrincipalArn = [the watcher role's ARN]           (everyone but the watcher)
 *     BoolIfExists aws:PrincipalIsAWSService = false                      (not EventBridge's own deliveries)
 */
import { CASE_WATCHER_DETAIL_TYPES, DEFAULT_EVENT_SOURCE } from '../../lib/events';
import { SECURITY_IR_CASE_DETAIL_TYPES, SECURITY_IR_EVENT_SOURCE } from '../../lib/internal/security-ir-events';
import { forgeryDenyStatement } from '../../lib/private/forged-events';
import { Decision, evaluate, IamRequest, Policy } from '../support/iam-evaluation';
import { Statement } from '../support/iam-policies';

const ACCOUNT = '111122223333';
const MEMBER_ACCOUNT = '444455556666';
const BUS = `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/default`;
const WATCHER_ROLE = `arn:aws:iam::${ACCOUNT}:role/CaseWatcherServiceRole`;
const WATCHER_SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/CaseWatcherServiceRole/CaseWatcherFunction`;
const OTHER_SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/DeveloperAdmin/alice`;
const FORWARDER_SESSION = `arn:aws:sts::${MEMBER_ACCOUNT}:assumed-role/ForwarderRuleEventsRole/forwarder`;

/** The watcher role's PutEvents grant, with the set operator the reference check asks for. */
const watcherIdentity: Policy = {
  Version: '2012-10-17',
  Statement: [{
    Effect: 'Allow', Action: 'events:PutEvents', Resource: BUS,
    Condition: { 'ForAllValues:StringEquals': { 'events:source': [DEFAULT_EVENT_SOURCE], 'events:detail-type': [...CASE_WATCHER_DETAIL_TYPES] } },
  }],
};
/** Another role of the account that may put any event anywhere (an administrator, a CI role). */
const broadIdentity: Policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'events:*', Resource: '*' }] };
/** The forwarder's target role in the member account. */
const forwarderIdentity: Policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: BUS }] };

function denyForgeries(condition: Record<string, Record<string, unknown>>): Statement {
  return { Sid: 'DenyForgedCaseWatcherEvents', Effect: 'Deny', Principal: '*', Action: 'events:PutEvents', Resource: BUS, Condition: condition };
}

const PROPOSED = forgeryDenyStatement('DenyForgedCaseWatcherEvents', BUS, DEFAULT_EVENT_SOURCE, WATCHER_ROLE) ;

/** The bus policy: the forwarded-hints grant of a cross-account watcher (corrected operators) and the deny. */
function busPolicy(deny: Statement): Policy {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AllowSecurityIrCaseEventsFromTheMembershipAccount', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${MEMBER_ACCOUNT}:root` }, Action: 'events:PutEvents', Resource: BUS,
        Condition: { 'ForAllValues:StringEquals': { 'events:source': [SECURITY_IR_EVENT_SOURCE], 'events:detail-type': [...SECURITY_IR_CASE_DETAIL_TYPES] } },
      },
      deny,
    ],
  };
}

const put = (sources: string[], detailTypes: string[]): IamRequest => ({ action: 'events:PutEvents', resource: BUS, context: { 'events:source': sources, 'events:detail-type': detailTypes } });
const ours = (detailTypes: string[] = [...CASE_WATCHER_DETAIL_TYPES]) => put([DEFAULT_EVENT_SOURCE], detailTypes);

/** The EventBridge service putting an event of ours on the bus (a replay, if replays are authorised as PutEvents at all). */
async function byEventBridge(policy: Policy): Promise<Decision> {
  return evaluate({ ...ours(), context: { ...ours().context, 'aws:PrincipalIsAWSService': 'true' } }, 'events.amazonaws.com', undefined, {
    ...policy,
    Statement: [...policy.Statement, { Sid: 'AllowEventBridge', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'events:PutEvents', Resource: BUS }],
  });
}

describe('the construct\'s statement', () => {
  const policy = busPolicy(PROPOSED);

  test('the watcher still publishes, several entries and every detail-type in one call', async () => {
    expect(await evaluate(ours(), WATCHER_SESSION, watcherIdentity, policy)).toBe('Allowed');
    expect(await evaluate(ours([CASE_WATCHER_DETAIL_TYPES[0]]), WATCHER_SESSION, watcherIdentity, policy)).toBe('Allowed');
  });

  test('another role of the account cannot put an event with our source, alone or among other entries', async () => {
    expect(await evaluate(ours([CASE_WATCHER_DETAIL_TYPES[1]]), OTHER_SESSION, broadIdentity, policy)).toBe('ExplicitlyDenied');
    expect(await evaluate(put(['payments.orders', DEFAULT_EVENT_SOURCE], ['Order Placed', CASE_WATCHER_DETAIL_TYPES[1]]), OTHER_SESSION, broadIdentity, policy)).toBe('ExplicitlyDenied');
  });

  test('other publishers on the bus are not affected', async () => {
    expect(await evaluate(put(['payments.orders'], ['Order Placed']), OTHER_SESSION, broadIdentity, policy)).toBe('Allowed');
  });

  test('the forwarder\'s cross-account delivery of Security IR\'s events still works, and cannot carry our source', async () => {
    expect(await evaluate(put([SECURITY_IR_EVENT_SOURCE], [SECURITY_IR_CASE_DETAIL_TYPES[0]]), FORWARDER_SESSION, forwarderIdentity, policy)).toBe('Allowed');
    expect(await evaluate(ours([CASE_WATCHER_DETAIL_TYPES[1]]), FORWARDER_SESSION, forwarderIdentity, policy)).not.toBe('Allowed');
  });

  test('EventBridge\'s own deliveries of our events (a replay) are not denied', async () => {
    expect(await byEventBridge(policy)).toBe('Allowed');
  });
});

describe('the alternatives, and what each gets wrong', () => {
  const { 'ForAnyValue:StringEquals': _ourSource, ...principalGuards } = PROPOSED.Condition!;

  test('ForAllValues: a forged entry hidden among another source\'s entries gets through', async () => {
    const allValues = busPolicy(denyForgeries({ ...principalGuards, 'ForAllValues:StringEquals': { 'events:source': [DEFAULT_EVENT_SOURCE] } }));
    expect(await evaluate(ours([CASE_WATCHER_DETAIL_TYPES[1]]), OTHER_SESSION, broadIdentity, allValues)).toBe('ExplicitlyDenied');
    expect(await evaluate(put(['payments.orders', DEFAULT_EVENT_SOURCE], ['Order Placed', CASE_WATCHER_DETAIL_TYPES[1]]), OTHER_SESSION, broadIdentity, allValues)).toBe('Allowed');
  });

  test('StringEquals (no set operator) on the multivalued key: the deny never applies', async () => {
    const single = busPolicy(denyForgeries({ ...principalGuards, StringEquals: { 'events:source': [DEFAULT_EVENT_SOURCE] } }));
    expect(await evaluate(ours([CASE_WATCHER_DETAIL_TYPES[1]]), OTHER_SESSION, broadIdentity, single)).toBe('Allowed');
  });

  test('without the service guard, ArnNotEquals on the absent aws:PrincipalArn denies EventBridge itself', async () => {
    const { BoolIfExists: _guard, ...unguarded } = PROPOSED.Condition!;
    expect(await byEventBridge(busPolicy(denyForgeries(unguarded)))).toBe('ExplicitlyDenied');
  });

  test('a principal condition on the role\'s session ARN instead of aws:PrincipalArn denies the watcher too', async () => {
    const sessionArn = busPolicy(denyForgeries({ ...PROPOSED.Condition, ArnNotEquals: { 'aws:PrincipalArn': [`arn:aws:sts::${ACCOUNT}:assumed-role/CaseWatcherServiceRole/*`] } }));
    expect(await evaluate(ours(), WATCHER_SESSION, watcherIdentity, sessionArn)).toBe('ExplicitlyDenied');
  });
});
