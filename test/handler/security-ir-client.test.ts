import { createServer, request as httpRequest } from 'node:http';
import { systemClock } from '../../lambda/clock';
import { SecurityIrClient, SecurityIrClientOptions } from '../../lambda/security-ir-client';
import { SecurityIrError } from '../../lambda/security-ir-errors';
import { TEST_CREDENTIALS, TEST_REGION } from '../../local-aws/credentials';
import { listenOnLoopback, readBody, unusedLoopbackPort } from '../../local-aws/http-server';
import { fakeClock, frozenClock } from '../support/virtual-clock';
import { rejectionOf } from '../support/rejection';
import { SecurityIrSimulator, startSecurityIrSimulator } from '../../local-aws/security-ir-simulator';

let sim: SecurityIrSimulator;

beforeAll(async () => {
  sim = await startSecurityIrSimulator();
});

afterAll(async () => {
  await sim.close();
});

beforeEach(() => {
  sim.cases.length = 0;
  sim.calls.length = 0;
  sim.faults.clear();
  sim.clockOffsetMs = 0;
});

function newClient(options: Partial<SecurityIrClientOptions> = {}): SecurityIrClient {
  return new SecurityIrClient({
    region: TEST_REGION,
    endpoint: sim.url,
    credentials: async () => TEST_CREDENTIALS,
    clock: fakeClock(),
    ...options,
  });
}

/** The ListCases requests the simulator received. */
const listCalls = () => sim.calls.filter((call) => call.operation === 'ListCases');

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/** The SecurityIrError a call fails with. */
async function failureOf(promise: Promise<unknown>): Promise<SecurityIrError> {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(SecurityIrError);
  return error as SecurityIrError;
}

describe('listing', () => {
  test('60 cases: exactly 3 signed ListCases calls of maxResults 25, every case once', async () => {
    for (let i = 0; i < 60; i++) sim.addCase();
    const attempts: string[] = [];
    const client = newClient({ onAttempt: (operation) => attempts.push(operation) });

    const cases = (await collect(client.paginateCases())).flatMap((page) => page.items);

    expect(listCalls()).toHaveLength(3);
    expect(listCalls().map((call) => (call.body as { maxResults?: number }).maxResults)).toEqual([25, 25, 25]);
    expect(listCalls().every((call) => call.status === 200 && call.accessKeyId === TEST_CREDENTIALS.accessKeyId)).toBe(true);
    expect(attempts).toEqual(['ListCases', 'ListCases', 'ListCases']);
    expect(cases.map((c) => c.caseId)).toEqual(sim.cases.map((c) => c.caseId));
    expect(new Set(cases.map((c) => c.caseId)).size).toBe(60);
  });

  test('paginateCases yields every page and stops at the page without nextToken', async () => {
    for (let i = 0; i < 60; i++) sim.addCase();
    const pages = await collect(newClient().paginateCases());

    expect(pages.map((page) => page.items.length)).toEqual([25, 25, 10]);
    expect(pages.map((page) => page.nextToken === undefined)).toEqual([false, false, true]);
    expect(pages[0].total).toBe(60);
    // The second and third requests carried the tokens of the pages before them.
    expect(listCalls().map((call) => (call.body as { nextToken?: string }).nextToken)).toEqual([undefined, pages[0].nextToken, pages[1].nextToken]);
  });

  test('a nextToken the service already gave in this listing ends it at once, naming the loop', async () => {
    for (let i = 0; i < 30; i++) sim.addCase();
    // From the second call on, every page points back at itself: a listing that would never end.
    sim.faults.add({ kind: 'malformed', body: JSON.stringify({ items: [], total: 30, nextToken: 'same-token' }) }, { operation: 'ListCases', skip: 1, times: Infinity });
    const error = await failureOf(collect(newClient().paginateCases()));
    expect(error.type).toBe('PaginationLoop');
    expect(error).toMatchObject({ type: 'PaginationLoop', retryable: false });
    expect(error.message).toBe('ListCases returned, on page 3, a nextToken it already gave in this listing: the listing cannot end, so it stops here');
    expect(listCalls()).toHaveLength(3);
  });

  test('a listing that keeps handing out new tokens far past its total is capped, naming the loop', async () => {
    let n = 0;
    const client = newClient();
    // Fresh tokens every time (a stand-in's static fault body cannot do that): the client's own pages, rewritten.
    client.listCases = async () => ({ items: [], total: 1, nextToken: `token-${++n}` });
    const error = await failureOf(collect(client.paginateCases()));
    expect(error.type).toBe('PaginationLoop');
    expect(error.message).toBe('ListCases still returns a nextToken after 11 pages of 25, for a total of 1 cases: the listing cannot end, so it stops here');
    expect(n).toBe(11);
  });

  test('a listing whose total grows while it lists is not mistaken for a loop', async () => {
    const pages: { total: number; nextToken?: string }[] = [];
    for (let i = 0; i < 20; i++) pages.push({ total: 25 * (i + 1), nextToken: i < 19 ? `t${i}` : undefined });
    const client = newClient();
    let i = 0;
    client.listCases = async () => ({ items: [], ...pages[i++] });
    expect(await collect(client.paginateCases())).toHaveLength(20);
  });

  test('an empty listing is one call and no case', async () => {
    expect((await collect(newClient().paginateCases())).flatMap((page) => page.items)).toEqual([]);
    expect(listCalls()).toHaveLength(1);
  });

  test('maxResults is passed through', async () => {
    for (let i = 0; i < 5; i++) sim.addCase();
    const pages = await collect(newClient().paginateCases({ maxResults: 2 }));
    expect(pages.map((page) => page.items.length)).toEqual([2, 2, 1]);
    expect(listCalls().map((call) => (call.body as { maxResults?: number }).maxResults)).toEqual([2, 2, 2]);
  });
});

