import { BatchGetItemCommand, BatchWriteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CaseWrite, DynamoDbSender, StateStore, StateStoreOptions } from '../../lambda/state-store';
import { TEST_CREDENTIALS, TEST_REGION } from '../../local-aws/credentials';
import { fakeClock } from '../support/virtual-clock';
import { inFlightRecorder } from '../support/in-flight';
import { createTable, DynamoDbProxy, DynamoDbServer, startDynalite, startDynamoDbProxy } from '../../local-aws/dynamodb';

const SCOPE = { accountId: '111122223333', region: 'us-east-1' };
const ALLOWED_OPERATIONS = new Set(['GetItem', 'UpdateItem', 'Query', 'PutItem', 'BatchWriteItem', 'BatchGetItem']);

let dynalite: DynamoDbServer;
let proxy: DynamoDbProxy;
let client: DynamoDBClient;
let tableNumber = 0;
let tableName: string;

beforeAll(async () => {
  dynalite = await startDynalite();
  proxy = await startDynamoDbProxy(dynalite.endpoint);
  client = new DynamoDBClient({ region: TEST_REGION, credentials: TEST_CREDENTIALS, endpoint: proxy.url });
});
afterAll(async () => {
  expect(proxy.calls.filter((c) => !ALLOWED_OPERATIONS.has(c.operation))).toEqual([]);
  client.destroy();
  await proxy.close();
  await dynalite.close();
});
beforeEach(async () => {
  tableName = `state-${++tableNumber}`;
  await createTable(dynalite.endpoint, { tableName, partitionKey: 'pk', sortKey: 'sk' });
  proxy.faults.clear();
});

function store(overrides: Partial<StateStoreOptions> = {}): StateStore {
  return new StateStore({ client, tableName, clock: fakeClock(), scope: SCOPE, ...overrides });
}

function write(caseId: string, expectedVersion?: number, caseStatus: string | null = 'Acknowledged'): CaseWrite {
  return { caseId, expectedVersion, state: { caseStatus, pendingAction: 'None', lastUpdatedDate: '2026-11-23T09:12:44.000Z' } };
}

describe('meta and lease', () => {
  test('no meta item before the first run', async () => {
    expect(await store().getMeta()).toBeUndefined();
  });

  test('one holder at a time until the lease expires', async () => {
    let now = 1_000;
    const s = store({ clock: fakeClock({ now: () => now }) });
    expect(await s.acquireLease('run-a', { expiresAt: 5_000, listedAt: 900 })).toBe(true);
    expect(await s.acquireLease('run-b', { expiresAt: 6_000, listedAt: 950 })).toBe(false);
    expect(await s.getMeta()).toMatchObject({ leaseOwner: 'run-a', leaseExpiresAt: 5_000 });
    now = 5_001; // run-a crashed: its lease has expired
    expect(await s.acquireLease('run-b', { expiresAt: 9_000, listedAt: 4_900 })).toBe(true);
    expect(await s.getMeta()).toMatchObject({ leaseOwner: 'run-b', leaseExpiresAt: 9_000 });
  });

  test('release by the holder records the listing; the digest and baseline only when given', async () => {
    const s = store();
    await s.acquireLease('run-a', { expiresAt: Date.now() + 60_000, listedAt: 100 });
    expect(await s.releaseLease('run-b', { listedAt: 100, digest: 'x' })).toBe(false);
    expect(await s.releaseLease('run-a', { listedAt: 100 })).toBe(true);
    const partial = await s.getMeta();
    expect(partial).toEqual({ listedAt: 100, digest: undefined, baselineAt: undefined, leaseOwner: undefined, leaseExpiresAt: undefined, generation: 1 });

    await s.acquireLease('run-c', { expiresAt: Date.now() + 60_000, listedAt: 200 });
    expect(await s.releaseLease('run-c', { listedAt: 200, digest: 'd1' })).toBe(true);
    const complete = await s.getMeta();
    expect(complete).toMatchObject({ listedAt: 200, digest: 'd1', baselineAt: expect.any(String) });
    expect(complete?.leaseOwner).toBeUndefined();

    await s.acquireLease('run-d', { expiresAt: Date.now() + 60_000, listedAt: 300 });
    await s.releaseLease('run-d', { listedAt: 300, digest: 'd2' });
    expect(await s.getMeta()).toMatchObject({ digest: 'd2', baselineAt: complete?.baselineAt }); // baseline kept
  });

  test('taking the lease removes the digest, so a crashed run leaves none behind', async () => {
    const s = store();
    await s.acquireLease('run-a', { expiresAt: Date.now() + 60_000, listedAt: 100 });
    await s.releaseLease('run-a', { listedAt: 100, digest: 'd1' });
    await s.acquireLease('run-b', { expiresAt: Date.now() + 60_000, listedAt: 200 });
    expect((await s.getMeta())?.digest).toBeUndefined();
  });

  test('a run whose listing is older than the last recorded one cannot take the lease', async () => {
    const s = store();
    await s.acquireLease('run-a', { expiresAt: Date.now() + 60_000, listedAt: 500 });
    await s.releaseLease('run-a', { listedAt: 500 });
    expect(await s.acquireLease('run-b', { expiresAt: Date.now() + 60_000, listedAt: 499 })).toBe(false);
    expect(await s.acquireLease('run-b', { expiresAt: Date.now() + 60_000, listedAt: 501 })).toBe(true);
  });

  test('a lost lease is not released by its former holder', async () => {
    let now = 1_000;
    const s = store({ clock: fakeClock({ now: () => now }) });
    await s.acquireLease('run-a', { expiresAt: 2_000, listedAt: 900 });
    now = 3_000;
    await s.acquireLease('run-b', { expiresAt: 9_000, listedAt: 2_900 });
    expect(await s.releaseLease('run-a', { listedAt: 900, digest: 'stale' })).toBe(false);
    expect(await s.getMeta()).toMatchObject({ leaseOwner: 'run-b' });
  });
});

