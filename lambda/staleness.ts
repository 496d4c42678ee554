/**
 * The staleness guard: whether a read is older than a recorded state (a lagging replica, a listing
 * taken before another run's), judged by the case's own stamps and when they were observed. Pure.
 */
import type { CaseState } from './case-state';

/** How many superseded stamps a case keeps: a lagging replica serves a state a few changes old, not more. */
const SUPERSEDED_STAMPS_KEPT = 4;

/**
 * The second rule of `isStale`, for two stamps in the future: by how much their leads over their
 * observations may differ and still be one clock running ahead (clocks drift by minutes, and AWS
 * refuses requests signed 15 minutes off), and for how long after a state was recorded a read
 * stamped before it can still be a lagging replica's (which also bounds how long the rule can hold
 * a real change back).
 */
const SAME_CLOCK_TOLERANCE_MS = 15 * 60_000;
const LAGGING_READ_WINDOW_MS = 15 * 60_000;

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
 * - a read stamped in the future, within 15 minutes of a recorded state stamped further in the future
 *   by a lead as large (give or take 15 minutes), proves nothing newer: both stamps come from the one
 *   clock that runs ahead, and that clock stamps a later change later. A genuine change is held only
 *   until the moment its stamp names has passed, or 15 minutes after the recorded state, if sooner;
 * - a read carrying the stamp of a state the case has left is a lagging copy of that state (the
 *   one rule that holds when a real change was stamped before a forward-dated one).
 */
export function isStale(read: { lastUpdatedDate: string | null; observedAt: string }, recorded: CaseState, recordedObservedAt: string | undefined): boolean {
  const date = read.lastUpdatedDate;
  if (recordedObservedAt === undefined) {
    return isOlder(date, recorded.lastUpdatedDate); // recorded before observation times were kept
  }
  const olderAsObserved = isOlder(trusted(date, read.observedAt), trusted(recorded.lastUpdatedDate, recordedObservedAt));
  const readLead = leadOf(date, read.observedAt);
  const recordedLead = leadOf(recorded.lastUpdatedDate, recordedObservedAt);
  const aheadButBehindRecorded = readLead > 0 && recordedLead > 0 && Math.abs(readLead - recordedLead) <= SAME_CLOCK_TOLERANCE_MS
    && Date.parse(read.observedAt) - Date.parse(recordedObservedAt) <= LAGGING_READ_WINDOW_MS
    && isOlder(date, recorded.lastUpdatedDate);
  const copyOfALeftState = date !== null && date !== recorded.lastUpdatedDate && (recorded.supersededStamps ?? []).includes(date);
  return olderAsObserved || aheadButBehindRecorded || copyOfALeftState;
}

/** How far `date` is ahead of `observedAt` (ms; 0 or less: not in the future, or unknown). */
function leadOf(date: string | null, observedAt: string): number {
  return date === null ? 0 : Date.parse(date) - Date.parse(observedAt);
}

/** `date`, but never later than `observedAt` (when known): what a recorded date can be trusted to say. */
function trusted(date: string | null, observedAt: string | undefined): string | null {
  return date !== null && observedAt !== undefined && Date.parse(observedAt) < Date.parse(date) ? observedAt : date;
}

/** True only when both times are known and `a` is strictly earlier than `b`. */
export function isOlder(a: string | null, b: string | null): boolean {
  return a !== null && b !== null && Date.parse(a) < Date.parse(b);
}
