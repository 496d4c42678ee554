import { Annotations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { busElsewhere, busPolicyStatementId } from './event-bus';

const STATEMENT_ID_PREFIX = 'DenyForgedCaseEvents-';

/**
 * A bus-policy statement that denies `events:PutEvents` with the watcher's source to every principal
 * but the watcher's role, so nobody else who may put events on the bus (in this account, or another
 * account the bus policy lets in) can forge a case event. Its conditions:
 * - `ForAnyValue:StringEquals events:source`: one entry of ours in a call is enough (the key is
 *   multivalued; `ForAllValues` would let a forged entry through among another source's);
 * - `ArnNotEquals aws:PrincipalArn` = the role's ARN (not its session's): everyone but the watcher;
 * - `BoolIfExists aws:PrincipalIsAWSService = false`: EventBridge's own deliveries and replays carry
 *   no principal ARN, which the negated ARN condition would otherwise count as "not the watcher".
 * A bus of another account or region cannot get it from this stack: a warning says what its owner adds.
 */
export function denyForgedEvents(scope: Construct, eventBus: events.IEventBus, eventSource: string, role: iam.IRole): events.CfnEventBusPolicy | undefined {
  const elsewhere = busElsewhere(scope, eventBus);
  if (elsewhere !== undefined) {
    Annotations.of(scope).addWarningV2(
      'cdk-security-ir-case-watcher:forgeryDenyOnBusElsewhere',
      `The eventBus is in ${elsewhere}: this stack cannot add to its policy the statement that keeps others from putting events ` +
        `with the source "${eventSource}" on it. Its owner adds it (docs/construct.md, "No forgeries").`,
    );
    return undefined;
  }
  const statementId = busPolicyStatementId(scope, STATEMENT_ID_PREFIX);
  const policy = new events.CfnEventBusPolicy(scope, 'ForgedEventsDenyPolicy', {
    eventBusName: eventBus.eventBusName,
    statementId,
    statement: forgeryDenyStatement(statementId, eventBus.eventBusArn, eventSource, role.roleArn),
  });
  // One bus's policy is one document: its statements are put one after another, never at once.
  for (const other of scope.node.children) {
    if (other instanceof events.CfnEventBusPolicy && other !== policy) policy.node.addDependency(other);
  }
  return policy;
}

/** An IAM policy statement as the bus policy holds it. */
export interface ForgeryDenyStatement {
  readonly Sid: string;
  readonly Effect: 'Deny';
  readonly Principal: '*';
  readonly Action: string;
  readonly Resource: string;
  readonly Condition: Record<string, Record<string, unknown>>;
}

/** The statement, with its id as its `Sid` (unique per watcher on one bus). */
export function forgeryDenyStatement(sid: string, busArn: string, eventSource: string, roleArn: string): ForgeryDenyStatement {
  return {
    Sid: sid,
    Effect: 'Deny',
    Principal: '*',
    Action: 'events:PutEvents',
    Resource: busArn,
    Condition: {
      'ForAnyValue:StringEquals': { 'events:source': [eventSource] },
      'ArnNotEquals': { 'aws:PrincipalArn': [roleArn] },
      'BoolIfExists': { 'aws:PrincipalIsAWSService': 'false' },
    },
  };
}
