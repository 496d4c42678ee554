import {
  CASE_AWAITING_CUSTOMER_DETAIL_TYPE,
  CASE_CREATED_DETAIL_TYPE,
  CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE,
  CASE_STATUS_CHANGED_DETAIL_TYPE,
  CaseAwaitingCustomerDetail,
  CaseEventDetail,
} from '../../lib/events';
import {
  CaseChange,
  changeIdOf,
  detectChanges,
  DetectionOptions,
  listingDigest,
  reminderIdOf,
} from '../../lambda/change-detection';
import type { RecordedCase } from '../../lambda/case-state';
import { nextReminderAt } from '../../lambda/waiting-period';
import type { SecurityIrCase } from '../../lambda/security-ir-case';

const OBSERVED_AT = new Date('2026-11-23T09:13:00.000Z');
/** What a state changed at OBSERVED_AT records as the first observation of its new value. */
const SINCE = OBSERVED_AT.toISOString();
const OPTIONS: DetectionOptions = {
  baseline: false,
  emitCreatedEvents: true,
  emitExistingCasesOnFirstRun: false,
  observedAt: OBSERVED_AT,
  accountId: '111122223333',
  region: 'us-east-1',
};

const DETAIL_KEYS = [
  'schemaVersion', 'changeId', 'caseId', 'caseArn', 'accountId', 'region', 'title',
  'caseStatus', 'previousCaseStatus', 'pendingAction', 'previousPendingAction',
  'engagementType', 'resolverType', 'createdDate', 'lastUpdatedDate', 'closedDate', 'observedAt',
  'previousCaseStatusSince', 'previousPendingActionSince',
].sort();

function listed(overrides: Partial<SecurityIrCase> = {}): SecurityIrCase {
  return {
    caseId: '1234567890',
    caseArn: 'arn:aws:security-ir:us-east-1:111122223333:case/1234567890',
    title: 'Suspicious IAM activity',
    caseStatus: 'Detection and Analysis',
    pendingAction: 'Customer',
    engagementType: 'Security Incident',
    resolverType: 'AWS',
    createdDate: new Date('2026-11-20T10:00:00.000Z'),
    lastUpdatedDate: new Date('2026-11-23T09:12:44.000Z'),
    ...overrides,
  };
}

function recorded(entries: Record<string, Partial<RecordedCase>>): Map<string, RecordedCase> {
  return new Map(Object.entries(entries).map(([caseId, r]) => [caseId, {
    caseStatus: null, pendingAction: null, lastUpdatedDate: null, version: 1, ...r,
  }]));
}

const AS_RECORDED = {
  caseStatus: 'Detection and Analysis', pendingAction: 'Customer', lastUpdatedDate: '2026-11-22T08:00:00.000Z', awaitingCustomerSince: '2026-11-22T08:00:00.000Z', version: 3,
};

describe('baseline', () => {
  const listing = [listed(), listed({ caseId: '2222222222', caseArn: undefined })];

  test('records every case and publishes nothing', () => {
    const { changes } = detectChanges(new Map(), listing, { ...OPTIONS, baseline: true });
    expect(changes.map((c) => c.caseId)).toEqual(['1234567890', '2222222222']);
    expect(changes.every((c) => c.events.length === 0)).toBe(true);
    expect(changes.every((c) => c.expectedVersion === undefined)).toBe(true);
    expect(changes[0].state).toEqual({
      caseStatus: 'Detection and Analysis', pendingAction: 'Customer', lastUpdatedDate: '2026-11-23T09:12:44.000Z', awaitingCustomerSince: SINCE,
    });
  });

  test('emitExistingCasesOnFirstRun publishes one Created per case', () => {
    const { changes } = detectChanges(new Map(), listing, { ...OPTIONS, baseline: true, emitExistingCasesOnFirstRun: true });
    expect(changes.map((c) => c.events.map((e) => e.detailType))).toEqual([[CASE_CREATED_DETAIL_TYPE], [CASE_CREATED_DETAIL_TYPE]]);
  });

  test('emitExistingCasesOnFirstRun does nothing when Created events are off', () => {
    const { changes } = detectChanges(new Map(), listing, {
      ...OPTIONS, baseline: true, emitExistingCasesOnFirstRun: true, emitCreatedEvents: false,
    });
    expect(changes).toHaveLength(2);
    expect(changes.every((c) => c.events.length === 0)).toBe(true);
  });

  test('cases recorded by an interrupted baseline run are compared, not re-baselined', () => {
    const { changes } = detectChanges(
      recorded({ 1234567890: { ...AS_RECORDED, caseStatus: 'Acknowledged' } }),
      listing,
      { ...OPTIONS, baseline: true },
    );
    expect(changes[0].events.map((e) => e.detailType)).toEqual([CASE_STATUS_CHANGED_DETAIL_TYPE]);
    expect(changes[1].events).toEqual([]);
  });
});

