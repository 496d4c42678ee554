/**
 * What a poll costs, counted at the simulators and the DynamoDB proxy: the contract's "a poll in
 * which nothing changed makes at most two DynamoDB requests, none of them a write" at every size,
 * one ListCases call per 25 cases, one PutEvents call per 10 events, and for K announced cases
 * ceil(K/25) BatchWriteItem requests of write-ahead intents; with cases waiting on the customer, a
 * quiet poll still one read, a due reminder what an event costs.
 */
import { CASE_AWAITING_CUSTOMER_DETAIL_TYPE } from '../../lib/events';
import { PollerHarness, startPollerHarness } from '../../local-aws/poller-harness';
import { VirtualClock } from '../support/virtual-clock';

let h: PollerHarness;

function counts() {
  const dynamo = h.dynamoDb.calls;
  return {
    listCases: h.securityIr.calls.filter((c) => c.operation === 'ListCases').length,
    dynamoRequests: dynamo.length,
    dynamoWrites: dynamo.filter((c) => c.isWrite).length,
    byOperation: dynamo.reduce<Record<string, number>>((acc, c) => ({ ...acc, [c.operation]: (acc[c.operation] ?? 0) + 1 }), {}),
    putEvents: h.eventBridge.calls.filter((c) => c.operation === 'PutEvents').length,
    events: h.eventBridge.events.length,
  };
}

describe.each([25, 100, 1_000])('%i cases', (n) => {
  const pages = Math.ceil(n / 25);

  // A fresh table for each size; its three tests run in order: baseline, then no change, then changes.
  beforeAll(async () => {
    h = await startPollerHarness();
    for (let i = 0; i < n; i++) {
      h.securityIr.addCase({ caseStatus: 'Acknowledged', pendingAction: 'None' });
    }
  });
  afterAll(async () => {
    await h.close();
  });

  test('baseline: every page listed, every case written in batches of 25, nothing published', async () => {
    const run = await h.poll();
    expect(run.summary).toMatchObject({ outcome: 'succeeded', casesSeen: n, pages, casesRecorded: n });
    const c = counts();
    expect(c.listCases).toBe(pages);
    expect(c.byOperation).toEqual({ GetItem: 1, UpdateItem: 2, Query: 1, BatchWriteItem: Math.ceil(n / 25) });
    expect(c.putEvents).toBe(0);
    expect(h.dynamoDb.calls.filter((call) => call.operation === 'BatchWriteItem').reduce((s, call) => s + call.itemsWritten, 0)).toBe(n);
  });

  test('no change: ceil(N/25) ListCases, one DynamoDB read, no write, no PutEvents', async () => {
    h.resetRecords();
    const run = await h.poll();
    expect(run.summary).toMatchObject({ outcome: 'succeeded', casesSeen: n, eventsPublished: 0 });
    const c = counts();
    expect(c.listCases).toBe(pages);
    expect(c.dynamoRequests).toBeLessThanOrEqual(2);
    expect(c.byOperation).toEqual({ GetItem: 1 });
    expect(c.dynamoWrites).toBe(0);
    expect(c.putEvents).toBe(0);
  });

  test('K changed cases, E events: ceil(E/10) PutEvents, ceil(K/25) intent batches, K case writes plus the lease and its release', async () => {
    h.resetRecords();
    const step = Math.max(1, Math.floor(n / 12));
    const changed = h.securityIr.cases.filter((_, i) => i % step === 0);
    changed.forEach((c, i) => {
      // every third changed case changes both fields: two events
      h.securityIr.updateCase(c.caseId, i % 3 === 0 ? { caseStatus: 'Closed', pendingAction: 'Customer' } : { caseStatus: 'Closed' });
    });
    const k = changed.length;
    const e = k + changed.filter((_, i) => i % 3 === 0).length;
    const run = await h.poll();
    expect(run.summary).toMatchObject({ outcome: 'succeeded', eventsPublished: e, casesRecorded: k });
    const c = counts();
    expect(c.events).toBe(e);
    expect(c.putEvents).toBe(Math.ceil(e / 10));
    expect(c.listCases).toBe(pages);
    expect(c.byOperation).toEqual({ GetItem: 1, UpdateItem: 2, Query: 1, BatchWriteItem: Math.ceil(k / 25), PutItem: k });
    expect(c.dynamoWrites).toBe(k + 2 + Math.ceil(k / 25));
    // the write-ahead intents: one item (one write unit) per announced case
    expect(h.dynamoDb.calls.filter((call) => call.operation === 'BatchWriteItem').reduce((s, call) => s + call.itemsWritten, 0)).toBe(k);
  });
});

describe('60 cases, 12 of them waiting on the customer, reminders at 1 and 3 minutes', () => {
  const settings = { awaitingCustomerReminderMinutes: [1, 3] };
  const start = Date.now();
  /** A poll at `seconds` after the baseline (a frozen virtual clock there: its signatures still current). */
  const pollAt = (seconds: number) => {
    h.resetRecords();
    return h.createPoller({ settings, clock: new VirtualClock({ now: () => start + seconds * 1000 }) }).poll();
  };

  beforeAll(async () => {
    h = await startPollerHarness();
    for (let i = 0; i < 60; i++) {
      h.securityIr.addCase({ caseStatus: 'Acknowledged', pendingAction: i % 5 === 0 ? 'Customer' : 'None' });
    }
    expect((await pollAt(0)).error).toBeUndefined(); // the baseline: the waits start here
  });
  afterAll(async () => {
    await h.close();
  });

  test('no change and no mark due: one DynamoDB read, no write, no PutEvents', async () => {
    const run = await pollAt(30);
    expect(run.summary).toMatchObject({ outcome: 'succeeded', eventsPublished: 0 });
    expect(counts()).toMatchObject({ byOperation: { GetItem: 1 }, dynamoWrites: 0, putEvents: 0 });
  });

  test('a mark due: the listing compared although it did not change, each reminder costing what an event costs', async () => {
    const run = await pollAt(61);
    expect(run.summary).toMatchObject({ outcome: 'succeeded', eventsPublished: 12, casesRecorded: 12 });
    const c = counts();
    expect(c.byOperation).toEqual({ GetItem: 1, UpdateItem: 2, Query: 1, BatchWriteItem: 1, PutItem: 12 });
    expect(c.putEvents).toBe(2);
    expect(new Set(h.eventBridge.events.map((e) => e.DetailType))).toEqual(new Set([CASE_AWAITING_CUSTOMER_DETAIL_TYPE]));
  });

  test('after the mark, until the next one: quiet again', async () => {
    for (const seconds of [90, 179]) {
      expect((await pollAt(seconds)).error).toBeUndefined();
      expect(counts()).toMatchObject({ byOperation: { GetItem: 1 }, dynamoWrites: 0, putEvents: 0 });
    }
    expect((await pollAt(181)).summary).toMatchObject({ eventsPublished: 12 });
  });
});
