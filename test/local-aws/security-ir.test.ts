import { TEST_ACCOUNT_ID, TEST_CREDENTIALS } from '../../local-aws/credentials';
import { FaultInjector } from '../../local-aws/faults';
import { CASE_STATUSES, ENGAGEMENT_TYPES, PENDING_ACTIONS, RESOLVER_TYPES, SecurityIrSimulator, startSecurityIrSimulator } from '../../local-aws/security-ir-simulator';
import { RawResponse, signedFetch } from '../support/signed-fetch';

let sim: SecurityIrSimulator;
beforeEach(async () => {
  sim = await startSecurityIrSimulator();
});
afterEach(() => sim.close());

const SIGNING = { service: 'security-ir' };

function listCases(body: unknown = {}, opts: Partial<Parameters<typeof signedFetch>[1]> = {}): Promise<RawResponse> {
  return signedFetch({ method: 'POST', url: `${sim.url}/v1/list-cases`, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }, { ...SIGNING, ...opts });
}

function getCase(caseId: string): Promise<RawResponse> {
  return signedFetch({ method: 'GET', url: `${sim.url}/v1/cases/${encodeURIComponent(caseId)}/get-case` }, SIGNING);
}

async function listAll(maxResults = 25): Promise<{ caseIds: string[]; pages: number }> {
  const caseIds: string[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const res = await listCases({ maxResults, ...(nextToken ? { nextToken } : {}) });
    expect(res.status).toBe(200);
    pages++;
    caseIds.push(...res.json.items.map((item: { caseId: string }) => item.caseId));
    nextToken = res.json.nextToken;
  } while (nextToken);
  return { caseIds, pages };
}

