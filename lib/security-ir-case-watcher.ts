import { Annotations, Arn, ArnFormat, Aws, Duration, Names, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { alarmPeriod, stalenessWindow } from './alarm-window';
import {
  CASE_CREATED_DETAIL_TYPE,
  CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE,
  CASE_STATUS_CHANGED_DETAIL_TYPE,
  CASE_WATCHER_DETAIL_TYPES,
  DEFAULT_EVENT_SOURCE,
} from './events';
import { locateHandlerAsset } from './handler-asset';
import { HandlerEnvironment } from './internal/handler-environment';
import { METRIC_NAMESPACE, METRIC_SERVICE_DIMENSION, MetricName } from './metrics';
import { SECURITY_IR_CASE_DETAIL_TYPES, SECURITY_IR_EVENT_SOURCE } from './internal/security-ir-events';
import {
  validateEventSource,
  validateMemorySize,
  validateRegion,
  validateRoleArn,
  validatePollInterval,
  validateStalenessPeriods,
  validateTimeout,
} from './validation';

/** Properties of a {@link SecurityIrCaseWatcher}. */
export interface SecurityIrCaseWatcherProps {
  /**
   * How often the watcher lists every Security IR case (an EventBridge Scheduler rate schedule): the
   * safety net that never misses a change. Whole minutes, at least one; the function's timeout, the
   * lease and the staleness alarm follow it. It must be known at synth time (not a token).
   *
   * @default Duration.minutes(1)
   */
  readonly pollInterval?: Duration;

  /**
   * React to Security IR's own case events within seconds: a rule on the default bus of this
   * stack's account and region sends each one to the function, which reads that case with
   * `GetCase` and publishes its change. The poll stays the safety net. When the watched cases are
   * in another account or region (`securityIrRoleArn`, `securityIrRegion`), their events are there:
   * deploy a `SecurityIrEventForwarder` in that account and region.
   *
   * @default true
   */
  readonly fastPath?: boolean;

  /**
   * The bus the case events are put on.
   *
   * @default - the account's default event bus
   */
  readonly eventBus?: events.IEventBus;

  /**
   * The `source` of every event. Must not start with `aws.`.
   *
   * @default DEFAULT_EVENT_SOURCE ('security-ir.case-watcher')
   */
  readonly eventSource?: string;

  /**
   * Whether to publish `Security IR Case Created` events for cases that appear after the first poll.
   *
   * @default true
   */
  readonly emitCreatedEvents?: boolean;

  /**
   * Whether the first poll publishes a `Security IR Case Created` event for every case that already
   * exists, instead of only recording them as the baseline.
   *
   * @default false
   */
  readonly emitExistingCasesOnFirstRun?: boolean;

  /**
   * The region whose Security IR cases are listed.
   *
   * @default - the stack's region
   */
  readonly securityIrRegion?: string;

  /**
   * A role the function assumes to list the cases, for instance in the Security IR membership account.
   * That role needs `security-ir:ListCases` and must trust this watcher's function role.
   *
   * @default - the function lists the cases with its own role, in its own account
   */
  readonly securityIrRoleArn?: string;

  /**
   * The function's timeout. Must be below the schedule interval, so that a run always ends (and a
   * crashed run's lease expires) before the next run starts.
   *
   * @default - the schedule interval minus 10 seconds, at most 5 minutes
   */
  readonly timeout?: Duration;

  /**
   * The function's memory, in MB (128 to 10240). The poller is I/O bound; more memory mainly buys CPU
   * for parsing very large case listings.
   *
   * @default 512 (the bench's largest poll, 10,000 cases all changed, peaks at about 390 MiB; the
   * extra memory also buys CPU, and costs cents a month at the default schedule)
   */
  readonly memorySize?: number;

  /**
   * The lowest level of the log lines the function writes. `DEBUG` adds a line per listing page,
   * per step of a poll and per batch; metrics are written at every level. When the function's
   * application log level is also set in Lambda (JSON log format), Lambda's setting wins.
   *
   * @default lambda.ApplicationLogLevel.INFO
   */
  readonly logLevel?: lambda.ApplicationLogLevel;

  /**
   * How long the function's logs are kept.
   *
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * What happens to the state table and the log group when the watcher is removed from the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * A KMS key that encrypts the state table, the dead-letter queue and the log group. When the key is
   * defined in the same app, the watcher adds the key policy statements CloudWatch Logs and EventBridge
   * need; for an imported key, add them yourself (see docs/construct.md).
   *
   * @default - AWS owned keys for the table, SQS-managed encryption for the queue, CloudWatch Logs' own encryption
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Actions (an SNS topic, say) added to every alarm the watcher creates: failed runs, staleness and
   * messages in the dead-letter queue.
   *
   * @default - no action: the alarms only change state
   */
  readonly alarmActions?: cloudwatch.IAlarmAction[];

  /**
   * How many poll intervals in a row without a successful poll raise the staleness alarm.
   *
   * @default 3 (fewer when CloudWatch's evaluation limit of 1 day, or 7 days for hourly periods, requires it)
   */
  readonly stalenessPeriods?: number;
}

/** Options of the `on*()` rule helpers: the usual `OnEventOptions` plus filters on the event detail. */
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

  /**
   * Where the rule is created: for instance the stack of its target, so that a target in another
   * stack of the app makes no cyclic reference. The rule stays on the watcher's bus and pattern.
   *
   * @default - the watcher itself
   */
  readonly scope?: Construct;
}

