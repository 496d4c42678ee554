/**
 * Hostile or broken answers and a changed scope (the lifecycle): each costs at most its own case,
 * never floods the bus and never silences a later change. One test per defect found before a
 * production deploy; each fails on the code before its fix.
 */
import { CASE_CREATED_DETAIL_TYPE, CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE, CASE_STATUS_CHANGED_DETAIL_TYPE } from '../../lib/events';
import { TEST_ACCOUNT_ID, TEST_REGION } from '../../local-aws/credentials';
import { HarnessPollerOptions, PollerHarness, PollRun, requestsSeen, startPollerHarness, totalOf } from '../../local-aws/poller-harness';
import type { SimCase } from '../../local-aws/security-ir-simulator';

let h: PollerHarness;
beforeAll(async () => {
  h = await startPollerHarness();
});
afterAll(async () => {
  await h.close();
});
beforeEach(async () => {
  h.securityIr.cases.length = 0;
  h.securityIr.faults.clear();
  await h.clearState();
  h.resetRecords();
});

const published = () => h.eventBridge.events.map((e) => [e.DetailType, e.Detail.caseId, e.Detail.previousCaseStatus, e.Detail.caseStatus, e.Detail.previousPendingAction, e.Detail.pendingAction]);

async function poll(options?: HarnessPollerOptions): Promise<PollRun> {
  const run = await h.poll(options);
  expect(run.error).toBeUndefined();
  return run;
}

/** A poll in which nothing changed: one read, no write, nothing published. */
async function expectQuietPoll(options?: HarnessPollerOptions): Promise<void> {
  h.resetRecords();
  await poll(options);
  const seen = requestsSeen(h);
  expect([totalOf(seen.dynamoDbReads), totalOf(seen.dynamoDbWrites), seen.putEvents]).toEqual([1, 0, 0]);
}

const nowSeconds = () => Date.now() / 1000;

describe('the state belongs to the watched account and region', () => {
  const scope = (securityIrRegion: string, accountId = TEST_ACCOUNT_ID): HarnessPollerOptions => ({ settings: { securityIrRegion, accountId } });

  test('another region takes its own baseline (no Created flood); the first region\'s state stays for a switch back', async () => {
    const east = [h.securityIr.addCase({ caseStatus: 'Acknowledged', pendingAction: 'None' }), h.securityIr.addCase()];
    await poll(scope('us-east-1'));
    const eastCases = h.securityIr.cases.splice(0); // what eu-west-1 lists instead
    const west = Array.from({ length: 6 }, (_, i) => h.securityIr.addCase({ pendingAction: i < 2 ? 'Customer' : 'None' }));
    h.resetRecords();

    await poll(scope('eu-west-1'));
    expect(published()).toEqual([]); // a baseline of its own, not six Created events
    await expectQuietPoll(scope('eu-west-1'));

    h.securityIr.cases.splice(0, h.securityIr.cases.length, ...eastCases);
    h.securityIr.updateCase(east[0].caseId, { pendingAction: 'Customer' });
    h.resetRecords();
    await poll(scope('us-east-1'));
    expect(published()).toEqual([[CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE, east[0].caseId, 'Acknowledged', 'Acknowledged', 'None', 'Customer']]);
    expect((await h.readState(scope('eu-west-1').settings)).cases.size).toBe(west.length);
  });

  test('another watched account takes its own baseline too', async () => {
    h.securityIr.addCase();
    await poll(scope(TEST_REGION, TEST_ACCOUNT_ID));
    h.securityIr.cases.splice(0);
    h.securityIr.addCase();
    await poll(scope(TEST_REGION, '444455556666'));
    expect(published()).toEqual([]);
    await expectQuietPoll(scope(TEST_REGION, '444455556666'));
  });
});

