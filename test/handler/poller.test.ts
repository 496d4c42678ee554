/**
 * The poller's behaviour end to end against the simulators and dynalite: baseline, silence, every
 * transition, the options, and the envelope of the events that reach EventBridge.
 */
import {
  CASE_CREATED_DETAIL_TYPE,
  CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE,
  CASE_STATUS_CHANGED_DETAIL_TYPE,
} from '../../lib/events';
import { TEST_ACCOUNT_ID, TEST_REGION } from '../../local-aws/credentials';
import { expectedChangeId, HarnessPollerOptions, PollerHarness, PollRun, startPollerHarness } from '../../local-aws/poller-harness';
import { acceptedChangeIds } from '../support/accepted';

let h: PollerHarness;
beforeEach(async () => {
  h = await startPollerHarness();
});
afterEach(async () => {
  await h.close();
});

const published = () => h.eventBridge.events;
const changeIds = () => acceptedChangeIds(h.eventBridge);

/** One poll that must succeed: a check that nothing was published means nothing only after a run that worked. */
async function poll(options?: HarnessPollerOptions): Promise<PollRun> {
  const run = await h.poll(options);
  expect(run.error).toBeUndefined();
  return run;
}

async function baseline(): Promise<void> {
  await poll();
  h.resetRecords();
}

test('baseline records every case and publishes nothing; then silence costs one read', async () => {
  const cases = [h.securityIr.addCase(), h.securityIr.addCase(), h.securityIr.addCase({ caseStatus: 'Closed' })];
  const first = await poll();
  expect(first.summary).toMatchObject({ outcome: 'succeeded', casesSeen: 3, pages: 1, eventsPublished: 0, casesRecorded: 3 });
  expect(published()).toEqual([]);
  const state = await h.readState();
  expect(state.meta).toMatchObject({ baselineAt: expect.any(String), digest: expect.stringMatching(/^[0-9a-f]{64}$/) });
  expect(state.meta?.leaseOwner).toBeUndefined();
  expect([...state.cases.keys()].sort()).toEqual(cases.map((c) => c.caseId).sort());
  expect(state.cases.get(cases[2].caseId)).toMatchObject({ caseStatus: 'Closed', version: 1 });

  h.resetRecords();
  h.securityIr.updateCase(cases[0].caseId, { title: 'Renamed: only the title changed' });
  const second = await poll();
  expect(second.summary).toMatchObject({ outcome: 'succeeded', casesSeen: 3, eventsPublished: 0, casesRecorded: 0 });
  expect(published()).toEqual([]);
  expect(h.dynamoDb.calls.map((c) => c.operation)).toEqual(['GetItem']);
  expect(h.eventBridge.calls).toEqual([]);
});

test('an empty account: baseline of nothing, then a first case is Created', async () => {
  await baseline();
  expect((await h.readState()).meta?.baselineAt).toEqual(expect.any(String));
  const c = h.securityIr.addCase();
  await poll();
  expect(published().map((e) => e.DetailType)).toEqual([CASE_CREATED_DETAIL_TYPE]);
  expect(changeIds()).toEqual([expectedChangeId(c, 'created', null)]);
});

test('a status change: one event with previous and current values, the envelope as specified', async () => {
  const c = h.securityIr.addCase({ caseStatus: 'Acknowledged', pendingAction: 'None' });
  await baseline();
  const updated = h.securityIr.updateCase(c.caseId, { caseStatus: 'Detection and Analysis' });
  const run = await poll();
  expect(run.summary).toMatchObject({ outcome: 'succeeded', eventsPublished: 1, casesRecorded: 1, publishFailures: 0 });
  expect(published()).toHaveLength(1);
  const [event] = published();
  expect(event).toMatchObject({
    EventBusName: h.busName,
    Source: h.eventSource,
    DetailType: CASE_STATUS_CHANGED_DETAIL_TYPE,
    Resources: [c.caseArn],
    Time: event.Detail.observedAt,
  });
  expect(event.Detail).toEqual({
    schemaVersion: 1,
    changeId: expectedChangeId(updated, 'caseStatus', 'Acknowledged'),
    caseId: c.caseId,
    caseArn: c.caseArn,
    accountId: TEST_ACCOUNT_ID,
    region: TEST_REGION,
    title: c.title,
    caseStatus: 'Detection and Analysis',
    previousCaseStatus: 'Acknowledged',
    pendingAction: 'None',
    previousPendingAction: 'None',
    engagementType: c.engagementType,
    resolverType: c.resolverType,
    createdDate: new Date(c.createdDate! * 1000).toISOString(),
    lastUpdatedDate: new Date(updated.lastUpdatedDate! * 1000).toISOString(),
    closedDate: null,
    observedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    // both values were already there at the baseline: their start is unknown
    previousCaseStatusSince: null,
    previousPendingActionSince: null,
  });
  expect((await h.readState()).cases.get(c.caseId)).toMatchObject({ caseStatus: 'Detection and Analysis', caseStatusSince: event.Detail.observedAt, version: 2 });

  // recorded: the next poll is silent again
  h.resetRecords();
  await poll();
  expect(published()).toEqual([]);
});

