/**
 * The soak's model of what subscribers see, per case and field: the delivered events, deduplicated
 * by changeId, read as a timeline of values ordered by the `lastUpdatedDate` of the state each event
 * leads to (a case's states have strictly increasing dates, and EventBridge keeps no order anyway).
 * Pure: the runner feeds it what EventBridge accepted.
 */
import {
  CASE_AWAITING_CUSTOMER_DETAIL_TYPE,
  CASE_CREATED_DETAIL_TYPE,
  CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE,
  CASE_STATUS_CHANGED_DETAIL_TYPE,
  type CaseAwaitingCustomerDetail,
  type CaseEventDetail,
} from '../../lib/events';
import type { CaseState } from '../../lambda/case-state';
import { changeIdOf, reminderIdOf } from '../../lambda/change-detection';

export type Field = 'caseStatus' | 'pendingAction';
export const FIELDS: readonly Field[] = ['caseStatus', 'pendingAction'];
export type Values = Pick<CaseState, Field>;

/** One delivered event as the model reads it. */
export interface Transition {
  readonly changeId: string;
  readonly caseId: string;
  readonly kind: 'created' | Field;
  /** The state the event leads from; null for `Created`. */
  readonly from: Values | null;
  /** The state it leads to. */
  readonly to: CaseState;
}

const KINDS: ReadonlyMap<string, Transition['kind']> = new Map([
  [CASE_CREATED_DETAIL_TYPE, 'created'],
  [CASE_STATUS_CHANGED_DETAIL_TYPE, 'caseStatus'],
  [CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE, 'pendingAction'],
]);

/** Reminders are no transitions: the judge reads them apart (`reminderProblems`). */
export const isReminder = (detailType: string) => detailType === CASE_AWAITING_CUSTOMER_DETAIL_TYPE;

/**
 * What the reminders delivered must satisfy, every copy, against the reads and the state the
 * history ended with:
 * - none invented: each is the contract's id of a mark passed (`awaitingCustomerMinutes` at least
 *   that mark, and the whole minutes from `awaitingCustomerSince` to `observedAt`), for a state some
 *   read observed waiting on the customer (`Customer`, not closed), the previous values the current;
 * - every due one delivered: for each case still waiting at the end, the latest mark passed by the
 *   final clean poll, of the waiting period the watcher recorded (earlier ones may be skipped only
 *   as the docs say: a poll that found several marks passed sends the latest).
 */
export function reminderProblems(
  reminders: readonly CaseAwaitingCustomerDetail[],
  marks: readonly number[],
  observedWaiting: (caseId: string, state: CaseState) => boolean,
  stillWaiting: ReadonlyMap<string, string>,
  finalPollAt: number,
): string[] {
  const problems: string[] = [];
  const byId = new Map(reminders.map((r) => [r.changeId, r]));
  for (const r of reminders) { // every copy: a retry's minutes are its own
    const minutes = Math.floor((Date.parse(r.observedAt) - Date.parse(r.awaitingCustomerSince)) / 60_000);
    const mark = marks.find((m) => reminderIdOf(r.caseId, r.awaitingCustomerSince, m) === r.changeId);
    const state = { caseStatus: r.caseStatus, pendingAction: r.pendingAction, lastUpdatedDate: r.lastUpdatedDate };
    if (mark === undefined || r.awaitingCustomerMinutes !== minutes || minutes < mark) {
      problems.push(`invented: reminder ${r.changeId} of case ${r.caseId} (${r.awaitingCustomerMinutes} min since ${r.awaitingCustomerSince}) is no mark passed`);
    } else if (!observedWaiting(r.caseId, state) || r.previousCaseStatus !== r.caseStatus || r.previousPendingAction !== r.pendingAction) {
      problems.push(`invented: reminder ${r.changeId} of case ${r.caseId} for ${describeState(state)}, which no read observed waiting on the customer`);
    }
  }
  for (const [caseId, since] of stillWaiting) {
    const due = marks.filter((m) => Date.parse(since) + m * 60_000 <= finalPollAt).at(-1);
    const sent = marks.filter((m) => m >= (due ?? Infinity) && byId.has(reminderIdOf(caseId, since, m)));
    if (due !== undefined && sent.length === 0) {
      problems.push(`lost: case ${caseId} waiting since ${since} passed the ${due}-minute mark by the final poll, and no reminder for it arrived`);
    }
  }
  return problems;
}

export function transitionOf(detailType: string, detail: CaseEventDetail): Transition {
  const kind = KINDS.get(detailType);
  if (!kind) throw new Error(`not a watcher detail-type: ${detailType}`);
  return {
    changeId: detail.changeId,
    caseId: detail.caseId,
    kind,
    from: kind === 'created' ? null : { caseStatus: detail.previousCaseStatus, pendingAction: detail.previousPendingAction },
    to: { caseStatus: detail.caseStatus, pendingAction: detail.pendingAction, lastUpdatedDate: detail.lastUpdatedDate },
  };
}

export const sameState = (a: CaseState, b: CaseState) =>
  a.caseStatus === b.caseStatus && a.pendingAction === b.pendingAction && a.lastUpdatedDate === b.lastUpdatedDate;
const sameValues = (a: Values | null, b: Values | null) =>
  a === b || (a !== null && b !== null && a.caseStatus === b.caseStatus && a.pendingAction === b.pendingAction);

