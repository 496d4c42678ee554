import { Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ValidationError } from './validation-error';

/** The longest period CloudWatch lets an alarm evaluate. */
const MAX_ALARM_PERIOD = Duration.days(1);
/** CloudWatch caps period x evaluation periods at one day for periods under an hour, at 7 days otherwise. */
const MAX_WINDOW_SHORT_PERIOD = Duration.days(1);
const MAX_WINDOW_LONG_PERIOD = Duration.days(7);

/** How many missed runs in a row the staleness alarm waits for when the prop is not set. */
const DEFAULT_STALENESS_PERIODS = 3;

/** The alarm period that matches one schedule interval (CloudWatch allows up to a day). */
function alarmPeriod(interval: Duration): Duration {
  return Duration.seconds(Math.min(interval.toSeconds(), MAX_ALARM_PERIOD.toSeconds()));
}

interface StalenessWindow {
  readonly period: Duration;
  /** Evaluation periods, all of which must breach: the alarm fires after this many empty periods. */
  readonly evaluationPeriods: number;
}

/**
 * The staleness alarm's evaluation window: `stalenessPeriods` schedule intervals, expressed in alarm
 * periods. Without an explicit `stalenessPeriods`, the default shrinks to what CloudWatch accepts.
 */
function stalenessWindow(scope: Construct, interval: Duration, stalenessPeriods: number | undefined): StalenessWindow {
  const period = alarmPeriod(interval);
  const periodsPerInterval = Math.ceil(interval.toSeconds() / period.toSeconds());
  const maxWindow = period.toSeconds() < 3600 ? MAX_WINDOW_SHORT_PERIOD : MAX_WINDOW_LONG_PERIOD;
  const maxIntervals = Math.floor(maxWindow.toSeconds() / (period.toSeconds() * periodsPerInterval));
  if (maxIntervals < 1) {
    throw new ValidationError(
      `pollInterval: the staleness alarm cannot watch an interval above ${maxWindow.toHumanString()}, got ${interval.toHumanString()}`,
      scope,
    );
  }
  const intervals = stalenessPeriods ?? Math.min(DEFAULT_STALENESS_PERIODS, maxIntervals);
  if (Token.isUnresolved(intervals)) {
    // Only deploy time knows it: usable as is when one alarm period is one interval (CloudWatch checks the window).
    if (periodsPerInterval !== 1) {
      throw new ValidationError(
        `stalenessPeriods must be known at synth time with a pollInterval over a day (${interval.toHumanString()}): ` +
          'the evaluation periods are a multiple of it',
        scope,
      );
    }
    return { period, evaluationPeriods: intervals };
  }
  if (intervals > maxIntervals) {
    throw new ValidationError(
      `stalenessPeriods (${intervals}) x the pollInterval (${interval.toHumanString()}) exceeds the ` +
        `${maxWindow.toHumanString()} CloudWatch allows an alarm to evaluate; use at most ${maxIntervals}`,
      scope,
    );
  }
  return { period, evaluationPeriods: intervals * periodsPerInterval };
}

/** What the alarms watch: the watcher's metrics and its dead-letter queue. */
export interface AlarmSources extends Construct {
  metricErrors(props?: cloudwatch.MetricOptions): cloudwatch.IMetric;
  metricPollSucceeded(props?: cloudwatch.MetricOptions): cloudwatch.IMetric;
  readonly deadLetterQueue: sqs.IQueue;
}

/** The props that tune the alarms. */
export interface AlarmProps {
  readonly stalenessPeriods?: number;
  readonly alarmActions?: cloudwatch.IAlarmAction[];
}

export interface WatcherAlarms {
  readonly failedRuns: cloudwatch.Alarm;
  readonly staleness: cloudwatch.Alarm;
  readonly deadLetterQueue: cloudwatch.Alarm;
}

/** An alarm that fires on the first data point at or above 1 (a failure, a message in a queue); silence is fine. */
export function anyOccurrenceAlarm(scope: Construct, id: string, alarmDescription: string, metric: cloudwatch.IMetric): cloudwatch.Alarm {
  return new cloudwatch.Alarm(scope, id, {
    alarmDescription,
    metric,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    threshold: 1,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
}

/** `DeadLetterQueueAlarm`: a message has been waiting in `queue` (the highest count over 5 minutes). */
export function deadLetterQueueAlarm(scope: Construct, alarmDescription: string, queue: sqs.IQueue): cloudwatch.Alarm {
  const metric = queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM });
  return anyOccurrenceAlarm(scope, 'DeadLetterQueueAlarm', alarmDescription, metric);
}

/** The watcher's three alarms, each with the `alarmActions`. */
export function createAlarms(scope: AlarmSources, pollInterval: Duration, props: AlarmProps): WatcherAlarms {
  const staleness = stalenessWindow(scope, pollInterval, props.stalenessPeriods);
  const alarms: WatcherAlarms = {
    failedRuns: anyOccurrenceAlarm(scope, 'FailedRunsAlarm', 'A Security IR case watcher run failed: see the function logs', scope.metricErrors({ period: alarmPeriod(pollInterval) })),
    staleness: new cloudwatch.Alarm(scope, 'StalenessAlarm', {
      alarmDescription: 'No Security IR case watcher run has succeeded for several schedule intervals',
      metric: scope.metricPollSucceeded({ period: staleness.period }),
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      threshold: 1,
      evaluationPeriods: staleness.evaluationPeriods,
      datapointsToAlarm: staleness.evaluationPeriods,
      // No heartbeat at all is the very condition this alarm exists for.
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    }),
    deadLetterQueue: deadLetterQueueAlarm(
      scope,
      'The Security IR case watcher could not handle something (a tick, a hint or an invocation): see its dead-letter queue',
      scope.deadLetterQueue,
    ),
  };
  for (const alarm of [alarms.failedRuns, alarms.staleness, alarms.deadLetterQueue]) {
    alarm.addAlarmAction(...(props.alarmActions ?? []));
  }
  return alarms;
}