describe('ListCases', () => {
  test('pages 25 at a time with total and no nextToken on the last page', async () => {
    for (let i = 0; i < 30; i++) sim.addCase();
    const first = await listCases({ maxResults: 25 });
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toBe('application/json');
    expect(first.json.items).toHaveLength(25);
    expect(first.json.total).toBe(30);
    expect(typeof first.json.nextToken).toBe('string');

    const second = await listCases({ maxResults: 25, nextToken: first.json.nextToken });
    expect(second.json.items).toHaveLength(5);
    expect(second.json).not.toHaveProperty('nextToken');
    expect([...first.json.items, ...second.json.items].map((i: { caseId: string }) => i.caseId)).toEqual(sim.cases.map((c) => c.caseId));
  });

  test('defaults maxResults to 25 and answers an empty listing', async () => {
    expect((await listCases()).json).toEqual({ items: [], total: 0 });
    for (let i = 0; i < 26; i++) sim.addCase();
    expect((await listCases()).json.items).toHaveLength(25);
  });

  test('lists realistic cases: ids, ARNs, documented enums, epoch-second dates', async () => {
    for (let i = 0; i < 12; i++) sim.addCase();
    const { items } = (await listCases()).json;
    for (const item of items) {
      expect(item.caseId).toMatch(/^[1-9]\d{9,11}$/);
      expect(item.caseArn).toBe(`arn:aws:security-ir:us-east-1:${TEST_ACCOUNT_ID}:case/${item.caseId}`);
      expect(CASE_STATUSES).toContain(item.caseStatus);
      expect(PENDING_ACTIONS).toContain(item.pendingAction);
      expect(ENGAGEMENT_TYPES).toContain(item.engagementType);
      expect(RESOLVER_TYPES).toContain(item.resolverType);
      expect(typeof item.title).toBe('string');
      expect(typeof item.createdDate).toBe('number');
      expect(item.lastUpdatedDate).toBeGreaterThan(item.createdDate);
      expect(item.createdDate).toBeLessThan(Date.now() / 1000);
      expect(item).not.toHaveProperty('description');
    }
    expect(items.some((i: { createdDate: number }) => !Number.isInteger(i.createdDate))).toBe(true);
    expect(new Set(items.map((i: { caseStatus: string }) => i.caseStatus)).size).toBeGreaterThan(3);
  });

  test('honours explicit fields, including an explicitly absent ARN and a closed case', async () => {
    sim.addCase({ caseId: '1234567890', caseArn: undefined, caseStatus: 'Closed', pendingAction: 'None', title: 'Mine' });
    const [item] = (await listCases()).json.items;
    expect(item).toMatchObject({ caseId: '1234567890', caseStatus: 'Closed', pendingAction: 'None', title: 'Mine' });
    expect(item).not.toHaveProperty('caseArn');
    expect(item.closedDate).toBe(item.lastUpdatedDate);
    expect(() => sim.addCase({ caseId: '1234567890' })).toThrow(/already exists/);
  });

  test.each([[0], [26], ['10'], [2.5], [null]])('rejects maxResults %p with a ValidationException', async (maxResults) => {
    const res = await listCases({ maxResults });
    expect(res.status).toBe(400);
    expect(res.headers['x-amzn-errortype']).toBe('ValidationException');
    expect(res.json).toMatchObject({ message: expect.any(String), reason: 'FIELD_VALIDATION_FAILED', fieldList: [{ name: 'maxResults', message: expect.any(String) }] });
  });

  test('rejects an unknown, malformed or foreign nextToken', async () => {
    const other = await startSecurityIrSimulator();
    try {
      for (let i = 0; i < 3; i++) {
        sim.addCase();
        other.addCase();
      }
      const foreign = await signedFetch(
        { method: 'POST', url: `${other.url}/v1/list-cases`, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ maxResults: 1 }) },
        SIGNING,
      );
      for (const nextToken of ['garbage', Buffer.from('{"offset":1}').toString('base64'), 42, `${foreign.json.nextToken}x`]) {
        const res = await listCases({ nextToken });
        expect(res.status).toBe(400);
        expect(res.headers['x-amzn-errortype']).toBe('ValidationException');
        expect(res.json.fieldList[0].name).toBe('nextToken');
      }
    } finally {
      await other.close();
    }
  });

  test('keeps earlier tokens usable after cases are added and removed', async () => {
    for (let i = 0; i < 6; i++) sim.addCase();
    const first = await listCases({ maxResults: 2 });
    const second = await listCases({ maxResults: 2, nextToken: first.json.nextToken });
    sim.removeCase(sim.cases[0].caseId);
    sim.addCase();
    const again = await listCases({ maxResults: 2, nextToken: first.json.nextToken });
    expect(again.status).toBe(200);
    expect(again.json.items.map((i: { caseId: string }) => i.caseId)).toEqual(sim.cases.slice(2, 4).map((c) => c.caseId));
    expect(second.json.nextToken).not.toBe(first.json.nextToken);
  });

  test('a full listing sees every case exactly once, whatever the page size', async () => {
    for (let i = 0; i < 53; i++) sim.addCase();
    const { caseIds, pages } = await listAll(10);
    expect(pages).toBe(6);
    expect(caseIds).toEqual(sim.cases.map((c) => c.caseId));
  });

  test('rejects a body that is not a JSON object', async () => {
    const res = await signedFetch({ method: 'POST', url: `${sim.url}/v1/list-cases`, body: '{"maxResults":' }, SIGNING);
    expect(res.status).toBe(400);
    expect(res.headers['x-amzn-errortype']).toBe('SerializationException');
  });
});

describe('GetCase', () => {
  test('returns the case without caseId but with its description', async () => {
    const created = sim.addCase({ description: 'details' });
    const res = await getCase(created.caseId);
    expect(res.status).toBe(200);
    const { caseId, ...expected } = created;
    expect(caseId).toBe(created.caseId);
    expect(res.json).toEqual(expected);
  });

  test('answers 404 ResourceNotFoundException for an unknown case', async () => {
    const res = await getCase('9999999999');
    expect(res.status).toBe(404);
    expect(res.headers['x-amzn-errortype']).toBe('ResourceNotFoundException');
    expect(res.json.message).toMatch(/9999999999/);
  });
});