const DEFAULT_POLL_INTERVAL = Duration.minutes(1);
const TIMEOUT_MARGIN = Duration.seconds(10);
const MAX_DEFAULT_TIMEOUT = Duration.minutes(5);
const DEFAULT_MEMORY_MB = 512;
/** The bounds Scheduler and EventBridge set on a delivery's age, and Lambda on an asynchronous invocation's. */
const MIN_DELIVERY_AGE = Duration.minutes(1);
const MAX_DELIVERY_AGE = Duration.hours(24);
const MAX_DELIVERY_RETRIES = 185;
/** Lambda's two retries come after about 1 and 2 minutes: an age below 5 minutes would cut the second. */
const MIN_ASYNC_EVENT_AGE = Duration.minutes(5);
const MAX_ASYNC_EVENT_AGE = Duration.hours(6);
/** The DynamoDB actions the poller calls on its table (docs/design.md). */
const TABLE_ACTIONS = [
  'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:BatchWriteItem', 'dynamodb:BatchGetItem',
];

/**
 * Watches AWS Security Incident Response cases and publishes an EventBridge event whenever a case
 * appears, or its status or pending action changes: within seconds from Security IR's own events
 * (the fast path), and on every poll of all the cases (the safety net).
 *
 * @example
 * const watcher = new SecurityIrCaseWatcher(this, 'CaseWatcher');
 * watcher.onPendingActionChanged('CustomerAction', { pendingAction: ['Customer'], target });
 */
export class SecurityIrCaseWatcher extends Construct {
  /** The handler: polls on the schedule, reads one case on each fast-path hint. */
  public readonly function: lambda.Function;
  /** The function's execution role. */
  public readonly role: iam.Role;
  /** The table where the poller records every case's last seen status and pending action. */
  public readonly table: dynamodb.Table;
  /** The EventBridge Scheduler schedule that runs the poll every `pollInterval`. */
  public readonly schedule: scheduler.Schedule;
  /** The rule on this account's default bus that sends Security IR's case events to the function (when `fastPath`). */
  public readonly fastPathRule?: events.Rule;
  /**
   * Receives what could not be handled: schedule ticks and fast-path hints that could not be
   * delivered to the function, and invocations that still failed after Lambda's retries.
   */
  public readonly deadLetterQueue: sqs.Queue;
  /** The function's log group. */
  public readonly logGroup: logs.LogGroup;
  /** The bus the case events are put on. */
  public readonly eventBus: events.IEventBus;
  /** The `source` of every case event. */
  public readonly eventSource: string;
  /** The value of the `service` dimension of this watcher's metrics and the `service` field of its log lines. */
  public readonly serviceName: string;
  /** In alarm when a run failed in the last poll interval. */
  public readonly failedRunsAlarm: cloudwatch.Alarm;
  /** In alarm when no poll has succeeded for `stalenessPeriods` poll intervals. */
  public readonly stalenessAlarm: cloudwatch.Alarm;
  /** In alarm while the dead-letter queue holds a message: something could not be handled. */
  public readonly deadLetterQueueAlarm: cloudwatch.Alarm;

