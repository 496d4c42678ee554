/**
 * Test-side client: signs a request with the SDK's own signer (`@smithy/signature-v4`) and sends it
 * over plain `node:http` (no connection reuse), so simulator tests control every byte that is sent.
 */
import { createHash, createHmac, Hash as NodeHash, Hmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Hash, SourceData } from '@smithy/types';
import { TEST_CREDENTIALS, TEST_REGION } from '../../local-aws/credentials';

export interface SignOptions {
  /** SigV4 signing name, e.g. 'security-ir'. */
  service: string;
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Signing time; defaults to now. */
  signingDate?: Date;
}

export interface RawRequest {
  method: string;
  /** Absolute URL (`http://127.0.0.1:<port>/path?query`). */
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  json: any;
}

/** `@smithy/signature-v4` wants a hash constructor; this one wraps node:crypto. */
class Sha256 implements Hash {
  private readonly hash: NodeHash | Hmac;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(secret));
  }
  update(data: SourceData): void {
    this.hash.update(toBuffer(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
}

function toBuffer(data: SourceData): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/** Signs a request the way the AWS SDK would; returns what to send. */
export async function signRequest(
  req: { method: string; url: string; headers?: Record<string, string>; body?: string },
  opts: SignOptions,
): Promise<RawRequest> {
  const url = new URL(req.url);
  const body = req.body ?? '';
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of url.searchParams) {
    const existing = query[key];
    query[key] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  const signer = new SignatureV4({
    service: opts.service,
    region: opts.region ?? TEST_REGION,
    credentials: opts.credentials ?? TEST_CREDENTIALS,
    sha256: Sha256,
  });
  const signed = await signer.sign(
    {
      method: req.method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      query,
      headers: { host: url.host, ...(body ? { 'content-length': String(Buffer.byteLength(body)) } : {}), ...req.headers },
      body,
    },
    { signingDate: opts.signingDate },
  );
  return { method: req.method, url: req.url, headers: signed.headers, body };
}

/** Sends a request exactly as given (headers and body untouched). */
export function sendRaw(req: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(req.url, { method: req.method, headers: req.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    outgoing.on('error', reject);
    outgoing.end(req.body);
  });
}

/** Signs and sends. */
export async function signedFetch(
  req: { method: string; url: string; headers?: Record<string, string>; body?: string },
  opts: SignOptions,
): Promise<RawResponse> {
  return sendRaw(await signRequest(req, opts));
}
