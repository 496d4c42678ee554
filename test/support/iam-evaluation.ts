/**
 * Requests the stand-ins recorded, as IAM sees them, and their evaluation by a real IAM policy
 * evaluator (`@cloud-copilot/iam-simulate`, AGPL-3.0: a dev-only test dependency, never bundled or
 * packed; `test/package/licences.test.ts` checks that).
 *
 * One recorded call is one request: `security-ir:ListCases` on `*`, `security-ir:GetCase` on the
 * case's ARN, each DynamoDB operation on each table it names, `events:PutEvents` on the bus of its
 * entries with `events:source` and `events:detail-type` the sets of its entries' values (one call
 * carries up to 10 entries), `sts:AssumeRole` on the role asked for.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { DynamoDbCall } from '../../local-aws/dynamodb';
import type { RecordedCall } from '../../local-aws/http-server';
import { Statement } from './iam-policies';

export interface IamRequest {
  readonly action: string;
  readonly resource: string;
  readonly context: Record<string, string | string[]>;
}

export interface Policy {
  readonly Version: string;
  readonly Statement: Statement[];
}

export type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';

/** Where the recorded requests ran. */
export interface RequestScope {
  readonly account: string;
  readonly region: string;
}

/** The IAM requests of the calls the Security IR, EventBridge and STS stand-ins recorded (bad signatures left out). */
export function iamRequestsOfCalls(calls: readonly RecordedCall[], { account, region }: RequestScope): IamRequest[] {
  return calls.filter((c) => c.operation !== 'Unknown' && c.status !== 403).map((call): IamRequest => {
    switch (call.action) {
      case 'security-ir:ListCases':
        return { action: call.action, resource: '*', context: {} };
      case 'security-ir:GetCase': {
        const caseId = /^\/v1\/cases\/([^/]+)\/get-case$/.exec(call.path)?.[1];
        if (!caseId) throw new Error(`GetCase at ${call.path}: no case ID`);
        return { action: call.action, resource: `arn:aws:security-ir:${region}:${account}:case/${decodeURIComponent(caseId)}`, context: {} };
      }
      case 'events:PutEvents': {
        const entries = (call.body as { Entries: { Source: string; DetailType: string; EventBusName?: string }[] }).Entries;
        const buses = [...new Set(entries.map((e) => e.EventBusName || 'default'))];
        if (buses.length !== 1) throw new Error(`one PutEvents call names ${buses.length} buses`);
        const bus = buses[0].startsWith('arn:') ? buses[0] : `arn:aws:events:${region}:${account}:event-bus/${buses[0]}`;
        return {
          action: call.action,
          resource: bus,
          context: { 'events:source': [...new Set(entries.map((e) => e.Source))], 'events:detail-type': [...new Set(entries.map((e) => e.DetailType))] },
        };
      }
      case 'sts:AssumeRole': {
        const roleArn = new URLSearchParams(String(call.body)).get('RoleArn');
        if (!roleArn) throw new Error('AssumeRole without a RoleArn');
        return { action: call.action, resource: roleArn, context: {} };
      }
      default:
        throw new Error(`no IAM request shape for ${call.action}`);
    }
  });
}

/** The IAM requests of the DynamoDB proxy's calls: one per table a call names. */
export function iamRequestsOfDynamoDbCalls(calls: readonly DynamoDbCall[], { account, region }: RequestScope): IamRequest[] {
  return calls.flatMap((call) => (call.tableName ?? '').split(',').filter(Boolean)
    .map((table) => ({ action: call.action, resource: `arn:aws:dynamodb:${region}:${account}:table/${table}`, context: {} })));
}

/**
 * The decision for `request` made by `principalArn` (a role session's ARN, `arn:aws:sts::<account>:assumed-role/<role>/<session>`,
 * or a service principal) under `identityPolicy` and the resource's `resourcePolicy`. A simulation
 * that reports an error (an invalid policy, an unknown action, a context key of the wrong type) throws.
 */
export async function evaluate(request: IamRequest, principalArn: string, identityPolicy: Policy | undefined, resourcePolicy?: Policy): Promise<Decision> {
  const roleSession = /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\//.exec(principalArn);
  const account = /:(\d{12}):/.exec(request.resource)?.[1] ?? roleSession?.[1] ?? '111122223333';
  const context: Record<string, string | string[]> = {
    ...(roleSession ? { 'aws:PrincipalArn': `arn:aws:iam::${roleSession[1]}:role/${roleSession[2]}`, 'aws:PrincipalAccount': roleSession[1], 'aws:PrincipalIsAWSService': 'false' } : {}),
    ...request.context,
  };
  const result = await runSimulation({
    identityPolicies: identityPolicy ? [{ name: 'identity', policy: identityPolicy }] : [],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(resourcePolicy ? { resourcePolicy } : {}),
    request: { action: request.action, principal: principalArn, resource: { accountId: account, resource: request.resource }, contextVariables: context },
  }, {});
  if (result.resultType === 'error') throw new Error(`${request.action} on ${request.resource}: ${JSON.stringify(result.errors)}`);
  return result.overallResult as Decision;
}