describe('a forward-dated lastUpdatedDate silences no later change', () => {
  test('stamped 10 years ahead once: the later real changes are published, by the poll and by a hint', async () => {
    const c = h.securityIr.addCase({ caseStatus: 'Acknowledged', pendingAction: 'None', lastUpdatedDate: nowSeconds() + 10 * 365 * 86_400 });
    await poll();
    h.securityIr.updateCase(c.caseId, { pendingAction: 'Customer', lastUpdatedDate: nowSeconds() });
    await poll();
    h.securityIr.updateCase(c.caseId, { caseStatus: 'Closed', lastUpdatedDate: nowSeconds() + 1 });
    expect((await h.createPoller().hint(c.caseId)).summary?.outcome).toBe('published');
    expect(published()).toEqual([
      [CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE, c.caseId, 'Acknowledged', 'Acknowledged', 'None', 'Customer'],
      [CASE_STATUS_CHANGED_DETAIL_TYPE, c.caseId, 'Acknowledged', 'Closed', 'Customer', 'Customer'],
    ]);
    await poll(); // the hint's lease removed the digest: this poll records it again, publishing nothing
    await expectQuietPoll();
  });

  test('stamped 10 years ahead, then a change stamped 5 minutes ahead: published at once (a stamp years ahead is no clock running ahead)', async () => {
    const c = h.securityIr.addCase({ caseStatus: 'Submitted', pendingAction: 'None', lastUpdatedDate: nowSeconds() + 10 * 365 * 86_400 });
    await poll();
    h.securityIr.updateCase(c.caseId, { caseStatus: 'Detection and Analysis', lastUpdatedDate: nowSeconds() + 300 });
    expect((await poll()).summary).toMatchObject({ eventsPublished: 1 });
    expect(published()).toEqual([[CASE_STATUS_CHANGED_DETAIL_TYPE, c.caseId, 'Submitted', 'Detection and Analysis', 'None', 'None']]);
  });

  test('a clock 5 minutes ahead, then a change stamped 1 minute ahead: held only until that minute has passed, then published once', async () => {
    const c = h.securityIr.addCase({ caseStatus: 'Acknowledged', pendingAction: 'None', lastUpdatedDate: nowSeconds() + 300 });
    await poll();
    h.securityIr.updateCase(c.caseId, { pendingAction: 'Customer', lastUpdatedDate: nowSeconds() + 60 });
    // Stamped in the future and before the recorded stamp: as a lagging copy from the clock that runs ahead would be.
    expect((await poll()).summary).toMatchObject({ eventsPublished: 0 });
    const minuteLater = { now: () => Date.now() + 61_000 };
    expect((await poll(minuteLater)).summary).toMatchObject({ eventsPublished: 1 });
    await poll(minuteLater);
    expect(published()).toEqual([[CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE, c.caseId, 'Acknowledged', 'Acknowledged', 'None', 'Customer']]);
  });
});

describe('a stale read that repeats the recorded values is no news', () => {
  test('a change stamped 10 years ahead, published by a hint, then restamped 5 minutes ahead: the next poll keeps the digest (then 1 read, 0 writes), no WARN', async () => {
    const c = h.securityIr.addCase({ caseStatus: 'Acknowledged', pendingAction: 'None' });
    await poll();
    h.securityIr.updateCase(c.caseId, { caseStatus: 'Closed', lastUpdatedDate: nowSeconds() + 10 * 365 * 86_400 });
    expect((await h.createPoller().hint(c.caseId)).summary?.outcome).toBe('published'); // its lease dropped the digest
    h.securityIr.updateCase(c.caseId, { lastUpdatedDate: nowSeconds() + 300 });
    const restamped = await poll();
    expect(restamped.logs.filter((l) => l.level === 'WARN')).toEqual([]);
    expect(published()).toEqual([[CASE_STATUS_CHANGED_DETAIL_TYPE, c.caseId, 'Acknowledged', 'Closed', 'None', 'None']]);
    await expectQuietPoll();
  });
});