describe('after the baseline', () => {
  test('an unchanged case yields nothing, whatever else changed about it', () => {
    const detection = detectChanges(
      recorded({ 1234567890: AS_RECORDED }),
      [listed({ title: 'Renamed', lastUpdatedDate: new Date('2026-11-24T00:00:00Z'), closedDate: new Date() })],
      OPTIONS,
    );
    expect(detection).toEqual({ changes: [], staleCaseIds: [] });
  });

  test('status change: one event with previous and current values of both fields', () => {
    const { changes } = detectChanges(
      recorded({ 1234567890: { ...AS_RECORDED, caseStatus: 'Acknowledged' } }),
      [listed()],
      OPTIONS,
    );
    expect(changes).toHaveLength(1);
    expect(changes[0].expectedVersion).toBe(3);
    expect(changes[0].events).toHaveLength(1);
    expect(changes[0].events[0].detailType).toBe(CASE_STATUS_CHANGED_DETAIL_TYPE);
    expect(changes[0].events[0].detail).toEqual({
      schemaVersion: 1,
      changeId: changeIdOf('1234567890', 'caseStatus', 'Acknowledged', 'Detection and Analysis', '2026-11-23T09:12:44.000Z'),
      caseId: '1234567890',
      caseArn: 'arn:aws:security-ir:us-east-1:111122223333:case/1234567890',
      accountId: '111122223333',
      region: 'us-east-1',
      title: 'Suspicious IAM activity',
      caseStatus: 'Detection and Analysis',
      previousCaseStatus: 'Acknowledged',
      pendingAction: 'Customer',
      previousPendingAction: 'Customer',
      engagementType: 'Security Incident',
      resolverType: 'AWS',
      createdDate: '2026-11-20T10:00:00.000Z',
      lastUpdatedDate: '2026-11-23T09:12:44.000Z',
      closedDate: null,
      observedAt: '2026-11-23T09:13:00.000Z',
      previousCaseStatusSince: null,
      previousPendingActionSince: null,
    });
  });

  test('pending action change: one event', () => {
    const { changes } = detectChanges(
      recorded({ 1234567890: { ...AS_RECORDED, pendingAction: 'None' } }),
      [listed()],
      OPTIONS,
    );
    expect(changes[0].events.map((e) => e.detailType)).toEqual([CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE]);
    const detail = changes[0].events[0].detail;
    expect([detail.previousPendingAction, detail.pendingAction]).toEqual(['None', 'Customer']);
    expect([detail.previousCaseStatus, detail.caseStatus]).toEqual(['Detection and Analysis', 'Detection and Analysis']);
  });

  test('both fields at once: two events, status first, distinct changeIds, one state write', () => {
    const { changes } = detectChanges(
      recorded({ 1234567890: { ...AS_RECORDED, caseStatus: 'Acknowledged', pendingAction: 'None' } }),
      [listed()],
      OPTIONS,
    );
    expect(changes).toHaveLength(1);
    const [status, pending] = changes[0].events;
    expect([status.detailType, pending.detailType]).toEqual([CASE_STATUS_CHANGED_DETAIL_TYPE, CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE]);
    for (const { detail } of changes[0].events) {
      expect(detail).toMatchObject({
        previousCaseStatus: 'Acknowledged', caseStatus: 'Detection and Analysis',
        previousPendingAction: 'None', pendingAction: 'Customer',
      });
    }
    expect(status.detail.changeId).not.toBe(pending.detail.changeId);
    expect(changes[0].state).toMatchObject({ caseStatus: 'Detection and Analysis', pendingAction: 'Customer' });
  });

  test.each([
    ['Submitted', 'Acknowledged'],
    ['Acknowledged', 'Detection and Analysis'],
    ['Detection and Analysis', 'Containment, Eradication and Recovery'],
    ['Containment, Eradication and Recovery', 'Post-incident Activities'],
    ['Post-incident Activities', 'Ready to Close'],
    ['Ready to Close', 'Closed'],
    ['Closed', 'Detection and Analysis'],
  ])('status %s -> %s', (from, to) => {
    const { changes } = detectChanges(recorded({ 1234567890: { ...AS_RECORDED, caseStatus: from } }), [listed({ caseStatus: to })], OPTIONS);
    expect(changes[0].events).toHaveLength(1);
    expect(changes[0].events[0].detail).toMatchObject({ previousCaseStatus: from, caseStatus: to });
  });

  test.each([['None', 'Customer'], ['Customer', 'None']])('pending action %s -> %s', (from, to) => {
    const { changes } = detectChanges(recorded({ 1234567890: { ...AS_RECORDED, pendingAction: from } }), [listed({ pendingAction: to })], OPTIONS);
    expect(changes[0].events.map((e) => e.detailType)).toEqual([CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE]);
    expect(changes[0].events[0].detail).toMatchObject({ previousPendingAction: from, pendingAction: to });
  });

  test('a new case yields Created with null previous values', () => {
    const { changes } = detectChanges(recorded({ 1234567890: AS_RECORDED }), [listed(), listed({ caseId: '5555555555' })], OPTIONS);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ caseId: '5555555555', expectedVersion: undefined });
    const [created] = changes[0].events;
    expect(created.detailType).toBe(CASE_CREATED_DETAIL_TYPE);
    expect(created.detail).toMatchObject({ previousCaseStatus: null, previousPendingAction: null, caseStatus: 'Detection and Analysis' });
  });

  test('a new case is recorded silently when Created events are off', () => {
    const { changes } = detectChanges(new Map(), [listed()], { ...OPTIONS, emitCreatedEvents: false });
    expect(changes).toHaveLength(1);
    expect(changes[0].events).toEqual([]);
  });

  test('a case missing from the listing yields nothing', () => {
    const detection = detectChanges(recorded({ 1234567890: AS_RECORDED, 7777777777: AS_RECORDED }), [listed()], OPTIONS);
    expect(detection.changes).toEqual([]);
  });

  test('an empty listing yields nothing', () => {
    expect(detectChanges(recorded({ 1234567890: AS_RECORDED }), [], OPTIONS).changes).toEqual([]);
  });

  test('a listing older than the recorded state (another run recorded a newer one) is left alone', () => {
    const detection = detectChanges(
      recorded({ 1234567890: { ...AS_RECORDED, caseStatus: 'Closed', lastUpdatedDate: '2026-11-23T10:00:00.000Z' } }),
      [listed()],
      OPTIONS,
    );
    expect(detection).toEqual({ changes: [], staleCaseIds: ['1234567890'] });
  });

  test('a repeated case in the listing counts once, the newest copy wins', () => {
    const older = listed({ caseStatus: 'Acknowledged', lastUpdatedDate: new Date('2026-11-23T09:00:00Z') });
    const newer = listed({ caseStatus: 'Closed', lastUpdatedDate: new Date('2026-11-23T09:30:00Z') });
    const { changes } = detectChanges(recorded({ 1234567890: AS_RECORDED }), [newer, older], OPTIONS);
    expect(changes).toHaveLength(1);
    expect(changes[0].events).toHaveLength(1);
    expect(changes[0].events[0].detail.caseStatus).toBe('Closed');
    expect(listingDigest([newer, older])).toBe(listingDigest([newer]));
  });
});

