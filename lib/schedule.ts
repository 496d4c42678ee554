import { Duration, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';

const SECONDS_PER_UNIT: Record<string, number> = {
  second: 1,
  seconds: 1,
  minute: 60,
  minutes: 60,
  hour: 3600,
  hours: 3600,
  day: 86400,
  days: 86400,
};

/**
 * The time between two runs of a schedule, or `undefined` when the expression is not known at synth
 * time (a token) or is in a form we cannot read (`isReadableSchedule` tells the two apart).
 *
 * `rate(N unit)` gives N units. A `cron(...)` expression is taken as one minute: the shortest interval
 * cron can express, so that every bound derived from it (timeout, lease, event age) stays safe.
 */
export function scheduleInterval(schedule: events.Schedule): Duration | undefined {
  const expression = schedule.expressionString;
  if (Token.isUnresolved(expression)) {
    return undefined;
  }
  if (/^cron\(.*\)$/.test(expression)) {
    return Duration.minutes(1);
  }
  const rate = /^rate\(\s*(\d+)\s+([a-z]+)\s*\)$/.exec(expression);
  const unitSeconds = rate ? SECONDS_PER_UNIT[rate[2]] : undefined;
  if (!rate || unitSeconds === undefined) {
    return undefined;
  }
  return Duration.seconds(Number(rate[1]) * unitSeconds);
}

/** Whether `scheduleInterval` can read this schedule, or it is a token that only deploy time resolves. */
export function isReadableSchedule(schedule: events.Schedule): boolean {
  return Token.isUnresolved(schedule.expressionString) || scheduleInterval(schedule) !== undefined;
}
