import { Aws, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SECURITY_IR_CASE_DETAIL_TYPES, SECURITY_IR_EVENT_SOURCE } from './internal/security-ir-events';
import { deadLetterQueue } from './private/dead-letter-queue';
import { validateAccountId, validateRegion } from './private/validation';
import { ValidationError } from './private/validation-error';

/** Properties of a {@link SecurityIrEventForwarder}. */
export interface SecurityIrEventForwarderProps {
  /**
   * The account where the `SecurityIrCaseWatcher` runs: its default bus receives the case events.
   * That watcher must be configured with `securityIrRoleArn` in this (the forwarder's) account, so
   * that it lets this account put the events on its bus.
   *
   * @default - this stack's account (a watcher in another region of the same account)
   */
  readonly watcherAccount?: string;

  /**
   * The region where the `SecurityIrCaseWatcher` runs.
   *
   * @default - this stack's region (a watcher in another account, same region)
   */
  readonly watcherRegion?: string;
}

/**
 * Forwards Security IR's own case events from the account and region that hold the Security IR
 * membership to the default bus of a `SecurityIrCaseWatcher` in another account or region, so that
 * its fast path reacts within seconds there too. Deploy it in the membership account and region.
 *
 * @example
 * new SecurityIrEventForwarder(this, 'Forwarder', { watcherAccount: '111122223333', watcherRegion: 'eu-west-1' });
 */
export class SecurityIrEventForwarder extends Construct {
  /** The rule on this account's default bus that matches the case events and forwards them. */
  public readonly rule: events.Rule;
  /** Receives the events EventBridge could not deliver to the watcher's bus. */
  public readonly deadLetterQueue: sqs.Queue;
  /** The bus the events are forwarded to: the watcher account's default bus in the watcher's region. */
  public readonly watcherEventBusArn: string;

  constructor(scope: Construct, id: string, props: SecurityIrEventForwarderProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    const watcherAccount = props.watcherAccount ?? stack.account;
    const watcherRegion = props.watcherRegion ?? stack.region;
    validateAccountId(this, 'watcherAccount', watcherAccount);
    validateRegion(this, 'watcherRegion', watcherRegion);
    if (!Token.isUnresolved(watcherAccount) && !Token.isUnresolved(stack.account) && !Token.isUnresolved(watcherRegion)
      && !Token.isUnresolved(stack.region) && watcherAccount === stack.account && watcherRegion === stack.region) {
      throw new ValidationError(
        'watcherAccount and watcherRegion name this stack\'s own account and region: the watcher\'s fast path receives ' +
          'the case events there without a forwarder',
        this,
      );
    }

    this.watcherEventBusArn = `arn:${Aws.PARTITION}:events:${watcherRegion}:${watcherAccount}:event-bus/default`;
    this.deadLetterQueue = deadLetterQueue(this, 'of the forwarding rule\'s target');

    this.rule = new events.Rule(this, 'Rule', {
      description: 'Forwards Security IR case events to the Security IR case watcher\'s account and region',
      eventPattern: {
        source: [SECURITY_IR_EVENT_SOURCE],
        detailType: [...SECURITY_IR_CASE_DETAIL_TYPES],
        account: [stack.account],
      },
      targets: [
        new targets.EventBus(events.EventBus.fromEventBusArn(this, 'WatcherEventBus', this.watcherEventBusArn), {
          deadLetterQueue: this.deadLetterQueue,
        }),
      ],
    });
  }
}
