import { Names } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventschemas from 'aws-cdk-lib/aws-eventschemas';
import * as iam from 'aws-cdk-lib/aws-iam';
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
import { SecurityIrCaseWatcherProps } from './security-ir-case-watcher-props';


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