describe('response parsing', () => {
  test('epoch seconds (fractional too) become Dates; strings pass through', async () => {
    sim.addCase({
      caseId: '1234567890',
      title: 'Suspicious IAM activity',
      caseStatus: 'Detection and Analysis',
      pendingAction: 'Customer',
      engagementType: 'Security Incident',
      resolverType: 'AWS',
      createdDate: 1_700_000_000.25,
      lastUpdatedDate: 1_700_000_600,
      closedDate: undefined,
    });
    const [item] = (await newClient().listCases()).items;
    expect(item).toEqual({
      caseId: '1234567890',
      caseArn: `arn:aws:security-ir:${TEST_REGION}:111122223333:case/1234567890`,
      title: 'Suspicious IAM activity',
      caseStatus: 'Detection and Analysis',
      pendingAction: 'Customer',
      engagementType: 'Security Incident',
      resolverType: 'AWS',
      createdDate: new Date('2023-11-14T22:13:20.250Z'),
      lastUpdatedDate: new Date('2023-11-14T22:23:20.000Z'),
    });
    expect(item.createdDate).toBeInstanceOf(Date);
  });

  test('unknown enum values pass through unchanged', async () => {
    sim.addCase({ caseStatus: 'Escalated To Legal', pendingAction: 'Partner', engagementType: 'Tabletop Exercise', resolverType: 'Partner' });
    const [item] = (await newClient().listCases()).items;
    expect(item).toMatchObject({ caseStatus: 'Escalated To Legal', pendingAction: 'Partner', engagementType: 'Tabletop Exercise', resolverType: 'Partner' });
  });

  test('missing optional members stay absent', async () => {
    sim.addCase({
      caseId: '2000000001', caseArn: undefined, title: undefined, caseStatus: undefined, pendingAction: undefined,
      engagementType: undefined, resolverType: undefined, createdDate: undefined, lastUpdatedDate: undefined, closedDate: undefined,
    });
    const [item] = (await newClient().listCases()).items;
    expect(item).toStrictEqual({ caseId: '2000000001' });
  });

  test.each([
    ['a body that is not JSON', '<html>gateway</html>', /not JSON/],
    ['a body that is not an object', 'null', /not a JSON object/],
    ['items that is not an array', '{"items":{"caseId":"1234567890"}}', /items is not an array/],
  ])('%s is a retryable MalformedResponse error, never an empty page', async (_name, body, detail) => {
    sim.addCase();
    sim.faults.add({ kind: 'malformed', body }, { operation: 'ListCases' });

    const error = await failureOf(newClient({ maxAttempts: 1 }).listCases());
    expect(error.type).toBe('MalformedResponse');
    expect(error).toMatchObject({ type: 'MalformedResponse', statusCode: 200, retryable: true });
    expect(error.message).toMatch(detail);
  });

  test('an item that is not a case costs that item only: skipped and reported with the page', async () => {
    const body = { items: [{ title: 'no id' }, { caseId: '1234567890', createdDate: 'yesterday' }, { caseId: 'INTENT#1234567890' }, 7, { caseId: '2345678901', caseStatus: 'Closed' }] };
    sim.faults.add({ kind: 'malformed', body: JSON.stringify(body) }, { operation: 'ListCases' });
    const page = await newClient({ maxAttempts: 1 }).listCases();
    expect(page.items).toEqual([{ caseId: '2345678901', caseStatus: 'Closed' }]);
    expect(page.skipped).toEqual([
      { caseId: null, reason: 'not a Security IR case ID' },
      { caseId: '1234567890', reason: 'item.createdDate is not a number' },
      { caseId: 'INTENT#1234567890', reason: 'not a Security IR case ID' },
      { caseId: null, reason: 'not a Security IR case ID' },
    ]);
  });

  test('string members are cut at 300 characters, never inside a character', async () => {
    sim.addCase({ caseId: '1234567890', title: `${'t'.repeat(299)}😀 and more`, caseStatus: 's'.repeat(100_000) });
    const [item] = (await newClient().listCases()).items;
    expect(item.title).toBe(`${'t'.repeat(299)}😀`);
    expect(item.caseStatus).toBe('s'.repeat(300));
  });

  test('a malformed page is retried and the listing completes', async () => {
    sim.addCase();
    sim.faults.add({ kind: 'malformed', body: '{"items":' }, { operation: 'ListCases' });
    const page = await newClient().listCases();
    expect(page.items).toHaveLength(1);
    expect(listCalls()).toHaveLength(2);
  });
});

