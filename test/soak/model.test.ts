/**
 * The soak's judge on hand-made traces: it must pass a history that delivered everything, and
 * catch each kind of failure it exists for (a lost transition, a state an intent held and never
 * delivered, an invented event, a duplicate no fault explains, a case recorded ahead of EventBridge;
 * a due reminder missing, an invented one).
 */
import {
  CASE_AWAITING_CUSTOMER_DETAIL_TYPE, CASE_CREATED_DETAIL_TYPE, CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE, CASE_STATUS_CHANGED_DETAIL_TYPE,
  type CaseAwaitingCustomerDetail, type CaseEventDetail,
} from '../../lib/events';
import type { CaseState } from '../../lambda/case-state';
import { changeIdOf, reminderIdOf } from '../../lambda/change-detection';
import type { Delivery, RunRecord } from './instrumented-run';
import { judge, recordedAheadProblems } from './invariants';
import { transitionOf } from './model';
import type { Trace } from './trace';
import { StatesByCase } from './world';

const CASE = '1000000010';
const state = (caseStatus: string | null, pendingAction: string | null, second: number): CaseState =>
  ({ caseStatus, pendingAction, lastUpdatedDate: new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString() });
const A = state('Acknowledged', 'None', 0);
const B = state('Detection and Analysis', 'None', 1);
const C = state('Detection and Analysis', 'Customer', 2);
const D = state('Closed', 'Customer', 3);

/** The event a run publishes for the step `from` -> `to` (`Created` without `from`). */
function delivery(runId: number, from: CaseState | undefined, to: CaseState, field: 'caseStatus' | 'pendingAction' = 'caseStatus'): Delivery {
  const kind = from ? field : 'created';
  const [previous, current] = from ? [from[field], to[field]] : [null, to.caseStatus];
  const detail = {
    changeId: changeIdOf(CASE, kind, previous, current, to.lastUpdatedDate),
    caseId: CASE,
    caseStatus: to.caseStatus,
    previousCaseStatus: from?.caseStatus ?? null,
    pendingAction: to.pendingAction,
    previousPendingAction: from?.pendingAction ?? null,
    lastUpdatedDate: to.lastUpdatedDate,
  } as CaseEventDetail;
  const detailType = { created: CASE_CREATED_DETAIL_TYPE, caseStatus: CASE_STATUS_CHANGED_DETAIL_TYPE, pendingAction: CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE }[kind];
  return { runId, detailType, detail };
}

const run = (id: number, facts: Partial<RunRecord> = {}): RunRecord =>
  ({ id, label: `run ${id}`, rejectedCases: new Set(), recordedCases: new Set([CASE]), crashed: false, timedOut: false, ...facts });

const statesOf = (...states: CaseState[]) => {
  const set = new StatesByCase();
  states.forEach((s) => set.add(CASE, s));
  return set;
};

/** Case A recorded silently (the baseline); the reads saw B, C, D; it ended at D; each delivery by its own run, which recorded the case. */
function trace(deliveries: Delivery[], overrides: Partial<Trace> = {}): Trace {
  return {
    starts: new Map([[CASE, A]]),
    finalStates: new Map([[CASE, D]]),
    observed: statesOf(A, B, C, D),
    announced: statesOf(),
    deliveries,
    acceptedAtEventBridge: deliveries.length,
    runs: deliveries.map((d) => run(d.runId)),
    problems: [],
    faultsFired: new Map(),
    reminderMinutes: [],
    finalPollAt: 0,
    finalRecorded: new Map(),
    ...overrides,
  };
}

const everyStep = [delivery(1, A, B), delivery(2, B, C, 'pendingAction'), delivery(3, C, D)];

test('every transition delivered once: no violation', () => {
  expect(judge(trace(everyStep))).toMatchObject({ violations: [], transitionsDelivered: 3, lost: 0, faultFree: true });
});

