import { EventBridgeClient, PutEventsCommand, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { TEST_CREDENTIALS, TEST_REGION } from '../../local-aws/credentials';
import { EventBridgeSimulator, MAX_ENTRIES_SIZE_BYTES, putEventsEntrySize, startEventBridgeSimulator } from '../../local-aws/eventbridge-simulator';
import { rejectionOf } from '../support/rejection';
import { signedFetch } from '../support/signed-fetch';

let sim: EventBridgeSimulator;
let client: EventBridgeClient;
beforeEach(async () => {
  sim = await startEventBridgeSimulator();
  client = new EventBridgeClient({ endpoint: sim.url, region: TEST_REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
});
afterEach(async () => {
  client.destroy();
  await sim.close();
});

function entry(n: number, overrides: Partial<PutEventsRequestEntry> = {}): PutEventsRequestEntry {
  return {
    EventBusName: 'watcher-bus',
    Source: 'security-ir.case-watcher',
    DetailType: 'Security IR Case Status Changed',
    Detail: JSON.stringify({ caseId: String(1000000000 + n), n }),
    Resources: [`arn:aws:security-ir:us-east-1:111122223333:case/${1000000000 + n}`],
    ...overrides,
  };
}

function put(entries: PutEventsRequestEntry[]) {
  return client.send(new PutEventsCommand({ Entries: entries }));
}

describe('PutEvents through the real EventBridgeClient', () => {
  test('accepts entries, returns EventIds in order and records the events', async () => {
    const time = new Date('2026-11-23T09:13:00.000Z');
    const sent = Date.now();
    const res = await put([entry(1, { Time: time }), entry(2, { EventBusName: undefined, Resources: undefined })]);
    expect(res.FailedEntryCount).toBe(0);
    expect(res.Entries).toHaveLength(2);
    expect(sim.events.map((e) => e.eventId)).toEqual(res.Entries!.map((e) => e.EventId));
    expect(sim.events[0]).toEqual({
      eventId: expect.any(String),
      EventBusName: 'watcher-bus',
      Source: 'security-ir.case-watcher',
      DetailType: 'Security IR Case Status Changed',
      Detail: { caseId: '1000000001', n: 1 },
      Resources: ['arn:aws:security-ir:us-east-1:111122223333:case/1000000001'],
      Time: '2026-11-23T09:13:00.000Z',
      acceptedAt: expect.any(Number),
    });
    expect(sim.events[0].acceptedAt).toBeGreaterThanOrEqual(sent); // the simulator's clock, not the entry's Time
    expect(sim.events[1]).toMatchObject({ EventBusName: 'default', Resources: [] });
    expect(sim.events[1]).not.toHaveProperty('Time');
    expect(sim.calls).toEqual([
      expect.objectContaining({ operation: 'PutEvents', action: 'events:PutEvents', method: 'POST', path: '/', status: 200, accessKeyId: TEST_CREDENTIALS.accessKeyId }),
    ]);
  });

  test('fails bad entries one by one with InvalidArgument and keeps the good ones', async () => {
    const res = await put([
      entry(1),
      entry(2, { Source: undefined }),
      entry(3, { DetailType: undefined }),
      entry(4, { Detail: undefined }),
      entry(5, { Detail: '[1,2]' }),
      entry(6, { Detail: 'not json' }),
      entry(7),
    ]);
    expect(res.FailedEntryCount).toBe(5);
    expect(res.Entries!.map((e) => e.ErrorCode ?? 'ok')).toEqual(['ok', 'InvalidArgument', 'InvalidArgument', 'InvalidArgument', 'InvalidArgument', 'InvalidArgument', 'ok']);
    expect(res.Entries![1].ErrorMessage).toMatch(/Source/);
    expect(res.Entries![5].ErrorMessage).toMatch(/Detail is malformed/);
    expect(sim.events.map((e) => e.Detail.n)).toEqual([1, 7]);
  });

  test('rejects the whole call for 0 or 11 entries with a ValidationException', async () => {
    for (const entries of [[], Array.from({ length: 11 }, (_, i) => entry(i))]) {
      const err = await rejectionOf(put(entries));
      expect(err.name).toBe('ValidationException');
      expect(err.$metadata.httpStatusCode).toBe(400);
    }
    expect(sim.events).toHaveLength(0);
    expect(sim.calls.map((c) => c.status)).toEqual([400, 400]);
  });

  test('rejects the whole call when the entries exceed 256 KB, and accepts exactly 256 KB', async () => {
    const base = entry(0, { Detail: '{"x":""}' });
    const padding = MAX_ENTRIES_SIZE_BYTES - putEventsEntrySize(base);
    const exactly = { ...base, Detail: `{"x":"${'a'.repeat(padding)}"}` };
    expect(putEventsEntrySize(exactly)).toBe(MAX_ENTRIES_SIZE_BYTES);
    expect((await put([exactly])).FailedEntryCount).toBe(0);

    const over = await rejectionOf(put([{ ...exactly, Detail: `{"x":"${'a'.repeat(padding + 1)}"}` }]));
    expect(over.name).toBe('ValidationException');
    expect(over.message).toMatch(/Total size of the entries/);
    expect(sim.events).toHaveLength(1);
  });

  test('counts Time as 14 bytes and multi-byte characters by their UTF-8 size', () => {
    expect(putEventsEntrySize({ Source: 'ab', DetailType: 'c', Detail: '{"é":1}', Resources: ['r1', 'r2'], Time: 1 })).toBe(14 + 2 + 1 + 8 + 4);
  });

  test('failEntries fails the next matching entries with InternalFailure by default', async () => {
    sim.failEntries((e) => e.Detail.n % 2 === 0, { times: 2 });
    sim.failEntries((e) => e.Resources.length === 0, { errorCode: 'ThrottlingException', errorMessage: 'slow down' });
    const res = await put([entry(1), entry(2), entry(3), entry(4), entry(6), entry(7, { Resources: [] })]);
    expect(res.FailedEntryCount).toBe(3);
    expect(res.Entries!.map((e) => e.ErrorCode ?? 'ok')).toEqual(['ok', 'InternalFailure', 'ok', 'InternalFailure', 'ok', 'ThrottlingException']);
    expect(res.Entries![5].ErrorMessage).toBe('slow down');
    expect(sim.events.map((e) => e.Detail.n)).toEqual([1, 3, 6]);
    // Both rules are used up.
    expect((await put([entry(8, { Resources: [] })])).FailedEntryCount).toBe(0);
  });

  test('whole-call faults: ThrottlingException 400 and InternalException 500 in awsJson', async () => {
    sim.faults
      .add({ kind: 'error', status: 400, type: 'ThrottlingException', message: 'Rate exceeded' }, { operation: 'PutEvents' })
      .add({ kind: 'error', status: 500, type: 'InternalException' });
    const throttled = await rejectionOf(put([entry(1)]));
    expect(throttled.name).toBe('ThrottlingException');
    expect(throttled.message).toBe('Rate exceeded');
    expect(throttled.$metadata.httpStatusCode).toBe(400);
    const internal = await rejectionOf(put([entry(1)]));
    expect(internal.name).toBe('InternalException');
    expect(internal.$metadata.httpStatusCode).toBe(500);
    expect((await put([entry(1)])).FailedEntryCount).toBe(0);
    expect(sim.calls.map((c) => c.status)).toEqual([400, 500, 200]);
  });

  test('a hang fault leaves the call unanswered until the client aborts, and close() still completes', async () => {
    sim.faults.add({ kind: 'hang' }, { operation: 'PutEvents' });
    const abort = new AbortController();
    const pending = rejectionOf(client.send(new PutEventsCommand({ Entries: [entry(1)] }), { abortSignal: abort.signal }));
    while (sim.calls.length === 0) await new Promise((r) => setTimeout(r, 5));
    expect(sim.calls[0].status).toBe(0);
    abort.abort();
    expect((await pending).name).toBe('AbortError');
    expect(sim.events).toHaveLength(0);
  });

  test('rejects a client with the wrong secret', async () => {
    const wrong = new EventBridgeClient({ endpoint: sim.url, region: TEST_REGION, credentials: { ...TEST_CREDENTIALS, secretAccessKey: 'nope' }, maxAttempts: 1 });
    try {
      const err = await rejectionOf(wrong.send(new PutEventsCommand({ Entries: [entry(1)] })));
      expect(err.name).toBe('InvalidSignatureException');
      expect(sim.calls[0]).toMatchObject({ status: 400, accessKeyId: undefined });
    } finally {
      wrong.destroy();
    }
  });

  test('answers another target or content type as EventBridge would', async () => {
    const target = await signedFetch(
      { method: 'POST', url: `${sim.url}/`, headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSEvents.ListRules' }, body: '{}' },
      { service: 'events' },
    );
    expect(target.status).toBe(400);
    expect(target.json.__type).toBe('UnknownOperationException');
    const contentType = await signedFetch(
      { method: 'POST', url: `${sim.url}/`, headers: { 'content-type': 'application/json', 'x-amz-target': 'AWSEvents.PutEvents' }, body: '{"Entries":[]}' },
      { service: 'events' },
    );
    expect(contentType.status).toBe(400);
    expect(contentType.json.__type).toBe('SerializationException');
  });
});