  /** The account whose cases are watched: the role's, else this stack's. */
  private readonly watchedAccount: string;
  /** The region whose cases are watched. */
  private readonly securityIrRegion: string;
  private readonly emitCreatedEvents: boolean;

  constructor(scope: Construct, id: string, props: SecurityIrCaseWatcherProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);

    const interval = props.pollInterval ?? DEFAULT_POLL_INTERVAL;
    validatePollInterval(interval);
    const timeout = props.timeout ?? defaultTimeout(interval);
    validateTimeout(timeout, interval);
    this.eventSource = props.eventSource ?? DEFAULT_EVENT_SOURCE;
    validateEventSource(this.eventSource);
    validateRoleArn(props.securityIrRoleArn);
    const securityIrRegion = props.securityIrRegion ?? stack.region;
    validateRegion(securityIrRegion);
    this.securityIrRegion = securityIrRegion;
    this.watchedAccount = watchedAccount(stack, props.securityIrRoleArn);
    this.emitCreatedEvents = props.emitCreatedEvents ?? true;
    const memorySize = props.memorySize ?? DEFAULT_MEMORY_MB;
    validateMemorySize(memorySize);
    if (props.stalenessPeriods !== undefined) {
      validateStalenessPeriods(props.stalenessPeriods);
    }
    const staleness = stalenessWindow(interval, props.stalenessPeriods);

    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const key = props.encryptionKey;
    this.eventBus = props.eventBus ?? events.EventBus.fromEventBusName(this, 'DefaultEventBus', 'default');
    this.serviceName = Names.uniqueResourceName(this, { maxLength: 64, separator: '-' });