describe('getCase', () => {
  test('returns the members a listing item has, with its caseId; the details nobody reads are not kept', async () => {
    const created = sim.addCase({ caseId: '9876543210', description: 'Keys leaked in a public repository', createdDate: 1_700_000_000.5, caseStatus: 'Closed' });
    const details = await newClient().getCase('9876543210');

    expect(details).toStrictEqual({
      caseId: '9876543210',
      caseArn: created.caseArn,
      title: created.title,
      caseStatus: 'Closed',
      pendingAction: created.pendingAction,
      engagementType: created.engagementType,
      resolverType: created.resolverType,
      createdDate: new Date(1_700_000_000_500),
      lastUpdatedDate: new Date(created.lastUpdatedDate! * 1000),
      closedDate: new Date(created.closedDate! * 1000),
    });
    expect(sim.calls).toMatchObject([{ operation: 'GetCase', method: 'GET', path: '/v1/cases/9876543210/get-case', status: 200, action: 'security-ir:GetCase' }]);
  });

  test('an unknown case is a ResourceNotFoundException, not retried', async () => {
    const error = await failureOf(newClient().getCase('1111111111'));
    expect(error.type).toBe('ResourceNotFoundException');
    expect(error.retryable).toBe(false);
    expect(sim.calls).toHaveLength(1);
  });
});