export const describeState = (s: CaseState) => `${s.caseStatus}/${s.pendingAction}@${s.lastUpdatedDate}`;

/**
 * One transition per changeId. Every copy of a changeId must carry the same transition (one id,
 * one content), and the id must be the contract's hash of that transition.
 */
export function distinctTransitions(delivered: readonly Transition[]): { transitions: Transition[]; problems: string[] } {
  const byId = new Map<string, Transition>();
  const problems: string[] = [];
  for (const t of delivered) {
    const first = byId.get(t.changeId);
    if (!first) {
      byId.set(t.changeId, t);
      const [previous, current] = t.kind === 'created' ? [null, t.to.caseStatus] : [t.from![t.kind], t.to[t.kind]];
      if (changeIdOf(t.caseId, t.kind, previous, current, t.to.lastUpdatedDate) !== t.changeId) {
        problems.push(`case ${t.caseId}: changeId ${t.changeId} is not the hash of the transition it carries`);
      }
    } else if (first.kind !== t.kind || !sameValues(first.from, t.from) || !sameState(first.to, t.to)) {
      problems.push(`case ${t.caseId}: changeId ${t.changeId} delivered with two contents`);
    }
  }
  return { transitions: [...byId.values()], problems };
}

/** A date that sorts after every ISO date. */
export const END_OF_TIME = '~';
const dateOf = (s: CaseState) => s.lastUpdatedDate ?? '';

/** A case's delivered values over the dates of its states. */
export class Timeline {
  /** Per field: [date, value] from the start on, in date order. */
  private readonly steps: Record<Field, [string, string | null][]>;

  constructor(start: Values & { date: string }) {
    this.steps = { caseStatus: [[start.date, start.caseStatus]], pendingAction: [[start.date, start.pendingAction]] };
  }

  push(field: Field, date: string, value: string | null): void {
    this.steps[field].push([date, value]);
  }

  /** The value in effect at `date` (inclusive); undefined before the start. */
  valueAt(field: Field, date: string): string | null | undefined {
    return this.last(field, (d) => d <= date);
  }

  /** The value in effect just before `date`. */
  valueBefore(field: Field, date: string): string | null | undefined {
    return this.last(field, (d) => d < date);
  }

  private last(field: Field, admits: (date: string) => boolean): string | null | undefined {
    let value: string | null | undefined;
    for (const [d, v] of this.steps[field]) {
      if (!admits(d)) break;
      value = v;
    }
    return value;
  }
}

/**
 * Reads one case's distinct transitions as a timeline and reports every way they fail to form one
 * chain per field: from the values the case was first recorded with silently (`start`: the baseline,
 * or a new case while `Created` events are off) or from its one `Created`, each event leading from
 * the last delivered value, no two events into one state, and each event's other field agreeing
 * with that field's timeline.
 */
export function timelineOf(caseId: string, start: Values | undefined, transitions: readonly Transition[]): { timeline?: Timeline; problems: string[] } {
  const problems: string[] = [];
  const created = transitions.filter((t) => t.kind === 'created');
  let timeline: Timeline;
  if (start) {
    if (created.length > 0) problems.push(`case ${caseId}: Created for a case first recorded without one`);
    timeline = new Timeline({ ...start, date: '' });
  } else if (created.length === 1) {
    timeline = new Timeline({ ...created[0].to, date: dateOf(created[0].to) });
  } else {
    if (created.length > 1) problems.push(`case ${caseId}: ${created.length} different Created events`);
    if (created.length === 0 && transitions.length > 0) problems.push(`case ${caseId}: changes delivered without its Created`);
    return { problems };
  }

  const changes = transitions.filter((t) => t.kind !== 'created').sort((a, b) => dateOf(a.to).localeCompare(dateOf(b.to)));
  for (const field of FIELDS) {
    const dates = new Set<string>();
    for (const t of changes.filter((c) => c.kind === field)) {
      const date = dateOf(t.to);
      const last = timeline.valueAt(field, date);
      if (last === undefined) {
        problems.push(`case ${caseId}: ${field} ${t.from![field]} -> ${t.to[field]} at ${date}, before its Created`);
      } else if (dates.has(date)) {
        problems.push(`case ${caseId}: two ${field} transitions into the state of ${date}`);
      } else if (t.from![field] !== last) {
        problems.push(`case ${caseId}: ${field} ${t.from![field]} -> ${t.to[field]} at ${date}, but the last delivered ${field} was ${last} (a transition lost or invented)`);
      }
      dates.add(date);
      timeline.push(field, date, t.to[field]);
    }
  }
  for (const t of changes) {
    const date = dateOf(t.to);
    const other: Field = t.kind === 'caseStatus' ? 'pendingAction' : 'caseStatus';
    if (t.to[other] !== timeline.valueAt(other, date) || t.from![other] !== timeline.valueBefore(other, date)) {
      problems.push(`case ${caseId}: the ${t.kind} event at ${date} carries ${other} ${t.from![other]} -> ${t.to[other]}, not what the ${other} events say`);
    }
  }
  return { timeline, problems };
}

/** The fields of `state` whose delivered value at the state's date is not the state's own. */
export function fieldsNotReached(timeline: Timeline, state: CaseState, date = dateOf(state)): Field[] {
  return FIELDS.filter((field) => timeline.valueAt(field, date) !== state[field]);
}