    this.table = new dynamodb.Table(this, 'StateTable', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: key ? dynamodb.TableEncryption.CUSTOMER_MANAGED : dynamodb.TableEncryption.DEFAULT,
      encryptionKey: key,
      removalPolicy,
    });

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      encryptionKey: key,
      removalPolicy,
    });

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: key ? sqs.QueueEncryption.KMS : sqs.QueueEncryption.SQS_MANAGED,
      encryptionMasterKey: key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter queue (of the schedule, the fast-path rule and the function\'s ' +
        'failed invocations): it only holds what could not be handled, and a queue behind it would add nothing.',
    });

    if (key) {
      grantServicesUseOfKey(key);
      if (!(key instanceof kms.Key)) {
        Annotations.of(this).addWarningV2(
          'cdk-security-ir-case-watcher:importedKeyPolicy',
          'encryptionKey is imported: this app cannot add to its key policy the statements CloudWatch Logs (for the log group) ' +
            'and EventBridge (for the dead-letter queue) need. Add them to the key policy yourself (see docs/construct.md, ' +
            '"With encryptionKey"), or the log group and the dead-letter queue cannot use the key.',
        );
      }
    }

    this.role = new iam.Role(this, 'ServiceRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Security IR case watcher: lists cases, records them in its table, publishes case events',
      inlinePolicies: {
        CaseWatcher: new iam.PolicyDocument({
          statements: this.functionStatements(props.securityIrRoleArn, securityIrRegion, props.fastPath ?? true, key),
        }),
      },
    });
    if (props.securityIrRoleArn === undefined) {
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'security-ir:ListCases supports no resource-level permission (the service authorization reference ' +
          'lists no resource type for it), so "*" is the only resource it can be granted on. It is read-only ' +
          'and the statement grants nothing else.',
      });
      if (props.fastPath ?? true) {
        Validations.of(this.role).acknowledge({
          id: `AwsSolutions-IAM5[Resource::${nagFindingText(stack, this.caseArnPattern(securityIrRegion))}]`,
          reason:
            'security-ir:GetCase is granted on case/* of the watched account and region: a fast-path hint may name any ' +
            'case there, and the case is the only resource type GetCase has. It is read-only.',
        });
      }
    }

    this.function = new lambda.Function(this, 'Function', {
      description: 'Polls AWS Security Incident Response cases and publishes their changes to EventBridge',
      code: lambda.Code.fromAsset(locateHandlerAsset()),
      handler: 'index.handler',
      runtime: lambda.determineLatestNodeRuntime(this),
      architecture: lambda.Architecture.ARM_64,
      memorySize,
      timeout,
      role: this.role,
      logGroup: this.logGroup,
      environment: this.handlerEnvironment(props, securityIrRegion),
      // Lambda retries a failed invocation after about 1 and 2 minutes: the age allows both, and no
      // more than an interval beyond that, when the next poll redoes the work anyway.
      retryAttempts: 2,
      maxEventAge: clampDuration(interval, MIN_ASYNC_EVENT_AGE, MAX_ASYNC_EVENT_AGE),
      onFailure: { bind: () => ({ destination: this.deadLetterQueue.queueArn }) },
    });

    // Delivery retries: Scheduler and EventBridge retry with backoff from seconds on, so within one
    // interval (at least the minute they allow) several attempts can act; past it the next poll
    // does the work, so the age, not the count, bounds them.
    const deliveryAge = clampDuration(interval, MIN_DELIVERY_AGE, MAX_DELIVERY_AGE);
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: 'Runs the Security IR case watcher\'s poll',
      schedule: scheduler.ScheduleExpression.rate(interval),
      target: new schedulerTargets.LambdaInvoke(this.function, {
        // Exactly what Scheduler needs, in one inline policy: the target's own grants would add the
        // function's versions and aliases (`<function ARN>:*`) in a second policy.
        role: this.scheduleRole(key).withoutPolicyUpdates(),
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: MAX_DELIVERY_RETRIES,
        maxEventAge: deliveryAge,
      }),
    });

    if (props.fastPath ?? true) {
      this.fastPathRule = new events.Rule(this, 'FastPathRule', {
        description: 'Sends Security IR\'s own case events to the case watcher, which reads the case at once',
        eventPattern: {
          source: [SECURITY_IR_EVENT_SOURCE],
          detailType: [...SECURITY_IR_CASE_DETAIL_TYPES],
          account: [watchedAccount(stack, props.securityIrRoleArn)],
          region: [securityIrRegion],
        },
        targets: [
          new targets.LambdaFunction(this.function, {
            deadLetterQueue: this.deadLetterQueue,
            retryAttempts: MAX_DELIVERY_RETRIES,
            maxEventAge: deliveryAge,
          }),
        ],
      });
      if (props.securityIrRoleArn !== undefined && crossAccount(stack, props.securityIrRoleArn)) {
        this.allowForwardedHints(watchedAccount(stack, props.securityIrRoleArn));
      }
      if (elsewhere(stack, props.securityIrRoleArn, securityIrRegion)) {
        Annotations.of(this).addWarningV2(
          'cdk-security-ir-case-watcher:fastPathNeedsForwarder',
          `The watched cases are in another account or region (${describeWatched(stack, props.securityIrRoleArn, securityIrRegion)}): ` +
            'Security IR puts its case events on the default bus there, so the fast path receives hints only from a ' +
            'SecurityIrEventForwarder deployed in that account and region. Without one, changes arrive with the poll only.',
        );
      }
    }

    this.failedRunsAlarm = new cloudwatch.Alarm(this, 'FailedRunsAlarm', {
      alarmDescription: 'A Security IR case watcher run failed: see the function logs',
      metric: this.metricErrors({ period: alarmPeriod(interval) }),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      threshold: 1,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    this.stalenessAlarm = new cloudwatch.Alarm(this, 'StalenessAlarm', {
      alarmDescription: 'No Security IR case watcher run has succeeded for several schedule intervals',
      metric: this.metricPollSucceeded({ period: staleness.period }),
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      threshold: 1,
      evaluationPeriods: staleness.evaluationPeriods,
      datapointsToAlarm: staleness.evaluationPeriods,
      // No heartbeat at all is the very condition this alarm exists for.
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });

    this.deadLetterQueueAlarm = new cloudwatch.Alarm(this, 'DeadLetterQueueAlarm', {
      alarmDescription: 'The Security IR case watcher could not handle something (a tick, a hint or an invocation): see its dead-letter queue',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM }),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      threshold: 1,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    for (const alarm of [this.failedRunsAlarm, this.stalenessAlarm, this.deadLetterQueueAlarm]) {
      alarm.addAlarmAction(...(props.alarmActions ?? []));
    }
    this.warnIfIndistinguishableFromAnotherWatcher();
  }

  /** Every case of the watched account (this stack's) in `securityIrRegion`. */
  private caseArnPattern(securityIrRegion: string): string {
    return `arn:${Aws.PARTITION}:security-ir:${securityIrRegion}:${Stack.of(this).account}:case/*`;
  }

  /** The role EventBridge Scheduler runs the poll with: invoke this function, send to the dead-letter queue. */
  private scheduleRole(key: kms.IKey | undefined): iam.Role {
    const statements = [
      new iam.PolicyStatement({ sid: 'RunThePoll', actions: ['lambda:InvokeFunction'], resources: [this.function.functionArn] }),
      new iam.PolicyStatement({ sid: 'SendUndeliveredTicks', actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }),
    ];
    if (key) {
      statements.push(new iam.PolicyStatement({
        sid: 'UseQueueKey',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `sqs.${Aws.REGION}.${Aws.URL_SUFFIX}` } },
      }));
    }
    return new iam.Role(this, 'ScheduleRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: 'Security IR case watcher: EventBridge Scheduler runs the poll with this role',
      inlinePolicies: { RunThePoll: new iam.PolicyDocument({ statements }) },
    });
  }

  /**
   * Lets a `SecurityIrEventForwarder` in `account` put Security IR's case events, and nothing else,
   * on this account's default bus, where the fast-path rule listens.
   */
  private allowForwardedHints(account: string): void {
    const stack = Stack.of(this);
    new events.CfnEventBusPolicy(this, 'ForwardedHintsPolicy', {
      eventBusName: 'default',
      statementId: `SecurityIrHints-${Names.uniqueId(this)}`.slice(0, 64),
      statement: {
        Sid: 'AllowSecurityIrCaseEventsFromTheMembershipAccount',
        Effect: 'Allow',
        Principal: { AWS: `arn:${Aws.PARTITION}:iam::${account}:root` },
        Action: 'events:PutEvents',
        Resource: `arn:${Aws.PARTITION}:events:${stack.region}:${stack.account}:event-bus/default`,
        Condition: {
          StringEquals: {
            'events:source': [SECURITY_IR_EVENT_SOURCE],
            'events:detail-type': [...SECURITY_IR_CASE_DETAIL_TYPES],
          },
        },
      },
    });
  }

  /** A rule on the watcher's bus matching `Security IR Case Created` events. */
  public onCaseCreated(id: string, options: CaseEventRuleOptions = {}): events.Rule {
    if (!this.emitCreatedEvents) {
      throw new Error(
        `onCaseCreated('${id}'): emitCreatedEvents is false, so this watcher publishes no Created event and the rule would never ` +
          'match. Set emitCreatedEvents: true, or use onAnyCaseEvent / the other helpers.',
      );
    }
    return this.caseEventRule(id, [CASE_CREATED_DETAIL_TYPE], options);
  }

  /** A rule on the watcher's bus matching `Security IR Case Status Changed` events. */
  public onCaseStatusChanged(id: string, options: CaseEventRuleOptions = {}): events.Rule {
    return this.caseEventRule(id, [CASE_STATUS_CHANGED_DETAIL_TYPE], options);
  }

  /** A rule on the watcher's bus matching `Security IR Case Pending Action Changed` events. */
  public onPendingActionChanged(id: string, options: CaseEventRuleOptions = {}): events.Rule {
    return this.caseEventRule(id, [CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE], options);
  }

  /** A rule on the watcher's bus matching every event the watcher publishes. */
  public onAnyCaseEvent(id: string, options: CaseEventRuleOptions = {}): events.Rule {
    return this.caseEventRule(id, [...CASE_WATCHER_DETAIL_TYPES], options);
  }

  /** One of this watcher's metrics (namespace `SecurityIrCaseWatcher`, dimension `service`). */
  public metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: METRIC_NAMESPACE,
      metricName,
      dimensionsMap: { [METRIC_SERVICE_DIMENSION]: this.serviceName },
      statistic: cloudwatch.Stats.SUM,
      ...props,
    });
  }

  /** Cases listed by a run. @default - maximum over 5 minutes */
  public metricCasesSeen(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(MetricName.CASES_SEEN, { statistic: cloudwatch.Stats.MAXIMUM, ...props });
  }

  /** Events accepted by EventBridge. @default - sum over 5 minutes */
  public metricEventsPublished(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(MetricName.EVENTS_PUBLISHED, props);
  }

  /** Events EventBridge did not accept (left for a later run). @default - sum over 5 minutes */
  public metricPublishFailures(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(MetricName.PUBLISH_FAILURES, props);
  }

  /** Duration of a run in milliseconds. @default - average over 5 minutes */
  public metricPollDuration(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(MetricName.POLL_DURATION_MS, { statistic: cloudwatch.Stats.AVERAGE, ...props });
  }

  /** Successful runs: the heartbeat of the staleness alarm. @default - sum over 5 minutes */
  public metricPollSucceeded(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(MetricName.POLL_SUCCEEDED, props);
  }

  /** `ListCases` requests made. @default - sum over 5 minutes */
  public metricListCasesCalls(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(MetricName.LIST_CASES_CALLS, props);
  }

  /** Failed runs (the function's `Errors`). @default - sum over 5 minutes */
  public metricErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.function.metricErrors(props);
  }

  private caseEventRule(id: string, detailTypes: string[], options: CaseEventRuleOptions): events.Rule {
    const { target, eventPattern, caseStatus, pendingAction, scope, ...ruleOptions } = options;
    rejectWidening(eventPattern, this.eventSource, detailTypes);
    const detail: Record<string, string[]> = {
      // Only this watcher's cases: another watcher on the same bus (other account or region) publishes others.
      accountId: [this.watchedAccount],
      region: [this.securityIrRegion],
    };
    if (caseStatus !== undefined) {
      detail.caseStatus = nonEmpty('caseStatus', caseStatus);
    }
    if (pendingAction !== undefined) {
      detail.pendingAction = nonEmpty('pendingAction', pendingAction);
    }
    const rule = new events.Rule(scope ?? this, id, {
      ...ruleOptions,
      eventBus: this.eventBus,
      eventPattern: { source: [this.eventSource], detailType: detailTypes, detail },
    });
    if (this.busInAnotherAccount()) {
      // CloudFormation creates the rule on another account's bus only when given the bus ARN.
      (rule.node.defaultChild as events.CfnRule).eventBusName = this.eventBus.eventBusArn;
    }
    if (eventPattern !== undefined) {
      rule.addEventPattern(eventPattern);
    }
    if (target !== undefined) {
      rule.addTarget(target);
    }
    return rule;
  }

  /** Whether the bus is known to belong to another account than this stack's (an imported bus ARN). */
  private busInAnotherAccount(): boolean {
    const busAccount = Arn.split(this.eventBus.eventBusArn, ArnFormat.SLASH_RESOURCE_NAME).account;
    const stackAccount = Stack.of(this).account;
    return busAccount !== undefined && !Token.isUnresolved(busAccount) && busAccount !== stackAccount;
  }

  /**
   * Two watchers in one app that watch the same account and region and publish with the same source on
   * the same bus would publish every transition twice, and their rules could not tell them apart.
   */
  private warnIfIndistinguishableFromAnotherWatcher(): void {
    const identity = this.publishedIdentity();
    const twin = this.node.root.node.findAll().find((c) => c !== this && c instanceof SecurityIrCaseWatcher && c.publishedIdentity() === identity);
    if (twin !== undefined) {
      Annotations.of(this).addWarningV2(
        'cdk-security-ir-case-watcher:indistinguishableWatchers',
        `This watcher and ${twin.node.path} watch the same account and region and publish with the same eventSource on the same ` +
          'bus: every transition would be published twice and their rules could not tell them apart. Give one of them ' +
          'another eventSource or eventBus, or remove one.',
      );
    }
  }

  private publishedIdentity(): string {
    const stack = Stack.of(this);
    return JSON.stringify(stack.resolve([this.eventBus.eventBusArn, this.eventSource, this.watchedAccount, this.securityIrRegion]));
  }

  private handlerEnvironment(props: SecurityIrCaseWatcherProps, securityIrRegion: string): Record<string, string> {
    const roleArn = props.securityIrRoleArn;
    return {
      [HandlerEnvironment.STATE_TABLE_NAME]: this.table.tableName,
      // The ARN rather than the name: it also reaches a bus in another account.
      [HandlerEnvironment.EVENT_BUS_NAME]: this.eventBus.eventBusArn,
      [HandlerEnvironment.EVENT_SOURCE]: this.eventSource,
      [HandlerEnvironment.EMIT_CREATED_EVENTS]: String(props.emitCreatedEvents ?? true),
      [HandlerEnvironment.EMIT_EXISTING_CASES_ON_FIRST_RUN]: String(props.emitExistingCasesOnFirstRun ?? false),
      [HandlerEnvironment.SECURITY_IR_REGION]: securityIrRegion,
      [HandlerEnvironment.SECURITY_IR_ACCOUNT_ID]: watchedAccount(Stack.of(this), roleArn),
      ...(roleArn === undefined ? {} : { [HandlerEnvironment.SECURITY_IR_ROLE_ARN]: roleArn }),
      [HandlerEnvironment.SERVICE_NAME]: this.serviceName,
      [HandlerEnvironment.LOG_LEVEL]: props.logLevel ?? lambda.ApplicationLogLevel.INFO,
      // Stack traces in the logs point into lambda/*.ts through the bundle's source map.
      NODE_OPTIONS: '--enable-source-maps',
    };
  }

  /** Exactly what the handler calls, each on the narrowest resource. */
  private functionStatements(
    securityIrRoleArn: string | undefined,
    securityIrRegion: string,
    fastPath: boolean,
    key: kms.IKey | undefined,
  ): iam.PolicyStatement[] {
    // With a role, every Security IR call runs on the assumed role's keys: the function may only assume it.
    const securityIr = securityIrRoleArn !== undefined
      ? [new iam.PolicyStatement({ sid: 'AssumeSecurityIrRole', actions: ['sts:AssumeRole'], resources: [securityIrRoleArn] })]
      : [
        new iam.PolicyStatement({ sid: 'ListSecurityIrCases', actions: ['security-ir:ListCases'], resources: ['*'] }),
        ...(fastPath ? [new iam.PolicyStatement({
          sid: 'ReadSecurityIrCases',
          actions: ['security-ir:GetCase'],
          resources: [this.caseArnPattern(securityIrRegion)],
        })] : []),
      ];
    const statements = [
      ...securityIr,
      new iam.PolicyStatement({
        sid: 'PutCaseEvents',
        actions: ['events:PutEvents'],
        resources: [this.eventBus.eventBusArn],
        conditions: {
          StringEquals: {
            'events:source': [this.eventSource],
            'events:detail-type': [...CASE_WATCHER_DETAIL_TYPES],
          },
        },
      }),
      new iam.PolicyStatement({ sid: 'UseStateTable', actions: TABLE_ACTIONS, resources: [this.table.tableArn] }),
      // Lambda sends an invocation that failed its retries to the dead-letter queue with this role.
      new iam.PolicyStatement({
        sid: 'SendFailedInvocations',
        actions: ['sqs:SendMessage'],
        resources: [this.deadLetterQueue.queueArn],
      }),
      new iam.PolicyStatement({
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    ];
    if (key) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'UseStateTableKey',
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: [key.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Aws.REGION}.${Aws.URL_SUFFIX}` } },
        }),
        new iam.PolicyStatement({
          sid: 'UseQueueKey',
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: [key.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `sqs.${Aws.REGION}.${Aws.URL_SUFFIX}` } },
        }),
      );
    }
    return statements;
  }
}

/**
 * Key policy statements for the services that use the key on the watcher's behalf: CloudWatch Logs
 * for the log group and EventBridge for sending to the encrypted dead-letter queue. A no-op for an
 * imported key, whose policy this app cannot change.
 */
function grantServicesUseOfKey(key: kms.IKey): void {
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchLogsForCaseWatcher',
      principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.${Aws.URL_SUFFIX}`)],
      actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*` },
      },
    }),
    true,
  );
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowEventBridgeDeadLetterForCaseWatcher',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: ['*'],
      conditions: {
        ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:events:${Aws.REGION}:${Aws.ACCOUNT_ID}:rule/*` },
      },
    }),
    true,
  );
}

