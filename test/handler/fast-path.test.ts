/**
 * The fast path's fault matrix: a Security IR case event makes the handler read that case with
 * GetCase and publish its change as the poll would. Every test compares the events EventBridge
 * accepted with the transitions that happened, by changeId, and counts the requests.
 */
import { SimCase } from '../../local-aws/security-ir-simulator';
import { expectedChangeId, PollerHarness, startPollerHarness, WatcherStore } from '../../local-aws/poller-harness';
import { type Latch, latch } from '../support/latch';
import { frozenClock, VirtualClock } from '../support/virtual-clock';
import { acceptedChangeIds } from '../support/accepted';

let h: PollerHarness;
beforeEach(async () => {
  h = await startPollerHarness();
});
afterEach(async () => {
  await h.close();
});

const acceptedIds = () => acceptedChangeIds(h.eventBridge);
const operations = () => ({
  securityIr: h.securityIr.calls.map((c) => c.operation),
  dynamoDb: h.dynamoDb.calls.map((c) => c.operation),
  eventBridge: h.eventBridge.calls.map((c) => c.operation),
});
const hint = (caseId: string, deadline?: number) => h.createPoller().hint(caseId, deadline);

/** `n` cases at Acknowledged / None, baselined by a poll; records reset. */
async function baselined(n = 3): Promise<SimCase[]> {
  const cases = Array.from({ length: n }, () => h.securityIr.addCase({ caseStatus: 'Acknowledged', pendingAction: 'None' }));
  expect((await h.poll()).error).toBeUndefined();
  h.resetRecords();
  return cases;
}

/**
 * A hint's store that opens `leased` once it holds the lease, holds its `waitsBefore` write until
 * `goOn` opens, and opens `released` once it has released the lease: one order forced on a race.
 */
function steppedHint(steps: { leased: Latch; waitsBefore: 'putIntents' | 'putCase'; goOn: Latch; released: Latch }): (store: WatcherStore) => WatcherStore {
  return (store) => Object.assign(Object.create(store), {
    acquireLeaseAtGeneration: async (owner: string, opts: { expiresAt: number; generation: number }) => {
      const taken = await store.acquireLeaseAtGeneration(owner, opts);
      if (taken) steps.leased.open();
      return taken;
    },
    [steps.waitsBefore]: async (...args: unknown[]) => {
      await steps.goOn.opened;
      return (store[steps.waitsBefore] as (...a: unknown[]) => Promise<unknown>).apply(store, args);
    },
    releaseLease: async (owner: string) => {
      const released = await store.releaseLease(owner);
      steps.released.open();
      return released;
    },
  });
}

/** What a later poll adds: nothing, when every transition was delivered. */
async function expectQuietPoll(): Promise<void> {
  const before = acceptedIds().length;
  const run = await h.poll();
  expect(run.error).toBeUndefined();
  expect(acceptedIds()).toHaveLength(before);
}

describe('one hint', () => {
  test('a change: both fields published with the poll\'s changeIds, recorded, in the minimum of requests', async () => {
    const [c] = await baselined();
    const updated = h.securityIr.updateCase(c.caseId, { caseStatus: 'Detection and Analysis', pendingAction: 'Customer' });
    const run = await hint(c.caseId);
    expect(run.summary).toMatchObject({ outcome: 'published', caseId: c.caseId, eventsPublished: 2, publishFailures: 0 });
    expect(acceptedIds().sort()).toEqual([
      expectedChangeId(updated, 'caseStatus', 'Acknowledged'),
      expectedChangeId(updated, 'pendingAction', 'None'),
    ].sort());
    expect(h.eventBridge.events.map((e) => e.Detail)).toEqual(expect.arrayContaining([expect.objectContaining({
      caseId: c.caseId, caseStatus: 'Detection and Analysis', previousCaseStatus: 'Acknowledged',
      pendingAction: 'Customer', previousPendingAction: 'None',
    })]));
    expect(operations()).toEqual({
      securityIr: ['GetCase'],
      dynamoDb: ['BatchGetItem', 'UpdateItem', 'BatchGetItem', 'BatchWriteItem', 'PutItem', 'UpdateItem'],
      eventBridge: ['PutEvents'],
    });
    expect((await h.readState()).cases.get(c.caseId)).toMatchObject({ caseStatus: 'Detection and Analysis', pendingAction: 'Customer', version: 2 });
    await expectQuietPoll(); // the poll finds the same transition recorded: published once
  });

  test('no change (a comment): one GetCase, one DynamoDB read, no write, no event', async () => {
    const [c] = await baselined();
    h.securityIr.addComment(c.caseId);
    const run = await hint(c.caseId);
    expect(run.summary).toMatchObject({ outcome: 'unchanged', eventsPublished: 0 });
    expect(operations()).toEqual({ securityIr: ['GetCase'], dynamoDb: ['BatchGetItem'], eventBridge: [] });
  });

  test('before the first baseline: nothing published, nothing written', async () => {
    const c = h.securityIr.addCase();
    const run = await hint(c.caseId);
    expect(run.summary).toMatchObject({ outcome: 'no-baseline' });
    expect(operations()).toEqual({ securityIr: ['GetCase'], dynamoDb: ['BatchGetItem'], eventBridge: [] });
    expect((await h.readState()).cases.size).toBe(0);
  });

  test('a case never seen, after the baseline: Created; recorded silently when Created events are off', async () => {
    await baselined();
    const created = h.securityIr.addCase({ caseStatus: 'Submitted' });
    expect((await hint(created.caseId)).summary).toMatchObject({ outcome: 'published', eventsPublished: 1 });
    expect(acceptedIds()).toEqual([expectedChangeId(created, 'created', null)]);

    const silent = h.securityIr.addCase({ caseStatus: 'Submitted' });
    const run = await h.createPoller({ settings: { emitCreatedEvents: false } }).hint(silent.caseId);
    expect(run.summary).toMatchObject({ outcome: 'published', eventsPublished: 0 });
    expect(acceptedIds()).toHaveLength(1);
    expect((await h.readState()).cases.get(silent.caseId)).toMatchObject({ caseStatus: 'Submitted', version: 1 });
    await expectQuietPoll();
  });
});