describe('case items', () => {
  test('conditional writes: a new case once, then only from the version read', async () => {
    const s = store();
    expect(await s.putCase(write('1111111111'))).toBe(true);
    expect(await s.putCase(write('1111111111'))).toBe(false); // another run created it first
    expect(await s.putCase(write('1111111111', 1, 'Closed'))).toBe(true);
    expect(await s.putCase(write('1111111111', 1, 'Ready to Close'))).toBe(false); // computed from version 1: stale
    expect((await s.loadCases()).get('1111111111')).toEqual({
      caseStatus: 'Closed', pendingAction: 'None', lastUpdatedDate: '2026-11-23T09:12:44.000Z', version: 2,
    });
  });

  test('absent values are stored as NULL and read back as null', async () => {
    const s = store();
    await s.putCase({ caseId: '2222222222', expectedVersion: undefined, state: { caseStatus: null, pendingAction: null, lastUpdatedDate: null } });
    expect((await s.loadCases()).get('2222222222')).toEqual({ caseStatus: null, pendingAction: null, lastUpdatedDate: null, version: 1 });
  });

  test('batches of 25, every page of the query read back', async () => {
    const s = store({ queryPageSize: 7 });
    const writes = Array.from({ length: 60 }, (_, i) => write(String(1000000000 + i)));
    proxy.calls.length = 0;
    await s.putCasesInBatches(writes);
    // The batches go out in parallel: only their sizes are fixed, not the order they arrive in.
    expect(proxy.calls.map((c) => [c.operation, c.itemsWritten]).sort()).toEqual([['BatchWriteItem', 10], ['BatchWriteItem', 25], ['BatchWriteItem', 25]]);
    proxy.calls.length = 0;
    const cases = await s.loadCases();
    expect(cases.size).toBe(60);
    expect(proxy.calls.filter((c) => c.operation === 'Query')).toHaveLength(9); // 60 / 7 -> 9 pages
    expect(proxy.calls.every((c) => !c.isWrite)).toBe(true);
  });

  test('at most `batchConcurrency` batch writes are in flight', async () => {
    const sender = inFlightRecorder((_: unknown) => ({ UnprocessedItems: {}, $metadata: {} }));
    await store({ client: sender as DynamoDbSender, batchConcurrency: 3 }).putCasesInBatches(Array.from({ length: 200 }, (_, i) => write(String(1500000000 + i))));
    expect(sender.sent.map((c: any) => c.input.RequestItems[tableName].length)).toEqual([25, 25, 25, 25, 25, 25, 25, 25]);
    expect(sender.maxInFlight).toBe(3);
  });

  test('unprocessed items are retried until written', async () => {
    const sender = partiallyProcessing(client, 2);
    const s = store({ client: sender });
    await s.putCasesInBatches(Array.from({ length: 30 }, (_, i) => write(String(2000000000 + i))));
    expect((await store().loadCases()).size).toBe(30);
    expect(sender.batchCalls).toBeGreaterThan(2);
  });

  test('unprocessed items wait a full-jitter backoff before each retry: 50 ms doubling, at most 1 s', async () => {
    const clock = fakeClock({ random: () => 0.999999 });
    const sender = partiallyProcessing(client, 6);
    await store({ client: sender, clock }).putCasesInBatches([write('2500000000')]);
    expect(sender.batchCalls).toBe(7);
    expect(clock.waits).toEqual([49, 99, 199, 399, 799, 999]);
  });

  test('items left unprocessed after the last attempt fail the call', async () => {
    const s = store({ client: partiallyProcessing(client, Infinity), maxAttempts: 3 });
    await expect(s.putCasesInBatches([write('3000000000'), write('3000000001')])).rejects.toThrow(/unprocessed after 3 attempts/);
  });

  test('no batch request or retry starts after the deadline: the call fails with the items unwritten', async () => {
    let now = 1_000;
    const unprocessing = partiallyProcessing(client, Infinity);
    // Each attempt takes 500 ms of the fake clock.
    const sender = { send: ((command: any) => { now += 500; return unprocessing.send(command); }) as DynamoDBClient['send'] };
    const s = store({ client: sender, clock: fakeClock({ now: () => now }) });
    await expect(s.putCasesInBatches([write('3100000000')], 1_000)).rejects.toThrow(/deadline/);
    expect(unprocessing.batchCalls).toBe(0);
    // The first attempt starts before the deadline and ends after it: no retry follows.
    await expect(s.putIntents([{ caseId: '3100000001', expectedVersion: undefined, pending: [] }], 1_200)).rejects.toThrow(/deadline came with 1 item/);
    expect(unprocessing.batchCalls).toBe(1);
  });

  test('a throttled write is retried by the SDK', async () => {
    proxy.faults.add({ kind: 'error', status: 400, type: 'ProvisionedThroughputExceededException', message: 'slow down' }, { operation: 'PutItem' });
    proxy.calls.length = 0;
    expect(await store().putCase(write('4000000000'))).toBe(true);
    expect(proxy.calls.map((c) => [c.operation, c.status])).toEqual([['PutItem', 400], ['PutItem', 200]]);
  });

  test('other errors are not mistaken for a lost condition', async () => {
    proxy.faults.add({ kind: 'error', status: 400, type: 'ValidationException', message: 'bad' }, { operation: 'PutItem' });
    await expect(store().putCase(write('5000000000'))).rejects.toThrow(/bad/);
  });
});

