/**
 * The fault matrix: each fault at its point of the poll, then a clean run. Every test compares the
 * events EventBridge accepted with the transitions that happened, by changeId: nothing lost,
 * nothing spurious (a re-send of the same transition carries the same changeId).
 */
import type { RecordedCase } from '../../lambda/case-state';
import { SecurityIrError } from '../../lambda/security-ir-errors';
import { frozenClock } from '../support/virtual-clock';
import { acceptedChangeIds } from '../support/accepted';
import { SimCase } from '../../local-aws/security-ir-simulator';
import { expectedChangeId, isoStamp, PollerHarness, startPollerHarness, WatcherStore } from '../../local-aws/poller-harness';

let h: PollerHarness;
beforeEach(async () => {
  // The SDK still retries DynamoDB's throttling and 5xx as often as it would; it only does not wait
  // its backoff (up to seconds a retry) in between.
  h = await startPollerHarness();
});
afterEach(async () => {
  await h.close();
});

const acceptedIds = () => acceptedChangeIds(h.eventBridge);
const listCasesCalls = () => h.securityIr.calls.filter((c) => c.operation === 'ListCases').length;

/** `n` cases, baselined; then `changed` of them move from Acknowledged to Detection and Analysis. */
async function scenario(n: number, changed: number[]): Promise<{ cases: SimCase[]; expected: string[] }> {
  const cases = Array.from({ length: n }, () => h.securityIr.addCase({ caseStatus: 'Acknowledged', pendingAction: 'None' }));
  const base = await h.poll();
  expect(base.error).toBeUndefined();
  h.resetRecords();
  const expected = changed.map((i) => {
    const updated = h.securityIr.updateCase(cases[i].caseId, { caseStatus: 'Detection and Analysis' });
    return expectedChangeId(updated, 'caseStatus', 'Acknowledged');
  });
  return { cases, expected };
}

/** Exactly the expected transitions reached EventBridge (each at least once), and a further poll adds nothing. */
async function expectDelivered(expected: string[], opts: { duplicatesAllowed?: boolean } = {}): Promise<void> {
  expect([...new Set(acceptedIds())].sort()).toEqual([...expected].sort());
  if (!opts.duplicatesAllowed) {
    expect(acceptedIds()).toHaveLength(expected.length);
  }
  const before = acceptedIds().length;
  const quiet = await h.poll();
  expect(quiet.error).toBeUndefined();
  expect(acceptedIds()).toHaveLength(before);
}

async function expectStateUnchangedFor(cases: SimCase[], caseStatus: string): Promise<void> {
  const { cases: recorded } = await h.readState();
  for (const c of cases) {
    expect(recorded.get(c.caseId)?.caseStatus).toBe(caseStatus);
  }
}