describe('case edits', () => {
  test('updateCase changes fields, bumps lastUpdatedDate strictly and sets closedDate on closing', async () => {
    const c = sim.addCase({ caseStatus: 'Acknowledged' });
    const before = c.lastUpdatedDate!;
    sim.updateCase(c.caseId, { pendingAction: 'Customer' });
    const middle = c.lastUpdatedDate!;
    sim.updateCase(c.caseId, { caseStatus: 'Closed' });
    expect(middle).toBeGreaterThan(before);
    expect(c.lastUpdatedDate!).toBeGreaterThan(middle);
    expect(c.closedDate).toBe(c.lastUpdatedDate);
    const [item] = (await listCases()).json.items;
    expect(item).toMatchObject({ caseStatus: 'Closed', pendingAction: 'Customer', lastUpdatedDate: c.lastUpdatedDate });
    expect(() => sim.updateCase('1', {})).toThrow(/no case/);
  });

  test('removeCase drops the case from the listing', async () => {
    const [a, b] = [sim.addCase(), sim.addCase()];
    sim.removeCase(a.caseId);
    expect((await listCases()).json.items.map((i: { caseId: string }) => i.caseId)).toEqual([b.caseId]);
    expect(() => sim.removeCase(a.caseId)).toThrow(/no case/);
  });
});

describe('authentication and clock', () => {
  test('rejects a bad signature with 403 InvalidSignatureException and a Date header', async () => {
    const res = await listCases({}, { credentials: { accessKeyId: TEST_CREDENTIALS.accessKeyId, secretAccessKey: 'wrong' } });
    expect(res.status).toBe(403);
    expect(res.headers['x-amzn-errortype']).toBe('InvalidSignatureException');
    expect(res.json.message).toMatch(/signature/);
    expect(Number.isNaN(Date.parse(String(res.headers.date)))).toBe(false);
  });

  test('rejects an expired request with "Signature expired"', async () => {
    const res = await listCases({}, { signingDate: new Date(Date.now() - 15 * 60_000) });
    expect(res.status).toBe(403);
    expect(res.headers['x-amzn-errortype']).toBe('InvalidSignatureException');
    expect(res.json.message).toMatch(/^Signature expired/);
  });

  test('clockOffsetMs skews the server clock: a correct client then looks expired, and Date shows the skew', async () => {
    sim.clockOffsetMs = 30 * 60_000;
    const res = await listCases();
    expect(res.status).toBe(403);
    expect(res.json.message).toMatch(/^Signature expired/);
    const skew = Date.parse(String(res.headers.date)) - Date.now();
    expect(skew).toBeGreaterThan(25 * 60_000);
    expect(skew).toBeLessThan(35 * 60_000);
    // A client that corrects its clock from Date is accepted.
    const corrected = await listCases({}, { signingDate: new Date(Date.now() + skew) });
    expect(corrected.status).toBe(200);
  });

  test('accepts only the configured credentials', async () => {
    const other = await startSecurityIrSimulator({ credentials: [{ accessKeyId: 'AKIDOTHER', secretAccessKey: 's' }], region: 'eu-west-1', accountId: '444455556666' });
    try {
      const url = `${other.url}/v1/list-cases`;
      expect((await signedFetch({ method: 'POST', url, body: '{}' }, SIGNING)).status).toBe(403);
      const ok = await signedFetch({ method: 'POST', url, body: '{}' }, { ...SIGNING, credentials: { accessKeyId: 'AKIDOTHER', secretAccessKey: 's' } });
      expect(ok.status).toBe(200);
      expect(other.addCase().caseArn).toMatch(/^arn:aws:security-ir:eu-west-1:444455556666:case\/\d+$/);
    } finally {
      await other.close();
    }
  });

  test('answers an unknown route with UnknownOperationException', async () => {
    const res = await signedFetch({ method: 'GET', url: `${sim.url}/v1/list-cases` }, SIGNING);
    expect(res.status).toBe(404);
    expect(res.headers['x-amzn-errortype']).toBe('UnknownOperationException');
  });
});

