import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import {
  ENTRY_TOO_LARGE,
  entrySize,
  EventPublisher,
  EventToPublish,
  MAX_REQUEST_BYTES,
  packBatches,
  PublisherOptions,
} from '../../lambda/publisher';
import { TEST_CREDENTIALS, TEST_REGION } from '../../local-aws/credentials';
import { fakeClock } from '../support/virtual-clock';
import { acceptedChangeIds } from '../support/accepted';
import { inFlightRecorder } from '../support/in-flight';
import { EventBridgeSimulator, putEventsEntrySize, startEventBridgeSimulator } from '../../local-aws/eventbridge-simulator';

const BUS = 'watcher-bus';
const FAR = () => Date.now() + 60_000;

let sim: EventBridgeSimulator;
let client: EventBridgeClient;

beforeAll(async () => {
  sim = await startEventBridgeSimulator();
  client = new EventBridgeClient({
    region: TEST_REGION,
    endpoint: sim.url,
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1, // the publisher's own retry is under test
  });
});
afterAll(async () => {
  client.destroy();
  await sim.close();
});
beforeEach(() => {
  sim.events.length = 0;
  sim.calls.length = 0;
  sim.faults.clear();
});

function publisher(overrides: Partial<PublisherOptions> = {}): EventPublisher {
  return new EventPublisher({ client, eventBusName: BUS, baseDelayMs: 1, maxDelayMs: 5, ...overrides });
}

function events(n: number, detailBytes = 50): EventToPublish[] {
  return Array.from({ length: n }, (_, i) => ({
    source: 'security-ir.case-watcher',
    detailType: 'Security IR Case Status Changed',
    detail: { changeId: `c${i}`, padding: 'x'.repeat(detailBytes) },
    resources: [`arn:aws:security-ir:us-east-1:111122223333:case/${1000000000 + i}`],
    time: new Date('2026-11-23T09:13:00.000Z'),
  }));
}

const changeIdsAtBus = () => acceptedChangeIds(sim);
const putEventsCalls = () => sim.calls.filter((c) => c.operation === 'PutEvents').length;

test('every field of an entry reaches EventBridge as specified', async () => {
  const outcome = await publisher().publish(events(1), FAR());
  expect(outcome).toEqual({ accepted: [true], failures: [], putEventsCalls: 1 });
  expect(sim.events[0]).toMatchObject({
    EventBusName: BUS,
    Source: 'security-ir.case-watcher',
    DetailType: 'Security IR Case Status Changed',
    Detail: { changeId: 'c0' },
    Resources: ['arn:aws:security-ir:us-east-1:111122223333:case/1000000000'],
    Time: '2026-11-23T09:13:00.000Z',
  });
});

test.each([[1, 1], [10, 1], [11, 2], [25, 3], [100, 10]])('%i events take %i PutEvents calls', async (n, calls) => {
  const outcome = await publisher().publish(events(n), FAR());
  expect(outcome.accepted.every(Boolean)).toBe(true);
  expect(outcome.putEventsCalls).toBe(calls);
  expect(putEventsCalls()).toBe(calls);
  // Requests run in parallel, so only the set is fixed (EventBridge keeps no order across requests anyway).
  expect(changeIdsAtBus().sort()).toEqual(events(n).map((e) => (e.detail as { changeId: string }).changeId).sort());
});

test('at most `concurrency` requests are in flight, and every batch is sent once', async () => {
  const sender = inFlightRecorder((command: any) => ({
    FailedEntryCount: 0,
    Entries: command.input.Entries.map((_: unknown, i: number) => ({ EventId: `e${i}` })),
    $metadata: {},
  }));
  const outcome = await publisher({ client: sender as any, concurrency: 3 }).publish(events(75), FAR());
  expect(outcome.accepted.every(Boolean)).toBe(true);
  expect(sender.sent.map((c: any) => c.input.Entries.length)).toEqual([10, 10, 10, 10, 10, 10, 10, 5]);
  expect(sender.maxInFlight).toBe(3);
});

test('large entries are split to stay within 256 KB per request', async () => {
  const big = events(5, 100 * 1024); // ~100 KB each: two per request
  const outcome = await publisher().publish(big, FAR());
  expect(outcome.accepted).toEqual([true, true, true, true, true]);
  expect(outcome.putEventsCalls).toBe(3);
  expect(sim.events).toHaveLength(5);
});

test('an entry larger than the limit is reported, never sent, and does not block the others', async () => {
  const [small] = events(1);
  const huge = events(1, MAX_REQUEST_BYTES)[0];
  const outcome = await publisher().publish([huge, small], FAR());
  expect(outcome.accepted).toEqual([false, true]);
  expect(outcome.failures).toEqual([expect.objectContaining({ index: 0, errorCode: ENTRY_TOO_LARGE })]);
  expect(sim.events).toHaveLength(1);
});