describe('errors', () => {
  const table: [type: string, status: number, retryable: boolean, throttling: boolean, fields: Record<string, unknown>][] = [
    ['AccessDeniedException', 403, false, false, {}],
    ['ConflictException', 409, false, false, { resourceId: '1234567890', resourceType: 'Case' }],
    ['InternalServerException', 500, true, false, {}],
    ['InvalidTokenException', 423, true, false, {}],
    ['ResourceNotFoundException', 404, false, false, {}],
    ['SecurityIncidentResponseNotActiveException', 400, false, false, {}],
    ['ServiceQuotaExceededException', 402, false, false,
      { resourceId: '1234567890', resourceType: 'Case', serviceCode: 'security-ir', quotaCode: 'L-12345678' }],
    ['ThrottlingException', 429, true, true, { serviceCode: 'security-ir', quotaCode: 'L-87654321' }],
    ['ValidationException', 400, false, false,
      { reason: 'FIELD_VALIDATION_FAILED', fieldList: [{ name: 'maxResults', message: 'must be at most 25' }] }],
  ];

  test.each(table)('%s (%d) maps to its type and flags; the extra members of the body are not kept', async (type, status, retryable, throttling, fields) => {
    sim.faults.add({ kind: 'error', status, type, message: `simulated ${type}`, fields, retryAfterSeconds: retryable ? 1 : undefined });

    const error = await failureOf(newClient({ maxAttempts: 1 }).listCases());

    expect(error.constructor).toBe(SecurityIrError);
    expect(error).toMatchObject({ name: type, type, statusCode: status, retryable, throttling, message: `simulated ${type}` });
    for (const field of Object.keys(fields)) expect(error).not.toHaveProperty(field);
    expect(error.requestId).toEqual(expect.any(String));
    expect(error.retryAfterSeconds).toBe(retryable ? 1 : undefined);
  });

  test.each(table.filter(([, , retryable]) => !retryable))('%s surfaces at once, without a retry', async (type, status) => {
    sim.faults.add({ kind: 'error', status, type }, { times: 5 });
    const clock = fakeClock();
    const error = await failureOf(newClient({ clock, maxAttempts: 5 }).listCases());
    expect(error.type).toBe(type);
    expect(listCalls()).toHaveLength(1);
    expect(clock.waits).toEqual([]);
  });

  test('InvalidTokenException is never retried by the client: the caller restarts the listing', async () => {
    sim.faults.add({ kind: 'error', status: 423, type: 'InvalidTokenException' }, { times: 5 });
    const error = await failureOf(newClient({ maxAttempts: 5 }).listCases());
    expect(error.type).toBe('InvalidTokenException');
    expect(listCalls()).toHaveLength(1);
  });

  test('an unknown 5xx type is retryable and keeps its name', async () => {
    sim.addCase();
    sim.faults.add({ kind: 'error', status: 503, type: 'ServiceUnavailableException' });
    const attempts: number[] = [];
    const page = await newClient({ onAttempt: (_operation, attempt) => attempts.push(attempt) }).listCases();
    expect(page.items).toHaveLength(1);
    expect(attempts).toEqual([1, 2]);

    sim.faults.add({ kind: 'error', status: 503, type: 'ServiceUnavailableException', message: 'down' });
    const error = await failureOf(newClient({ maxAttempts: 1 }).listCases());
    expect(error.constructor).toBe(SecurityIrError);
    expect(error).toMatchObject({ type: 'ServiceUnavailableException', statusCode: 503, retryable: true, message: 'down' });
  });
});