describe('write-ahead intents', () => {
  const B = { caseStatus: 'Closed', pendingAction: 'Customer', lastUpdatedDate: '2026-11-24T00:00:00.000Z' };
  const C = { caseStatus: null, pendingAction: null, lastUpdatedDate: null };

  test('an intent sits beside the recorded case until a write of that case spends it', async () => {
    const s = store();
    await s.putCase(write('1111111111'));
    const recordedBefore = (await s.loadCases()).get('1111111111');
    await s.putIntents([{ caseId: '1111111111', expectedVersion: 1, pending: [B, C] }]);
    expect((await s.loadCases()).get('1111111111')).toEqual({ ...recordedBefore, pending: [B, C] }); // the recorded state untouched
    expect(await s.putCase({ caseId: '1111111111', expectedVersion: 1, state: B })).toBe(true);
    const after = (await s.loadCases()).get('1111111111');
    expect(after).toEqual({ ...B, version: 2 });
    expect(after?.pending).toBeUndefined();
  });

  test('a new case\'s intent reads back as version 0 with no state; recording it spends the intent', async () => {
    const s = store();
    await s.putIntents([{ caseId: '2222222222', expectedVersion: undefined, pending: [B] }]);
    const cases = await s.loadCases();
    expect(cases.size).toBe(1);
    expect(cases.get('2222222222')).toEqual({ caseStatus: null, pendingAction: null, lastUpdatedDate: null, version: 0, pending: [B] });
    expect(await s.putCase({ caseId: '2222222222', expectedVersion: undefined, state: B })).toBe(true);
    expect((await s.loadCases()).get('2222222222')).toEqual({ ...B, version: 1 });
  });

  test('an intent never replaces the case item, so another run\'s conditional write still wins', async () => {
    const s = store();
    await s.putCase(write('3333333333'));
    await s.putCase(write('3333333333', 1, 'Detection and Analysis')); // another run, version 2
    await s.putIntents([{ caseId: '3333333333', expectedVersion: 1, pending: [B] }]); // computed from version 1
    expect((await s.loadCases()).get('3333333333')).toEqual({
      caseStatus: 'Detection and Analysis', pendingAction: 'None', lastUpdatedDate: '2026-11-23T09:12:44.000Z', version: 2,
    }); // the intent from version 1 is spent
    expect(await s.putCase({ caseId: '3333333333', expectedVersion: 1, state: B })).toBe(false);
  });

  test('batches of 25 with unprocessed items retried, read back in one query', async () => {
    const sender = partiallyProcessing(client, 2);
    const s = store({ client: sender });
    proxy.calls.length = 0;
    await s.putIntents(Array.from({ length: 30 }, (_, i) => ({ caseId: String(4000000000 + i), expectedVersion: undefined, pending: [B] })));
    const batches = proxy.calls.filter((c) => c.operation === 'BatchWriteItem');
    expect(batches.reduce((n, c) => n + c.itemsWritten, 0)).toBe(30);
    expect(Math.max(...batches.map((c) => c.itemsWritten))).toBeLessThanOrEqual(25);
    expect(sender.batchCalls).toBeGreaterThan(2);
    proxy.calls.length = 0;
    const cases = await store().loadCases();
    expect([...cases.values()].filter((c) => c.pending)).toHaveLength(30);
    expect(proxy.calls.map((c) => c.operation)).toEqual(['Query']);
  });
});