describe('listing faults', () => {
  test('a throttled page is retried within the run', async () => {
    const { expected } = await scenario(60, [5, 55]);
    h.securityIr.faults.add({ kind: 'error', status: 429, type: 'ThrottlingException', retryAfterSeconds: 0 }, { operation: 'ListCases', skip: 1 });
    const run = await h.poll();
    expect(run.summary).toMatchObject({ outcome: 'succeeded', pages: 3, listCasesCalls: 4, eventsPublished: 2 });
    expect(listCasesCalls()).toBe(4);
    await expectDelivered(expected);
  });

  test('a 5xx page is retried within the run', async () => {
    const { expected } = await scenario(60, [30]);
    h.securityIr.faults.add({ kind: 'error', status: 500, type: 'InternalServerException' }, { operation: 'ListCases', skip: 2, times: 2 });
    const run = await h.poll();
    expect(run.summary).toMatchObject({ outcome: 'succeeded', listCasesCalls: 5 });
    await expectDelivered(expected);
  });

  test('a 5xx that outlasts the retries fails the run without touching the state; the next run delivers', async () => {
    const { cases, expected } = await scenario(30, [1, 29]);
    const fault = { kind: 'error', status: 503, type: 'ServiceUnavailableException', message: 'try again later' } as const;
    h.securityIr.faults.add(fault, { operation: 'ListCases', skip: 1, times: Infinity });
    const failed = await h.poll();
    // The last 503 itself, as the client's error for a type outside the API's error table.
    expect(failed.error).toEqual({ name: fault.type, message: fault.message });
    expect(failed.thrown).toBeInstanceOf(SecurityIrError);
    expect(failed.thrown).toMatchObject({ type: fault.type, statusCode: fault.status, retryable: true });
    expect(h.dynamoDb.calls).toEqual([]); // a failed listing is never "no cases"
    expect(acceptedIds()).toEqual([]);
    h.securityIr.faults.clear();
    await expectStateUnchangedFor([cases[1], cases[29]], 'Acknowledged');
    await h.poll();
    await expectDelivered(expected);
  });

  test('an invalid token mid-listing restarts the listing once', async () => {
    const { expected } = await scenario(60, [0, 59]);
    h.securityIr.faults.add({ kind: 'error', status: 423, type: 'InvalidTokenException' }, { operation: 'ListCases', skip: 1 });
    const run = await h.poll();
    expect(run.summary).toMatchObject({ outcome: 'succeeded', casesSeen: 60, listCasesCalls: 5 });
    expect(run.logs.some((l) => l.level === 'WARN' && /restarting the listing/.test(l.message))).toBe(true);
    await expectDelivered(expected);
  });

  test('a second invalid token fails the run with no state change', async () => {
    const { expected } = await scenario(60, [10]);
    h.securityIr.faults.add({ kind: 'error', status: 423, type: 'InvalidTokenException' }, { operation: 'ListCases', skip: 1, times: 2 });
    h.securityIr.faults.add({ kind: 'error', status: 423, type: 'InvalidTokenException' }, { operation: 'ListCases', skip: 2 });
    const run = await h.poll();
    expect(run.error?.name).toBe('InvalidTokenException');
    expect(h.dynamoDb.calls).toEqual([]);
    h.securityIr.faults.clear();
    await h.poll();
    await expectDelivered(expected);
  });

  test('a listing that cannot end (a nextToken given twice) fails the run after 3 ListCases calls, no state change', async () => {
    const { expected } = await scenario(30, [3]);
    h.securityIr.faults.add({ kind: 'malformed', body: JSON.stringify({ items: [], total: 30, nextToken: 'again' }) }, { operation: 'ListCases', skip: 1, times: Infinity });
    const run = await h.poll();
    expect(run.error?.name).toBe('PaginationLoop');
    expect(listCasesCalls()).toBe(3);
    expect(h.dynamoDb.calls).toEqual([]);
    const line = run.logs.find((l) => l.level === 'ERROR' && l.errorType === 'PaginationLoop');
    expect(line?.message).toBe('Listing the cases failed (PaginationLoop): no state was changed');
    expect(line?.hint).toMatch(/kept handing back pagination tokens/);
    h.securityIr.faults.clear();
    await h.poll();
    await expectDelivered(expected);
  });

  test.each([
    ['AccessDeniedException', 403, /security-ir:ListCases/],
    ['SecurityIncidentResponseNotActiveException', 400, /no active Security Incident Response membership/],
  ])('%s fails the run at once with a clear log line and no state change', async (type, status, hint) => {
    const { expected } = await scenario(3, [0]);
    h.securityIr.faults.add({ kind: 'error', status, type, message: 'denied by test' }, { operation: 'ListCases', times: Infinity });
    const run = await h.poll();
    expect(run.error?.name).toBe(type);
    expect(listCasesCalls()).toBe(1); // not retried
    expect(h.dynamoDb.calls).toEqual([]);
    expect(acceptedIds()).toEqual([]);
    const line = run.logs.find((l) => l.level === 'ERROR' && l.errorType === type);
    expect(line?.message).toMatch(/no state was changed/);
    expect(line?.hint).toMatch(hint);
    expect(run.logs.find((l) => l.summary)?.summary).toMatchObject({ outcome: 'failed', error: expect.stringContaining('denied by test') });
    h.securityIr.faults.clear();
    await h.poll();
    await expectDelivered(expected);
  });

  test('the deadline reached mid-listing fails the run with no state change', async () => {
    const { cases, expected } = await scenario(60, [2, 40]);
    h.securityIr.faults.add({ kind: 'hang' }, { operation: 'ListCases', skip: 1 }); // the second page never comes
    const settings = { safetyMarginMs: 100, recordMarginMs: 50 };
    // Frozen time: the first page may take as long as the machine needs; only the hanging one's timer runs out.
    const clock = frozenClock();
    const poller = h.createPoller({ settings, clock });
    const run = await poller.poll(clock.now() + 700);
    // The hanging page's request is cut by its timeout, which ends with the run's time (less the margin).
    expect(run.thrown).toBeInstanceOf(SecurityIrError);
    expect((run.thrown as SecurityIrError).type).toBe('RequestTimeout');
    expect(run.error?.name).toBe('RequestTimeout');
    const [, host, timeoutMs] = /^No complete response from (\S+) within (\d+) ms$/.exec(run.error!.message) ?? [];
    expect(host).toBe(new URL(h.securityIr.url).host);
    expect(Number(timeoutMs)).toBe(600); // the run's time less its margin: nothing else passed
    expect(run.summary).toBeUndefined();
    expect(h.dynamoDb.calls).toEqual([]);
    expect(acceptedIds()).toEqual([]);
    await expectStateUnchangedFor([cases[2], cases[40]], 'Acknowledged');
    await h.poll();
    await expectDelivered(expected);
  });
});

