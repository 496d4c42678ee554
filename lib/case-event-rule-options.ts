import * as events from 'aws-cdk-lib/aws-events';

/**
 * Options of the watcher's `on*()` rule helpers: the usual `OnEventOptions` plus filters on the event
 * detail. The rule matches only the watched account's and region's cases. `eventPattern` is merged
 * into the helper's pattern (a `source` or `detailType` beyond the helper's is refused: patterns merge
 * as a union); `crossStackScope` builds the rule in that construct's stack, e.g. its target's, so a
 * target in another stack of the app makes no cyclic reference; the rule stays on the watcher's bus.
 */
export interface CaseEventRuleOptions extends events.OnEventOptions {
  /**
   * Match only events whose `detail.caseStatus` is one of these values, e.g. `['Closed']`.
   *
   * @default - any status
   */
  readonly caseStatus?: string[];

  /**
   * Match only events whose `detail.pendingAction` is one of these values, e.g. `['Customer']`.
   *
   * @default - any pending action
   */
  readonly pendingAction?: string[];
}

/** Options of `onAwaitingCustomer()`: those of every rule helper, plus how long the case has waited. */
export interface AwaitingCustomerRuleOptions extends CaseEventRuleOptions {
  /**
   * Match only reminders of cases that have waited at least this many minutes
   * (`detail.awaitingCustomerMinutes`, EventBridge numeric matching), e.g. `60` to page after an hour.
   * Beyond the last `awaitingCustomerReminders` mark it is refused: no reminder would match.
   *
   * @default - every reminder
   */
  readonly minMinutes?: number;
}
