/**
 * The HTTP plumbing shared by every local AWS stand-in: one loopback server per simulator that reads
 * the body, verifies SigV4, applies the queued faults, serves the request, answers AWS errors in the
 * simulator's wire protocol, records the call, and on `close()` ends every socket (hanging requests
 * and keep-alive connections included) so a test process exits by itself.
 */
import { randomUUID } from 'node:crypto';
import { createServer, IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { Fault, FaultInjector } from './faults';
import { verifySigV4 } from './sigv4-verifier';

export interface AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
}

/** A request as a simulator sees it: fully read, not yet interpreted. */
export interface SimRequest {
  method: string;
  /** Path and query as received. */
  url: string;
  /** Path as received (still URI-encoded), without the query. */
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A complete answer. */
export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** An answer streamed back from another server (the DynamoDB proxy). */
export interface StreamedResponse {
  upstream: IncomingMessage;
}

/** An AWS error, thrown by a simulator's handler and encoded by its protocol. */
export class AwsServiceError extends Error {
  constructor(
    public readonly status: number,
    public readonly type: string,
    message: string,
    public readonly fields: Record<string, unknown> = {},
    public readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = type;
  }
}

/** How a wire protocol encodes errors. */
export interface AwsProtocol {
  /** Status AWS answers a request whose signature it rejects with. */
  readonly signatureErrorStatus: number;
  /** Error type for a request the server cannot route. */
  readonly unknownOperation: { status: number; type: string };
  /** Error type for an unexpected failure inside the simulator. */
  readonly internalError: { status: number; type: string };
  encodeError(error: AwsServiceError): SimResponse;
}

/** restJson1 (Security IR): type in `x-amzn-errortype`, body `{"message": ...}` plus the error's members. */
export const REST_JSON_1: AwsProtocol = {
  signatureErrorStatus: 403,
  unknownOperation: { status: 404, type: 'UnknownOperationException' },
  internalError: { status: 500, type: 'InternalServerException' },
  encodeError: (e) => ({
    status: e.status,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': e.type },
    body: JSON.stringify({ message: e.message, ...e.fields }),
  }),
};

/** awsJson1_0 / awsJson1_1: type in the body's `__type` (with the service's namespace prefix, if any). */
export function awsJsonProtocol(version: '1.0' | '1.1', typePrefix = ''): AwsProtocol {
  return {
    signatureErrorStatus: 400,
    unknownOperation: { status: 400, type: 'UnknownOperationException' },
    internalError: { status: 500, type: 'InternalFailure' },
    encodeError: (e) => ({
      status: e.status,
      headers: { 'content-type': `application/x-amz-json-${version}` },
      body: JSON.stringify({ __type: `${typePrefix}${e.type}`, message: e.message, ...e.fields }),
    }),
  };
}

/** awsQuery (STS, SNS): an XML `ErrorResponse` in the service's namespace; the request is a form naming its `Action`. */
export function awsQueryProtocol(xmlNamespace: string): AwsProtocol {
  return {
    signatureErrorStatus: 403,
    unknownOperation: { status: 400, type: 'InvalidAction' },
    internalError: { status: 500, type: 'InternalFailure' },
    encodeError: (e) => ({
      status: e.status,
      headers: { 'content-type': 'text/xml' },
      body: `<ErrorResponse xmlns="${xmlNamespace}"><Error><Type>${e.status >= 500 ? 'Receiver' : 'Sender'}</Type>`
        + `<Code>${escapeXml(e.type)}</Code><Message>${escapeXml(e.message)}</Message></Error>`
        + `<RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
    }),
  };
}

/** The form of an awsQuery request. */
export function queryFormOf(req: SimRequest): URLSearchParams {
  return new URLSearchParams(req.body.toString('utf8'));
}

/** Text for an XML element or attribute. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** What happened to one request, for the simulator's call log. */
export interface CallOutcome {
  /** The operation the request named, or 'Unknown'. */
  operation: string;
  request: SimRequest;
  /** Status answered; 0 when a `hang` fault kept the request unanswered. */
  status: number;
  /** The verified caller, when the signature was valid. */
  accessKeyId?: string;
  /** True when the simulator's handler served it (not a signature failure or an injected fault). */
  served: boolean;
}

/** One entry of a simulator's call log. */
export interface RecordedCall {
  operation: string;
  method: string;
  path: string;
  /** The parsed JSON body (the raw text if it is not JSON; undefined for a request without one). */
  body: unknown;
  /** Status answered; 0 when a `hang` fault left it unanswered. */
  status: number;
  accessKeyId?: string;
  /** IAM action the call needs, e.g. 'security-ir:ListCases'. */
  action: string;
}

/** The call-log entry for an outcome; `iamPrefix` is the service's IAM prefix, e.g. 'events'. */
export function recordedCall(outcome: CallOutcome, iamPrefix: string): RecordedCall {
  let body: unknown;
  if (outcome.request.body.length > 0) {
    const text = outcome.request.body.toString('utf8');
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  return {
    operation: outcome.operation,
    method: outcome.request.method,
    path: outcome.request.path,
    body,
    status: outcome.status,
    accessKeyId: outcome.accessKeyId,
    action: `${iamPrefix}:${outcome.operation}`,
  };
}

export interface AwsSimServerOptions {
  /** SigV4 signing name checked in the credential scope. */
  service: string;
  credentials: AccessKey[];
  protocol: AwsProtocol;
  faults: FaultInjector;
  /** The server's clock (signature expiry and the `Date` header); defaults to the real time. */
  now?: () => Date;
  /** The operation a request names, or undefined when it names none. */
  operationOf(req: SimRequest): string | undefined;
  /** Serves an authenticated request that no fault intercepted; throws AwsServiceError to answer an error. */
  handle(req: SimRequest, operation: string): Promise<SimResponse | StreamedResponse> | SimResponse | StreamedResponse;
  /** Called once per request with its outcome. */
  record(outcome: CallOutcome): void;
}

export interface AwsSimServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding']);

/** Starts a simulator's server on 127.0.0.1, port 0. */
export async function startAwsSimServer(opts: AwsSimServerOptions): Promise<AwsSimServer> {
  const now = opts.now ?? (() => new Date());
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let closing = false;

  // Resolves after `ms`; never resolves if the server closes first (the request is abandoned).
  const delay = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  // Returns the status answered (also when the client has gone away meanwhile).
  const send = (res: ServerResponse, answer: SimResponse | StreamedResponse): number => {
    if (closing || res.destroyed) return 'upstream' in answer ? (answer.upstream.statusCode ?? 502) : answer.status;
    const common = { date: now().toUTCString(), 'x-amzn-requestid': randomUUID() };
    if ('upstream' in answer) {
      const headers = Object.fromEntries(Object.entries(answer.upstream.headers).filter(([name]) => !HOP_BY_HOP.has(name)));
      res.writeHead(answer.upstream.statusCode ?? 502, { ...headers, ...common });
      answer.upstream.pipe(res);
      return answer.upstream.statusCode ?? 502;
    }
    res.writeHead(answer.status, { ...common, ...answer.headers });
    res.end(answer.body ?? '');
    return answer.status;
  };

  const errorAnswer = (error: AwsServiceError): SimResponse => {
    const encoded = opts.protocol.encodeError(error);
    if (error.retryAfterSeconds === undefined) return encoded;
    return { ...encoded, headers: { ...encoded.headers, 'retry-after': String(error.retryAfterSeconds) } };
  };

  const serve = async (req: SimRequest, res: ServerResponse): Promise<void> => {
    const named = opts.operationOf(req);
    const operation = named ?? 'Unknown';
    const finish = (answer: SimResponse | StreamedResponse, served: boolean, accessKeyId?: string) => {
      opts.record({ operation, request: req, status: send(res, answer), accessKeyId, served });
    };

    if (opts.faults.fixedLatencyMs > 0) await delay(opts.faults.fixedLatencyMs);

    const verified = verifySigV4(req, { service: opts.service, credentials: opts.credentials, now: now() });
    if (!verified.ok) {
      finish(errorAnswer(new AwsServiceError(opts.protocol.signatureErrorStatus, 'InvalidSignatureException', verified.reason)), false);
      return;
    }
    if (named === undefined) {
      const { status, type } = opts.protocol.unknownOperation;
      finish(errorAnswer(new AwsServiceError(status, type, `Unknown operation ${req.method} ${req.path}`)), false, verified.accessKeyId);
      return;
    }

    const fault: Fault | undefined = opts.faults.take(operation);
    switch (fault?.kind) {
      case 'hang':
        opts.record({ operation, request: req, status: 0, accessKeyId: verified.accessKeyId, served: false });
        return; // the socket stays open until the client gives up or the server closes
      case 'error':
        finish(errorAnswer(new AwsServiceError(fault.status, fault.type, fault.message ?? `Injected ${fault.type}`, fault.fields, fault.retryAfterSeconds)), false, verified.accessKeyId);
        return;
      case 'malformed':
        finish({ status: fault.status ?? 200, headers: { 'content-type': 'application/json' }, body: fault.body }, false, verified.accessKeyId);
        return;
      case 'latency':
        await delay(fault.ms);
        break;
      case undefined:
        break;
    }

    let answer: SimResponse | StreamedResponse;
    try {
      answer = await opts.handle(req, operation);
    } catch (err) {
      const { status, type } = opts.protocol.internalError;
      answer = errorAnswer(err instanceof AwsServiceError ? err : new AwsServiceError(status, type, String(err)));
    }
    finish(answer, true, verified.accessKeyId);
  };

  const server = createServer((incoming, res) => {
    readBody(incoming).then(
      (body) => {
        const url = incoming.url ?? '/';
        const q = url.indexOf('?');
        const req: SimRequest = { method: incoming.method ?? 'GET', url, path: q < 0 ? url : url.slice(0, q), headers: incoming.headers, body };
        return serve(req, res);
      },
      () => undefined, // the client went away mid-request: nothing to answer
    ).catch((err) => {
      // A bug in a simulator: answer 500 rather than leave the client hanging.
      if (!res.headersSent && !res.destroyed) res.writeHead(500).end(String(err));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const port = await listenOnLoopback(server);

  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      closing = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      return closed;
    },
  };
}

/** Starts `server` listening on 127.0.0.1 and a free port; resolves to the port. */
export async function listenOnLoopback(server: NetServer): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('server has no TCP address');
  return address.port;
}

/** A loopback port nothing listens on (it was free a moment ago): for a refused connection. */
export async function unusedLoopbackPort(): Promise<number> {
  const server = createNetServer();
  const port = await listenOnLoopback(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Reads a request's whole body. */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
    req.on('aborted', () => reject(new Error('request aborted')));
  });
}

/** A JSON answer. */
export function jsonResponse(status: number, body: unknown, contentType = 'application/json'): SimResponse {
  return { status, headers: { 'content-type': contentType }, body: JSON.stringify(body) };
}

/** The request body parsed as JSON (an empty body is `{}`); a body that is not JSON is a SerializationException. */
export function parseJsonBody(req: SimRequest): unknown {
  if (req.body.length === 0) return {};
  try {
    return JSON.parse(req.body.toString('utf8'));
  } catch {
    throw new AwsServiceError(400, 'SerializationException', 'The request body is not valid JSON');
  }
}