function defaultTimeout(interval: Duration): Duration {
  return minDuration(interval.minus(TIMEOUT_MARGIN), MAX_DEFAULT_TIMEOUT);
}

function minDuration(a: Duration, b: Duration): Duration {
  return a.toMilliseconds() <= b.toMilliseconds() ? a : b;
}

/**
 * A value as cdk-nag names it in a finding: references as `<LogicalId.Attribute>` or
 * `<AWS::PseudoParameter>`, the literal parts as they are.
 */
function nagFindingText(stack: Stack, value: string): string {
  const resolved = stack.resolve(value);
  const parts: unknown[] = typeof resolved === 'string' ? [resolved] : resolved['Fn::Join'][1];
  return parts.map((part) => {
    if (typeof part === 'string') return part;
    const ref = part as { Ref?: string; 'Fn::GetAtt'?: string[] };
    return ref.Ref !== undefined ? `<${ref.Ref}>` : `<${ref['Fn::GetAtt']!.join('.')}>`;
  }).join('');
}

function clampDuration(value: Duration, min: Duration, max: Duration): Duration {
  return value.toMilliseconds() < min.toMilliseconds() ? min : minDuration(value, max);
}

/** The account whose cases are watched: the role's, else this stack's. */
function watchedAccount(stack: Stack, securityIrRoleArn: string | undefined): string {
  return securityIrRoleArn === undefined ? stack.account : Arn.split(securityIrRoleArn, ArnFormat.SLASH_RESOURCE_NAME).account!;
}