describe('retries', () => {
  test('throttling then success: retried with backoff until the listing succeeds', async () => {
    sim.addCase();
    sim.faults.add({ kind: 'error', status: 429, type: 'ThrottlingException' }, { operation: 'ListCases', times: 2 });
    const clock = fakeClock({ random: () => 0.5 });

    const page = await newClient({ clock, baseDelayMs: 100 }).listCases();

    expect(page.items).toHaveLength(1);
    expect(listCalls().map((call) => call.status)).toEqual([429, 429, 200]);
    expect(clock.waits).toEqual([50, 100]); // full jitter at 0.5 of 100 * 2^attempt
  });

  test('5xx is retried too', async () => {
    sim.faults.add({ kind: 'error', status: 500, type: 'InternalServerException' });
    await newClient().listCases();
    expect(listCalls().map((call) => call.status)).toEqual([500, 200]);
  });

  test('Retry-After is honoured: the wait is at least what the server asked', async () => {
    sim.faults.add({ kind: 'error', status: 429, type: 'ThrottlingException', retryAfterSeconds: 3 });
    const clock = fakeClock({ random: () => 0 });
    await newClient({ clock }).listCases();
    expect(clock.waits).toHaveLength(1);
    expect(clock.waits[0]).toBeGreaterThanOrEqual(3_000);
  });

  test('Retry-After is honoured with the real clock too: the wait asked for is at least what the server said', async () => {
    sim.faults.add({ kind: 'error', status: 500, type: 'InternalServerException', retryAfterSeconds: 1 });
    // The client's own clock and deadline arithmetic; only the wait itself is recorded instead of slept.
    const waits: number[] = [];
    const client = new SecurityIrClient({
      region: TEST_REGION,
      endpoint: sim.url,
      credentials: async () => TEST_CREDENTIALS,
      clock: {
        ...systemClock,
        random: () => 0,
        sleep: async (ms) => {
          waits.push(ms);
        },
      },
    });
    await client.listCases({}, { deadline: Date.now() + 30_000 });
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThanOrEqual(1_000);
    expect(listCalls()).toHaveLength(2);
  });

  test('maxAttempts bounds the attempts; the last error surfaces', async () => {
    sim.faults.add({ kind: 'error', status: 429, type: 'ThrottlingException' }, { times: 10 });
    const clock = fakeClock();
    const error = await failureOf(newClient({ clock, maxAttempts: 3 }).listCases());
    expect(error.type).toBe('ThrottlingException');
    expect(listCalls()).toHaveLength(3);
    expect(clock.waits).toHaveLength(2);
  });

  test('a deadline shorter than Retry-After: no retry is started and the error surfaces', async () => {
    sim.faults.add({ kind: 'error', status: 429, type: 'ThrottlingException', retryAfterSeconds: 5 }, { times: 5 });
    const clock = fakeClock();
    const error = await failureOf(newClient({ clock }).listCases({}, { deadline: clock.now() + 2_000 }));
    expect(error.type).toBe('ThrottlingException');
    expect(listCalls()).toHaveLength(1);
    expect(clock.waits).toEqual([]);
  });

  test('a deadline that leaves room for a wait but not for the attempt after it stops before waiting', async () => {
    sim.faults.add({ kind: 'error', status: 429, type: 'ThrottlingException', retryAfterSeconds: 1 }, { times: 5 });
    const clock = fakeClock();
    const error = await failureOf(newClient({ clock, minAttemptMs: 200 }).listCases({}, { deadline: clock.now() + 1_100 }));
    expect(error.type).toBe('ThrottlingException');
    expect(clock.waits).toEqual([]);
  });

  test('retries continue while the deadline allows them', async () => {
    sim.faults.add({ kind: 'error', status: 429, type: 'ThrottlingException', retryAfterSeconds: 1 }, { times: 2 });
    const clock = fakeClock();
    await newClient({ clock }).listCases({}, { deadline: clock.now() + 60_000 });
    expect(clock.waits).toHaveLength(2);
    expect(listCalls()).toHaveLength(3);
  });

  test('a deadline already too close: no request at all', async () => {
    const clock = fakeClock();
    const error = await failureOf(newClient({ clock }).listCases({}, { deadline: clock.now() + 50 }));
    expect(error.type).toBe('DeadlineExceeded');
    expect(sim.calls).toHaveLength(0);
  });
});

