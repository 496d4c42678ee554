/**
 * The soak's invariants, checked per case and field against the model (model.ts). Exactly:
 *
 * 1. Nothing lost. The delivered events, one per changeId, form per field a chain: from the
 *    values the case was first recorded with silently (the baseline, or a new case while `Created`
 *    events are off) or from the case's one `Created`, each
 *    event's previous value is the last delivered value, and the last one is the case's final
 *    value. And every state a write-ahead intent ever held is on that chain: its values are in
 *    effect at its `lastUpdatedDate`. Why intents: a run publishes only after writing an intent with
 *    the states its events lead to, so an observed state that reached no intent was never published
 *    (the run failed before) and may be skipped if the case changed since, exactly as a state no
 *    read ever saw; an observed state that reached an intent may have been published, or may be
 *    re-sent by whichever run finds the intent, so it must arrive even when the case has changed
 *    since and the run that saw it failed. An observed state that is the final one must arrive too.
 * 2. Nothing invented. Every event leads to a state some read (ListCases, GetCase) observed, as
 *    does every intent; each changeId is the contract's hash of its transition, and every copy of a
 *    changeId carries the same transition.
 * 3. Duplicates only where a fault explains them. A changeId delivered again must follow a delivery
 *    by a run that did not record the case because it crashed, had an entry of that case not
 *    accepted, ran out of time, or failed after publishing; none at all in a history where no
 *    fault was met.
 * 4. The recorded state never ahead of EventBridge (checked by the runner after every case write
 *    and every step): the accepted events up to a recorded state's date form a chain that ends at
 *    that state's values.
 * 5. Reminders (`reminderProblems` in model.ts): none invented, the due one of every case still
 *    waiting at the end delivered, duplicates only where a fault explains them (as in 3).
 */
import type { CaseAwaitingCustomerDetail } from '../../lib/events';
import type { CaseState } from '../../lambda/case-state';
import type { RunRecord } from './instrumented-run';
import {
  describeState,
  distinctTransitions,
  END_OF_TIME,
  fieldsNotReached,
  isReminder,
  reminderProblems,
  timelineOf,
  type Timeline,
  type Transition,
  transitionOf,
  type Values,
} from './model';
import type { Trace } from './trace';

export const DUPLICATE_CAUSES = ['crash after publishing', 'PutEvents entry not accepted', 'time ran out after publishing', 'run failed after publishing'] as const;
export type DuplicateCause = (typeof DUPLICATE_CAUSES)[number];

export interface Verdict {
  readonly violations: string[];
  /** Distinct changeIds delivered. */
  readonly transitionsDelivered: number;
  /** Distinct reminders delivered. */
  readonly remindersDelivered: number;
  readonly duplicates: ReadonlyMap<DuplicateCause, number>;
  /** States that had to reach subscribers and did not. */
  readonly lost: number;
  /** No request met a fault. */
  readonly faultFree: boolean;
}

export function judge(trace: Trace): Verdict {
  const violations = [...trace.problems];
  if (trace.deliveries.length !== trace.acceptedAtEventBridge) {
    violations.push(`EventBridge accepted ${trace.acceptedAtEventBridge} events, the runs account for ${trace.deliveries.length}`);
  }
  const reminders = trace.deliveries.filter((d) => isReminder(d.detailType)).map((d) => d.detail as CaseAwaitingCustomerDetail);
  const distinct = distinctTransitions(trace.deliveries.filter((d) => !isReminder(d.detailType)).map((d) => transitionOf(d.detailType, d.detail)));
  violations.push(...distinct.problems);
  const stillWaiting = new Map([...trace.finalRecorded]
    .filter(([caseId, recorded]) => recorded.awaitingCustomerSince !== undefined && trace.finalStates.get(caseId)?.pendingAction === 'Customer')
    .map(([caseId, recorded]) => [caseId, recorded.awaitingCustomerSince!]));
  const observedWaiting = (caseId: string, state: CaseState) => state.pendingAction === 'Customer' && state.caseStatus !== 'Closed' && trace.observed.has(caseId, state);
  violations.push(...reminderProblems(reminders, trace.reminderMinutes, observedWaiting, stillWaiting, trace.finalPollAt));
  let lost = 0;
  for (const t of distinct.transitions.filter((x) => !trace.finalStates.has(x.caseId))) {
    violations.push(`invented: an event for case ${t.caseId}, which never existed`);
  }
  for (const [caseId, final] of trace.finalStates) {
    const transitions = distinct.transitions.filter((t) => t.caseId === caseId);
    const { timeline, problems } = timelineOf(caseId, trace.starts.get(caseId), transitions);
    violations.push(...problems);
    violations.push(...inventedStates(caseId, transitions, trace));
    if (!timeline) {
      if (problems.length === 0) {
        lost++;
        violations.push(`lost: case ${caseId} (${describeState(final)}) was never announced`);
      }
      continue;
    }
    const missed = [
      ...missedStates(caseId, timeline, trace.announced.of(caseId), 'held by an intent'),
      ...missedStates(caseId, timeline, [final], 'final', END_OF_TIME),
    ];
    lost += missed.length;
    violations.push(...missed);
  }
  const { duplicates, unexplained } = duplicatesByCause(trace);
  violations.push(...unexplained);
  const faultFree = [...trace.faultsFired.values()].every((n) => n === 0);
  const duplicateCount = [...duplicates.values()].reduce((a, b) => a + b, 0);
  if (faultFree && duplicateCount > 0) violations.push(`${duplicateCount} duplicate(s) in a history that met no fault`);
  const remindersDelivered = new Set(reminders.map((r) => r.changeId)).size;
  return { violations, transitionsDelivered: distinct.transitions.length, remindersDelivered, duplicates, lost, faultFree };
}

