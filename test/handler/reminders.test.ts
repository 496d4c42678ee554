/**
 * `Awaiting Customer` reminders through the real parts: each mark once at least once, whatever
 * fails between publishing and recording, and none once the wait ended, whichever path saw it end.
 * The marks are minutes; each test's polls run on frozen virtual clocks a few minutes apart at
 * most, so their signatures stay current.
 */
import { CASE_AWAITING_CUSTOMER_DETAIL_TYPE } from '../../lib/events';
import { reminderIdOf } from '../../lambda/change-detection';
import type { WatcherStore } from '../../local-aws/poller-harness';
import { harnessPerFile } from '../support/harness-per-file';
import { VirtualClock } from '../support/virtual-clock';

const harness = harnessPerFile();
const settings = { awaitingCustomerReminderMinutes: [1, 3] };
let start: number;

beforeEach(async () => {
  const h = harness();
  h.securityIr.cases.splice(0);
  h.eventBridge.faults.clear();
  await h.clearState();
  h.resetRecords();
  start = Date.now();
});

/** The watcher's poller and hint at `seconds` after the test's start. */
const at = (seconds: number, wrapStore?: (store: WatcherStore) => WatcherStore) =>
  harness().createPoller({ settings, clock: new VirtualClock({ now: () => start + seconds * 1000 }), ...(wrapStore ? { wrapStore } : {}) });
const reminders = () => harness().eventBridge.events
  .filter((e) => e.DetailType === CASE_AWAITING_CUSTOMER_DETAIL_TYPE)
  .map((e) => [e.Detail.caseId, e.Detail.changeId, e.Detail.awaitingCustomerMinutes]);

/** One case waiting on the customer since the baseline at the start. */
async function waitingCase() {
  const c = harness().securityIr.addCase({ caseStatus: 'Acknowledged', pendingAction: 'Customer' });
  expect((await at(0).poll()).error).toBeUndefined();
  return { caseId: c.caseId, mark: (minutes: number) => reminderIdOf(c.caseId, new Date(start).toISOString(), minutes) };
}

test('killed after EventBridge accepted a reminder, before recording it: the next run re-sends it with the same changeId, then nothing', async () => {
  const c = await waitingCase();
  const crashing = (store: WatcherStore): WatcherStore => Object.assign(Object.create(store), {
    putCase: async () => { throw new Error('simulated crash'); },
    releaseLease: async () => { throw new Error('simulated crash'); },
  });
  expect((await at(61, crashing).poll()).error?.message).toBe('simulated crash');
  expect(reminders()).toEqual([[c.caseId, c.mark(1), 1]]);
  // the crashed run's lease expires with its invocation (30 s); the next poll re-sends, the one after is quiet
  expect((await at(95).poll()).summary).toMatchObject({ outcome: 'succeeded', eventsPublished: 1 });
  expect((await at(120).poll()).summary).toMatchObject({ outcome: 'succeeded', eventsPublished: 0 });
  expect(reminders()).toEqual([[c.caseId, c.mark(1), 1], [c.caseId, c.mark(1), 1]]);
});

test('PutEvents failing: the reminder is not recorded and the next run sends it with the same changeId', async () => {
  const h = harness();
  const c = await waitingCase();
  h.eventBridge.faults.add({ kind: 'error', status: 500, type: 'InternalException' }, { operation: 'PutEvents', times: Infinity });
  expect((await at(61).poll()).error?.name).toBe('RunIncompleteError');
  h.eventBridge.faults.clear();
  expect(reminders()).toEqual([]);
  expect((await at(70).poll()).summary).toMatchObject({ eventsPublished: 1 });
  // the second mark at 3 minutes, once
  for (const seconds of [100, 181, 200]) expect((await at(seconds).poll()).error).toBeUndefined();
  expect(reminders()).toEqual([[c.caseId, c.mark(1), 1], [c.caseId, c.mark(3), 3]]);
});

test('none once a hint saw the wait end: the pending action back to None, or the case closed', async () => {
  const h = harness();
  const [answered, closed] = [await waitingCase(), h.securityIr.addCase({ caseStatus: 'Acknowledged', pendingAction: 'Customer' })];
  expect((await at(10).poll()).error).toBeUndefined(); // the second case appears, waiting since second 10
  h.securityIr.updateCase(answered.caseId, { pendingAction: 'None' });
  h.securityIr.updateCase(closed.caseId, { caseStatus: 'Closed' });
  for (const caseId of [answered.caseId, closed.caseId]) expect((await at(30).hint(caseId)).summary).toMatchObject({ outcome: 'published' });
  for (const seconds of [61, 200]) expect((await at(seconds).poll()).error).toBeUndefined();
  expect(reminders()).toEqual([]);
  // waiting again: a new period, its marks from its own start
  h.securityIr.updateCase(answered.caseId, { pendingAction: 'Customer' });
  expect((await at(210).poll()).error).toBeUndefined();
  for (const seconds of [260, 271]) expect((await at(seconds).poll()).error).toBeUndefined();
  expect(reminders()).toEqual([[answered.caseId, reminderIdOf(answered.caseId, new Date(start + 210_000).toISOString(), 1), 1]]);
});