describe('a pending intent (an earlier run may have published without recording)', () => {
  const A = { caseStatus: 'Acknowledged', pendingAction: 'None', lastUpdatedDate: '2026-11-22T08:00:00.000Z' };
  const B = { caseStatus: 'Detection and Analysis', pendingAction: 'None', lastUpdatedDate: '2026-11-23T09:12:44.000Z' };
  const at = (iso: string) => new Date(iso);
  const listedAs = (state: typeof A, overrides: Partial<SecurityIrCase> = {}) =>
    listed({ caseStatus: state.caseStatus, pendingAction: state.pendingAction, lastUpdatedDate: at(state.lastUpdatedDate), ...overrides });
  /** What the first run, which recorded A and listed B, built and announced. */
  const firstRun = detectChanges(recorded({ 1234567890: { ...A, version: 3 } }), [listedAs(B)], OPTIONS).changes[0];
  const afterCrash = recorded({ 1234567890: { ...A, version: 3, pending: firstRun.pending } });
  const ids = (events: { detail: CaseEventDetail }[]) => events.map((e) => e.detail.changeId);

  test('the first run notes where its events lead', () => {
    expect(firstRun.pending).toEqual([{ ...B, caseStatusSince: SINCE, supersededStamps: [A.lastUpdatedDate] }]);
    expect(firstRun.expectedVersion).toBe(3);
  });

  test('flipped back: the step is re-sent as first built, then the change back', () => {
    const later = { ...A, lastUpdatedDate: '2026-11-23T10:00:00.000Z' };
    const { changes } = detectChanges(afterCrash, [listedAs(later, { title: 'Renamed since' })], OPTIONS);
    expect(changes).toHaveLength(1);
    const [resent, back] = changes[0].events;
    expect(resent.detailType).toBe(CASE_STATUS_CHANGED_DETAIL_TYPE);
    expect(resent.detail).toEqual({ ...firstRun.events[0].detail, title: 'Renamed since' });
    expect(back.detail).toMatchObject({
      changeId: changeIdOf('1234567890', 'caseStatus', B.caseStatus, A.caseStatus, later.lastUpdatedDate),
      previousCaseStatus: B.caseStatus, caseStatus: A.caseStatus, lastUpdatedDate: later.lastUpdatedDate,
    });
    expect(changes[0]).toMatchObject({ state: later, expectedVersion: 3, pending: [B, later] });
  });

  test('no further change: only the re-send, with the first changeId even after an edit moved lastUpdatedDate', () => {
    const edited = { ...B, lastUpdatedDate: '2026-11-23T11:00:00.000Z' };
    const { changes } = detectChanges(afterCrash, [listedAs(edited, { title: 'Renamed since' })], OPTIONS);
    expect(ids(changes[0].events)).toEqual(ids(firstRun.events));
    expect(changes[0].events[0].detail.lastUpdatedDate).toBe(B.lastUpdatedDate);
    expect(changes[0]).toMatchObject({ state: edited, pending: [B] });
  });

  test('a further change to a third value: the re-send, then the step from the intent onwards', () => {
    const C = { caseStatus: 'Closed', pendingAction: 'None', lastUpdatedDate: '2026-11-24T00:00:00.000Z' };
    const { changes } = detectChanges(afterCrash, [listedAs(C)], OPTIONS);
    expect(changes[0].events.map((e) => [e.detail.previousCaseStatus, e.detail.caseStatus])).toEqual([[A.caseStatus, B.caseStatus], [B.caseStatus, C.caseStatus]]);
    expect(ids(changes[0].events)).toEqual([...ids(firstRun.events), changeIdOf('1234567890', 'caseStatus', B.caseStatus, C.caseStatus, C.lastUpdatedDate)]);
    expect(changes[0].pending).toEqual([B, C].map((step, i) => ({ ...step, caseStatusSince: SINCE, supersededStamps: [A, B].slice(0, i + 1).map((s) => s.lastUpdatedDate) })));
  });

  test('two failed runs in a row: every step re-sent with its changeId, in order', () => {
    const C = { caseStatus: 'Closed', pendingAction: 'None', lastUpdatedDate: '2026-11-24T00:00:00.000Z' };
    const secondRun = detectChanges(afterCrash, [listedAs(C)], OPTIONS).changes[0];
    const A2 = { ...A, lastUpdatedDate: '2026-11-25T00:00:00.000Z' };
    const { changes } = detectChanges(recorded({ 1234567890: { ...A, version: 3, pending: secondRun.pending } }), [listedAs(A2)], OPTIONS);
    expect(ids(changes[0].events)).toEqual([...ids(secondRun.events), changeIdOf('1234567890', 'caseStatus', C.caseStatus, A.caseStatus, A2.lastUpdatedDate)]);
    expect(changes[0].pending).toEqual([B, C, A2].map((step, i) => ({ ...step, caseStatusSince: SINCE, supersededStamps: [A, B, C].slice(0, i + 1).map((s) => s.lastUpdatedDate) })));
  });

  test('both fields: both events re-sent, then both changes back', () => {
    const both = { caseStatus: 'Closed', pendingAction: 'Customer', lastUpdatedDate: B.lastUpdatedDate };
    const first = detectChanges(recorded({ 1234567890: { ...A, version: 3 } }), [listedAs(both)], OPTIONS).changes[0];
    const later = { ...A, lastUpdatedDate: '2026-11-24T00:00:00.000Z' };
    const { changes } = detectChanges(recorded({ 1234567890: { ...A, version: 3, pending: first.pending } }), [listedAs(later)], OPTIONS);
    expect(changes[0].events.map((e) => e.detailType)).toEqual([
      CASE_STATUS_CHANGED_DETAIL_TYPE, CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE, CASE_STATUS_CHANGED_DETAIL_TYPE, CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE,
    ]);
    expect(ids(changes[0].events).slice(0, 2)).toEqual(ids(first.events));
    for (const { detail } of changes[0].events.slice(2)) {
      expect(detail).toMatchObject({ previousCaseStatus: 'Closed', caseStatus: A.caseStatus, previousPendingAction: 'Customer', pendingAction: A.pendingAction });
    }
  });

  test('a new case announced but never recorded: Created re-sent, then its status change', () => {
    const created = detectChanges(new Map(), [listedAs(A)], OPTIONS).changes[0];
    expect(created.pending).toEqual([{ ...A, caseStatusSince: SINCE, pendingActionSince: SINCE }]);
    const intentOnly = new Map([['1234567890', { caseStatus: null, pendingAction: null, lastUpdatedDate: null, version: 0, pending: created.pending }]]);
    const { changes } = detectChanges(intentOnly, [listedAs(B)], OPTIONS);
    expect(changes[0].events.map((e) => e.detailType)).toEqual([CASE_CREATED_DETAIL_TYPE, CASE_STATUS_CHANGED_DETAIL_TYPE]);
    expect(ids(changes[0].events)[0]).toBe(ids(created.events)[0]);
    expect(changes[0].events[1].detail).toMatchObject({ previousCaseStatus: A.caseStatus, caseStatus: B.caseStatus, previousPendingAction: 'None' });
    expect(changes[0]).toMatchObject({ expectedVersion: undefined, state: B, pending: [A, B] });
    // what was announced is re-sent whatever the options say now
    const quiet = detectChanges(intentOnly, [listedAs(A)], { ...OPTIONS, emitCreatedEvents: false, baseline: true });
    expect(ids(quiet.changes[0].events)).toEqual(ids(created.events));
  });

  test('a case with an intent missing from the listing yields nothing', () => {
    expect(detectChanges(afterCrash, [], OPTIONS)).toEqual({ changes: [], staleCaseIds: [] });
  });

  test('a listing older than the intent is stale, even when newer than the recorded state', () => {
    const between = { ...A, caseStatus: 'Submitted', lastUpdatedDate: '2026-11-23T00:00:00.000Z' };
    expect(detectChanges(afterCrash, [listedAs(between)], OPTIONS)).toEqual({ changes: [], staleCaseIds: ['1234567890'] });
  });
});