describe('faults and the call log', () => {
  test('an error fault answers status, type, message, extra fields and Retry-After, once', async () => {
    sim.faults.add({ kind: 'error', status: 429, type: 'ThrottlingException', message: 'Rate exceeded', retryAfterSeconds: 3, fields: { serviceCode: 'security-ir', quotaCode: 'L-1' } });
    const throttled = await listCases();
    expect(throttled.status).toBe(429);
    expect(throttled.headers['x-amzn-errortype']).toBe('ThrottlingException');
    expect(throttled.headers['retry-after']).toBe('3');
    expect(throttled.json).toEqual({ message: 'Rate exceeded', serviceCode: 'security-ir', quotaCode: 'L-1' });
    expect((await listCases()).status).toBe(200);
  });

  test('faults match their operation, skip and repeat as asked', async () => {
    const c = sim.addCase();
    sim.faults.add({ kind: 'error', status: 500, type: 'InternalServerException' }, { operation: 'GetCase', skip: 1, times: 2 });
    expect((await listCases()).status).toBe(200);
    expect((await getCase(c.caseId)).status).toBe(200);
    expect((await getCase(c.caseId)).status).toBe(500);
    expect((await getCase(c.caseId)).status).toBe(500);
    expect((await getCase(c.caseId)).status).toBe(200);
  });

  test('a malformed fault answers the raw body; a latency fault still serves', async () => {
    sim.faults.add({ kind: 'malformed', body: '{"items": [' }).add({ kind: 'latency', ms: 20 });
    const malformed = await listCases();
    expect(malformed.status).toBe(200);
    expect(malformed.text).toBe('{"items": [');
    const delayed = await listCases();
    expect(delayed.status).toBe(200);
    expect(delayed.json).toEqual({ items: [], total: 0 });
  });

  test('a hang fault never answers, and close() ends the request', async () => {
    const hanging = await startSecurityIrSimulator();
    hanging.faults.add({ kind: 'hang' });
    const pending = signedFetch({ method: 'POST', url: `${hanging.url}/v1/list-cases`, body: '{}' }, SIGNING);
    const outcome = pending.then(() => 'answered', () => 'socket closed');
    while (hanging.calls.length === 0) await new Promise((r) => setTimeout(r, 5));
    expect(hanging.calls[0]).toMatchObject({ operation: 'ListCases', status: 0 });
    await hanging.close();
    expect(await outcome).toBe('socket closed');
  });

  test('records every call, rejected ones too, with its IAM action and status', async () => {
    const c = sim.addCase();
    await listCases({ maxResults: 5 });
    await getCase(c.caseId);
    await listCases({ maxResults: 99 });
    await listCases({}, { credentials: { accessKeyId: TEST_CREDENTIALS.accessKeyId, secretAccessKey: 'wrong' } });
    expect(sim.calls).toEqual([
      { operation: 'ListCases', action: 'security-ir:ListCases', method: 'POST', path: '/v1/list-cases', body: { maxResults: 5 }, status: 200, accessKeyId: TEST_CREDENTIALS.accessKeyId },
      { operation: 'GetCase', action: 'security-ir:GetCase', method: 'GET', path: `/v1/cases/${c.caseId}/get-case`, body: undefined, status: 200, accessKeyId: TEST_CREDENTIALS.accessKeyId },
      { operation: 'ListCases', action: 'security-ir:ListCases', method: 'POST', path: '/v1/list-cases', body: { maxResults: 99 }, status: 400, accessKeyId: TEST_CREDENTIALS.accessKeyId },
      { operation: 'ListCases', action: 'security-ir:ListCases', method: 'POST', path: '/v1/list-cases', body: {}, status: 403, accessKeyId: undefined },
    ]);
  });
});

describe('FaultInjector', () => {
  test('takes faults in order, by operation, honouring skip and times; clear empties the queue', () => {
    const faults = new FaultInjector();
    const hang = { kind: 'hang' } as const;
    const boom = { kind: 'error', status: 500, type: 'Boom' } as const;
    faults.add(boom, { operation: 'PutItem', skip: 1 }).add(hang, { times: 2 });
    expect(faults.take('GetItem')).toBe(hang);
    expect(faults.take('PutItem')).toBe(hang); // boom is still skipping this one
    expect(faults.take('PutItem')).toBe(boom);
    expect(faults.take('PutItem')).toBeUndefined();
    faults.add(boom, { times: Infinity });
    faults.fixedLatencyMs = 7;
    expect([faults.take('A'), faults.take('B'), faults.take('C')]).toEqual([boom, boom, boom]);
    faults.clear();
    expect(faults.take('A')).toBeUndefined();
    expect(faults.pending).toBe(0);
    expect(faults.fixedLatencyMs).toBe(7);
    expect(() => faults.add(boom, { times: 0 })).toThrow();
  });
});
