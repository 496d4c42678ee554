import { Duration, Names, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventschemas from 'aws-cdk-lib/aws-eventschemas';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  CASE_AWAITING_CUSTOMER_DETAIL_TYPE,
  CASE_CREATED_DETAIL_TYPE,
  CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE,
  CASE_STATUS_CHANGED_DETAIL_TYPE,
  CASE_WATCHER_DETAIL_TYPES,
} from './events';
import { METRIC_NAMESPACE, METRIC_SERVICE_DIMENSION, MetricName } from './metrics';
import { createAlarms } from './private/alarms';
import { createArchive } from './private/archive';
import { AwaitingCustomerRuleOptions, CaseEventRuleOptions } from './case-event-rule-options';
import { awaitedFilter, CaseEventStream, createCaseEventRule } from './private/case-event-rules';
import { deadLetterQueue } from './private/dead-letter-queue';
import { publishEventSchemas } from './private/event-schemas';
import { requireDistinguishable } from './private/distinguishable';
import { createFastPath } from './private/fast-path';
import { denyForgedEvents } from './private/forged-events';
import { createFunctionRole, grantServicesUseOfKey } from './private/permissions';
import { resolveSettings, WatcherSettings } from './private/settings';
import { stateTable } from './private/state-table';
import { ValidationError } from './private/validation-error';
import { createPollSchedule, createWatcherFunction } from './private/watcher-function';
import { WatcherResources } from './private/watcher-resources';
import { WatchedScope, watchedScope } from './private/watched-scope';

/** Properties of a {@link SecurityIrCaseWatcher}. */
export interface SecurityIrCaseWatcherProps {
  /**
   * How often the watcher lists every Security IR case (an EventBridge Scheduler rate schedule): the
   * safety net that never misses a change. Whole minutes, at least one, at most 7 days while the
   * alarms are on (no staleness alarm can watch a longer one); the function's timeout, the lease, the
   * retry ages and the staleness alarm follow it. It must be known at synth time (not a token).
   *
   * @default Duration.minutes(1)
   */
  readonly pollInterval?: Duration;

  /**
   * React to Security IR's own case events within seconds: a rule on the default bus of this
   * stack's account and region sends each one to the function, which reads that case with
   * `GetCase` and publishes its change. The poll stays the safety net. When the watched cases are
   * in another account or region (`securityIrRoleArn`, `securityIrRegion`), their events are there:
   * deploy a `SecurityIrEventForwarder` in that account and region (synth warns
   * `cdk-security-ir-case-watcher:fastPathNeedsForwarder` unless the app has one).
   *
   * @default true
   */
  readonly fastPath?: boolean;

  /**
   * The bus the case events are put on. The function gets the bus ARN, so a bus in another account
   * works (its resource policy must allow this account `events:PutEvents`).
   *
   * @default - the account's default event bus
   */
  readonly eventBus?: events.IEventBus;

  /**
   * The `source` of every event: 1 to 256 characters, not starting with `aws.` (in any case).
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
   * While a case's `pendingAction` stays `Customer`, a `Security IR Case Awaiting Customer` reminder at
   * each of these marks, measured from when the watcher first saw it waiting: whole minutes, strictly
   * increasing, at most 30 days, none shorter than `pollInterval` (a reminder comes from the poll, at
   * most one interval after its mark). An empty list turns the reminders off.
   *
   * @default - 1 hour, 4 hours and 24 hours, leaving out a mark shorter than `pollInterval`
   */
  readonly awaitingCustomerReminders?: Duration[];

  /**
   * The region whose Security IR cases are listed: a region code such as `us-east-1` or `us-gov-west-1`.
   * Changing it takes a fresh baseline for the new region (docs/construct.md, "Lifecycle").
   *
   * @default - the stack's region
   */
  readonly securityIrRegion?: string;

  /**
   * A role the function assumes to list the cases, for instance in the Security IR membership account.
   * That role needs `security-ir:ListCases` (and `security-ir:GetCase` with the fast path) and must trust
   * this watcher's `role`; the watched account becomes the role's account. An IAM role ARN
   * (`arn:<partition>:iam::<12 digits>:role/<path/name>`). Deploy the watcher first (docs/construct.md,
   * "Cross-account deploy order").
   *
   * @default - the function lists the cases with its own role, in its own account
   */
  readonly securityIrRoleArn?: string;

  /**
   * The function's timeout: whole seconds from 1 second to 15 minutes, below the schedule interval, so
   * that a run always ends (and a crashed run's lease expires) before the next run starts.
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
   * What happens to the state table (the one the watcher creates) and the log group when the watcher
   * is removed from the stack. Retained, the table can come back as `stateTable`. (The dead-letter queue
   * is always deleted: what it holds, the next poll redoes.)
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * An existing table to keep the state in instead of creating one, typically the retained table of an
   * earlier deployment: moving the construct (another id, parent or stack) or replacing its stack
   * would otherwise give it a new, empty table and a fresh baseline, which cannot know what changed
   * in between (docs/construct.md, "Lifecycle"). Import it by name, or with `encryptionKey` when it is
   * encrypted with a customer managed key (the function may then use that key through DynamoDB). Its
   * keys must be the string `pk` and `sk` (checked for a table of this app). Its settings and removal
   * policy stay its owner's.
   *
   * @default - a new table, encrypted with `encryptionKey` when given, point-in-time recovery on
   */
  readonly stateTable?: dynamodb.ITable;