describe('duplicates, bursts, order', () => {
  test('the same hint twice: published once, the second costs one GetCase and one read', async () => {
    const [c] = await baselined();
    h.securityIr.updateCase(c.caseId, { caseStatus: 'Closed' });
    await hint(c.caseId);
    h.resetRecords();
    expect((await hint(c.caseId)).summary).toMatchObject({ outcome: 'unchanged' });
    expect(operations()).toEqual({ securityIr: ['GetCase'], dynamoDb: ['BatchGetItem'], eventBridge: [] });
  });

  test('ten hints for one case at once: each transition published exactly once', async () => {
    const [c] = await baselined();
    const updated = h.securityIr.updateCase(c.caseId, { pendingAction: 'Customer' });
    const runs = await Promise.all(Array.from({ length: 10 }, () => hint(c.caseId)));
    expect(runs.map((r) => r.error)).toEqual(Array(10).fill(undefined));
    expect(runs.filter((r) => r.summary?.outcome === 'published')).toHaveLength(1);
    expect(acceptedIds()).toEqual([expectedChangeId(updated, 'pendingAction', 'None')]);
    await expectQuietPoll();
  });

  test('hints out of order: a read older than the recorded state publishes nothing (no spurious change back)', async () => {
    const [c] = await baselined();
    h.securityIr.updateCase(c.caseId, { caseStatus: 'Detection and Analysis' });
    const paused = latch();
    const readTheCase = latch();
    const readLate = (store: WatcherStore): WatcherStore => Object.assign(Object.create(store), {
      readCase: async (caseId: string) => {
        readTheCase.open(); // GetCase has answered: the state is read only after it
        await paused.opened;
        return store.readCase(caseId);
      },
    });
    const older = h.createPoller({ wrapStore: readLate }).hint(c.caseId); // reads the case now, the state later
    await readTheCase.opened;
    const newest = h.securityIr.updateCase(c.caseId, { caseStatus: 'Closed' });
    const newestId = expectedChangeId(newest, 'caseStatus', 'Acknowledged');
    expect((await hint(c.caseId)).summary?.outcome).toBe('published');
    paused.open();
    expect((await older).summary?.outcome).toBe('unchanged');
    expect(acceptedIds()).toEqual([newestId]);
    expect((await h.readState()).cases.get(c.caseId)).toMatchObject({ caseStatus: 'Closed' });
    await expectQuietPoll();
  });

  test('two changes before the hints are read: one read, one transition from the recorded value', async () => {
    const [c] = await baselined();
    const first = expectedChangeId(h.securityIr.updateCase(c.caseId, { caseStatus: 'Detection and Analysis' }), 'caseStatus', 'Acknowledged');
    const second = expectedChangeId(h.securityIr.updateCase(c.caseId, { caseStatus: 'Containment, Eradication and Recovery' }), 'caseStatus', 'Detection and Analysis');
    expect((await hint(c.caseId)).summary?.outcome).toBe('published');
    expect((await hint(c.caseId)).summary?.outcome).toBe('unchanged');
    // The fast path read the case once, after both changes: one transition, from the recorded value.
    expect(acceptedIds()).toEqual([expectedChangeId(h.securityIr.cases.find((x) => x.caseId === c.caseId)!, 'caseStatus', 'Acknowledged')]);
    expect(acceptedIds()).not.toContain(first);
    expect(acceptedIds()).not.toContain(second);
    await expectQuietPoll();
  });

  test('a hint racing a poll over the same change: published once', async () => {
    const cases = await baselined(5);
    const updated = cases.map((c) => h.securityIr.updateCase(c.caseId, { caseStatus: 'Ready to Close' }));
    const [poll, ...hints] = await Promise.all([h.poll(), ...cases.map((c) => hint(c.caseId))]);
    expect(poll.error).toBeUndefined();
    expect(hints.map((r) => r.error)).toEqual(Array(5).fill(undefined));
    expect(acceptedIds().sort()).toEqual(updated.map((c) => expectedChangeId(c, 'caseStatus', 'Acknowledged')).sort());
    await expectQuietPoll();
  });

  test('durations: a value first seen by a hint is timed from the hint, and the poll that finds the next change says so', async () => {
    const [byHint, byPoll] = await baselined(2);
    for (const c of [byHint, byPoll]) h.securityIr.updateCase(c.caseId, { pendingAction: 'Customer' });
    // the hint a minute before the poll, on a clock a minute behind (its signatures still current)
    expect((await h.createPoller({ clock: new VirtualClock({ now: () => Date.now() - 60_000 }) }).hint(byHint.caseId)).error).toBeUndefined();
    expect((await h.poll()).error).toBeUndefined();
    const firstSeen = new Map(h.eventBridge.events.map((e) => [e.Detail.caseId, e.Detail.observedAt]));
    expect(Date.parse(firstSeen.get(byPoll.caseId)) - Date.parse(firstSeen.get(byHint.caseId))).toBeGreaterThanOrEqual(60_000);
    h.resetRecords();
    for (const c of [byHint, byPoll]) h.securityIr.updateCase(c.caseId, { pendingAction: 'None' });
    const [viaHint, viaPoll] = [await hint(byHint.caseId), await h.poll()];
    expect([viaHint.error, viaPoll.error]).toEqual([undefined, undefined]);
    const details = new Map(h.eventBridge.events.map((e) => [e.Detail.caseId, e.Detail]));
    for (const c of [byHint, byPoll]) {
      // whichever path saw Customer first, and whichever sees it end: the same first observation
      expect(details.get(c.caseId)).toMatchObject({ previousPendingAction: 'Customer', previousPendingActionSince: firstSeen.get(c.caseId), previousCaseStatusSince: null });
    }
  });

  test('a hint that read the state while another run held the lease acts on nothing it read then (found by the soak)', async () => {
    // The generation moves when a lease is taken, not when its holder records: a read made while a
    // run holds the lease, before that run records, must not be trusted once the lease is free.
    const [c] = await baselined();
    const [bGotCase, aLeased, bRead, aReleased] = [latch(), latch(), latch(), latch()];
    const readLate = (store: WatcherStore): WatcherStore => Object.assign(Object.create(store), {
      readCase: async (caseId: string) => {
        bGotCase.open();
        await aLeased.opened; // B reads the state while A holds the lease...
        const snapshot = await store.readCase(caseId);
        bRead.open();
        return snapshot;
      },
      acquireLeaseAtGeneration: async (owner: string, opts: { expiresAt: number; generation: number }) => {
        await aReleased.opened; // ...and asks for the lease once A has recorded and released it.
        return store.acquireLeaseAtGeneration(owner, opts);
      },
    });
    const recordAfterB = steppedHint({ leased: aLeased, waitsBefore: 'putIntents', goOn: bRead, released: aReleased });

    h.securityIr.updateCase(c.caseId, { caseStatus: 'Detection and Analysis' });
    const hintB = h.createPoller({ wrapStore: readLate }).hint(c.caseId); // B's GetCase sees Detection and Analysis
    await bGotCase.opened;
    const newest = h.securityIr.updateCase(c.caseId, { caseStatus: 'Closed' });
    const hintA = h.createPoller({ wrapStore: recordAfterB }).hint(c.caseId); // A's sees Closed
    const [a, b] = await Promise.all([hintA, hintB]);

    expect(a.summary?.outcome).toBe('published');
    expect(b.summary?.outcome).toBe('unchanged'); // not Acknowledged -> Detection and Analysis after Acknowledged -> Closed
    expect(acceptedIds()).toEqual([expectedChangeId(newest, 'caseStatus', 'Acknowledged')]);
    expect((await h.readState()).cases.get(c.caseId)).toMatchObject({ caseStatus: 'Closed', version: 2 });
    await expectQuietPoll();
  });

  test('a poll finding a hint\'s lease waits for it, then records its own changes in the same period', async () => {
    const [a, b] = await baselined();
    h.securityIr.updateCase(a.caseId, { caseStatus: 'Closed' });
    const updatedB = h.securityIr.updateCase(b.caseId, { caseStatus: 'Closed' });
    // The hint holds the lease until the poll has been refused it once: no timing involved.
    const refused = latch();
    const leaseHeld = latch();
    const hintHoldsLease = (store: WatcherStore): WatcherStore => Object.assign(Object.create(store), {
      putCase: async (write: Parameters<WatcherStore['putCase']>[0]) => {
        leaseHeld.open();
        await refused.opened;
        return store.putCase(write);
      },
    });
    const pollRefusedOnce = (store: WatcherStore): WatcherStore => Object.assign(Object.create(store), {
      acquireLease: async (owner: string, opts: Parameters<WatcherStore['acquireLease']>[1]) => {
        const taken = await store.acquireLease(owner, opts);
        if (!taken) refused.open();
        return taken;
      },
    });
    const hinting = h.createPoller({ wrapStore: hintHoldsLease }).hint(a.caseId);
    await leaseHeld.opened;
    const [hintRun, pollRun] = await Promise.all([hinting, h.createPoller({ wrapStore: pollRefusedOnce }).poll()]);
    expect(hintRun.summary?.outcome).toBe('published');
    expect(pollRun.summary?.outcome).toBe('succeeded'); // not 'skipped'
    expect(acceptedIds()).toHaveLength(2);
    expect(acceptedIds()).toContain(expectedChangeId(updatedB, 'caseStatus', 'Acknowledged'));
  });

  test('a poll finding another poll\'s lease leaves the work to it', async () => {
    const [a] = await baselined();
    h.securityIr.updateCase(a.caseId, { caseStatus: 'Closed' });
    const firstHolds = latch();
    const secondDone = latch();
    const holdAfterLease = (store: WatcherStore): WatcherStore => Object.assign(Object.create(store), {
      loadCases: async () => {
        firstHolds.open();
        await secondDone.opened;
        return store.loadCases();
      },
    });
    const first = h.createPoller({ wrapStore: holdAfterLease }).poll();
    await firstHolds.opened;
    const second = await h.poll();
    secondDone.open();
    expect(second.summary?.outcome).toBe('skipped');
    expect((await first).summary?.outcome).toBe('succeeded');
    expect(acceptedIds()).toHaveLength(1);
  });

  test('a poll refused the lease by a hint that releases it before the poll looks at who holds it asks again (it does not skip the period)', async () => {
    const [a, b] = await baselined();
    h.securityIr.updateCase(a.caseId, { caseStatus: 'Closed' });
    const updatedB = h.securityIr.updateCase(b.caseId, { caseStatus: 'Closed' });
    const [hintLeased, hintMayRecord, hintReleased] = [latch(), latch(), latch()];
    const hintStore = steppedHint({ leased: hintLeased, waitsBefore: 'putCase', goOn: hintMayRecord, released: hintReleased });
    let refusals = 0;
    const pollStore = (store: WatcherStore): WatcherStore => Object.assign(Object.create(store), {
      acquireLease: async (owner: string, opts: { expiresAt: number; listedAt: number }) => {
        const taken = await store.acquireLease(owner, opts);
        if (!taken && refusals++ === 0) {
          hintMayRecord.open(); // the hint finishes and releases between the refusal and the poll's next read
          await hintReleased.opened;
        }
        return taken;
      },
    });
    const hinting = h.createPoller({ wrapStore: hintStore }).hint(a.caseId);
    await hintLeased.opened;
    const pollRun = await h.createPoller({ wrapStore: pollStore }).poll();
    expect((await hinting).summary?.outcome).toBe('published');
    expect(refusals).toBe(1);
    expect(pollRun.summary).toMatchObject({ outcome: 'succeeded', eventsPublished: 1 }); // not 'skipped'
    expect(acceptedIds()).toContain(expectedChangeId(updatedB, 'caseStatus', 'Acknowledged'));
    await expectQuietPoll();
  });
});