describe('a lagging read of a forward-dated state is not taken for a change', () => {
  /** The next read of `operation` serves `c` as it was when `snapshot` was taken. */
  const lagOnce = (operation: 'ListCases' | 'GetCase', snapshot: SimCase) => {
    h.securityIr.servedAs = (served, cases) => {
      if (served !== operation) return cases;
      h.securityIr.servedAs = undefined;
      return cases.map((c) => (c.caseId === snapshot.caseId ? snapshot : c));
    };
  };
  afterEach(() => {
    h.securityIr.servedAs = undefined;
  });

  test('a clock 5 minutes ahead throughout: a lagging listing, then a lagging GetCase, of a state never recorded publish nothing', async () => {
    const c = h.securityIr.addCase({ caseStatus: 'Acknowledged', pendingAction: 'None', lastUpdatedDate: nowSeconds() + 300 });
    await poll();
    h.securityIr.updateCase(c.caseId, { title: 'Renamed', lastUpdatedDate: nowSeconds() + 300 }); // no change to record
    const before = { ...c };
    await poll();
    h.securityIr.updateCase(c.caseId, { pendingAction: 'Customer', lastUpdatedDate: nowSeconds() + 300 });
    await poll();
    lagOnce('ListCases', before);
    expect((await poll()).summary).toMatchObject({ eventsPublished: 0 });
    lagOnce('GetCase', before);
    expect((await h.createPoller().hint(c.caseId)).summary?.outcome).not.toBe('published');
    await poll();
    expect(published()).toEqual([[CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE, c.caseId, 'Acknowledged', 'Acknowledged', 'None', 'Customer']]);
  });

  test('stamped 10 years ahead, then a real change stamped now: a lagging copy of the forward-dated state is known by its stamp', async () => {
    const c = h.securityIr.addCase({ caseStatus: 'Acknowledged', pendingAction: 'None', lastUpdatedDate: nowSeconds() + 10 * 365 * 86_400 });
    const forwardDated = { ...c };
    await poll();
    h.securityIr.updateCase(c.caseId, { pendingAction: 'Customer', lastUpdatedDate: nowSeconds() });
    await poll();
    lagOnce('ListCases', forwardDated);
    expect((await poll()).summary).toMatchObject({ eventsPublished: 0 });
    lagOnce('GetCase', forwardDated);
    expect((await h.createPoller().hint(c.caseId)).summary?.outcome).not.toBe('published');
    expect(published()).toEqual([[CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE, c.caseId, 'Acknowledged', 'Acknowledged', 'None', 'Customer']]);
    // A real change back is still a change.
    h.securityIr.updateCase(c.caseId, { pendingAction: 'None', lastUpdatedDate: nowSeconds() });
    await poll();
    expect(published().at(-1)).toEqual([CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE, c.caseId, 'Acknowledged', 'Acknowledged', 'Customer', 'None']);
  });
});

describe('listing items that are not cases', () => {
  const HOSTILE_IDS = ['INTENT#1000000101', 'META', '9'.repeat(2_000), 'abc', '', '123456789'];

  test('are skipped with a WARN and a count, cost the others nothing, and no case ID takes an internal key', async () => {
    const real = h.securityIr.addCase({ caseId: '1000000101', caseStatus: 'Acknowledged', pendingAction: 'None' });
    for (const caseId of HOSTILE_IDS) h.securityIr.addCase({ caseId });
    const first = await poll();
    expect(first.summary).toMatchObject({ casesSeen: 1, casesSkipped: HOSTILE_IDS.length, casesRecorded: 1 });
    const warning = first.logs.find((l) => l.level === 'WARN' && /not cases/.test(l.message));
    expect(warning).toMatchObject({ count: HOSTILE_IDS.length });
    expect(JSON.stringify(warning).length).toBeLessThan(2_000); // the 2,000-character ID is not echoed whole
    const metrics = first.logs.find((l) => l._aws);
    expect(metrics?.CasesSkipped).toBe(HOSTILE_IDS.length);

    for (let i = 0; i < 3; i++) await expectQuietPoll();
    expect(published()).toEqual([]);
    h.securityIr.updateCase(real.caseId, { caseStatus: 'Closed' });
    await poll();
    expect(published()).toEqual([[CASE_STATUS_CHANGED_DETAIL_TYPE, real.caseId, 'Acknowledged', 'Closed', 'None', 'None']]);
  });

  test('a malformed member costs that item only, not the page', async () => {
    const good = h.securityIr.addCase({ caseStatus: 'Acknowledged' });
    await poll();
    h.securityIr.updateCase(good.caseId, { caseStatus: 'Closed' });
    const items = [{ caseId: good.caseId, caseStatus: 'Closed', lastUpdatedDate: nowSeconds() }, { caseId: '2000000002', createdDate: 'yesterday' }];
    h.securityIr.faults.add({ kind: 'malformed', body: JSON.stringify({ items, total: 2 }) }, { operation: 'ListCases' });
    const run = await poll();
    expect(run.summary).toMatchObject({ casesSeen: 1, casesSkipped: 1, eventsPublished: 1 });
  });
});