/** Whether the role's account is (or may be) another than this stack's. */
function crossAccount(stack: Stack, securityIrRoleArn: string): boolean {
  const account = watchedAccount(stack, securityIrRoleArn);
  return Token.isUnresolved(stack.account) || Token.isUnresolved(account) || account !== stack.account;
}

/** Whether the watched cases are (or may be) in another account or region than this stack. */
function elsewhere(stack: Stack, securityIrRoleArn: string | undefined, securityIrRegion: string): boolean {
  return (securityIrRoleArn !== undefined && crossAccount(stack, securityIrRoleArn)) || securityIrRegion !== stack.region;
}

function describeWatched(stack: Stack, securityIrRoleArn: string | undefined, securityIrRegion: string): string {
  const account = securityIrRoleArn === undefined ? 'this account' : `account ${watchedAccount(stack, securityIrRoleArn)}`;
  return `${account}, region ${Token.isUnresolved(securityIrRegion) ? 'set at deploy time' : securityIrRegion}`;
}

/**
 * An `eventPattern` option is merged into the helper's pattern as a union: a `source` or
 * `detail-type` beyond the helper's would widen the rule to events it is not about.
 */
function rejectWidening(pattern: events.EventPattern | undefined, source: string, detailTypes: readonly string[]): void {
  const beyond = (field: string, values: string[] | undefined, allowed: readonly string[]) => {
    const extra = (values ?? []).filter((v) => !allowed.includes(v));
    if (extra.length > 0) {
      throw new Error(
        `eventPattern.${field} ${JSON.stringify(extra)} would widen the rule beyond ${JSON.stringify(allowed)} (patterns merge as a union): ` +
          `leave eventPattern.${field} out, or build the rule yourself`,
      );
    }
  };
  beyond('source', pattern?.source, [source]);
  beyond('detailType', pattern?.detailType, detailTypes);
}

function nonEmpty(prop: string, values: string[]): string[] {
  if (values.length === 0) {
    throw new Error(`${prop} must list at least one value; leave it out to match any`);
  }
  return values;
}
