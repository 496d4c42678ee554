/**
 * A small SigV4-signed restJson1 client for the AWS Security Incident Response operations the
 * poller needs (`ListCases`, `GetCase`). The AWS SDK's `@aws-sdk/client-security-ir` is not a
 * dependency of this package: this client is what the handler bundles instead.
 *
 * Every request goes through the handler's one retry loop (`retry.ts`): full-jitter backoff that
 * honours `Retry-After`, bounded by `maxAttempts` and the caller's deadline, with a per-request
 * timeout and one immediate retry after correcting the clock when the service reports a skewed
 * signature.
 */
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { type Clock, systemClock } from './clock';
import { resolveEndpoint } from './endpoints';
import { type Attempt, done, retryAfterBackoff, retryAtOnce, retryUntilDeadline, type RetryPolicy } from './retry';
import type { SecurityIrCase } from './security-ir-case';
import { definedMembers, type ListCasesPage, parseCaseAnswer, parseJson, parseListCasesPage, ShapeError } from './security-ir-responses';
import { clientError, errorFromResponse, isClockSkewError, SecurityIrError } from './security-ir-errors';

export type { SecurityIrCase } from './security-ir-case';
export type { ListCasesPage } from './security-ir-responses';


export interface RequestOptions {
  /** Epoch ms: no attempt (or retry wait) is started that cannot finish before it. */
  deadline?: number;
}

export interface SecurityIrClientOptions {
  region: string;
  /** @default the SDK's default credential provider chain */
  credentials?: AwsCredentialIdentityProvider;
  /** @default resolveEndpoint('SECURITY_IR', `https://security-ir.${region}.api.aws`) */
  endpoint?: string;
  /** Attempts per operation call, the first included. @default 5 */
  maxAttempts?: number;
  /** Per-request timeout, clamped to the time left before the deadline. @default 10_000 */
  requestTimeoutMs?: number;
  /** @default 100 */
  baseDelayMs?: number;
  /** @default 5_000 */
  maxDelayMs?: number;
  /** No attempt is started with less time than this left before the deadline. @default 200 */
  minAttemptMs?: number;
  /** Called before every HTTP request, `attempt` counting from 1 within one operation call. */
  onAttempt?: (operation: string, attempt: number) => void;
  /** Deadlines, `Retry-After` dates, signing time, request timers, retry waits and their jitter. @default systemClock */
  clock?: Clock;
}

export const DEFAULT_LIST_CASES_PAGE_SIZE = 25;

/** The operation-level view of one HTTP exchange. */
interface OperationRequest<T> {
  readonly operation: string;
  readonly method: 'GET' | 'POST';
  /** Path below the endpoint, starting with `/`. */
  readonly path: string;
  readonly body?: Record<string, unknown>;
  /** Turns the parsed JSON body into the result; throws `ShapeError` for a body that does not fit. */
  readonly parse: (body: unknown) => T;
}

interface Exchange {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
}

export class SecurityIrClient {
  /** The endpoint requests go to (after resolving the environment overrides). */
  readonly endpoint: string;
  private readonly endpointUrl: URL;
  private readonly signer: SignatureV4;
  private readonly retryPolicy: RetryPolicy;
  private readonly requestTimeoutMs: number;
  private readonly onAttempt?: (operation: string, attempt: number) => void;
  private readonly clock: Clock;
  /** Server time minus local time, learnt from a clock-skew rejection; applied to every signature. */
  private clockOffsetMs = 0;

  constructor(options: SecurityIrClientOptions) {
    if (!options.region) {
      throw new Error('SecurityIrClient: region is required');
    }
    this.endpoint = options.endpoint ?? resolveEndpoint('SECURITY_IR', defaultEndpoint(options.region));
    this.endpointUrl = parseEndpoint(this.endpoint);
    this.signer = new SignatureV4({
      service: 'security-ir',
      region: options.region,
      credentials: options.credentials ?? fromNodeProviderChain(),
      sha256: Sha256,
    });
    this.retryPolicy = {
      maxAttempts: options.maxAttempts ?? 5,
      baseDelayMs: options.baseDelayMs ?? 100,
      maxDelayMs: options.maxDelayMs ?? 5_000,
      minAttemptMs: options.minAttemptMs ?? 200,
    };
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.onAttempt = options.onAttempt;
    this.clock = options.clock ?? systemClock;
  }

  /** One page of the listing. */
  listCases(input: { nextToken?: string; maxResults?: number } = {}, options: RequestOptions = {}): Promise<ListCasesPage> {
    return this.send({
      operation: 'ListCases',
      method: 'POST',
      path: '/v1/list-cases',
      body: definedMembers({ nextToken: input.nextToken, maxResults: input.maxResults }),
      parse: parseListCasesPage,
    }, options);
  }