test('a pending action change: one event', async () => {
  const c = h.securityIr.addCase({ caseStatus: 'Detection and Analysis', pendingAction: 'None' });
  await baseline();
  const updated = h.securityIr.updateCase(c.caseId, { pendingAction: 'Customer' });
  await poll();
  expect(published().map((e) => e.DetailType)).toEqual([CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE]);
  expect(published()[0].Detail).toMatchObject({
    previousPendingAction: 'None', pendingAction: 'Customer',
    previousCaseStatus: 'Detection and Analysis', caseStatus: 'Detection and Analysis',
    changeId: expectedChangeId(updated, 'pendingAction', 'None'),
  });
});

test('both fields at once: two events, each with both previous values', async () => {
  const c = h.securityIr.addCase({ caseStatus: 'Acknowledged', pendingAction: 'None' });
  await baseline();
  const updated = h.securityIr.updateCase(c.caseId, { caseStatus: 'Closed', pendingAction: 'Customer' });
  const run = await poll();
  expect(run.summary?.eventsPublished).toBe(2);
  expect(published().map((e) => e.DetailType).sort()).toEqual([CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE, CASE_STATUS_CHANGED_DETAIL_TYPE].sort());
  for (const e of published()) {
    expect(e.Detail).toMatchObject({
      previousCaseStatus: 'Acknowledged', caseStatus: 'Closed', previousPendingAction: 'None', pendingAction: 'Customer',
      closedDate: new Date(updated.closedDate! * 1000).toISOString(),
    });
  }
  expect(changeIds().sort()).toEqual([
    expectedChangeId(updated, 'caseStatus', 'Acknowledged'),
    expectedChangeId(updated, 'pendingAction', 'None'),
  ].sort());
  expect(h.eventBridge.calls).toHaveLength(1); // both in one PutEvents call
});

test('a new case after the baseline: Created with null previous values', async () => {
  h.securityIr.addCase();
  await baseline();
  const c = h.securityIr.addCase({ caseStatus: 'Submitted', pendingAction: 'Customer' });
  await poll();
  expect(published()).toHaveLength(1);
  expect(published()[0]).toMatchObject({ DetailType: CASE_CREATED_DETAIL_TYPE, Resources: [c.caseArn] });
  expect(published()[0].Detail).toMatchObject({
    caseId: c.caseId, caseStatus: 'Submitted', pendingAction: 'Customer', previousCaseStatus: null, previousPendingAction: null,
    changeId: expectedChangeId(c, 'created', null),
  });
});

test('emitExistingCasesOnFirstRun: the baseline publishes one Created per case', async () => {
  const cases = [h.securityIr.addCase(), h.securityIr.addCase(), h.securityIr.addCase()];
  const run = await poll({ settings: { emitExistingCasesOnFirstRun: true } });
  expect(run.summary).toMatchObject({ eventsPublished: 3, casesRecorded: 3 });
  expect(published().every((e) => e.DetailType === CASE_CREATED_DETAIL_TYPE)).toBe(true);
  expect(changeIds().sort()).toEqual(cases.map((c) => expectedChangeId(c, 'created', null)).sort());
  h.resetRecords();
  await poll({ settings: { emitExistingCasesOnFirstRun: true } });
  expect(published()).toEqual([]); // only on the first run
});

test('emitCreatedEvents=false: a new case is recorded silently, its later changes are published', async () => {
  const settings = { emitCreatedEvents: false };
  await poll({ settings });
  const c = h.securityIr.addCase({ caseStatus: 'Submitted' });
  const run = await poll({ settings });
  expect(run.summary).toMatchObject({ outcome: 'succeeded', eventsPublished: 0, casesRecorded: 1 });
  expect(published()).toEqual([]);
  const updated = h.securityIr.updateCase(c.caseId, { caseStatus: 'Acknowledged' });
  await poll({ settings });
  expect(changeIds()).toEqual([expectedChangeId(updated, 'caseStatus', 'Submitted')]);
});

