/**
 * The staleness guard: whether a read is older than a recorded state (a lagging replica, a listing
 * taken before another run's), judged by the case's own stamps and when they were observed. Pure.
 */
import type { CaseState } from './case-state';

/** How many superseded stamps a case keeps: a lagging replica serves a state a few changes old, not more. */
const SUPERSEDED_STAMPS_KEPT = 4;

/**
 * How far ahead of its observation a stamp may be and still count as a clock running ahead (the
 * second rule of `isStale`): clocks drift by minutes, and AWS refuses requests signed 15 minutes
 * off. A stamp further ahead is a bad answer, which orders nothing.
 */
const CLOCK_SKEW_MAX_MS = 15 * 60_000;

/** The superseded stamps of a state that follows `known`: its own, plus `known`'s when the stamp moved on. */
export function supersededStamps(known: CaseState | undefined, lastUpdatedDate: string | null): Pick<CaseState, 'supersededStamps'> {
  const kept = known?.supersededStamps ?? [];
  const left = known?.lastUpdatedDate;
  const stamps = left != null && left !== lastUpdatedDate ? [...kept.filter((s) => s !== left), left].slice(-SUPERSEDED_STAMPS_KEPT) : kept;
  return stamps.length === 0 ? {} : { supersededStamps: stamps };
}

/**
 * Whether a read (its `lastUpdatedDate`, observed at `observedAt`) is older than a recorded state
 * observed at `recordedObservedAt`. Three rules, any one enough:
 * - no date is trusted beyond the moment it was observed, so a forward-dated stamp silences no later change;
 * - a read stamped up to 15 minutes in the future proves nothing newer than a recorded stamp further
 *   in the future, itself at most 15 minutes ahead when observed: both come from the clock that runs
 *   ahead, and a later change of that clock is stamped later. A genuine change is held only until the
 *   moment its stamp names has passed;
 * - a read carrying the stamp of a state the case has left is a lagging copy of that state (the
 *   one rule that holds when a real change was stamped before a forward-dated one).
 */
export function isStale(read: { lastUpdatedDate: string | null; observedAt: string }, recorded: CaseState, recordedObservedAt: string | undefined): boolean {
  const date = read.lastUpdatedDate;
  if (recordedObservedAt === undefined) {
    return isOlder(date, recorded.lastUpdatedDate); // recorded before observation times were kept
  }
  const olderAsObserved = isOlder(trusted(date, read.observedAt), trusted(recorded.lastUpdatedDate, recordedObservedAt));
  const aheadButBehindRecorded = isSkewedAhead(date, read.observedAt) && isSkewedAhead(recorded.lastUpdatedDate, recordedObservedAt)
    && isOlder(date, recorded.lastUpdatedDate);
  const copyOfALeftState = date !== null && date !== recorded.lastUpdatedDate && (recorded.supersededStamps ?? []).includes(date);
  return olderAsObserved || aheadButBehindRecorded || copyOfALeftState;
}

/** Whether `date` is ahead of `observedAt` by no more than a clock drifts. */
function isSkewedAhead(date: string | null, observedAt: string): boolean {
  const aheadBy = date === null ? 0 : Date.parse(date) - Date.parse(observedAt);
  return aheadBy > 0 && aheadBy <= CLOCK_SKEW_MAX_MS;
}

/** `date`, but never later than `observedAt` (when known): what a recorded date can be trusted to say. */
function trusted(date: string | null, observedAt: string | undefined): string | null {
  return date !== null && observedAt !== undefined && Date.parse(observedAt) < Date.parse(date) ? observedAt : date;
}

/** True only when both times are known and `a` is strictly earlier than `b`. */
export function isOlder(a: string | null, b: string | null): boolean {
  return a !== null && b !== null && Date.parse(a) < Date.parse(b);
}
