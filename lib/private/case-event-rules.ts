import { Arn, ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { ValidationError } from './validation-error';
import { WatchedScope } from './watched-scope';
import type { CaseEventRuleOptions } from '../case-event-rule-options';

/** What every rule of one watcher matches: its bus, its source, the cases it watches. */
export interface CaseEventStream {
  readonly eventBus: events.IEventBus;
  readonly eventSource: string;
  readonly watched: WatchedScope;
}

/**
 * A rule on the watcher's bus for some of its detail-types, with the options' filters. It is built
 * in `crossStackScope` when given (the target's stack: no cyclic reference), else in `scope`.
 */
export function createCaseEventRule(
  scope: Construct,
  id: string,
  stream: CaseEventStream,
  detailTypes: readonly string[],
  options: CaseEventRuleOptions,
  /** Further `detail` filters of the helper itself (`onAwaitingCustomer`'s `minMinutes`). */
  helperDetail: Record<string, unknown[]> = {},
): events.Rule {
  const { target, eventPattern, caseStatus, pendingAction, crossStackScope, ...ruleOptions } = options;
  rejectWidening(scope, eventPattern, stream.eventSource, detailTypes);
  const detail: Record<string, unknown[]> = {
    // Only this watcher's cases: another watcher on the same bus (other account or region) publishes others.
    accountId: [stream.watched.account],
    region: [stream.watched.region],
    ...helperDetail,
  };
  if (caseStatus !== undefined) {
    detail.caseStatus = nonEmpty(scope, 'caseStatus', caseStatus);
  }
  if (pendingAction !== undefined) {
    detail.pendingAction = nonEmpty(scope, 'pendingAction', pendingAction);
  }
  const rule = new events.Rule(crossStackScope ?? scope, id, {
    ...ruleOptions,
    eventBus: stream.eventBus,
    eventPattern: { source: [stream.eventSource], detailType: [...detailTypes], detail },
  });
  if (busInAnotherAccount(scope, stream.eventBus)) {
    // CloudFormation creates the rule on another account's bus only when given the bus ARN.
    (rule.node.defaultChild as events.CfnRule).eventBusName = stream.eventBus.eventBusArn;
  }
  if (eventPattern !== undefined) {
    rule.addEventPattern(eventPattern);
  }
  if (target !== undefined) {
    rule.addTarget(target);
  }
  return rule;
}

/**
 * The `detail` filter of `onAwaitingCustomer`: reminders of cases that have waited at least
 * `minMinutes` (numeric matching). Refused when the rule could never match: no reminder at all, or
 * `minMinutes` beyond the last mark.
 */
export function awaitedFilter(scope: Construct, id: string, marks: readonly number[], minMinutes: number | undefined): Record<string, unknown[]> {
  const never = (why: string) => new ValidationError(`onAwaitingCustomer('${id}'): ${why}, so the rule would never match`, scope);
  if (marks.length === 0) throw never('awaitingCustomerReminders is empty: this watcher sends no reminder');
  if (minMinutes === undefined) return {};
  if (!Number.isFinite(minMinutes) || minMinutes < 0) {
    throw new ValidationError(`minMinutes must be a number of minutes, at least 0, got ${minMinutes}`, scope);
  }
  const last = marks[marks.length - 1];
  if (minMinutes > last) throw never(`minMinutes (${minMinutes}) is beyond the last awaitingCustomerReminders mark (${last} minutes)`);
  return { awaitingCustomerMinutes: [{ numeric: ['>=', minMinutes] }] };
}

/** Whether the bus is known to belong to another account than this stack's (an imported bus ARN). */
export function busInAnotherAccount(scope: Construct, eventBus: events.IEventBus): boolean {
  const busAccount = Arn.split(eventBus.eventBusArn, ArnFormat.SLASH_RESOURCE_NAME).account;
  return busAccount !== undefined && !Token.isUnresolved(busAccount) && busAccount !== Stack.of(scope).account;
}

/**
 * An `eventPattern` option is merged into the helper's pattern as a union: a `source` or
 * `detail-type` beyond the helper's would widen the rule to events it is not about.
 */
function rejectWidening(scope: Construct, pattern: events.EventPattern | undefined, source: string, detailTypes: readonly string[]): void {
  const beyond = (field: string, values: string[] | undefined, allowed: readonly string[]) => {
    const extra = (values ?? []).filter((v) => !allowed.includes(v));
    if (extra.length > 0) {
      throw new ValidationError(
        `eventPattern.${field} ${JSON.stringify(extra)} would widen the rule beyond ${JSON.stringify(allowed)} (patterns merge as a union): ` +
          `leave eventPattern.${field} out, or build the rule yourself`,
        scope,
      );
    }
  };
  beyond('source', pattern?.source, [source]);
  beyond('detailType', pattern?.detailType, detailTypes);
}

function nonEmpty(scope: Construct, prop: string, values: string[]): string[] {
  if (values.length === 0) {
    throw new ValidationError(`${prop} must list at least one value; leave it out to match any`, scope);
  }
  return values;
}
