import { Arn, ArnFormat, Names, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { busInAnotherAccount } from './case-event-rules';

/**
 * Where the watcher's bus is, when this stack cannot change it: `another account` or `another region`
 * (an imported bus ARN), undefined when the bus is in this stack's account and region, where the
 * archive and the bus policy are created.
 */
export function busElsewhere(scope: Construct, eventBus: events.IEventBus): string | undefined {
  if (busInAnotherAccount(scope, eventBus)) return 'another account';
  const busRegion = Arn.split(eventBus.eventBusArn, ArnFormat.SLASH_RESOURCE_NAME).region;
  if (busRegion !== undefined && !Token.isUnresolved(busRegion) && busRegion !== Stack.of(scope).region) return 'another region';
  return undefined;
}

/** EventBridge's limit on a bus-policy statement id. */
const MAX_STATEMENT_ID_LENGTH = 64;

/**
 * A bus-policy statement id unique per watcher within EventBridge's 64 characters: `prefix` and the
 * construct's path, which keeps its hash when shortened.
 */
export function busPolicyStatementId(scope: Construct, prefix: string): string {
  return prefix + Names.uniqueResourceName(scope, { maxLength: MAX_STATEMENT_ID_LENGTH - prefix.length });
}