describe('durations: when each value was first observed', () => {
  const at = (minutes: number) => new Date(OBSERVED_AT.getTime() + minutes * 60_000);
  /** Runs detection as a poll at `minutes` after OBSERVED_AT would, and returns the case's change. */
  const run = (state: RecordedCase | undefined, overrides: Partial<SecurityIrCase>, minutes: number, baseline = false) =>
    detectChanges(new Map(state ? [['1234567890', state]] : []), [listed(overrides)], { ...OPTIONS, baseline, observedAt: at(minutes) }).changes[0];
  const recordedAs = (change: CaseChange, version = 1): RecordedCase => ({ ...change.state, version });

  test('the baseline knows no start: null, then the new value timed from its first observation', () => {
    const baseline = run(undefined, {}, 0, true);
    expect(baseline.state).toMatchObject({ caseStatusSince: undefined, pendingActionSince: undefined });
    const acknowledged = run(recordedAs(baseline), { caseStatus: 'Acknowledged' }, 10);
    expect(acknowledged.events[0].detail).toMatchObject({ previousCaseStatusSince: null, previousPendingActionSince: null });
    expect(acknowledged.state).toMatchObject({ caseStatusSince: at(10).toISOString(), pendingActionSince: undefined });
    const none = run(recordedAs(acknowledged, 2), { caseStatus: 'Acknowledged', pendingAction: 'None' }, 25);
    expect(none.events[0].detail).toMatchObject({ previousCaseStatusSince: at(10).toISOString(), previousPendingActionSince: null });
    const closed = run(recordedAs(none, 3), { caseStatus: 'Closed', pendingAction: 'None' }, 40);
    // the status held 30 minutes; the pending action's current value since minute 25
    expect(closed.events[0].detail).toMatchObject({ previousCaseStatusSince: at(10).toISOString(), previousPendingActionSince: at(25).toISOString() });
  });

  test('a case that appears after the baseline: Created carries null, its values are timed from then', () => {
    const created = run(undefined, {}, 5);
    expect(created.events[0].detail).toMatchObject({ previousCaseStatusSince: null, previousPendingActionSince: null });
    expect(created.state).toMatchObject({ caseStatusSince: at(5).toISOString(), pendingActionSince: at(5).toISOString() });
    const changed = run(recordedAs(created), { pendingAction: 'None' }, 65);
    expect(changed.events[0].detail).toMatchObject({ previousCaseStatusSince: at(5).toISOString(), previousPendingActionSince: at(5).toISOString() });
  });

  test('a retry carries the values of the first attempt, whenever it runs', () => {
    const before: RecordedCase = { caseStatus: 'Acknowledged', pendingAction: 'None', lastUpdatedDate: '2026-11-22T08:00:00.000Z', caseStatusSince: at(-60).toISOString(), version: 4 };
    const first = run(before, {}, 0);
    const retried = run({ ...before, pending: first.pending }, { title: 'Renamed' }, 30);
    expect(retried.events.map((e) => [e.detail.changeId, e.detail.previousCaseStatusSince, e.detail.previousPendingActionSince]))
      .toEqual(first.events.map((e) => [e.detail.changeId, at(-60).toISOString(), null]));
    expect(retried.state).toEqual(first.state);
  });
});