  /**
   * A KMS key that encrypts the state table, the dead-letter queue and the log group. When the key is
   * defined in the same app, the watcher adds the key policy statements CloudWatch Logs and EventBridge
   * need; for an imported key, add them yourself (see docs/construct.md).
   *
   * @default - AWS owned keys for the table, SQS-managed encryption for the queue, CloudWatch Logs' own encryption
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Whether the watcher creates its three alarms (failed runs, staleness, messages in the dead-letter
   * queue). Turn them off to monitor with your own alarms, e.g. cdk-monitoring-constructs on the
   * `metric*()` helpers; `alarmActions` and `stalenessPeriods` are then refused.
   *
   * @default true
   */
  readonly alarms?: boolean;

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

  /**
   * Whether to publish the events' schemas (OpenAPI 3.0, generated from the event contract, with this
   * watcher's `eventSource`) in an EventBridge schema registry, where the console shows them and
   * offers code bindings. One `AWS::EventSchemas::Schema` per detail-type, named
   * `<eventSource>@<DetailTypeName>`. (They are written, not discovered: schema discovery, which does
   * not work on a bus encrypted with a customer managed key, is not used.)
   *
   * @default true
   */
  readonly publishSchemas?: boolean;

  /**
   * An existing schema registry (of this stack's account and region) to publish the schemas in:
   * 1 to 64 letters, digits, `.`, `-`, `_` or `@`. Refused with `publishSchemas: false`.
   *
   * @default - a registry the watcher creates, named after its construct path
   */
  readonly schemaRegistryName?: string;

  /**
   * Whether to keep an EventBridge archive of the watcher's events (its source only) on its bus, from
   * which a subscriber that failed replays a time window (README, "Replay"). A bus of another account
   * or region cannot get one from this stack: unless this is `true` (then refused), the watcher
   * skips it there with the warning `cdk-security-ir-case-watcher:noArchiveOnBusElsewhere`, and the
   * bus's owner creates it. On a bus encrypted with a customer managed key, AWS recommends one for
   * the archive too: set this to `false` and create the archive yourself with the key.
   *
   * @default - true where the bus is in this stack's account and region
   */
  readonly archive?: boolean;

