/**
 * The errors of the Security Incident Response client: one class, `SecurityIrError`, whose `type`
 * names what went wrong, and one table saying which types a retry may fix. The service's own types
 * come from its error table; the client adds the ones a request can meet on its way (a timeout, a
 * network failure, a malformed body, a listing that cannot end, no time left).
 */
import { parseRetryAfterSeconds } from './retry';
import { trimmedOrUndefined } from './strings';

/**
 * The types a retry may fix: the service's (its error table) and those a request meets on its way.
 * Any other type is retried only when its status is 5xx or 429. `InvalidTokenException` is retryable
 * in the service's table, but only restarting the listing helps (the caller's decision): the client
 * never retries it itself. `MalformedResponse`: such bodies come from truncated or intercepted
 * responses far more often than from the service, and the operations are read-only.
 */
const RETRYABLE_TYPES: ReadonlySet<string> = new Set([
  'InternalServerException', 'InvalidTokenException', 'ThrottlingException',
  'RequestTimeout', 'NetworkError', 'MalformedResponse',
]);
/** The types of the service's table that a 5xx or 429 status must not make retryable. */
const NEVER_RETRYABLE_TYPES: ReadonlySet<string> = new Set([
  'AccessDeniedException', 'ConflictException', 'ResourceNotFoundException', 'SecurityIncidentResponseNotActiveException',
  'ServiceQuotaExceededException', 'ValidationException', 'PaginationLoop', 'DeadlineExceeded',
]);

/** The types the client itself gives an error (the rest come from the service). */
export type ClientErrorType = 'RequestTimeout' | 'NetworkError' | 'MalformedResponse' | 'PaginationLoop' | 'DeadlineExceeded';

export interface SecurityIrErrorInit {
  /** The error type, e.g. `ThrottlingException`. */
  readonly type: string;
  /** HTTP status of the response; 0 when no response arrived. @default 0 */
  readonly statusCode?: number;
  readonly message?: string;
  readonly retryAfterSeconds?: number;
  readonly requestId?: string;
  /** The response's `Date` header, used to correct the local clock. */
  readonly responseDate?: Date;
  readonly cause?: unknown;
}

/** Every error the client throws for a failed call. */
export class SecurityIrError extends Error {
  readonly type: string;
  readonly statusCode: number;
  /** Whether trying again may succeed (the tables above; for another type, 5xx and 429). */
  readonly retryable: boolean;
  readonly throttling: boolean;
  readonly retryAfterSeconds?: number;
  readonly requestId?: string;
  readonly responseDate?: Date;

  constructor(init: SecurityIrErrorInit) {
    super(init.message || init.type, init.cause === undefined ? undefined : { cause: init.cause });
    const statusCode = init.statusCode ?? 0;
    this.name = init.type;
    this.type = init.type;
    this.statusCode = statusCode;
    this.throttling = init.type === 'ThrottlingException' || (statusCode === 429 && !NEVER_RETRYABLE_TYPES.has(init.type));
    this.retryable = RETRYABLE_TYPES.has(init.type) || (!NEVER_RETRYABLE_TYPES.has(init.type) && statusCode >= 500) || this.throttling;
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.requestId = init.requestId;
    this.responseDate = init.responseDate;
  }
}

/** An error the client met on the way (no service answer named it). */
export function clientError(type: ClientErrorType, message: string, extra: Omit<SecurityIrErrorInit, 'type' | 'message'> = {}): SecurityIrError {
  return new SecurityIrError({ ...extra, type, message });
}

/** Whether `error` is a `SecurityIrError` of `type`. */
export function isSecurityIrError(error: unknown, type: string): error is SecurityIrError {
  return error instanceof SecurityIrError && error.type === type;
}

/** Types that only one status of the table carries, for responses that name no type. */
const TYPE_BY_STATUS: Readonly<Record<number, string>> = {
  402: 'ServiceQuotaExceededException',
  403: 'AccessDeniedException',
  404: 'ResourceNotFoundException',
  409: 'ConflictException',
  423: 'InvalidTokenException',
  429: 'ThrottlingException',
  500: 'InternalServerException',
};

export interface ErrorResponse {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  readonly body: string;
}

/**
 * The error a non-2xx response stands for. The type comes from `x-amzn-errortype` (the part
 * before any `:`), else the body's `__type` / `code` (without a `namespace#` prefix), else the
 * status when only one type of the table uses it, else `UnknownError`.
 */
export function errorFromResponse(response: ErrorResponse, nowMs: number): SecurityIrError {
  const body = parseErrorBody(response.body);
  const type = typeFromHeader(response.headers.get('x-amzn-errortype'))
    ?? typeFromBody(body.__type ?? body.code ?? body.Code)
    ?? TYPE_BY_STATUS[response.status]
    ?? 'UnknownError';
  const dateHeader = response.headers.get('date');
  const responseDate = dateHeader ? new Date(dateHeader) : undefined;
  return new SecurityIrError({
    type,
    statusCode: response.status,
    message: firstString(body.message, body.Message, response.headers.get('x-amzn-errormessage'))
      ?? `Security IR responded with HTTP ${response.status}`,
    retryAfterSeconds: parseRetryAfterSeconds(response.headers.get('retry-after'), nowMs),
    requestId: firstString(response.headers.get('x-amzn-requestid'), response.headers.get('x-amz-request-id')),
    responseDate: responseDate && !Number.isNaN(responseDate.getTime()) ? responseDate : undefined,
  });
}

/**
 * Whether the service rejected the request because the local clock is off: the signature is
 * expired or not yet valid. Such a request succeeds again once signed with the server's time.
 */
export function isClockSkewError(error: SecurityIrError): boolean {
  if (CLOCK_SKEW_TYPES.has(error.type)) {
    return true;
  }
  return error.type === 'InvalidSignatureException' && /expired|not yet current|skew/i.test(error.message);
}

const CLOCK_SKEW_TYPES = new Set(['RequestTimeTooSkewed', 'RequestExpired', 'RequestInTheFuture']);

function parseErrorBody(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {}; // an HTML page from a proxy, an empty body...: the status still tells something
  }
}

function typeFromHeader(value: string | null): string | undefined {
  return value ? trimmedOrUndefined(value.split(':')[0]) : undefined;
}

function typeFromBody(value: unknown): string | undefined {
  return typeof value === 'string' ? trimmedOrUndefined(value.split('#').pop()!.split(':')[0]) : undefined;
}

function firstString(...values: unknown[]): string | undefined {
  return values.find((value): value is string => typeof value === 'string' && value.length > 0);
}