describe('publishing faults', () => {
  test('a partial PutEvents failure is retried within the run', async () => {
    const { cases, expected } = await scenario(12, [0, 3, 7, 11]);
    h.eventBridge.failEntries((e) => e.Detail.caseId === cases[3].caseId, { times: 2, errorCode: 'InternalFailure' });
    const run = await h.poll();
    expect(run.summary).toMatchObject({ outcome: 'succeeded', eventsPublished: 4, publishFailures: 0 });
    await expectDelivered(expected);
  });

  test('an entry that keeps failing fails the run; only its case is left for the next run', async () => {
    const { cases, expected } = await scenario(12, [0, 3, 7, 11]);
    h.eventBridge.failEntries((e) => e.Detail.caseId === cases[7].caseId, { times: 5, errorCode: 'InternalFailure' });
    const run = await h.poll();
    expect(run.error?.name).toBe('RunIncompleteError');
    expect(run.logs.find((l) => l.summary)?.summary).toMatchObject({ outcome: 'failed', eventsPublished: 3, publishFailures: 1, casesRecorded: 3 });
    expect(acceptedIds().sort()).toEqual(expected.filter((id) => id !== expected[2]).sort());
    await expectStateUnchangedFor([cases[7]], 'Acknowledged');
    expect((await h.readState()).meta?.digest).toBeUndefined();
    await h.poll();
    await expectDelivered(expected);
  });

  test('a case with two events, one rejected: neither is recorded, both re-sent with the same changeIds', async () => {
    const c = h.securityIr.addCase({ caseStatus: 'Acknowledged', pendingAction: 'None' });
    await h.poll();
    h.resetRecords();
    const updated = h.securityIr.updateCase(c.caseId, { caseStatus: 'Closed', pendingAction: 'Customer' });
    const expected = [expectedChangeId(updated, 'caseStatus', 'Acknowledged'), expectedChangeId(updated, 'pendingAction', 'None')];
    h.eventBridge.failEntries((e) => e.DetailType === 'Security IR Case Pending Action Changed', { times: 5 });
    expect((await h.poll()).error?.name).toBe('RunIncompleteError');
    expect(acceptedIds()).toEqual([expected[0]]);
    expect((await h.readState()).cases.get(c.caseId)).toMatchObject({ caseStatus: 'Acknowledged', pendingAction: 'None' });
    await h.poll();
    expect(acceptedIds().sort()).toEqual([expected[0], expected[0], expected[1]].sort());
    await expectDelivered(expected, { duplicatesAllowed: true });
  });

  test('the deadline reached mid-publishing: the rest is left for the next run, no case half-recorded', async () => {
    const { expected } = await scenario(30, Array.from({ length: 30 }, (_, i) => i));
    // The second PutEvents request never answers (a 'latency' fault would be served, and its events
    // accepted, seconds later: in the middle of the checks below).
    h.eventBridge.faults.add({ kind: 'hang' }, { operation: 'PutEvents', skip: 1 });
    const clock = frozenClock(); // frozen, but for the hanging request's timer
    // 900 ms of work before the deadline for publishing (the hanging request's timer), then 4 s for the records.
    const poller = h.createPoller({ settings: { safetyMarginMs: 4_100, recordMarginMs: 10 }, clock });
    const run = await poller.poll(clock.now() + 5_000);
    expect(run.error?.name).toBe('RunIncompleteError');
    const { cases: recorded } = await h.readState();
    const advanced = [...recorded].filter(([, state]) => state.caseStatus !== 'Acknowledged').map(([caseId]) => caseId);
    const accepted = new Set(h.eventBridge.events.map((e) => e.Detail.caseId as string));
    expect(accepted.size).toBe(20); // the first and third requests' ten each
    // every recorded case is one whose event EventBridge accepted
    expect(advanced.filter((caseId) => !accepted.has(caseId))).toEqual([]);
    h.eventBridge.faults.clear();
    await h.poll();
    await expectDelivered(expected, { duplicatesAllowed: true });
  });

  test('a whole PutEvents failure fails the run and leaves every transition for the next run', async () => {
    const { cases, expected } = await scenario(25, [1, 2, 24]);
    h.eventBridge.faults.add({ kind: 'error', status: 500, type: 'InternalException' }, { operation: 'PutEvents', times: Infinity });
    const run = await h.poll({ publisher: { maxRounds: 2 } });
    expect(run.error?.name).toBe('RunIncompleteError');
    expect(acceptedIds()).toEqual([]);
    await expectStateUnchangedFor([cases[1], cases[2], cases[24]], 'Acknowledged');
    h.eventBridge.faults.clear();
    await h.poll();
    await expectDelivered(expected);
  });
});