test('an intermediate state no intent held may be skipped; a transition missing from the chain may not', () => {
  // C skipped: B -> D in one step (both fields) is a consistent chain.
  expect(judge(trace([delivery(1, A, B), delivery(2, B, D, 'caseStatus'), delivery(2, B, D, 'pendingAction')])).violations).toEqual([]);
  // B -> C lost while C -> D arrived: pendingAction moves from None to Customer with no event saying so.
  expect(judge(trace([delivery(1, A, B), delivery(3, C, D)])).violations).toEqual([
    expect.stringMatching(/the caseStatus event at .* carries pendingAction Customer -> Customer, not what the pendingAction events say/),
    expect.stringMatching(/^lost: .*\(final\): subscribers have pendingAction None, not Customer/),
  ]);
  // A status event whose previous value is not the last delivered one.
  expect(judge(trace([delivery(1, A, B), delivery(3, A, D, 'caseStatus'), delivery(3, A, D, 'pendingAction')])).violations).toEqual([
    expect.stringMatching(/caseStatus Acknowledged -> Closed at .*, but the last delivered caseStatus was Detection and Analysis \(a transition lost or invented\)/),
    expect.stringMatching(/the pendingAction event at .* carries caseStatus Acknowledged -> Closed, not what the caseStatus events say/),
  ]);
});

test('a state an intent held must arrive, even when the case moved on', () => {
  const verdict = judge(trace([delivery(1, A, D, 'caseStatus'), delivery(1, A, D, 'pendingAction')], { announced: statesOf(B, D) }));
  expect(verdict.lost).toBe(1);
  expect(verdict.violations).toEqual([expect.stringMatching(/^lost: case 1000000010, state Detection and Analysis\/None@.* \(held by an intent\): subscribers have caseStatus Acknowledged/)]);
});

test('the final state must arrive', () => {
  const verdict = judge(trace(everyStep.slice(0, 2)));
  expect(verdict.lost).toBe(1);
  expect(verdict.violations[0]).toMatch(/^lost: .*\(final\): subscribers have caseStatus Detection and Analysis, not Closed/);
});

test('an event to a state no read observed is invented', () => {
  expect(judge(trace(everyStep, { observed: statesOf(A, B, D) })).violations).toEqual([expect.stringMatching(/^invented: an event of case 1000000010 leads to Detection and Analysis\/Customer/)]);
});

test('one changeId with two contents, and a changeId that is not the hash of its transition', () => {
  const forged = { ...delivery(4, A, B), detail: { ...delivery(4, A, B).detail, caseStatus: 'Closed' } };
  expect(judge(trace([...everyStep, forged])).violations).toEqual(expect.arrayContaining([expect.stringMatching(/delivered with two contents/)]));
  expect(judge(trace([forged, ...everyStep.slice(1)])).violations).toEqual(expect.arrayContaining([expect.stringMatching(/is not the hash/)]));
});

test('a duplicate counts by the cause that left its case unrecorded; one no fault explains is a violation', () => {
  const again = delivery(4, A, B);
  const crashed = judge(trace([...everyStep, again], {
    runs: [run(1, { crashed: true, recordedCases: new Set() }), run(2), run(3), run(4)],
    faultsFired: new Map([['crash after-publish', 1]]),
  }));
  expect(crashed.violations).toEqual([]);
  expect([...crashed.duplicates]).toEqual([['crash after publishing', 1]]);

  const unexplained = judge(trace([...everyStep, again], { faultsFired: new Map([['PutEvents throttling', 1]]) }));
  expect(unexplained.violations).toEqual([expect.stringMatching(/^duplicate no fault explains: changeId \w+ \(case 1000000010\) from run 1/)]);

  const faultFree = judge(trace([...everyStep, again], { runs: [run(1, { error: 'Error: boom', recordedCases: new Set() }), run(2), run(3), run(4)] }));
  expect(faultFree.violations).toEqual(['1 duplicate(s) in a history that met no fault']);
});

