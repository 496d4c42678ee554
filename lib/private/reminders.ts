import { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ValidationError } from './validation-error';

/** The marks when the prop is not set: an hour, four hours, a day. */
const DEFAULT_MARKS = [Duration.hours(1), Duration.hours(4), Duration.hours(24)];
const MAX_MARK = Duration.days(30);

/**
 * The `awaitingCustomerReminders` marks in whole minutes, checked: each a whole number of minutes, at
 * most 30 days, strictly increasing, none shorter than `pollInterval` (the poll could not keep it). A
 * default mark shorter than the interval is left out rather than refused; an empty list turns the
 * reminders off.
 */
export function reminderMinutes(scope: Construct, marks: Duration[] | undefined, pollInterval: Duration): number[] {
  const intervalMinutes = pollInterval.toMinutes();
  if (marks === undefined) {
    return DEFAULT_MARKS.map((mark) => mark.toMinutes()).filter((minutes) => minutes >= intervalMinutes);
  }
  const refuse = (problem: string) => {
    throw new ValidationError(`awaitingCustomerReminders ${problem}`, scope);
  };
  const minutes = marks.map((mark, index) => {
    if (mark.isUnresolved()) refuse(`[${index}] must be known at synth time, got a token`);
    const ms = mark.toMilliseconds();
    if (ms <= 0 || ms % 60_000 !== 0) refuse(`[${index}] must be a whole number of minutes, at least 1, got ${mark.toHumanString()}`);
    if (ms > MAX_MARK.toMilliseconds()) refuse(`[${index}] must be at most ${MAX_MARK.toHumanString()}, got ${mark.toHumanString()}`);
    if (ms < pollInterval.toMilliseconds()) {
      refuse(`[${index}] (${mark.toHumanString()}) is shorter than the pollInterval (${pollInterval.toHumanString()}): the poll could not keep it`);
    }
    return ms / 60_000;
  });
  minutes.forEach((m, index) => {
    if (index > 0 && m <= minutes[index - 1]) {
      refuse(`must be strictly increasing, got ${marks[index - 1].toHumanString()} then ${marks[index].toHumanString()}`);
    }
  });
  return minutes;
}