describe('timeouts and network failures', () => {
  test('a hanging response is cut by the per-request timeout and retried', async () => {
    sim.addCase();
    sim.faults.add({ kind: 'hang' }, { operation: 'ListCases' });
    const page = await newClient({ requestTimeoutMs: 200 }).listCases();
    expect(page.items).toHaveLength(1);
    expect(listCalls().map((call) => call.status)).toEqual([0, 200]);
  });

  test('a response that keeps hanging surfaces a retryable RequestTimeout error', async () => {
    sim.faults.add({ kind: 'hang' }, { times: 2 });
    const error = await failureOf(newClient({ requestTimeoutMs: 100, maxAttempts: 2 }).listCases());
    expect(error.type).toBe('RequestTimeout');
    expect(error).toMatchObject({ type: 'RequestTimeout', retryable: true });
    expect(listCalls()).toHaveLength(2);
  });

  test('the per-request timeout is clamped to the time left before the deadline', async () => {
    sim.faults.add({ kind: 'hang' }, { times: 5 });
    // The attempt must give up at the deadline, long before its own 10-minute timeout; frozen time, so
    // the request's timer is exactly the 400 ms left however long signing takes.
    const clock = frozenClock();
    const client = newClient({ clock, requestTimeoutMs: 600_000 });
    const error = await failureOf(client.listCases({}, { deadline: clock.now() + 400 }));
    expect(error.message).toMatch(/within 400 ms$/);
    expect(error.type).toBe('RequestTimeout');
    expect(listCalls()).toHaveLength(1);
  }, 20_000);

  test('a refused connection is a retryable NetworkError', async () => {
    const closedPort = await unusedLoopbackPort();
    const attempts: number[] = [];
    const error = await failureOf(newClient({ endpoint: `http://127.0.0.1:${closedPort}`, maxAttempts: 2, onAttempt: (_o, n) => attempts.push(n) }).listCases());
    expect(error.type).toBe('NetworkError');
    expect(error).toMatchObject({ type: 'NetworkError', retryable: true, statusCode: 0 });
    expect(attempts).toEqual([1, 2]);
  });
});

describe('signing', () => {
  test('a skewed clock is corrected from the Date header and the request retried once, at once', async () => {
    sim.addCase();
    sim.clockOffsetMs = 20 * 60_000; // the server is 20 minutes ahead: our signatures look expired
    const clock = fakeClock();
    const client = newClient({ clock });

    const page = await client.listCases();
    expect(page.items).toHaveLength(1);
    expect(listCalls().map((call) => call.status)).toEqual([403, 200]);
    expect(clock.waits).toEqual([]);

    // The offset sticks: later requests are signed with the corrected time straight away.
    await client.listCases();
    await client.getCase(sim.cases[0].caseId);
    expect(sim.calls.map((call) => call.status)).toEqual([403, 200, 200, 200]);
  });

  test('a clock running ahead is corrected too', async () => {
    sim.clockOffsetMs = -20 * 60_000;
    await newClient().listCases();
    expect(listCalls().map((call) => call.status)).toEqual([403, 200]);
  });

  test('the skew correction is tried only once', async () => {
    sim.faults.add({ kind: 'error', status: 403, type: 'InvalidSignatureException', message: 'Signature expired: 20260101T000000Z is now earlier than ...' }, { times: 3 });
    const error = await failureOf(newClient().listCases());
    expect(error.type).toBe('InvalidSignatureException');
    expect(listCalls()).toHaveLength(2);
  });

  test('a wrong secret is rejected by the signature check: non-retryable, surfaced at once', async () => {
    const client = newClient({ credentials: async () => ({ accessKeyId: TEST_CREDENTIALS.accessKeyId, secretAccessKey: 'not-the-secret' }) });
    const error = await failureOf(client.listCases());
    expect(error).toMatchObject({ type: 'InvalidSignatureException', statusCode: 403, retryable: false });
    expect(error.message).toMatch(/signature we calculated does not match/);
    expect(listCalls()).toHaveLength(1);
  });

  test('an unknown access key is rejected', async () => {
    const client = newClient({ credentials: async () => ({ accessKeyId: 'AKIDUNKNOWN', secretAccessKey: TEST_CREDENTIALS.secretAccessKey }) });
    const error = await failureOf(client.listCases());
    expect(error).toMatchObject({ statusCode: 403, retryable: false });
  });

  test('a signed request tampered with in transit is rejected, not retried; the same path untampered passes', async () => {
    // A loopback relay between client and simulator that may rewrite one byte of the signed body.
    let tamper = true;
    const relay = createServer((incoming, res) => {
      void readBody(incoming).then((body) => {
        const sent = tamper ? Buffer.from(body.toString('utf8').replace('"maxResults":25', '"maxResults":24')) : body;
        const outgoing = httpRequest(`${sim.url}${incoming.url}`, { method: incoming.method, headers: incoming.headers, agent: false }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        });
        outgoing.end(sent);
      });
    });
    const relayUrl = `http://127.0.0.1:${await listenOnLoopback(relay)}`;
    try {
      // The client signs for the host it contacts (the relay): the relay forwards the Host header as is.
      const client = newClient({ endpoint: relayUrl, maxAttempts: 3 });
      const error = await failureOf(client.listCases({ maxResults: 25 }));
      expect(error).toMatchObject({ type: 'InvalidSignatureException', statusCode: 403, retryable: false });
      expect(listCalls()).toMatchObject([{ status: 403, body: { maxResults: 24 }, accessKeyId: undefined }]);

      tamper = false;
      await client.listCases({ maxResults: 25 });
      expect(listCalls().map((call) => call.status)).toEqual([403, 200]);
    } finally {
      relay.closeAllConnections();
      await new Promise((resolve) => relay.close(resolve));
    }
  });

  test('the signature covers the port actually contacted', async () => {
    // sim.url carries a non-default port: a request signed for the bare host would be rejected.
    expect(new URL(sim.url).port).not.toBe('');
    await newClient().listCases();
    expect(listCalls()[0]).toMatchObject({ status: 200, accessKeyId: TEST_CREDENTIALS.accessKeyId });
  });
});

