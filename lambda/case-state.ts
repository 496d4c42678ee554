/** What the watcher records of a case: the state change detection reads and writes. Types only. */

/** What the watcher remembers of a case between runs. */
export interface CaseState {
  readonly caseStatus: string | null;
  readonly pendingAction: string | null;
  /** ISO time of the case's last update when this state was recorded: guards against stale listings. */
  readonly lastUpdatedDate: string | null;
  /** When the watcher first observed this `caseStatus` (ISO); absent: already there at the baseline. */
  readonly caseStatusSince?: string;
  /** When the watcher first observed this `pendingAction` (ISO); absent: already there at the baseline. */
  readonly pendingActionSince?: string;
  /**
   * While the case waits on the customer (`pendingAction: Customer`, not closed): when this waiting
   * period started (ISO; the first observation, or the baseline's time). Absent otherwise.
   */
  readonly awaitingCustomerSince?: string;
  /** The latest reminder mark (minutes) announced in this waiting period; absent before the first. */
  readonly remindedMinutes?: number;
  /**
   * The `lastUpdatedDate`s of the last four states this case recorded before, newest last
   * (staleness.ts): a read carrying one of them is a lagging copy of a state the case has left.
   */
  readonly supersededStamps?: readonly string[];
}

/**
 * A case as the state table holds it: its recorded state, the version conditional writes compare
 * against, and the write-ahead intent a run left if it may have published without recording.
 */
export interface RecordedCase extends CaseState {
  /** 0 when the case was never recorded (only an intent exists): the state fields are then all null. */
  readonly version: number;
  /** When the recorded state was observed (ISO); absent for a state recorded before this was kept. */
  readonly observedAt?: string;
  /** The states the intent's events lead to, oldest first. Absent when there is no intent. */
  readonly pending?: readonly CaseState[];
  /** When the intent's newest state was observed (ISO). */
  readonly pendingObservedAt?: string;
}
