import { createHash } from 'node:crypto';
import { TEST_CREDENTIALS } from '../../local-aws/credentials';
import { RawRequest, signRequest } from '../support/signed-fetch';
import { formatAmzDate, SignedRequest, verifySigV4 } from '../../local-aws/sigv4-verifier';

const HOST = 'http://127.0.0.1:4567';
const SERVICE = 'security-ir';
const credentials = [TEST_CREDENTIALS];

/** What a server would see for a request sent as `raw`. */
function received(raw: RawRequest, changes: Partial<{ url: string; body: string; headers: Record<string, string> }> = {}): SignedRequest {
  const url = new URL(changes.url ?? raw.url);
  const headers = Object.fromEntries(Object.entries({ ...raw.headers, ...changes.headers }).map(([k, v]) => [k.toLowerCase(), v]));
  return { method: raw.method, url: url.pathname + url.search, headers, body: Buffer.from(changes.body ?? raw.body) };
}

function listCases(body = '{"maxResults":25}', extraHeaders: Record<string, string> = {}, signingDate?: Date) {
  return signRequest(
    { method: 'POST', url: `${HOST}/v1/list-cases`, headers: { 'content-type': 'application/json', ...extraHeaders }, body },
    { service: SERVICE, signingDate },
  );
}

describe('verifySigV4 against @smithy/signature-v4', () => {
  test('accepts a POST signed by the SDK signer and reports the caller and region', async () => {
    const raw = await listCases();
    expect(verifySigV4(received(raw), { service: SERVICE, credentials })).toEqual({ ok: true, accessKeyId: TEST_CREDENTIALS.accessKeyId, region: 'us-east-1' });
  });

  test('accepts an encoded path segment, a query needing encoding and padded header values', async () => {
    const raw = await signRequest(
      {
        method: 'GET',
        url: `${HOST}/v1/cases/12%20ab*%2F/get-case?b=2&a=x%20y&a=%21z&empty=`,
        headers: { 'x-custom': '  two   spaces  ' },
      },
      { service: SERVICE, region: 'eu-west-1' },
    );
    expect(verifySigV4(received(raw), { service: SERVICE, credentials })).toEqual({ ok: true, accessKeyId: TEST_CREDENTIALS.accessKeyId, region: 'eu-west-1' });
  });

  test('rejects a tampered body', async () => {
    const raw = await listCases();
    const result = verifySigV4(received(raw, { body: '{"maxResults":24}' }), { service: SERVICE, credentials });
    expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/signature we calculated does not match/) });
  });

  test('recomputes the payload hash instead of trusting x-amz-content-sha256', async () => {
    // The signer signs whatever x-amz-content-sha256 claims; the body sent is something else.
    const claimed = createHash('sha256').update('{}').digest('hex');
    const raw = await listCases('{}', { 'x-amz-content-sha256': claimed });
    expect(verifySigV4(received(raw), { service: SERVICE, credentials }).ok).toBe(true);
    expect(verifySigV4(received(raw, { body: '{"maxResults":1}' }), { service: SERVICE, credentials }).ok).toBe(false);
    const unsigned = await listCases('{"maxResults":3}', { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' });
    expect(verifySigV4(received(unsigned), { service: SERVICE, credentials }).ok).toBe(false);
  });

  test('rejects a tampered signed header', async () => {
    const raw = await listCases();
    expect(verifySigV4(received(raw, { headers: { 'content-type': 'text/plain' } }), { service: SERVICE, credentials }).ok).toBe(false);
  });

  test('rejects a request whose signed header is missing', async () => {
    const raw = await listCases();
    const req = received(raw);
    delete req.headers['content-type'];
    expect(verifySigV4(req, { service: SERVICE, credentials })).toMatchObject({ ok: false, reason: expect.stringMatching(/content-type/) });
  });

  test('rejects a tampered path and a tampered query', async () => {
    const raw = await signRequest({ method: 'GET', url: `${HOST}/v1/cases/1234567890/get-case?a=1` }, { service: SERVICE });
    expect(verifySigV4(received(raw), { service: SERVICE, credentials }).ok).toBe(true);
    expect(verifySigV4(received(raw, { url: `${HOST}/v1/cases/1234567891/get-case?a=1` }), { service: SERVICE, credentials }).ok).toBe(false);
    expect(verifySigV4(received(raw, { url: `${HOST}/v1/cases/1234567890/get-case?a=2` }), { service: SERVICE, credentials }).ok).toBe(false);
  });

  test('rejects a signature made with another secret, an unknown key and another service', async () => {
    const wrongSecret = await signRequest(
      { method: 'POST', url: `${HOST}/v1/list-cases`, body: '{}' },
      { service: SERVICE, credentials: { accessKeyId: TEST_CREDENTIALS.accessKeyId, secretAccessKey: 'not-the-secret' } },
    );
    expect(verifySigV4(received(wrongSecret), { service: SERVICE, credentials })).toMatchObject({ ok: false, reason: expect.stringMatching(/does not match/) });

    const unknownKey = await signRequest({ method: 'POST', url: `${HOST}/v1/list-cases`, body: '{}' }, { service: SERVICE, credentials: { accessKeyId: 'AKIDSOMEONEELSE', secretAccessKey: 'x' } });
    expect(verifySigV4(received(unknownKey), { service: SERVICE, credentials })).toMatchObject({ ok: false, reason: expect.stringMatching(/security token/) });

    const otherService = await signRequest({ method: 'POST', url: `${HOST}/`, body: '{}' }, { service: 'events' });
    expect(verifySigV4(received(otherService), { service: SERVICE, credentials })).toMatchObject({ ok: false, reason: expect.stringMatching(/correct service/) });
  });

  test('rejects a request without Authorization', () => {
    const result = verifySigV4({ method: 'GET', url: '/', headers: { host: '127.0.0.1' }, body: Buffer.alloc(0) }, { service: SERVICE, credentials });
    expect(result).toEqual({ ok: false, reason: 'Missing Authentication Token' });
  });

  test('reports an expired or not-yet-current date as expired, against the given clock', async () => {
    const signedAt = new Date('2026-01-10T12:00:00Z');
    const raw = await listCases('{}', {}, signedAt);
    const at = (ms: number) => verifySigV4(received(raw), { service: SERVICE, credentials, now: new Date(signedAt.getTime() + ms) });

    expect(at(4 * 60_000).ok).toBe(true);
    expect(at(-4 * 60_000).ok).toBe(true);
    expect(at(6 * 60_000)).toEqual({ ok: false, expired: true, reason: `Signature expired: 20260110T120000Z is now earlier than 20260110T120100Z (20260110T120600Z - 5 min.)` });
    expect(at(-6 * 60_000)).toMatchObject({ ok: false, expired: true, reason: expect.stringMatching(/^Signature not yet current/) });
    expect(verifySigV4(received(raw), { service: SERVICE, credentials, now: new Date(signedAt.getTime() + 2_000), maxSkewMs: 1_000 })).toMatchObject({ ok: false, expired: true });
  });

  test('formats x-amz-date', () => {
    expect(formatAmzDate(new Date('2026-11-23T09:13:00.123Z'))).toBe('20261123T091300Z');
  });
});