describe('recording faults', () => {
  test('killed after EventBridge accepted the events, before the state was written: re-sent with the same changeIds', async () => {
    const { cases, expected } = await scenario(5, [0, 4]);
    // The process dies at the first case write: nothing more reaches DynamoDB, not even the lease release.
    const crashing = (store: WatcherStore): WatcherStore => ({
      ...bind(store),
      putCase: async () => {
        throw new Error('simulated crash');
      },
      releaseLease: async () => {
        throw new Error('simulated crash');
      },
    });
    const start = Date.now();
    const crashed = await h.poll({ wrapStore: crashing, now: () => start });
    expect(crashed.error?.message).toBe('simulated crash');
    expect(acceptedIds().sort()).toEqual([...expected].sort());
    await expectStateUnchangedFor([cases[0], cases[4]], 'Acknowledged');
    expect((await h.readState()).meta).toMatchObject({ leaseOwner: expect.any(String), digest: undefined });

    // While the crashed run's lease is valid, a run does nothing; once it has expired, the next run re-sends.
    const blocked = await h.poll({ now: () => start + 1_000 });
    expect(blocked.summary?.outcome).toBe('skipped');
    const later = await h.poll({ now: () => start + 31_000 });
    expect(later.summary).toMatchObject({ outcome: 'succeeded', eventsPublished: 2 });
    expect(acceptedIds().sort()).toEqual([...expected, ...expected].sort());
    await expectDelivered(expected, { duplicatesAllowed: true });
  });

  test('a crash half-way through recording leaves no digest that would hide a later change back', async () => {
    const [x, y] = [h.securityIr.addCase({ caseStatus: 'Acknowledged' }), h.securityIr.addCase({ caseStatus: 'Acknowledged' })];
    await h.poll();
    h.securityIr.updateCase(x.caseId, { caseStatus: 'Closed' });
    const yClosed = expectedChangeId(h.securityIr.updateCase(y.caseId, { caseStatus: 'Closed' }), 'caseStatus', 'Acknowledged');
    const start = Date.now();
    const crashed = await h.poll({
      now: () => start,
      wrapStore: (store) => ({
        ...bind(store),
        putCase: async (write) => {
          if (write.caseId === y.caseId) throw new Error('simulated crash');
          return store.putCase(write);
        },
        releaseLease: async () => {
          throw new Error('simulated crash');
        },
      }),
    });
    expect(crashed.error?.message).toBe('simulated crash');
    expect(acceptedIds()).toContain(yClosed);
    expect((await h.readState()).cases.get(x.caseId)?.caseStatus).toBe('Closed');
    // Both cases return to the listing the last digest was computed from.
    const back = h.securityIr.updateCase(x.caseId, { caseStatus: 'Acknowledged' });
    const yBack = h.securityIr.updateCase(y.caseId, { caseStatus: 'Acknowledged' });
    h.resetRecords();
    const next = await h.poll({ now: () => start + 31_000 });
    expect(next.summary?.outcome).toBe('succeeded');
    // x was recorded: only its change back. y was published but not recorded: its intent brings
    // the re-send (same changeId) and then its change back.
    expect(acceptedIds().sort()).toEqual([
      expectedChangeId(back, 'caseStatus', 'Closed'),
      yClosed,
      expectedChangeId(yBack, 'caseStatus', 'Closed'),
    ].sort());
  });

  test('DynamoDB throttling on a case write is retried by the SDK', async () => {
    const { expected } = await scenario(5, [1, 3]);
    h.dynamoDb.faults.add({ kind: 'error', status: 400, type: 'ProvisionedThroughputExceededException', message: 'throttled' }, { operation: 'PutItem', times: 2 });
    const run = await h.poll();
    expect(run.summary).toMatchObject({ outcome: 'succeeded', casesRecorded: 2 });
    expect(h.dynamoDb.calls.filter((c) => c.operation === 'PutItem').map((c) => c.status).sort()).toEqual([200, 200, 400, 400]);
    await expectDelivered(expected);
  });

  test('DynamoDB throttling that outlasts the retries fails the run; the next run re-sends with the same changeIds', async () => {
    const { cases, expected } = await scenario(5, [2]);
    h.dynamoDb.faults.add({ kind: 'error', status: 400, type: 'ProvisionedThroughputExceededException', message: 'throttled' }, { operation: 'PutItem', times: Infinity });
    const run = await h.poll();
    expect(run.error?.name).toBe('ProvisionedThroughputExceededException');
    expect(acceptedIds()).toEqual(expected);
    await expectStateUnchangedFor([cases[2]], 'Acknowledged');
    expect((await h.readState()).meta?.leaseOwner).toBeUndefined(); // released on the way out
    h.dynamoDb.faults.clear();
    await h.poll();
    expect(acceptedIds()).toEqual([...expected, ...expected]);
    await expectDelivered(expected, { duplicatesAllowed: true });
  });
});