describe('an answer too large for an event', () => {
  test('a 300,000-character title is cut at 300 characters (never inside one): the event goes out', async () => {
    await poll();
    const title = `${'x'.repeat(299)}😀${'y'.repeat(300_000)}`;
    const c = h.securityIr.addCase({ title });
    const run = await poll();
    expect(run.summary).toMatchObject({ eventsPublished: 1, publishFailures: 0 });
    const [event] = h.eventBridge.events;
    expect(event.DetailType).toBe(CASE_CREATED_DETAIL_TYPE);
    expect(event.Detail.caseId).toBe(c.caseId);
    expect(event.Detail.title).toBe(`${'x'.repeat(299)}😀`);
  });
});

describe('answers that name another case, account or region', () => {
  test('a GetCase answer whose ARN names another case is rejected (left to the poll)', async () => {
    const [a, b] = [h.securityIr.addCase({ caseStatus: 'Submitted' }), h.securityIr.addCase({ caseStatus: 'Submitted' })];
    await poll();
    const answer = { caseArn: b.caseArn, caseStatus: 'Closed', pendingAction: 'None', lastUpdatedDate: nowSeconds() };
    h.securityIr.faults.add({ kind: 'malformed', body: JSON.stringify(answer) }, { operation: 'GetCase' });
    const run = await h.createPoller().hint(a.caseId);
    expect(run.error).toBeUndefined();
    expect(run.summary?.outcome).toBe('rejected');
    expect(run.logs.find((l) => l.level === 'WARN')?.message).toMatch(/names another case, account or region/);
    expect(published()).toEqual([]);
    await expectQuietPoll();
  });

  test.each([
    ['account', (c: SimCase) => c.caseArn!.replace(TEST_ACCOUNT_ID, '999988887777')],
    ['region', (c: SimCase) => c.caseArn!.replace(TEST_REGION, 'eu-west-3')],
  ])('a listed case whose ARN names another %s is published with the watched account and region, and a WARN', async (_what, foreign) => {
    await poll();
    const c = h.securityIr.addCase();
    h.securityIr.updateCase(c.caseId, { caseArn: foreign(c) });
    const run = await poll();
    expect(h.eventBridge.events.map((e) => [e.Detail.caseId, e.Detail.accountId, e.Detail.region])).toEqual([[c.caseId, TEST_ACCOUNT_ID, TEST_REGION]]);
    expect(run.logs.find((l) => l.level === 'WARN' && /ARN names another account or region/.test(l.message))).toMatchObject({ caseIds: [c.caseId] });
  });
});

describe('an answer without caseStatus or pendingAction', () => {
  test('reads as unknown for that field: no event, the recorded value kept; the next real change is from it', async () => {
    const c = h.securityIr.addCase({ caseStatus: 'Acknowledged', pendingAction: 'Customer' });
    await poll();
    h.securityIr.updateCase(c.caseId, { caseStatus: undefined, pendingAction: undefined, lastUpdatedDate: undefined });
    await poll();
    expect(await h.createPoller().hint(c.caseId)).toMatchObject({ summary: { outcome: 'unchanged' } });
    expect(published()).toEqual([]);
    expect((await h.readState()).cases.get(c.caseId)).toMatchObject({ caseStatus: 'Acknowledged', pendingAction: 'Customer' });
    h.securityIr.updateCase(c.caseId, { caseStatus: 'Closed', pendingAction: 'Customer' });
    await poll();
    expect(published()).toEqual([[CASE_STATUS_CHANGED_DETAIL_TYPE, c.caseId, 'Acknowledged', 'Closed', 'Customer', 'Customer']]);
  });
});