test('entry size is counted as EventBridge counts it (UTF-8 bytes, Time 14)', () => {
  const entry = { Source: 's', DetailType: 'dé', Detail: '{"a":"€"}', Resources: ['r1', 'r2'], Time: new Date() };
  expect(entrySize(entry)).toBe(putEventsEntrySize(entry));
  expect(entrySize(entry)).toBe(14 + 1 + 3 + 11 + 4);
  expect(entrySize({ Source: 's', DetailType: 'd' })).toBe(2);
});

test('packBatches keeps order and both limits', () => {
  const sizes = [200_000, 60_000, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 262_144];
  const batches = packBatches(sizes.map((_, i) => i), (i) => sizes[i]);
  expect(batches).toEqual([[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [10, 11], [12]]);
  for (const batch of batches) {
    expect(batch.length).toBeLessThanOrEqual(10);
    expect(batch.reduce((s, i) => s + sizes[i], 0)).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
  }
});

test('a partial failure retries only the failed entries', async () => {
  sim.failEntries((e) => e.Detail.changeId === 'c3' || e.Detail.changeId === 'c7', { times: 2, errorCode: 'InternalFailure' });
  const outcome = await publisher().publish(events(10), FAR());
  expect(outcome.accepted.every(Boolean)).toBe(true);
  expect(outcome.failures).toEqual([]);
  expect(outcome.putEventsCalls).toBe(2);
  expect(changeIdsAtBus().sort()).toEqual(events(10).map((e) => (e.detail as { changeId: string }).changeId).sort());
  expect(sim.calls[1].body).toMatchObject({ Entries: [{ Detail: expect.stringContaining('"c3"') }, { Detail: expect.stringContaining('"c7"') }] });
});

test('each round after the first waits a full-jitter backoff delay', async () => {
  sim.failEntries((e) => e.Detail.changeId === 'c0', { times: 3 });
  const clock = fakeClock({ random: () => 0.999999 });
  const outcome = await publisher({ clock, baseDelayMs: 100, maxDelayMs: 250 }).publish(events(2), FAR());
  expect(outcome.accepted).toEqual([true, true]);
  expect(outcome.putEventsCalls).toBe(4);
  expect(clock.waits).toEqual([99, 199, 249]);
});

test('entries that keep failing are reported with their error after the last round', async () => {
  sim.failEntries((e) => e.Detail.changeId === 'c1', { times: 3, errorCode: 'ThrottlingException', errorMessage: 'slow down' });
  const outcome = await publisher({ maxRounds: 3 }).publish(events(3), FAR());
  expect(outcome.accepted).toEqual([true, false, true]);
  expect(outcome.failures).toEqual([{ index: 1, errorCode: 'ThrottlingException', errorMessage: 'slow down' }]);
  expect(outcome.putEventsCalls).toBe(3);
  expect(changeIdsAtBus()).toEqual(['c0', 'c2']);
});

test('a whole-call 5xx is retried', async () => {
  sim.faults.add({ kind: 'error', status: 500, type: 'InternalException' }, { operation: 'PutEvents', times: 2 });
  const outcome = await publisher().publish(events(12), FAR());
  expect(outcome.accepted.every(Boolean)).toBe(true);
  expect(sim.events).toHaveLength(12);
});

test('a whole call that keeps failing leaves every entry of it unaccepted', async () => {
  sim.faults.add({ kind: 'error', status: 503, type: 'ServiceUnavailable' }, { operation: 'PutEvents', times: Infinity });
  const outcome = await publisher({ maxRounds: 2 }).publish(events(3), FAR());
  expect(outcome.accepted).toEqual([false, false, false]);
  expect(outcome.failures.map((f) => f.index)).toEqual([0, 1, 2]);
  expect(outcome.putEventsCalls).toBe(2);
});

test('access denied is not retried', async () => {
  sim.faults.add({ kind: 'error', status: 400, type: 'AccessDeniedException', message: 'no' }, { operation: 'PutEvents', times: Infinity });
  const outcome = await publisher().publish(events(3), FAR());
  expect(outcome.accepted).toEqual([false, false, false]);
  expect(outcome.failures[0].errorCode).toBe('AccessDeniedException');
  expect(outcome.putEventsCalls).toBe(1);
});

test('nothing is started after the deadline; unsent entries are reported', async () => {
  let now = 1_000;
  const outcome = await publisher({ clock: fakeClock({ now: () => now }) }).publish(events(3), 1_000);
  expect(outcome.accepted).toEqual([false, false, false]);
  expect(outcome.putEventsCalls).toBe(0);
  expect(putEventsCalls()).toBe(0);

  // a retry wait that would pass the deadline is not started either
  sim.failEntries(() => true, { times: 1 });
  now = 0;
  const retried = await publisher({ clock: fakeClock({ now: () => now, random: () => 0.999 }), baseDelayMs: 10_000, maxDelayMs: 10_000 }).publish(events(1), 5_000);
  expect(retried.accepted).toEqual([false]);
  expect(retried.putEventsCalls).toBe(1);
});

test('no events, no call', async () => {
  expect(await publisher().publish([], FAR())).toEqual({ accepted: [], failures: [], putEventsCalls: 0 });
  expect(putEventsCalls()).toBe(0);
});
