import { Annotations, Aspects, Aws, IAspect, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct, IConstruct } from 'constructs';
import { busPolicyStatementId } from './event-bus';
import { WatchedScope } from './watched-scope';
import type { WatcherResources } from './watcher-resources';
import { SECURITY_IR_CASE_DETAIL_TYPES, SECURITY_IR_EVENT_SOURCE } from '../internal/security-ir-events';
import { SecurityIrEventForwarder } from '../security-ir-event-forwarder';

/** Scheduler's and EventBridge's most retries of one delivery: the age, not the count, bounds them. */
export const MAX_DELIVERY_RETRIES = 185;
const STATEMENT_ID_PREFIX = 'SecurityIrHints-';


/**
 * The fast path: a rule on this account's default bus that sends Security IR's own case events of the
 * watched account and region to the function; when those are in another account, a bus-policy
 * statement that lets exactly that account's forwarder put them here; and a synth-time warning when
 * the hints are elsewhere and the app has no forwarder for them.
 */
export function createFastPath(scope: Construct, resources: WatcherResources, fn: lambda.IFunction): events.Rule {
  const { watched } = resources;
  const rule = new events.Rule(scope, 'FastPathRule', {
    description: 'Sends Security IR\'s own case events to the case watcher, which reads the case at once',
    eventPattern: {
      source: [SECURITY_IR_EVENT_SOURCE],
      detailType: [...SECURITY_IR_CASE_DETAIL_TYPES],
      account: [watched.account],
      region: [watched.region],
    },
    targets: [
      new targets.LambdaFunction(fn, {
        deadLetterQueue: resources.deadLetterQueue,
        retryAttempts: MAX_DELIVERY_RETRIES,
        maxEventAge: resources.settings.deliveryAge,
      }),
    ],
  });
  if (watched.crossAccount) {
    allowForwardedHints(scope, watched.account);
  }
  if (watched.elsewhere) {
    Aspects.of(scope).add(new WarnWithoutForwarder(scope, watched));
  }
  return rule;
}

/**
 * Lets a `SecurityIrEventForwarder` in `account` put Security IR's case events, and nothing else,
 * on this account's default bus, where the fast-path rule listens.
 */
function allowForwardedHints(scope: Construct, account: string): void {
  const stack = Stack.of(scope);
  new events.CfnEventBusPolicy(scope, 'ForwardedHintsPolicy', {
    eventBusName: 'default',
    statementId: busPolicyStatementId(scope, STATEMENT_ID_PREFIX),
    statement: {
      Sid: 'AllowSecurityIrCaseEventsFromTheMembershipAccount',
      Effect: 'Allow',
      Principal: { AWS: `arn:${Aws.PARTITION}:iam::${account}:root` },
      Action: 'events:PutEvents',
      Resource: defaultBusArn(stack),
      // Both keys are multivalued (one call carries up to 10 entries): every entry must be a case event.
      Condition: {
        'ForAllValues:StringEquals': {
          'events:source': [SECURITY_IR_EVENT_SOURCE],
          'events:detail-type': [...SECURITY_IR_CASE_DETAIL_TYPES],
        },
      },
    },
  });
}

function defaultBusArn(stack: Stack): string {
  return `arn:${Aws.PARTITION}:events:${stack.region}:${stack.account}:event-bus/default`;
}

/**
 * Run when the app is complete (forwarders may be added after the watcher): warns unless a
 * `SecurityIrEventForwarder` of the app sits in the watched account and region and forwards to this
 * watcher's account and region.
 */
class WarnWithoutForwarder implements IAspect {
  constructor(private readonly watcher: Construct, private readonly watched: WatchedScope) {}

  public visit(node: IConstruct): void {
    if (node !== this.watcher) return;
    const watcherBus = defaultBusArn(Stack.of(this.watcher));
    const forwarded = node.node.root.node.findAll().some((c) => c instanceof SecurityIrEventForwarder
      && Stack.of(c).account === this.watched.account
      && Stack.of(c).region === this.watched.region
      && c.watcherEventBusArn === watcherBus);
    if (forwarded) return;
    Annotations.of(this.watcher).addWarningV2(
      'cdk-security-ir-case-watcher:fastPathNeedsForwarder',
      `The watched cases are in another account or region (${this.watched.description}): ` +
        'Security IR puts its case events on the default bus there, so the fast path receives hints only from a ' +
        'SecurityIrEventForwarder deployed in that account and region. Without one, changes arrive with the poll only.',
    );
  }
}