test('a case recorded ahead of what EventBridge accepted', () => {
  const accepted = everyStep.map((d) => transitionOf(d.detailType, d.detail));
  expect(recordedAheadProblems(CASE, A, accepted, D)).toEqual([]);
  expect(recordedAheadProblems(CASE, A, accepted.slice(0, 1), C)).toEqual([expect.stringMatching(/recorded with pendingAction Customer while EventBridge has accepted None/)]);
  expect(recordedAheadProblems(CASE, A, [accepted[0], accepted[2]], D)).not.toEqual([]); // over a gap
  expect(recordedAheadProblems(CASE, undefined, [], B)).toEqual([`case ${CASE} recorded before EventBridge accepted its Created`]);
  const created = transitionOf(delivery(1, undefined, B).detailType, delivery(1, undefined, B).detail);
  expect(recordedAheadProblems(CASE, undefined, [created], B)).toEqual([]);
});

describe('reminders', () => {
  const since = '2026-01-01T00:00:02.000Z'; // C's first observation
  const minutesAfter = (m: number) => new Date(Date.parse(since) + m * 60_000).toISOString();
  /** The reminder a run publishes for C (waiting) at `minutes` for `mark`, overrides applied. */
  const reminder = (runId: number, mark: number, minutes: number, overrides: Partial<CaseAwaitingCustomerDetail> = {}): Delivery => ({
    runId,
    detailType: CASE_AWAITING_CUSTOMER_DETAIL_TYPE,
    detail: {
      changeId: reminderIdOf(CASE, since, mark), caseId: CASE,
      caseStatus: C.caseStatus, previousCaseStatus: C.caseStatus, pendingAction: C.pendingAction, previousPendingAction: C.pendingAction, lastUpdatedDate: C.lastUpdatedDate,
      observedAt: minutesAfter(minutes), awaitingCustomerSince: since, awaitingCustomerMinutes: minutes, ...overrides,
    } as CaseAwaitingCustomerDetail,
  });
  const upToC = [delivery(1, A, B), delivery(2, B, C, 'pendingAction')];
  /** Ended waiting at C, the final poll 4 minutes after the wait began, marks at 1 and 3 minutes. */
  const waitingTrace = (reminders: Delivery[]) => trace([...upToC, ...reminders], {
    finalStates: new Map([[CASE, C]]), reminderMinutes: [1, 3], finalPollAt: Date.parse(minutesAfter(4)),
    finalRecorded: new Map([[CASE, { ...C, awaitingCustomerSince: since, remindedMinutes: 3 }]]),
  });

  test('each due mark delivered: no violation; only the latest after skipped marks is enough', () => {
    expect(judge(waitingTrace([reminder(3, 1, 1), reminder(4, 3, 3)]))).toMatchObject({ violations: [], remindersDelivered: 2 });
    expect(judge(waitingTrace([reminder(3, 3, 4)])).violations).toEqual([]);
  });

  test('the due mark missing at the end: lost', () => {
    expect(judge(waitingTrace([reminder(3, 1, 1)])).violations).toEqual([expect.stringMatching(/^lost: case 1000000010 waiting since .* passed the 3-minute mark/)]);
  });

  test('invented: a mark not passed, minutes that do not add up, a state no read saw waiting', () => {
    const violations = (r: Delivery) => judge(waitingTrace([r, reminder(4, 3, 3)])).violations;
    expect(violations(reminder(3, 1, 0))).toEqual([expect.stringMatching(/^invented: .* is no mark passed/)]);
    expect(violations(reminder(3, 1, 1, { awaitingCustomerMinutes: 2 }))).toEqual([expect.stringMatching(/^invented: .* is no mark passed/)]);
    expect(violations(reminder(3, 1, 1, { pendingAction: 'None', previousPendingAction: 'None' }))).toEqual([expect.stringMatching(/^invented: .* no read observed waiting/)]);
  });

  test('a reminder delivered twice with no fault to explain it: a violation', () => {
    expect(judge(waitingTrace([reminder(3, 1, 1), reminder(4, 1, 2), reminder(5, 3, 3)])).violations).toEqual([expect.stringMatching(/^duplicate no fault explains/)]);
  });
});