test('enum values unknown today are forwarded', async () => {
  const c = h.securityIr.addCase({ caseStatus: 'Acknowledged', engagementType: 'Tabletop Exercise', resolverType: 'Partner' });
  await baseline();
  h.securityIr.updateCase(c.caseId, { caseStatus: 'Awaiting Legal Review', pendingAction: 'Partner' });
  await poll();
  expect(published()).toHaveLength(2);
  for (const e of published()) {
    expect(e.Detail).toMatchObject({
      caseStatus: 'Awaiting Legal Review', pendingAction: 'Partner', engagementType: 'Tabletop Exercise', resolverType: 'Partner',
    });
  }
});

test('a case without ARN or optional fields: nulls, the watched account and region, no resources', async () => {
  await baseline();
  h.securityIr.addCase({
    caseId: '98765432109', caseArn: undefined, title: undefined, caseStatus: undefined, pendingAction: undefined,
    engagementType: undefined, resolverType: undefined, createdDate: undefined, lastUpdatedDate: undefined,
  });
  await poll();
  expect(published()).toHaveLength(1);
  expect(published()[0].Resources).toEqual([]);
  expect(published()[0].Detail).toMatchObject({
    caseId: '98765432109', caseArn: null, accountId: TEST_ACCOUNT_ID, region: TEST_REGION, title: null,
    caseStatus: null, pendingAction: null, createdDate: null, lastUpdatedDate: null, closedDate: null,
  });
});

test('a case missing from one listing: nothing; back unchanged: nothing; back changed: one event', async () => {
  const keep = h.securityIr.addCase();
  const flaky = h.securityIr.addCase({ caseStatus: 'Acknowledged' });
  await baseline();
  h.securityIr.removeCase(flaky.caseId);
  const missing = await poll();
  expect(missing.summary?.outcome).toBe('succeeded');
  expect(published()).toEqual([]);
  expect((await h.readState()).cases.get(flaky.caseId)).toMatchObject({ caseStatus: 'Acknowledged' });

  h.securityIr.cases.push(flaky);
  await poll();
  expect(published()).toEqual([]);

  h.securityIr.removeCase(flaky.caseId);
  await poll();
  h.securityIr.cases.push({ ...flaky });
  const updated = h.securityIr.updateCase(flaky.caseId, { caseStatus: 'Ready to Close' });
  await poll();
  expect(changeIds()).toEqual([expectedChangeId(updated, 'caseStatus', 'Acknowledged')]);
  expect((await h.readState()).cases.get(keep.caseId)).toMatchObject({ caseStatus: keep.caseStatus, version: 1 });
});

test('a case that goes A -> B -> A across polls gives two events with distinct changeIds', async () => {
  const c = h.securityIr.addCase({ caseStatus: 'Acknowledged' });
  await baseline();
  h.securityIr.updateCase(c.caseId, { caseStatus: 'Detection and Analysis' });
  await poll();
  h.securityIr.updateCase(c.caseId, { caseStatus: 'Acknowledged' });
  await poll();
  expect(published().map((e) => [e.Detail.previousCaseStatus, e.Detail.caseStatus])).toEqual([
    ['Acknowledged', 'Detection and Analysis'],
    ['Detection and Analysis', 'Acknowledged'],
  ]);
  expect(new Set(changeIds()).size).toBe(2);
});

test('many cases over several pages: only the changed ones are published and written', async () => {
  const cases = Array.from({ length: 60 }, () => h.securityIr.addCase({ caseStatus: 'Acknowledged' }));
  await baseline();
  const changed = [cases[3], cases[30], cases[59]].map((c) => h.securityIr.updateCase(c.caseId, { caseStatus: 'Closed' }));
  const run = await poll();
  expect(run.summary).toMatchObject({ casesSeen: 60, pages: 3, eventsPublished: 3, casesRecorded: 3 });
  expect(changeIds().sort()).toEqual(changed.map((c) => expectedChangeId(c, 'caseStatus', 'Acknowledged')).sort());
  expect(h.dynamoDb.calls.filter((c) => c.operation === 'PutItem')).toHaveLength(3);
});