  /** Every page of the listing (maxResults default 25), following `nextToken` until absent. */
  async *paginateCases(input: { maxResults?: number } = {}, options: RequestOptions = {}): AsyncIterableIterator<ListCasesPage> {
    const maxResults = input.maxResults ?? DEFAULT_LIST_CASES_PAGE_SIZE;
    const tokensGiven = new Set<string>();
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await this.listCases({ nextToken, maxResults }, options);
      pages++;
      yield page;
      nextToken = page.nextToken || undefined;
      if (nextToken !== undefined) {
        assertListingCanEnd(nextToken, tokensGiven, pages, maxResults, page.total);
        tokensGiven.add(nextToken);
      }
    } while (nextToken !== undefined);
  }

  /** One case (`GetCase` answers without `caseId`: it is filled in from the request). */
  getCase(caseId: string, options: RequestOptions = {}): Promise<SecurityIrCase> {
    if (!caseId) {
      throw new Error('getCase: caseId is required');
    }
    return this.send({
      operation: 'GetCase',
      method: 'GET',
      path: `/v1/cases/${encodeURIComponent(caseId)}/get-case`,
      parse: (body) => parseCaseAnswer(caseId, body),
    }, options);
  }

  /** An operation call: signed exchanges under the retry policy. */
  private async send<T>(request: OperationRequest<T>, options: RequestOptions): Promise<T> {
    const { deadline } = options;
    let lastError: SecurityIrError | undefined;
    let skewCorrected = false;
    const result = await retryUntilDeadline(this.retryPolicy, { clock: this.clock, deadline }, async (attempt) => {
      this.onAttempt?.(request.operation, attempt.number);
      try {
        return done(await this.sendOnce(request, attempt));
      } catch (error) {
        if (!(error instanceof SecurityIrError)) {
          throw error; // a bug: nothing a retry fixes
        }
        lastError = error;
        // A skewed clock is fixed by re-signing, not by waiting, and is not the service failing.
        if (!skewCorrected && isClockSkewError(error) && error.responseDate) {
          skewCorrected = true;
          this.clockOffsetMs = error.responseDate.getTime() - this.clock.now();
          return retryAtOnce();
        }
        // InvalidTokenException: only restarting the listing helps, which is the caller's decision.
        if (!error.retryable || error.type === 'InvalidTokenException') {
          throw error;
        }
        return retryAfterBackoff(error.retryAfterSeconds);
      }
    });
    if (!result.ok) {
      // Out of attempts or of time: the last failure says why, if there was a request at all.
      throw lastError ?? clientError('DeadlineExceeded', `${request.operation}: the deadline leaves no time for a request`);
    }
    return result.value;
  }

  /** One signed HTTP exchange, its response parsed or turned into a `SecurityIrError`. */
  private async sendOnce<T>(request: OperationRequest<T>, attempt: Attempt): Promise<T> {
    const url = new URL(this.endpointUrl.href);
    url.pathname = `${this.endpointUrl.pathname.replace(/\/+$/, '')}${request.path}`;
    url.search = ''; // the signature covers no query string
    url.hash = '';
    const payload = request.body === undefined ? undefined : JSON.stringify(request.body);
    const headers: Record<string, string> = { host: url.host, accept: 'application/json' };
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
    }
    const signed = await this.signer.sign({
      method: request.method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      query: {},
      headers,
      body: payload,
    }, { signingDate: new Date(this.clock.now() + this.clockOffsetMs) });

    // fetch derives Host from the URL, which is what was signed (port included).
    const { host: _host, ...sendHeaders } = signed.headers;
    // Clamped here, after signing (which may have fetched credentials), to the time really left.
    const timeoutMs = Math.min(this.requestTimeoutMs, attempt.timeLeftMs());
    if (timeoutMs <= 0) {
      throw clientError('DeadlineExceeded', `${request.operation}: the deadline passed before the request was sent`);
    }
    const exchange = await this.exchange(url, { method: request.method, headers: sendHeaders, body: payload }, timeoutMs);
    if (exchange.status < 200 || exchange.status >= 300) {
      throw errorFromResponse(exchange, this.clock.now() + this.clockOffsetMs);
    }
    try {
      return request.parse(parseJson(exchange.body));
    } catch (error) {
      if (error instanceof ShapeError) {
        throw clientError('MalformedResponse', `${request.operation}: malformed response: ${error.message}`, {
          statusCode: exchange.status,
          requestId: exchange.headers.get('x-amzn-requestid') ?? undefined,
        });
      }
      throw error;
    }
  }

  /** `fetch` under the clock's request timer, which also covers reading the body. */
  private async exchange(url: URL, init: RequestInit, timeoutMs: number): Promise<Exchange> {
    const signal = this.clock.timeoutSignal(timeoutMs);
    try {
      const response = await fetch(url, { ...init, signal });
      return { status: response.status, headers: response.headers, body: await response.text() };
    } catch (error) {
      if (signal.aborted) {
        throw clientError('RequestTimeout', `No complete response from ${url.host} within ${timeoutMs} ms`, { cause: error });
      }
      throw clientError('NetworkError', `Request to ${url.host} failed`, { cause: error });
    }
  }
}

/**
 * Pages a listing may take beyond what its reported `total` needs: cases opened while it lists, and
 * an order that shifts between pages, can add a few.
 */
const PAGES_BEYOND_TOTAL = 10;

/**
 * Throws when the listing cannot end: `nextToken` was already given in this listing (the next page
 * would start over, forever), or the listing has taken many more pages than the `total` the service
 * reports could fill.
 */
function assertListingCanEnd(nextToken: string, tokensGiven: ReadonlySet<string>, pages: number, pageSize: number, total?: number): void {
  if (tokensGiven.has(nextToken)) {
    throw clientError('PaginationLoop', `ListCases returned, on page ${pages}, a nextToken it already gave in this listing: the listing cannot end, so it stops here`);
  }
  if (total !== undefined && pages >= Math.ceil(total / pageSize) + PAGES_BEYOND_TOTAL) {
    throw clientError('PaginationLoop', `ListCases still returns a nextToken after ${pages} pages of ${pageSize}, for a total of ${total} cases: the listing cannot end, so it stops here`);
  }
}

/** The service's endpoint in `region`: dual-stack only (`api.aws`), with China's own domain. */
function defaultEndpoint(region: string): string {
  return region.startsWith('cn-')
    ? `https://security-ir.${region}.api.amazonwebservices.com.cn`
    : `https://security-ir.${region}.api.aws`;
}

function parseEndpoint(endpoint: string): URL {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new Error(`SecurityIrClient: invalid endpoint URL '${endpoint}'`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(`SecurityIrClient: endpoint '${endpoint}' must use http or https`);
  }
  return url;
}