describe('GetCase faults', () => {
  test('404: nothing published or recorded, the hint succeeds; the next poll is the judge', async () => {
    const [c] = await baselined();
    h.securityIr.updateCase(c.caseId, { caseStatus: 'Closed' });
    h.securityIr.faults.add({ kind: 'error', status: 404, type: 'ResourceNotFoundException' }, { operation: 'GetCase' });
    const run = await hint(c.caseId);
    expect(run.summary).toMatchObject({ outcome: 'not-found', eventsPublished: 0 });
    expect(run.logs.find((l) => l.level === 'WARN')?.message).toBe('GetCase found no such case: left to the next poll');
    expect(operations().dynamoDb).toEqual([]);
    await h.poll();
    expect(acceptedIds()).toHaveLength(1);
  });

  test('throttling then success: retried within the hint, published once', async () => {
    const [c] = await baselined();
    const updated = h.securityIr.updateCase(c.caseId, { caseStatus: 'Closed' });
    h.securityIr.faults.add({ kind: 'error', status: 429, type: 'ThrottlingException', retryAfterSeconds: 0 }, { operation: 'GetCase', times: 2 });
    expect((await hint(c.caseId)).summary?.outcome).toBe('published');
    expect(operations().securityIr).toEqual(['GetCase', 'GetCase', 'GetCase']);
    expect(acceptedIds()).toEqual([expectedChangeId(updated, 'caseStatus', 'Acknowledged')]);
  });

  test.each([
    [500, 'InternalServerException'],
    [403, 'AccessDeniedException'],
  ])('%i %s that persists: the hint fails with that error, nothing recorded; the next poll delivers', async (status, type) => {
    const [c] = await baselined();
    const updated = h.securityIr.updateCase(c.caseId, { caseStatus: 'Closed' });
    h.securityIr.faults.add({ kind: 'error', status, type }, { operation: 'GetCase', times: Infinity });
    const run = await hint(c.caseId, Date.now() + 5_000);
    expect(run.error?.name).toBe(type);
    expect(run.logs.find((l) => l.hint)?.hint).toMatchObject({ outcome: 'failed', caseId: c.caseId, error: expect.stringContaining(type) });
    expect(operations().dynamoDb).toEqual([]);
    expect(acceptedIds()).toEqual([]);
    await h.poll();
    expect(acceptedIds()).toEqual([expectedChangeId(updated, 'caseStatus', 'Acknowledged')]);
  });
});

