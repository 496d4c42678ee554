import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { validateEventSource, validateMemorySize, validatePollInterval, validateStalenessPeriods, validateTimeout } from './validation';
import { DEFAULT_ARCHIVE_RETENTION, validateArchiveRetention } from './archive';
import { validateSchemaRegistryName } from './event-schemas';
import { reminderMinutes } from './reminders';
import { ValidationError } from './validation-error';
import { DEFAULT_EVENT_SOURCE } from '../events';
import type { SecurityIrCaseWatcherProps } from '../security-ir-case-watcher-props';

const DEFAULT_POLL_INTERVAL = Duration.minutes(1);
const TIMEOUT_MARGIN = Duration.seconds(10);
const MAX_DEFAULT_TIMEOUT = Duration.minutes(5);
const DEFAULT_MEMORY_MB = 512;
/** The bounds Scheduler and EventBridge set on a delivery's age. */
const MIN_DELIVERY_AGE = Duration.minutes(1);
const MAX_DELIVERY_AGE = Duration.hours(24);
/** Lambda's two retries come after about 1 and 2 minutes: an age below 5 minutes would cut the second. */
const MIN_ASYNC_EVENT_AGE = Duration.minutes(5);
const MAX_ASYNC_EVENT_AGE = Duration.hours(6);

/** A watcher's props with every default applied and every rule checked: worked out once, read everywhere. */
export interface WatcherSettings {
  readonly pollInterval: Duration;
  readonly timeout: Duration;
  readonly memorySize: number;
  readonly eventSource: string;
  readonly fastPath: boolean;
  readonly emitCreatedEvents: boolean;
  readonly emitExistingCasesOnFirstRun: boolean;
  readonly logLevel: lambda.ApplicationLogLevel;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  readonly alarms: boolean;
  /** The `awaitingCustomerReminders` marks in whole minutes; empty when they are off. */
  readonly awaitingCustomerReminderMinutes: number[];
  /**
   * How long Scheduler and EventBridge keep retrying a delivery: within one interval several attempts
   * can act; past it the next poll does the work, so the age, not the count, bounds them.
   */
  readonly deliveryAge: Duration;
  /** Lambda's retries of a failed invocation: both of them, and no more than an interval beyond that. */
  readonly asyncEventAge: Duration;
  readonly publishSchemas: boolean;
  /** An existing registry to publish the schemas in; undefined: the watcher creates one. */
  readonly schemaRegistryName?: string;
  /** `archive` as given: undefined archives where the bus allows it, true insists. */
  readonly archive?: boolean;
  readonly archiveRetention: Duration;
}

export function resolveSettings(scope: Construct, props: SecurityIrCaseWatcherProps): WatcherSettings {
  const pollInterval = props.pollInterval ?? DEFAULT_POLL_INTERVAL;
  validatePollInterval(scope, pollInterval);
  const timeout = props.timeout ?? minDuration(pollInterval.minus(TIMEOUT_MARGIN), MAX_DEFAULT_TIMEOUT);
  validateTimeout(scope, timeout, pollInterval);
  const eventSource = props.eventSource ?? DEFAULT_EVENT_SOURCE;
  validateEventSource(scope, eventSource);
  const memorySize = props.memorySize ?? DEFAULT_MEMORY_MB;
  validateMemorySize(scope, memorySize);
  const alarms = props.alarms ?? true;
  if (props.stalenessPeriods !== undefined) {
    validateStalenessPeriods(scope, props.stalenessPeriods);
  }
  if (!alarms) {
    // Props that only act on the alarms would silently do nothing.
    const alarmOnly = [
      ...(props.alarmActions !== undefined && props.alarmActions.length > 0 ? ['alarmActions'] : []),
      ...(props.stalenessPeriods !== undefined ? ['stalenessPeriods'] : []),
    ];
    if (alarmOnly.length > 0) {
      throw new ValidationError(`${alarmOnly.join(' and ')} act on the watcher's alarms, which alarms: false turns off: leave them out`, scope);
    }
  }
  const publishSchemas = props.publishSchemas ?? true;
  if (props.schemaRegistryName !== undefined) {
    if (!publishSchemas) throw new ValidationError('schemaRegistryName names where the schemas go, which publishSchemas: false turns off: leave it out', scope);
    validateSchemaRegistryName(scope, props.schemaRegistryName);
  }
  if (props.archiveRetention !== undefined) {
    if (props.archive === false) throw new ValidationError('archiveRetention acts on the archive, which archive: false turns off: leave it out', scope);
    validateArchiveRetention(scope, props.archiveRetention);
  }
  return {
    pollInterval,
    timeout,
    memorySize,
    eventSource,
    fastPath: props.fastPath ?? true,
    emitCreatedEvents: props.emitCreatedEvents ?? true,
    emitExistingCasesOnFirstRun: props.emitExistingCasesOnFirstRun ?? false,
    logLevel: props.logLevel ?? lambda.ApplicationLogLevel.INFO,
    logRetention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
    removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    alarms,
    awaitingCustomerReminderMinutes: reminderMinutes(scope, props.awaitingCustomerReminders, pollInterval),
    deliveryAge: clampDuration(pollInterval, MIN_DELIVERY_AGE, MAX_DELIVERY_AGE),
    asyncEventAge: clampDuration(pollInterval, MIN_ASYNC_EVENT_AGE, MAX_ASYNC_EVENT_AGE),
    publishSchemas,
    schemaRegistryName: props.schemaRegistryName,
    archive: props.archive,
    archiveRetention: props.archiveRetention ?? DEFAULT_ARCHIVE_RETENTION,
  };
}

function minDuration(a: Duration, b: Duration): Duration {
  return a.toMilliseconds() <= b.toMilliseconds() ? a : b;
}

function clampDuration(value: Duration, min: Duration, max: Duration): Duration {
  return value.toMilliseconds() < min.toMilliseconds() ? min : minDuration(value, max);
}