describe('Awaiting Customer reminders', () => {
  const MARKS = [60, 240, 1440];
  const at = (minutes: number) => new Date(OBSERVED_AT.getTime() + minutes * 60_000);
  const iso = (minutes: number) => at(minutes).toISOString();
  /** Polls at each of `minutes` (after OBSERVED_AT), recording every change as a complete run would; the events of each poll. */
  function polls(start: RecordedCase | undefined, steps: { minutes: number; listed?: Partial<SecurityIrCase>; baseline?: boolean }[]) {
    let state = start;
    return steps.map(({ minutes, listed: overrides = {}, baseline = false }) => {
      const [change] = detectChanges(new Map(state ? [['1234567890', state]] : []), [listed(overrides)], { ...OPTIONS, baseline, observedAt: at(minutes), reminderMinutes: MARKS }).changes;
      if (change) state = { ...change.state, version: (state?.version ?? 0) + 1 };
      return { events: change?.events ?? [], state: state! };
    });
  }
  const reminders = (run: { events: { detailType: string; detail: CaseEventDetail }[] }) => run.events
    .filter((e) => e.detailType === CASE_AWAITING_CUSTOMER_DETAIL_TYPE)
    .map((e) => e.detail as CaseAwaitingCustomerDetail);

  test('each mark once, timed from the baseline for a case already waiting then, the detail as specified', () => {
    const runs = polls(undefined, [0, 59, 60, 61, 239, 241, 1500, 5000].map((minutes) => ({ minutes, baseline: minutes === 0 })));
    expect(runs.map((run) => reminders(run).map((r) => r.awaitingCustomerMinutes))).toEqual([[], [], [60], [], [], [241], [1500], []]);
    const [first] = reminders(runs[2]);
    expect(first).toEqual({
      ...runs[2].events[0].detail,
      changeId: reminderIdOf('1234567890', iso(0), 60),
      caseStatus: 'Detection and Analysis', previousCaseStatus: 'Detection and Analysis',
      pendingAction: 'Customer', previousPendingAction: 'Customer',
      previousCaseStatusSince: null, previousPendingActionSince: null,
      awaitingCustomerSince: iso(0), awaitingCustomerMinutes: 60, observedAt: iso(60),
    });
    expect(new Set(runs.flatMap(reminders).map((r) => r.changeId)).size).toBe(3);
    expect(runs.map((run) => nextReminderAt(run.state, MARKS))).toEqual([60, 60, 240, 240, 240, 1440, undefined, undefined].map((m) => m && at(m).getTime()));
  });

  test('a poll that skipped marks announces only the latest passed mark', () => {
    const runs = polls(undefined, [{ minutes: 0 }, { minutes: 1441 }]);
    expect(reminders(runs[1]).map((r) => [r.changeId, r.awaitingCustomerMinutes])).toEqual([[reminderIdOf('1234567890', iso(0), 1440), 1441]]);
    expect(runs[1].state.remindedMinutes).toBe(1440);
  });

  test('none once the pending action left Customer, none for a closed case, and a new waiting period starts its marks again', () => {
    const runs = polls(undefined, [
      { minutes: 0 },
      { minutes: 30, listed: { pendingAction: 'None' } },
      { minutes: 90, listed: { pendingAction: 'None' } },
      { minutes: 100 },
      { minutes: 159 },
      { minutes: 160 },
      { minutes: 170, listed: { caseStatus: 'Closed' } },
      { minutes: 2000, listed: { caseStatus: 'Closed' } },
    ]);
    expect(runs.map((run) => reminders(run).map((r) => [r.awaitingCustomerSince, r.awaitingCustomerMinutes]))).toEqual([[], [], [], [], [], [[iso(100), 60]], [], []]);
    // the new waiting period is timed from the pending action's change, which its reminder also carries
    expect(reminders(runs[5])[0].previousPendingActionSince).toBe(iso(100));
    expect(runs[6].state).not.toHaveProperty('awaitingCustomerSince');
    expect(nextReminderAt(runs[7].state, MARKS)).toBeUndefined();
  });

  test('a reminder not recorded (a crash, a PutEvents failure) is re-sent by the next run with the same changeId', () => {
    const [baseline] = polls(undefined, [{ minutes: 0 }]);
    const options = (minutes: number) => ({ ...OPTIONS, observedAt: at(minutes), reminderMinutes: MARKS });
    const first = detectChanges(new Map([['1234567890', baseline.state]]), [listed()], options(60)).changes[0];
    const afterCrash = { ...baseline.state, pending: first.pending };
    const retried = detectChanges(new Map([['1234567890', afterCrash]]), [listed()], options(70)).changes[0];
    expect(retried.events.map((e) => [e.detailType, e.detail.changeId])).toEqual(first.events.map((e) => [e.detailType, e.detail.changeId]));
    expect(retried.events.map((e) => (e.detail as CaseAwaitingCustomerDetail).awaitingCustomerMinutes)).toEqual([70]);
    expect(retried.state).toEqual(first.state);
  });

  test('a state recorded before waits were kept starts its wait at this observation, recorded silently', () => {
    const { changes } = detectChanges(recorded({ 1234567890: { ...AS_RECORDED, awaitingCustomerSince: undefined } }), [listed()], { ...OPTIONS, reminderMinutes: MARKS });
    expect(changes).toMatchObject([{ events: [], state: { awaitingCustomerSince: SINCE } }]);
  });

  test('off (no marks): nothing is due, however long the wait', () => {
    const runs = polls(undefined, [{ minutes: 0 }, { minutes: 100 }]);
    expect(runs[1].events.filter((e) => e.detailType === CASE_AWAITING_CUSTOMER_DETAIL_TYPE)).toHaveLength(1);
    const [off] = detectChanges(new Map([['1234567890', runs[0].state]]), [listed()], { ...OPTIONS, observedAt: at(100) }).changes;
    expect(off).toBeUndefined();
  });
});