  /**
   * How long the archive keeps the events: whole days, at least one. Refused with `archive: false`.
   *
   * @default Duration.days(30)
   */
  readonly archiveRetention?: Duration;
}

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
  /**
   * The function's execution role. Its name is generated when another environment refers to it, so
   * the Security IR account's reader role (another account's stack) can trust exactly this role.
   */
  public readonly role: iam.Role;
  /** The table where the watcher records every case's last seen status and pending action: its own, or `stateTable`. */
  public readonly table: dynamodb.ITable;
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
  /**
   * The value of the `service` dimension of this watcher's metrics and the `service` field of its log
   * lines, unique per watcher. It is derived from the construct's path (its id, its parents and its
   * stack): the same on every deployment while the construct stays where it is; another id, parent or
   * stack gives another value, and with it new metric series (this watcher's alarms and `metric*()`
   * follow it; a dashboard built on the old value does not).
   */
  public readonly serviceName: string;
  /** In alarm when a run (a poll or a hint) failed in the last poll interval, period capped at a day (unless `alarms` is false). */
  public readonly failedRunsAlarm?: cloudwatch.Alarm;
  /**
   * In alarm when no poll has succeeded for `stalenessPeriods` poll intervals (unless `alarms` is false).
   * Missing data breaches, so it can show ALARM for a few minutes after the first deployment.
   */
  public readonly stalenessAlarm?: cloudwatch.Alarm;
  /** In alarm while the dead-letter queue holds a message: something could not be handled (unless `alarms` is false). */
  public readonly deadLetterQueueAlarm?: cloudwatch.Alarm;
  /** The name of the schema registry that holds the events' schemas (unless `publishSchemas` is false). */
  public readonly schemaRegistryName?: string;
  /** The schema registry the watcher created (unless `schemaRegistryName` names an existing one, or `publishSchemas` is false). */
  public readonly schemaRegistry?: eventschemas.CfnRegistry;
  /** One schema per detail-type, in `schemaRegistryName` (empty when `publishSchemas` is false). */
  public readonly schemas: eventschemas.CfnSchema[];
  /** The archive of the watcher's events on its bus (none when `archive` is false or the bus is elsewhere). */
  public readonly archive?: events.Archive;
  /**
   * The bus-policy statement that denies `events:PutEvents` with the watcher's source to every
   * principal but its role (none when the bus is in another account or region: its owner adds it).
   */
  public readonly forgedEventsDenyPolicy?: events.CfnEventBusPolicy;

  private readonly settings: WatcherSettings;
  private readonly watched: WatchedScope;

  constructor(scope: Construct, id: string, props: SecurityIrCaseWatcherProps = {}) {
    super(scope, id);
    this.settings = resolveSettings(this, props);
    this.watched = watchedScope(this, props.securityIrRoleArn, props.securityIrRegion);
    this.eventSource = this.settings.eventSource;
    this.eventBus = props.eventBus ?? events.EventBus.fromEventBusName(this, 'DefaultEventBus', 'default');
    this.serviceName = Names.uniqueResourceName(this, { maxLength: 64, separator: '-' });
    const key = props.encryptionKey;
    if (key) grantServicesUseOfKey(this, key);

    this.table = stateTable(this, props.stateTable, this.settings.removalPolicy, key);
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: this.settings.logRetention,
      encryptionKey: key,
      removalPolicy: this.settings.removalPolicy,
    });
    this.deadLetterQueue = deadLetterQueue(this, 'of the schedule, the fast-path rule and the function\'s failed invocations', key);
    const resources: WatcherResources = {
      ...this.stream(),
      settings: this.settings,
      table: this.table,
      tableKey: props.stateTable ? props.stateTable.encryptionKey : key,
      logGroup: this.logGroup,
      deadLetterQueue: this.deadLetterQueue,
      key,
      serviceName: this.serviceName,
    };
    this.role = createFunctionRole(this, resources);
    this.function = createWatcherFunction(this, resources, this.role);
    this.schedule = createPollSchedule(this, this.function, this.settings, this.deadLetterQueue, key);
    this.fastPathRule = this.settings.fastPath ? createFastPath(this, resources, this.function) : undefined;
    const alarms = this.settings.alarms ? createAlarms(this, this.settings.pollInterval, props) : undefined;
    this.failedRunsAlarm = alarms?.failedRuns;
    this.stalenessAlarm = alarms?.staleness;
    this.deadLetterQueueAlarm = alarms?.deadLetterQueue;
    const published = this.settings.publishSchemas ? publishEventSchemas(this, this.eventSource, this.settings.schemaRegistryName) : undefined;
    this.schemaRegistryName = published?.registryName;
    this.schemaRegistry = published?.registry;
    this.schemas = published?.schemas ?? [];
    this.archive = createArchive(this, this.eventBus, this.eventSource, this.settings.archive, this.settings.archiveRetention);
    this.forgedEventsDenyPolicy = denyForgedEvents(this, this.eventBus, this.eventSource, this.role);
    requireDistinguishable(this, this.stream());
  }

  /** A rule on the watcher's bus matching `Security IR Case Created` events. */
  public onCaseCreated(id: string, options: CaseEventRuleOptions = {}): events.Rule {
    if (!this.settings.emitCreatedEvents) {
      throw new ValidationError(
        `onCaseCreated('${id}'): emitCreatedEvents is false, so this watcher publishes no Created event and the rule would never ` +
          'match. Set emitCreatedEvents: true, or use onAnyCaseEvent / the other helpers.',
        this,
      );
    }
    return createCaseEventRule(this, id, this.stream(), [CASE_CREATED_DETAIL_TYPE], options);
  }

  /** A rule on the watcher's bus matching `Security IR Case Status Changed` events. */
  public onCaseStatusChanged(id: string, options: CaseEventRuleOptions = {}): events.Rule {
    return createCaseEventRule(this, id, this.stream(), [CASE_STATUS_CHANGED_DETAIL_TYPE], options);
  }

  /** A rule on the watcher's bus matching `Security IR Case Pending Action Changed` events. */
  public onPendingActionChanged(id: string, options: CaseEventRuleOptions = {}): events.Rule {
    return createCaseEventRule(this, id, this.stream(), [CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE], options);
  }

  /**
   * A rule on the watcher's bus matching `Security IR Case Awaiting Customer` reminders; `minMinutes`
   * keeps those of cases that have waited at least that long.
   */
  public onAwaitingCustomer(id: string, options: AwaitingCustomerRuleOptions = {}): events.Rule {
    const { minMinutes, ...ruleOptions } = options;
    const waited = awaitedFilter(this, id, this.settings.awaitingCustomerReminderMinutes, minMinutes);
    return createCaseEventRule(this, id, this.stream(), [CASE_AWAITING_CUSTOMER_DETAIL_TYPE], ruleOptions, waited);
  }

  /** A rule on the watcher's bus matching every event the watcher publishes. */
  public onAnyCaseEvent(id: string, options: CaseEventRuleOptions = {}): events.Rule {
    return createCaseEventRule(this, id, this.stream(), CASE_WATCHER_DETAIL_TYPES, options);
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

  /** What every rule of this watcher matches. */
  private stream(): CaseEventStream {
    return { eventBus: this.eventBus, eventSource: this.eventSource, watched: this.watched };
  }
}
