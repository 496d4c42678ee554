/**
 * What one soak history leaves for the judge (invariants.ts): a module of its own, holding only the
 * type, so that the runner, which checks some invariants on the way, and the invariants do not
 * import each other.
 */
import type { CaseState } from '../../lambda/case-state';
import type { Delivery, RunRecord } from './instrumented-run';
import type { Values } from './model';
import type { StatesByCase } from './world';

/** Everything the invariants need from one history. */
export interface Trace {
  /** The values each case was first recorded with, when that was silent (the baseline, or `Created` events off). */
  readonly starts: ReadonlyMap<string, Values>;
  /** Every case at the end, as Security IR has it. */
  readonly finalStates: ReadonlyMap<string, CaseState>;
  readonly observed: StatesByCase;
  /** Every state a live write-ahead intent held at some point. */
  readonly announced: StatesByCase;
  /** What EventBridge accepted, in the order its answers came, with the run that sent it. */
  readonly deliveries: readonly Delivery[];
  /** Events the EventBridge simulator accepted (every one must be among `deliveries`). */
  readonly acceptedAtEventBridge: number;
  readonly runs: readonly RunRecord[];
  /** Violations seen while the history ran. */
  readonly problems: readonly string[];
  /** Faults requests actually met, by kind. */
  readonly faultsFired: ReadonlyMap<string, number>;
  /** The reminder marks the history ran with (minutes; empty: off). */
  readonly reminderMinutes: readonly number[];
  /** When the final clean poll started (epoch ms, the soak's clock), and what the state held after it. */
  readonly finalPollAt: number;
  readonly finalRecorded: ReadonlyMap<string, CaseState>;
}