describe('detail fields', () => {
  test('every field is present on every detail-type, null where unknown', () => {
    const bare: SecurityIrCase = { caseId: '3333333333' };
    const created = detectChanges(new Map(), [bare], OPTIONS).changes[0].events[0];
    const changed = detectChanges(recorded({ 3333333333: { caseStatus: 'Closed', pendingAction: 'None' } }), [{ ...bare, caseStatus: 'Open', pendingAction: 'Customer' }], OPTIONS).changes[0].events;
    expect(changed.map((e) => e.detailType)).toEqual([CASE_STATUS_CHANGED_DETAIL_TYPE, CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE]);
    for (const { detail } of [created, ...changed]) {
      expect(Object.keys(detail).sort()).toEqual(DETAIL_KEYS);
      expect(Object.values(detail)).not.toContain(undefined);
    }
    expect(created.detail).toEqual({
      schemaVersion: 1,
      changeId: expect.stringMatching(/^[0-9a-f]{32}$/),
      caseId: '3333333333',
      caseArn: null,
      accountId: '111122223333',
      region: 'us-east-1',
      title: null,
      caseStatus: null,
      previousCaseStatus: null,
      pendingAction: null,
      previousPendingAction: null,
      engagementType: null,
      resolverType: null,
      createdDate: null,
      lastUpdatedDate: null,
      closedDate: null,
      observedAt: OBSERVED_AT.toISOString(),
      previousCaseStatusSince: null,
      previousPendingActionSince: null,
    });
    expect(changed[0].detail).toMatchObject({ previousCaseStatus: 'Closed', caseStatus: 'Open', previousPendingAction: 'None', pendingAction: 'Customer', title: null });
  });

  test('a field the answer leaves out is unknown: no event, the recorded value kept (and with it the staleness guard)', () => {
    const known = recorded({ 3333333333: { caseStatus: 'Closed', pendingAction: 'None', lastUpdatedDate: '2026-11-22T08:00:00.000Z' } });
    expect(detectChanges(known, [{ caseId: '3333333333' }], OPTIONS)).toEqual({ changes: [], staleCaseIds: [] });
    const onlyStatus = detectChanges(known, [{ caseId: '3333333333', caseStatus: 'Open' }], OPTIONS).changes[0];
    expect(onlyStatus.events.map((e) => [e.detailType, e.detail.pendingAction, e.detail.lastUpdatedDate])).toEqual([
      [CASE_STATUS_CHANGED_DETAIL_TYPE, 'None', '2026-11-22T08:00:00.000Z'],
    ]);
    expect(onlyStatus.state).toEqual({ caseStatus: 'Open', pendingAction: 'None', lastUpdatedDate: '2026-11-22T08:00:00.000Z', caseStatusSince: SINCE });
  });

  test('a recorded date is trusted only up to when it was observed: a forward-dated one silences nothing, a lagging read is still stale', () => {
    const future = '2036-11-23T09:00:00.000Z';
    const observedEarlier = '2026-11-23T09:00:00.000Z';
    const forwardDated = recorded({ 1234567890: { caseStatus: 'Acknowledged', pendingAction: 'Customer', lastUpdatedDate: future, observedAt: observedEarlier } });
    const later = detectChanges(forwardDated, [listed({ lastUpdatedDate: new Date('2026-11-23T09:12:44.000Z') })], OPTIONS);
    expect(later.changes[0].events.map((e) => e.detailType)).toEqual([CASE_STATUS_CHANGED_DETAIL_TYPE]);
    // Without the observation time (a state recorded before it was kept), the date is believed as before.
    const unknownObservation = recorded({ 1234567890: { caseStatus: 'Acknowledged', pendingAction: 'Customer', lastUpdatedDate: future } });
    expect(detectChanges(unknownObservation, [listed()], OPTIONS).staleCaseIds).toEqual(['1234567890']);
    // A read from before the recorded state's update, even observed later: stale.
    const sane = recorded({ 1234567890: { caseStatus: 'Acknowledged', pendingAction: 'Customer', lastUpdatedDate: '2026-11-23T09:12:44.000Z', observedAt: '2026-11-23T09:12:50.000Z' } });
    expect(detectChanges(sane, [listed({ lastUpdatedDate: new Date('2026-11-23T09:10:00.000Z') })], OPTIONS).staleCaseIds).toEqual(['1234567890']);
    // The listing's own date is trusted only up to its observation too: a forward-dated read taken before the record is stale.
    const lagging = detectChanges(sane, [listed({ lastUpdatedDate: new Date(future) })], { ...OPTIONS, observedAt: new Date('2026-11-23T09:12:40.000Z') });
    expect(lagging.staleCaseIds).toEqual(['1234567890']);
    // Intents: their states are trusted up to the intent's observation.
    const intent = recorded({ 1234567890: { caseStatus: 'Acknowledged', pendingAction: 'None', lastUpdatedDate: '2026-11-20T00:00:00.000Z', version: 2,
      pending: [{ caseStatus: 'Acknowledged', pendingAction: 'Customer', lastUpdatedDate: future }], pendingObservedAt: observedEarlier } });
    expect(detectChanges(intent, [listed()], OPTIONS).staleCaseIds).toEqual([]);
  });

  test('a state keeps the stamps of the last four states it replaced, newest last; a read carrying one is stale', () => {
    const stamps = ['2026-11-19T00:00:00.000Z', '2026-11-20T00:00:00.000Z', '2026-11-21T00:00:00.000Z', '2026-11-22T00:00:00.000Z'];
    const before = recorded({ 1234567890: { ...AS_RECORDED, lastUpdatedDate: '2026-11-22T12:00:00.000Z', observedAt: '2026-11-22T12:00:05.000Z', supersededStamps: stamps } });
    const { state } = detectChanges(before, [listed({ caseStatus: 'Closed' })], OPTIONS).changes[0];
    expect(state.supersededStamps).toEqual([...stamps.slice(1), '2026-11-22T12:00:00.000Z']);
    // Unchanged stamp (a field the answer left out): nothing superseded.
    const sameStamp = detectChanges(before, [listed({ caseStatus: 'Closed', lastUpdatedDate: new Date('2026-11-22T12:00:00.000Z') })], OPTIONS).changes[0];
    expect(sameStamp.state.supersededStamps).toEqual(stamps);
    // A copy of a replaced state, even stamped after the recorded one (a clock set back since): stale.
    const forwardOld = recorded({ 1234567890: { ...AS_RECORDED, lastUpdatedDate: '2026-11-22T12:00:00.000Z', observedAt: '2026-11-22T12:00:05.000Z', supersededStamps: ['2036-01-01T00:00:00.000Z'] } });
    expect(detectChanges(forwardOld, [listed({ caseStatus: 'Closed', lastUpdatedDate: new Date('2036-01-01T00:00:00.000Z') })], OPTIONS).staleCaseIds).toEqual(['1234567890']);
    expect(detectChanges(forwardOld, [listed({ caseStatus: 'Closed', lastUpdatedDate: new Date('2026-11-23T09:00:00.000Z') })], OPTIONS).staleCaseIds).toEqual([]);
  });

  test('a read stamped in the future is no proof of a change newer than a recorded stamp further ahead, until its moment has passed', () => {
    const ahead = recorded({ 1234567890: { ...AS_RECORDED, lastUpdatedDate: '2026-11-23T09:18:00.000Z', observedAt: '2026-11-23T09:10:00.000Z' } });
    const read = listed({ caseStatus: 'Closed', lastUpdatedDate: new Date('2026-11-23T09:15:00.000Z') });
    expect(detectChanges(ahead, [read], OPTIONS).staleCaseIds).toEqual(['1234567890']); // observed 09:13, stamped 09:15
    // The same values as recorded: no news, not stale (nothing left undone); with an intent to re-send, stale.
    expect(detectChanges(ahead, [{ ...read, caseStatus: AS_RECORDED.caseStatus }], OPTIONS)).toEqual({ changes: [], staleCaseIds: [] });
    const withIntent = recorded({ 1234567890: { ...ahead.get('1234567890')!, pending: [{ ...AS_RECORDED, pendingAction: 'None', lastUpdatedDate: '2026-11-23T09:19:00.000Z' }], pendingObservedAt: '2026-11-23T09:11:00.000Z' } });
    expect(detectChanges(withIntent, [{ ...read, caseStatus: AS_RECORDED.caseStatus }], OPTIONS).staleCaseIds).toEqual(['1234567890']);
    const afterItsMoment = detectChanges(ahead, [read], { ...OPTIONS, observedAt: new Date('2026-11-23T09:15:00.000Z') });
    expect(afterItsMoment.changes[0].events.map((e) => e.detail.caseStatus)).toEqual(['Closed']);
    // Stamped further ahead than a clock drifts (a bad answer, which orders nothing): judged as observed, at once.
    const yearsAhead = recorded({ 1234567890: { ...AS_RECORDED, lastUpdatedDate: '2036-11-23T09:00:00.000Z', observedAt: '2026-11-23T09:10:00.000Z' } });
    expect(detectChanges(yearsAhead, [listed({ caseStatus: 'Closed', lastUpdatedDate: new Date('2035-11-23T09:00:00.000Z') })], OPTIONS).changes).toHaveLength(1);
    // Likewise a recorded stamp further ahead than a clock drifts: a read 2 minutes ahead, before it, is judged as observed.
    expect(detectChanges(yearsAhead, [read], OPTIONS).changes).toHaveLength(1);
    // A clock 10 years ahead throughout (leads alike): a read stamped before the recorded stamp is a lagging copy...
    const tenYearsClock = recorded({ 1234567890: { ...AS_RECORDED, lastUpdatedDate: '2036-11-23T09:10:00.002Z', observedAt: '2026-11-23T09:12:00.000Z' } });
    const copy = listed({ caseStatus: 'Closed', lastUpdatedDate: new Date('2036-11-23T09:10:00.001Z') });
    expect(detectChanges(tenYearsClock, [copy], OPTIONS).staleCaseIds).toEqual(['1234567890']);
    // ...for at most 15 minutes after the recorded state: then a real change, as rule 1 judges it.
    expect(detectChanges(tenYearsClock, [copy], { ...OPTIONS, observedAt: new Date('2026-11-23T09:27:01.000Z') }).changes).toHaveLength(1);
    // Stamped at or after the recorded stamp: a later change of the same clock, at once.
    expect(detectChanges(ahead, [listed({ caseStatus: 'Closed', lastUpdatedDate: new Date('2026-11-23T09:18:00.001Z') })], OPTIONS).changes).toHaveLength(1);
  });

  test('account and region are the watched ones, whatever the ARN says (the ARN is vetted before detection)', () => {
    const fromArn = detectChanges(new Map(), [listed({ caseArn: 'arn:aws-cn:security-ir:cn-north-1:444455556666:case/1234567890' })], OPTIONS);
    expect(fromArn.changes[0].events[0].detail).toMatchObject({ caseArn: 'arn:aws-cn:security-ir:cn-north-1:444455556666:case/1234567890', accountId: '111122223333', region: 'us-east-1' });
    const none = detectChanges(new Map(), [listed({ caseArn: undefined })], { ...OPTIONS, accountId: null, region: null });
    expect(none.changes[0].events[0].detail).toMatchObject({ caseArn: null, accountId: null, region: null });
    expect(none.changes[0].caseArn).toBeNull();
  });

  test('dates become ISO strings, fractions of a second kept, invalid dates null', () => {
    const { changes } = detectChanges(new Map(), [listed({
      createdDate: new Date(1763600000123), closedDate: new Date(Number.NaN), lastUpdatedDate: new Date(1763700000500),
    })], OPTIONS);
    expect(changes[0].events[0].detail).toMatchObject({
      createdDate: '2025-11-20T00:53:20.123Z', closedDate: null, lastUpdatedDate: '2025-11-21T04:40:00.500Z',
    });
  });

  test('enum values unknown today pass through', () => {
    const { changes } = detectChanges(
      recorded({ 1234567890: AS_RECORDED }),
      [listed({ caseStatus: 'Quarantined', pendingAction: 'Partner', engagementType: 'Drill', resolverType: 'Partner' })],
      OPTIONS,
    );
    expect(changes[0].events[0].detail).toMatchObject({
      caseStatus: 'Quarantined', pendingAction: 'Partner', engagementType: 'Drill', resolverType: 'Partner',
    });
    expect(changes[0].state).toMatchObject({ caseStatus: 'Quarantined', pendingAction: 'Partner' });
  });
});