describe('published, not recorded, then the case changed (write-ahead intent)', () => {
  /** Every case write fails after EventBridge accepted the events; the run still releases its lease. */
  const recordFails = (store: WatcherStore): WatcherStore => ({
    ...bind(store),
    putCase: async () => {
      throw new Error('case write failed');
    },
  });
  const transitions = (from: number) => h.eventBridge.events.slice(from).map((e) => [e.DetailType, e.Detail.previousCaseStatus, e.Detail.caseStatus]);

  test('a case that flips back: the next run re-sends the first transition (same changeId) and the flip back', async () => {
    const c = h.securityIr.addCase({ caseStatus: 'Acknowledged', pendingAction: 'None' });
    const stampOfA = isoStamp(c);
    await h.poll();
    const toB = expectedChangeId(h.securityIr.updateCase(c.caseId, { caseStatus: 'Detection and Analysis' }), 'caseStatus', 'Acknowledged');
    const stampOfB = isoStamp(c);
    const failed = await h.poll({ wrapStore: recordFails });
    expect(failed.error?.message).toBe('case write failed');
    expect(acceptedIds()).toEqual([toB]);
    await expectStateUnchangedFor([c], 'Acknowledged');

    const back = expectedChangeId(h.securityIr.updateCase(c.caseId, { caseStatus: 'Acknowledged' }), 'caseStatus', 'Detection and Analysis');
    const next = await h.poll();
    expect(next.summary).toMatchObject({ outcome: 'succeeded', eventsPublished: 2, casesRecorded: 1 });
    expect(next.logs.some((l) => l.level === 'WARN' && /published without recording/.test(l.message))).toBe(true);
    expect(acceptedIds()).toEqual([toB, toB, back]);
    expect(transitions(1)).toEqual([
      ['Security IR Case Status Changed', 'Acknowledged', 'Detection and Analysis'],
      ['Security IR Case Status Changed', 'Detection and Analysis', 'Acknowledged'],
    ]);
    // The flip back timed from the failed run's first observation of Detection and Analysis, as its intent said.
    const [firstToB, resentToB, flipBack] = h.eventBridge.events.map((e) => e.Detail as { observedAt: string; previousCaseStatusSince: string | null });
    expect([firstToB.previousCaseStatusSince, resentToB.previousCaseStatusSince, flipBack.previousCaseStatusSince]).toEqual([null, null, firstToB.observedAt]);
    expect((await h.readState()).cases.get(c.caseId)).toEqual({
      caseStatus: 'Acknowledged', pendingAction: 'None', lastUpdatedDate: expect.any(String), observedAt: expect.any(String), version: 2,
      caseStatusSince: flipBack.observedAt, supersededStamps: [stampOfA, stampOfB],
    }); // recorded, the intent spent, and the stamps it left kept (a lagging copy of either is stale)
    await expectDelivered([toB, back], { duplicatesAllowed: true });
  });

  test('a new case: its Created is re-sent with the same changeId before its status change, never a second Created', async () => {
    h.securityIr.addCase();
    await h.poll();
    const c = h.securityIr.addCase({ caseStatus: 'Submitted', pendingAction: 'None' });
    const created = expectedChangeId(c, 'created', null);
    expect((await h.poll({ wrapStore: recordFails })).error?.message).toBe('case write failed');
    expect(acceptedIds()).toEqual([created]);
    expect((await h.readState()).cases.get(c.caseId)).toMatchObject({ version: 0, caseStatus: null }); // only the intent

    const acknowledged = expectedChangeId(h.securityIr.updateCase(c.caseId, { caseStatus: 'Acknowledged' }), 'caseStatus', 'Submitted');
    const next = await h.poll();
    expect(next.summary).toMatchObject({ outcome: 'succeeded', eventsPublished: 2 });
    expect(acceptedIds()).toEqual([created, created, acknowledged]);
    expect(transitions(1)).toEqual([
      ['Security IR Case Created', null, 'Submitted'],
      ['Security IR Case Status Changed', 'Submitted', 'Acknowledged'],
    ]);
    await expectDelivered([created, acknowledged], { duplicatesAllowed: true });
  });

  test('two failed runs in a row, the case changing after each: every transition re-sent with its changeId, in order', async () => {
    const c = h.securityIr.addCase({ caseStatus: 'Acknowledged' });
    await h.poll();
    const ab = expectedChangeId(h.securityIr.updateCase(c.caseId, { caseStatus: 'Detection and Analysis' }), 'caseStatus', 'Acknowledged');
    await h.poll({ wrapStore: recordFails });
    const bc = expectedChangeId(h.securityIr.updateCase(c.caseId, { caseStatus: 'Closed' }), 'caseStatus', 'Detection and Analysis');
    await h.poll({ wrapStore: recordFails });
    expect(acceptedIds()).toEqual([ab, ab, bc]);
    const ca = expectedChangeId(h.securityIr.updateCase(c.caseId, { caseStatus: 'Acknowledged' }), 'caseStatus', 'Closed');
    const last = await h.poll();
    expect(last.summary?.outcome).toBe('succeeded');
    expect(acceptedIds().slice(3)).toEqual([ab, bc, ca]);
    await expectDelivered([ab, bc, ca], { duplicatesAllowed: true });
  });

  test('the intent write fails: nothing is published, nothing is lost, the next run does it all', async () => {
    const { cases, expected } = await scenario(30, [0, 26, 29]);
    h.dynamoDb.faults.add({ kind: 'error', status: 500, type: 'InternalServerError', message: 'unavailable' }, { operation: 'BatchWriteItem', times: Infinity });
    const failed = await h.poll();
    expect(failed.error?.message).toMatch(/unavailable/);
    expect(h.dynamoDb.calls.some((call) => call.operation === 'BatchWriteItem')).toBe(true);
    expect(h.eventBridge.calls).toEqual([]);
    await expectStateUnchangedFor([cases[0], cases[26], cases[29]], 'Acknowledged');
    expect((await h.readState()).meta?.leaseOwner).toBeUndefined();
    h.dynamoDb.faults.clear();
    const next = await h.poll();
    expect(next.summary).toMatchObject({ outcome: 'succeeded', eventsPublished: 3 });
    await expectDelivered(expected);
  });

  test('killed after the intent write, before publishing: nothing published, the next run publishes once', async () => {
    const { cases, expected } = await scenario(5, [1, 3]);
    const start = Date.now();
    const crashed = await h.poll({
      now: () => start,
      wrapStore: (store) => ({
        ...bind(store),
        putIntents: async (intents) => {
          await store.putIntents(intents);
          throw new Error('simulated crash');
        },
        releaseLease: async () => {
          throw new Error('simulated crash');
        },
      }),
    });
    expect(crashed.error?.message).toBe('simulated crash');
    expect(h.eventBridge.calls).toEqual([]);
    const { cases: state } = await h.readState();
    expect([cases[1], cases[3]].map((c) => state.get(c.caseId)?.pending?.map((p) => p.caseStatus))).toEqual([['Detection and Analysis'], ['Detection and Analysis']]);
    const next = await h.poll({ now: () => start + 31_000 });
    expect(next.summary).toMatchObject({ outcome: 'succeeded', eventsPublished: 2 });
    await expectDelivered(expected);
  });
});