/** Problems with recording `recorded`, given the events EventBridge has accepted so far. */
export function recordedAheadProblems(caseId: string, start: Values | undefined, accepted: readonly Transition[], recorded: CaseState): string[] {
  const date = recorded.lastUpdatedDate ?? '';
  const { transitions } = distinctTransitions(accepted.filter((t) => t.caseId === caseId));
  const { timeline, problems } = timelineOf(caseId, start, transitions.filter((t) => (t.to.lastUpdatedDate ?? '') <= date));
  if (!timeline) return [`case ${caseId} recorded before EventBridge accepted its Created`];
  const ahead = fieldsNotReached(timeline, recorded);
  return [
    ...problems.map((p) => `recorded over a broken chain: ${p}`),
    ...ahead.map((field) => `case ${caseId} recorded with ${field} ${recorded[field]} while EventBridge has accepted ${timeline.valueAt(field, date)} up to that state`),
  ];
}

function missedStates(caseId: string, timeline: Timeline, states: readonly CaseState[], what: string, at?: string): string[] {
  return states.flatMap((state) => fieldsNotReached(timeline, state, at).map((field) =>
    `lost: case ${caseId}, state ${describeState(state)} (${what}): subscribers have ${field} ${timeline.valueAt(field, at ?? state.lastUpdatedDate ?? '')}, not ${state[field]}`));
}

function inventedStates(caseId: string, transitions: readonly Transition[], trace: Trace): string[] {
  return [
    ...transitions.filter((t) => !trace.observed.has(caseId, t.to)).map((t) => `invented: an event of case ${caseId} leads to ${describeState(t.to)}, which no read observed`),
    ...trace.announced.of(caseId).filter((s) => !trace.observed.has(caseId, s)).map((s) => `invented: an intent of case ${caseId} holds ${describeState(s)}, which no read observed`),
  ];
}

/** Each delivery of a changeId after its first, by why the run that delivered it before did not record its case. */
function duplicatesByCause(trace: Trace): { duplicates: Map<DuplicateCause, number>; unexplained: string[] } {
  const duplicates = new Map<DuplicateCause, number>();
  const unexplained: string[] = [];
  const runs = new Map(trace.runs.map((r) => [r.id, r]));
  const lastDeliveredBy = new Map<string, number>();
  for (const { runId, detail } of trace.deliveries) {
    const earlier = lastDeliveredBy.get(detail.changeId);
    lastDeliveredBy.set(detail.changeId, runId);
    if (earlier === undefined) continue;
    const earlierRun = runs.get(earlier)!;
    const cause = earlier === runId ? undefined : causeOf(earlierRun, detail.caseId);
    if (cause) {
      duplicates.set(cause, (duplicates.get(cause) ?? 0) + 1);
    } else {
      unexplained.push(`duplicate no fault explains: changeId ${detail.changeId} (case ${detail.caseId}) from run ${earlier} (${earlierRun.label}${earlierRun.error ? `, ${earlierRun.error}` : ''}) and again from run ${runId}`);
    }
  }
  return { duplicates, unexplained };
}

function causeOf(run: RunRecord, caseId: string): DuplicateCause | undefined {
  if (run.recordedCases.has(caseId)) return undefined;
  if (run.crashed) return 'crash after publishing';
  if (run.rejectedCases.has(caseId)) return 'PutEvents entry not accepted';
  if (run.timedOut) return 'time ran out after publishing';
  if (run.error) return 'run failed after publishing';
  return undefined;
}