describe('changeId', () => {
  const before = recorded({ 1234567890: { ...AS_RECORDED, caseStatus: 'Acknowledged' } });
  const idOf = (detail: CaseEventDetail) => detail.changeId;

  test('is a stable lowercase hex string of 32 characters, the same on a retry at another time', () => {
    const first = detectChanges(before, [listed()], OPTIONS).changes[0].events[0].detail;
    const retry = detectChanges(before, [listed({ title: 'changed title' })], { ...OPTIONS, observedAt: new Date('2026-12-01T00:00:00Z') })
      .changes[0].events[0].detail;
    expect(idOf(first)).toMatch(/^[0-9a-f]{32}$/);
    expect(idOf(retry)).toBe(idOf(first));
  });

  test('differs for a later transition between the same values', () => {
    const first = detectChanges(before, [listed()], OPTIONS).changes[0].events[0].detail;
    const later = detectChanges(before, [listed({ lastUpdatedDate: new Date('2026-11-25T00:00:00Z') })], OPTIONS).changes[0].events[0].detail;
    expect(idOf(later)).not.toBe(idOf(first));
  });

  test('depends on every input and keeps absent apart from empty', () => {
    const base = ['1234567890', 'caseStatus', 'Acknowledged', 'Closed', '2026-11-23T09:12:44.000Z'] as const;
    const ids = new Set([
      changeIdOf(...base),
      changeIdOf('1234567891', base[1], base[2], base[3], base[4]),
      changeIdOf(base[0], 'pendingAction', base[2], base[3], base[4]),
      changeIdOf(base[0], 'created', base[2], base[3], base[4]),
      changeIdOf(base[0], base[1], 'Submitted', base[3], base[4]),
      changeIdOf(base[0], base[1], base[2], 'Ready to Close', base[4]),
      changeIdOf(base[0], base[1], base[2], base[3], '2026-11-23T09:12:45.000Z'),
      changeIdOf(base[0], base[1], null, base[3], base[4]),
      changeIdOf(base[0], base[1], '', base[3], base[4]),
      changeIdOf(base[0], base[1], base[2], base[3], null),
      changeIdOf(base[0], base[1], base[2], base[3], ''),
      // field separators cannot be forged by values containing them
      changeIdOf(base[0], base[1], 'Acknowledged|Closed', '', base[4]),
    ]);
    expect(ids.size).toBe(12);
  });

  test('differs between cases in the same poll', () => {
    const both = recorded({ 1111111111: { ...AS_RECORDED, caseStatus: 'Acknowledged' }, 2222222222: { ...AS_RECORDED, caseStatus: 'Acknowledged' } });
    const { changes } = detectChanges(both, [listed({ caseId: '1111111111' }), listed({ caseId: '2222222222' })], OPTIONS);
    expect(changes[0].events[0].detail.changeId).not.toBe(changes[1].events[0].detail.changeId);
  });
});

describe('listingDigest', () => {
  const a = listed({ caseId: '1111111111' });
  const b = listed({ caseId: '2222222222', caseStatus: 'Closed' });

  test('ignores order, titles and dates', () => {
    expect(listingDigest([a, b])).toBe(listingDigest([b, { ...a, title: 'x', lastUpdatedDate: new Date(0), closedDate: new Date() }]));
    expect(listingDigest([a])).toMatch(/^[0-9a-f]{64}$/);
  });

  test('changes with a status, a pending action, a case added or removed', () => {
    const digests = new Set([
      listingDigest([a, b]),
      listingDigest([a, { ...b, caseStatus: 'Ready to Close' }]),
      listingDigest([a, { ...b, pendingAction: 'None' }]),
      listingDigest([a, { ...b, pendingAction: undefined }]),
      listingDigest([a, { ...b, pendingAction: '' }]),
      listingDigest([a]),
      listingDigest([a, b, listed({ caseId: '3333333333' })]),
      listingDigest([]),
    ]);
    expect(digests.size).toBe(8);
  });
});