describe('publishing and recording faults', () => {
  test('EventBridge rejects the entry: the hint fails, the case is not advanced, the poll re-sends the same changeId', async () => {
    const [c] = await baselined();
    const updated = h.securityIr.updateCase(c.caseId, { caseStatus: 'Closed' });
    h.eventBridge.faults.add({ kind: 'error', status: 400, type: 'AccessDeniedException' }, { operation: 'PutEvents', times: Infinity });
    const run = await hint(c.caseId);
    expect(run.error?.name).toBe('RunIncompleteError');
    expect((await h.readState()).cases.get(c.caseId)).toMatchObject({ caseStatus: 'Acknowledged', version: 1 });
    h.eventBridge.faults.clear();
    expect((await h.poll()).summary?.eventsPublished).toBe(1);
    expect(acceptedIds()).toEqual([expectedChangeId(updated, 'caseStatus', 'Acknowledged')]);
  });

  test('killed after PutEvents, before recording, then the case flips back: the next hint re-sends A->B, then B->A', async () => {
    const [c] = await baselined();
    const toB = h.securityIr.updateCase(c.caseId, { caseStatus: 'Closed' });
    const crashing = (store: WatcherStore): WatcherStore => Object.assign(Object.create(store), {
      putCase: async () => { throw new Error('simulated crash'); },
      releaseLease: async () => { throw new Error('simulated crash'); },
    });
    const margins = { settings: { safetyMarginMs: 100, recordMarginMs: 50 } };
    const clock = frozenClock(); // the crashed hint's lease expires when the test says, however slow the machine
    const leaseExpiresAt = clock.now() + 2_000;
    const crashed = await h.createPoller({ wrapStore: crashing, ...margins, clock }).hint(c.caseId, leaseExpiresAt);
    expect(crashed.error?.message).toBe('simulated crash');
    const idAB = expectedChangeId(toB, 'caseStatus', 'Acknowledged');
    expect(acceptedIds()).toEqual([idAB]);
    const backToA = h.securityIr.updateCase(c.caseId, { caseStatus: 'Acknowledged' });
    clock.advanceTo(leaseExpiresAt + 10); // the crashed hint's lease expires
    expect((await h.createPoller({ clock }).hint(c.caseId)).summary).toMatchObject({ outcome: 'published', eventsPublished: 2 });
    expect(acceptedIds()).toEqual([idAB, idAB, expectedChangeId(backToA, 'caseStatus', 'Closed')]);
    await expectQuietPoll();
  });
});
