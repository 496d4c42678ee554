/**
 * Server-side check of AWS Signature Version 4 (header form), written independently of the SDK's
 * signer so that a bug in how the handler signs shows up as a rejected request, as it would on AWS.
 *
 * Rules followed (non-S3 services): the canonical URI is the received path with `.`/`..`/empty
 * segments normalised and each segment URI-encoded once more; the query is decoded, re-encoded per
 * RFC 3986 and sorted; the signed headers are taken as received; the payload hash is recomputed from
 * the bytes received (a client's `x-amz-content-sha256` claim is never trusted).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export interface SignedRequest {
  method: string;
  /** Path and query exactly as received. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export type VerifyResult =
  | { ok: true; accessKeyId: string; region: string }
  | { ok: false; reason: string; expired?: boolean };

export interface VerifyOptions {
  /** Signing name expected in the credential scope, e.g. `security-ir`, `events`, `dynamodb`. */
  service: string;
  /** The key pairs this server knows. */
  credentials: { accessKeyId: string; secretAccessKey: string }[];
  /** The server's clock; defaults to the real time. */
  now?: Date;
  /** How far the request's `x-amz-date` may be from `now`. */
  maxSkewMs?: number;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const DEFAULT_MAX_SKEW_MS = 5 * 60 * 1000;

export function verifySigV4(req: SignedRequest, opts: VerifyOptions): VerifyResult {
  const auth = headerValue(req.headers, 'authorization');
  if (auth === undefined) return fail('Missing Authentication Token');
  const parsed = parseAuthorization(auth);
  if (typeof parsed === 'string') return fail(parsed);

  const [accessKeyId, scopeDate, region, service, terminator, ...extra] = parsed.credential.split('/');
  if (extra.length > 0 || !terminator) return fail(`Credential should be scoped to a valid region (${parsed.credential})`);
  if (terminator !== 'aws4_request') return fail(`Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'`);
  if (service !== opts.service) return fail(`Credential should be scoped to correct service: '${opts.service}', not '${service}'`);
  const known = opts.credentials.find((c) => c.accessKeyId === accessKeyId);
  if (!known) return fail('The security token included in the request is invalid');

  const amzDate = headerValue(req.headers, 'x-amz-date');
  const requestTime = amzDate === undefined ? undefined : parseAmzDate(amzDate);
  if (amzDate === undefined || requestTime === undefined) return fail('Missing or malformed X-Amz-Date header');
  if (amzDate.slice(0, 8) !== scopeDate) return fail(`Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${amzDate.slice(0, 8)}'`);
  if (!parsed.signedHeaders.includes('host')) return fail("'Host' must be a 'SignedHeader' in the AWS Authorization.");

  const now = opts.now ?? new Date();
  const maxSkewMs = opts.maxSkewMs ?? DEFAULT_MAX_SKEW_MS;
  const skewMinutes = `${Math.round(maxSkewMs / 60000)} min.`;
  if (requestTime.getTime() < now.getTime() - maxSkewMs) {
    return { ok: false, expired: true, reason: `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(new Date(now.getTime() - maxSkewMs))} (${formatAmzDate(now)} - ${skewMinutes})` };
  }
  if (requestTime.getTime() > now.getTime() + maxSkewMs) {
    return { ok: false, expired: true, reason: `Signature not yet current: ${amzDate} is still later than ${formatAmzDate(new Date(now.getTime() + maxSkewMs))} (${formatAmzDate(now)} + ${skewMinutes})` };
  }

  const canonical = canonicalRequest(req, parsed.signedHeaders);
  if (typeof canonical !== 'string') return fail(canonical.error);
  const scope = `${scopeDate}/${region}/${service}/aws4_request`;
  const stringToSign = [ALGORITHM, amzDate, scope, sha256Hex(canonical)].join('\n');
  const signingKey = [scopeDate, region, service, 'aws4_request'].reduce<Buffer>(
    (key, part) => hmac(key, part),
    Buffer.from(`AWS4${known.secretAccessKey}`, 'utf8'),
  );
  const expected = hmac(signingKey, stringToSign);
  const received = Buffer.from(parsed.signature, 'hex');
  if (received.length !== expected.length || !timingSafeEqual(received, expected)) {
    return fail('The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.');
  }
  return { ok: true, accessKeyId: known.accessKeyId, region };
}

/** `20240102T030405Z` for a date, as in `x-amz-date`. */
export function formatAmzDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function fail(reason: string): VerifyResult {
  return { ok: false, reason };
}

function parseAuthorization(header: string): { credential: string; signedHeaders: string[]; signature: string } | string {
  const space = header.indexOf(' ');
  const algorithm = space < 0 ? header : header.slice(0, space);
  if (algorithm !== ALGORITHM) return `Unsupported Authorization algorithm: ${algorithm}`;
  const fields = new Map<string, string>();
  for (const part of header.slice(space + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!credential || !signedHeaders || !signature) {
    return 'Authorization header requires Credential, SignedHeaders and Signature parameters';
  }
  if (!/^[0-9a-f]{64}$/.test(signature)) return 'Signature is not 64 lowercase hex characters';
  return { credential, signedHeaders: signedHeaders.split(';'), signature };
}

function canonicalRequest(req: SignedRequest, signedHeaders: string[]): string | { error: string } {
  const q = req.url.indexOf('?');
  const path = q < 0 ? req.url : req.url.slice(0, q);
  const query = canonicalQuery(q < 0 ? '' : req.url.slice(q + 1));
  if (query === undefined) return { error: 'Malformed query string' };
  const headerLines: string[] = [];
  for (const name of signedHeaders) {
    const value = headerValue(req.headers, name);
    if (value === undefined) return { error: `Signed header '${name}' is missing from the request` };
    headerLines.push(`${name}:${value.trim().replace(/\s+/g, ' ')}`);
  }
  return [
    req.method.toUpperCase(),
    canonicalPath(path),
    query,
    ...headerLines,
    '',
    signedHeaders.join(';'),
    sha256Hex(req.body),
  ].join('\n');
}

function canonicalPath(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const trailing = segments.length > 0 && path.endsWith('/') ? '/' : '';
  return `/${segments.map(uriEncode).join('/')}${trailing}`;
}

function canonicalQuery(raw: string): string | undefined {
  const pairs: [string, string][] = [];
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    try {
      const key = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
      const value = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1));
      pairs.push([uriEncode(key), uriEncode(value)]);
    } catch {
      return undefined;
    }
  }
  pairs.sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

/** RFC 3986 encoding: everything but unreserved characters, as SigV4 requires. */
function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(',') : value;
}

function parseAmzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const date = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}