/**
 * A sender whose BatchWriteItem writes only the first item of a request of several (none of a
 * single item), returning the rest as UnprocessedItems, `times` times (as DynamoDB does under load).
 */
function partiallyProcessing(real: DynamoDBClient, times: number): DynamoDbSender & { batchCalls: number } {
  let left = times;
  const sender = {
    batchCalls: 0,
    send: (async (command: any) => {
      if (!(command instanceof BatchWriteItemCommand)) {
        return real.send(command);
      }
      sender.batchCalls++;
      const [table, requests] = Object.entries(command.input.RequestItems!)[0];
      if (left <= 0) {
        return real.send(command);
      }
      left--;
      const processed = requests.length > 1 ? 1 : 0;
      if (processed > 0) {
        await real.send(new BatchWriteItemCommand({ RequestItems: { [table]: requests.slice(0, processed) } }));
      }
      return { UnprocessedItems: { [table]: requests.slice(processed) }, $metadata: {} };
    }) as DynamoDBClient['send'],
  };
  return sender;
}

describe('one case in one read, and the lease for a hint', () => {
  const B = { caseStatus: 'Closed', pendingAction: 'Customer', lastUpdatedDate: '2026-11-24T00:00:00.000Z' };

  test('readCase: the meta item, the case and its live intent in one BatchGetItem', async () => {
    const s = store();
    expect(await s.readCase('1111111111')).toEqual({ meta: undefined, recorded: undefined });
    await s.acquireLease('poll', { expiresAt: Date.now() + 60_000, listedAt: 100 });
    await s.releaseLease('poll', { listedAt: 100, digest: 'd' });
    await s.putCase(write('1111111111'));
    await s.putIntents([{ caseId: '1111111111', expectedVersion: 1, pending: [B] }]);
    proxy.calls.length = 0;
    const snapshot = await s.readCase('1111111111');
    expect(proxy.calls.map((c) => c.operation)).toEqual(['BatchGetItem']);
    expect(snapshot.meta).toMatchObject({ baselineAt: expect.any(String), digest: 'd', generation: 1 });
    expect(snapshot.recorded).toEqual((await s.loadCases()).get('1111111111'));
    expect(snapshot.recorded).toMatchObject({ caseStatus: 'Acknowledged', version: 1, pending: [B] });
    expect((await s.readCase('2222222222')).recorded).toBeUndefined();
  });

  test('readCase: unprocessed keys are read again with backoff; keys never processed fail after the policy\'s attempts', async () => {
    await store().putCase(write('1111111111'));
    /** Answers the first `times` BatchGetItem requests with every key but the first (or all keys) left unprocessed. */
    const unprocessedKeys = (times: number, answerFirst = true) => {
      let left = times;
      const sender = {
        getCalls: 0,
        send: (async (command: any) => {
          if (!(command instanceof BatchGetItemCommand)) return real(command);
          sender.getCalls++;
          if (left-- <= 0) return real(command);
          const [table, request] = Object.entries(command.input.RequestItems!)[0];
          if (!answerFirst) return { Responses: {}, UnprocessedKeys: { [table]: request }, $metadata: {} };
          const [first, ...rest] = request.Keys!;
          const answered = await client.send(new BatchGetItemCommand({ RequestItems: { [table]: { ...request, Keys: [first] } } }));
          return { Responses: answered.Responses, UnprocessedKeys: rest.length > 0 ? { [table]: { ...request, Keys: rest } } : {}, $metadata: {} };
        }) as DynamoDBClient['send'],
      };
      const real = (command: any) => client.send(command);
      return sender;
    };
    const twice = unprocessedKeys(2);
    const clock = fakeClock();
    const snapshot = await store({ client: twice, clock }).readCase('1111111111');
    expect(snapshot.recorded).toMatchObject({ caseStatus: 'Acknowledged', version: 1 });
    expect(twice.getCalls).toBe(3);
    expect(clock.waits).toHaveLength(2); // a backoff wait before each of the two re-reads
    const never = unprocessedKeys(Infinity, false);
    await expect(store({ client: never, maxAttempts: 3 }).readCase('1111111111'))
      .rejects.toThrow('BatchGetItem left 3 key(s) of case 1111111111 unread (after 3 attempts)');
    expect(never.getCalls).toBe(3);
  });

  test('every lease raises the generation; a hint takes it only at the generation it read', async () => {
    const s = store();
    await s.acquireLease('poll', { expiresAt: Date.now() + 60_000, listedAt: 100 });
    expect(await s.acquireLeaseAtGeneration('hint', { expiresAt: Date.now() + 60_000, generation: 1 })).toBe(false); // held
    await s.releaseLease('poll', { listedAt: 100, digest: 'd' });
    expect(await s.acquireLeaseAtGeneration('hint', { expiresAt: Date.now() + 60_000, generation: 0 })).toBe(false); // moved on
    expect(await s.acquireLeaseAtGeneration('hint', { expiresAt: Date.now() + 60_000, generation: 1 })).toBe(true);
    const held = await s.getMeta();
    expect(held).toMatchObject({ leaseOwner: 'hint', generation: 2, listedAt: 100 });
    expect(held?.digest).toBeUndefined(); // a hint's lease removes the digest like a poll's
    expect(await s.releaseLease('hint')).toBe(true);
    expect(await s.getMeta()).toMatchObject({ listedAt: 100, generation: 2, leaseOwner: undefined }); // listedAt untouched
  });

  test('no hint lease before the baseline', async () => {
    const s = store();
    expect(await s.acquireLeaseAtGeneration('hint', { expiresAt: Date.now() + 60_000, generation: 0 })).toBe(false);
    await s.acquireLease('poll', { expiresAt: Date.now() + 60_000, listedAt: 100 });
    await s.releaseLease('poll', { listedAt: 100 }); // a run that recorded no complete listing
    expect(await s.acquireLeaseAtGeneration('hint', { expiresAt: Date.now() + 60_000, generation: 1 })).toBe(false);
  });
});
