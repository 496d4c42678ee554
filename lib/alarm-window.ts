import { Duration, Token } from 'aws-cdk-lib';

/** The longest period CloudWatch lets an alarm evaluate. */
const MAX_ALARM_PERIOD = Duration.days(1);
/** CloudWatch caps period x evaluation periods at one day for periods under an hour, at 7 days otherwise. */
const MAX_WINDOW_SHORT_PERIOD = Duration.days(1);
const MAX_WINDOW_LONG_PERIOD = Duration.days(7);

/** How many missed runs in a row the staleness alarm waits for when the prop is not set. */
export const DEFAULT_STALENESS_PERIODS = 3;

/** The alarm period that matches one schedule interval (CloudWatch allows up to a day). */
export function alarmPeriod(interval: Duration): Duration {
  return Duration.seconds(Math.min(interval.toSeconds(), MAX_ALARM_PERIOD.toSeconds()));
}

export interface StalenessWindow {
  readonly period: Duration;
  /** Evaluation periods, all of which must breach: the alarm fires after this many empty periods. */
  readonly evaluationPeriods: number;
}

/**
 * The staleness alarm's evaluation window: `stalenessPeriods` schedule intervals, expressed in alarm
 * periods. Without an explicit `stalenessPeriods`, the default shrinks to what CloudWatch accepts.
 */
export function stalenessWindow(interval: Duration, stalenessPeriods: number | undefined): StalenessWindow {
  const period = alarmPeriod(interval);
  const periodsPerInterval = Math.ceil(interval.toSeconds() / period.toSeconds());
  const maxWindow = period.toSeconds() < 3600 ? MAX_WINDOW_SHORT_PERIOD : MAX_WINDOW_LONG_PERIOD;
  const maxIntervals = Math.floor(maxWindow.toSeconds() / (period.toSeconds() * periodsPerInterval));
  if (maxIntervals < 1) {
    throw new Error(
      `pollInterval: the staleness alarm cannot watch an interval above ${maxWindow.toHumanString()}, got ${interval.toHumanString()}`,
    );
  }
  const intervals = stalenessPeriods ?? Math.min(DEFAULT_STALENESS_PERIODS, maxIntervals);
  if (Token.isUnresolved(intervals)) {
    // Only deploy time knows it: usable as is when one alarm period is one interval (CloudWatch checks the window).
    if (periodsPerInterval !== 1) {
      throw new Error(
        `stalenessPeriods must be known at synth time with a pollInterval over a day (${interval.toHumanString()}): ` +
          'the evaluation periods are a multiple of it',
      );
    }
    return { period, evaluationPeriods: intervals };
  }
  if (intervals > maxIntervals) {
    throw new Error(
      `stalenessPeriods (${intervals}) x the pollInterval (${interval.toHumanString()}) exceeds the ` +
        `${maxWindow.toHumanString()} CloudWatch allows an alarm to evaluate; use at most ${maxIntervals}`,
    );
  }
  return { period, evaluationPeriods: intervals * periodsPerInterval };
}