describe('overlapping runs', () => {
  test('two runs started at the same moment publish each transition exactly once', async () => {
    const cases = Array.from({ length: 40 }, () => h.securityIr.addCase({ caseStatus: 'Acknowledged' }));
    await h.poll();
    const expected: string[] = [];
    const statuses = ['Detection and Analysis', 'Containment, Eradication and Recovery', 'Post-incident Activities', 'Ready to Close', 'Closed'];
    for (let round = 0; round < statuses.length; round++) {
      for (const i of [round, 20 + round, 39 - round]) {
        const previous = h.securityIr.cases.find((c) => c.caseId === cases[i].caseId)!.caseStatus!;
        const updated = h.securityIr.updateCase(cases[i].caseId, { caseStatus: statuses[round] });
        expected.push(expectedChangeId(updated, 'caseStatus', previous));
      }
      const [a, b] = await Promise.all([h.createPoller().poll(), h.createPoller().poll()]);
      expect(a.error).toBeUndefined();
      expect(b.error).toBeUndefined();
      expect((a.summary!.eventsPublished) + (b.summary!.eventsPublished)).toBe(3);
    }
    await expectDelivered(expected);
  });

  test('a run whose listing is older than another run\'s recorded one does nothing', async () => {
    const c = h.securityIr.addCase({ caseStatus: 'Acknowledged' });
    await h.poll();
    h.resetRecords();
    // Run B lists first, then stalls before reading the state...
    let resume!: () => void;
    const stalled = new Promise<void>((resolve) => (resume = resolve));
    let listed!: () => void;
    const hasListed = new Promise<void>((resolve) => (listed = resolve));
    const slowB = h.poll({
      wrapStore: (store) => ({
        ...bind(store),
        getMeta: async () => {
          listed();
          await stalled;
          return store.getMeta();
        },
      }),
    });
    await hasListed;
    // ...meanwhile the case changes and run A publishes and records it.
    const updated = h.securityIr.updateCase(c.caseId, { caseStatus: 'Closed' });
    await h.poll();
    resume();
    const b = await slowB;
    expect(b.summary?.outcome).toBe('skipped'); // not "Closed -> Acknowledged"
    await expectDelivered([expectedChangeId(updated, 'caseStatus', 'Acknowledged')]);
  });

  test('a case written by another run in between is left as that run wrote it', async () => {
    const c = h.securityIr.addCase({ caseStatus: 'Acknowledged' });
    await h.poll();
    h.securityIr.updateCase(c.caseId, { caseStatus: 'Closed' });
    // Another writer advances the case between this run's read and its write.
    const run = await h.poll({
      wrapStore: (store) => ({
        ...bind(store),
        loadCases: async () => {
          const cases = await store.loadCases();
          const recorded = cases.get(c.caseId)!;
          await store.putCase({ caseId: c.caseId, expectedVersion: recorded.version, state: recorded });
          return new Map<string, RecordedCase>(cases);
        },
      }),
    });
    expect(run.summary?.outcome).toBe('succeeded');
    expect(run.logs.some((l) => /Another run recorded some cases first/.test(l.message))).toBe(true);
    expect((await h.readState()).cases.get(c.caseId)).toMatchObject({ caseStatus: 'Acknowledged', version: 2 });
    expect((await h.readState()).meta?.digest).toBeUndefined(); // the state does not match this listing
  });
});

function bind(store: WatcherStore): WatcherStore {
  return {
    readCase: (caseId, deadline) => store.readCase(caseId, deadline),
    acquireLeaseAtGeneration: (owner, opts) => store.acquireLeaseAtGeneration(owner, opts),
    getMeta: () => store.getMeta(),
    acquireLease: (owner, opts) => store.acquireLease(owner, opts),
    releaseLease: (owner: string, opts?: { listedAt?: number; digest?: string }) => store.releaseLease(owner, opts),
    loadCases: () => store.loadCases(),
    putCase: (write) => store.putCase(write),
    putCasesInBatches: (writes) => store.putCasesInBatches(writes),
    putIntents: (intents) => store.putIntents(intents),
  };
}