describe('endpoints', () => {
  const VARIABLES = ['AWS_ENDPOINT_URL_SECURITY_IR', 'AWS_ENDPOINT_URL', 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS'] as const;
  let saved: Record<string, string | undefined>;
  beforeEach(() => {
    saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));
    for (const name of VARIABLES) delete process.env[name];
  });
  afterEach(() => {
    for (const name of VARIABLES) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  const clientFromEnvironment = () => new SecurityIrClient({ region: TEST_REGION, credentials: async () => TEST_CREDENTIALS });

  test('the default endpoint is the dual-stack api.aws host of the region', () => {
    expect(clientFromEnvironment().endpoint).toBe('https://security-ir.us-east-1.api.aws');
    expect(new SecurityIrClient({ region: 'eu-west-1', credentials: async () => TEST_CREDENTIALS }).endpoint)
      .toBe('https://security-ir.eu-west-1.api.aws');
  });

  test('AWS_ENDPOINT_URL_SECURITY_IR redirects the client', async () => {
    process.env.AWS_ENDPOINT_URL_SECURITY_IR = sim.url;
    await clientFromEnvironment().listCases();
    expect(listCalls()).toHaveLength(1);
  });

  test('AWS_ENDPOINT_URL redirects the client', async () => {
    process.env.AWS_ENDPOINT_URL = sim.url;
    await clientFromEnvironment().listCases();
    expect(listCalls()).toHaveLength(1);
  });

  test('AWS_ENDPOINT_URL_SECURITY_IR wins over AWS_ENDPOINT_URL', async () => {
    process.env.AWS_ENDPOINT_URL = `http://127.0.0.1:${await unusedLoopbackPort()}`;
    process.env.AWS_ENDPOINT_URL_SECURITY_IR = sim.url;
    const client = clientFromEnvironment();
    expect(client.endpoint).toBe(sim.url);
    await client.listCases();
    expect(listCalls()).toHaveLength(1);
  });

  test('an explicit endpoint option wins over the environment', () => {
    process.env.AWS_ENDPOINT_URL_SECURITY_IR = 'http://127.0.0.1:1';
    expect(newClient().endpoint).toBe(sim.url);
  });

  test('an endpoint with a path prefix keeps it (and signs it)', async () => {
    const error = await failureOf(newClient({ endpoint: `${sim.url}/prefix/` }).listCases());
    // Past the signature check (not 403): the simulator serves no prefix, so it cannot route it.
    expect(error.statusCode).toBe(404);
    expect(sim.calls).toMatchObject([{ path: '/prefix/v1/list-cases' }]);
  });

  test('an invalid endpoint fails at construction with a clear message', () => {
    expect(() => newClient({ endpoint: 'not a url' })).toThrow(/invalid endpoint URL 'not a url'/);
    expect(() => newClient({ endpoint: 'ftp://127.0.0.1' })).toThrow(/must use http or https/);
  });
});

