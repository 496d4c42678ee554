/**
 * The errors of the Security Incident Response API as typed classes, and the mapping from an
 * HTTP error response to the right class. Flags follow the service's error table:
 * `retryable` says whether trying again may succeed, `throttling` marks rate limiting.
 */
import { parseRetryAfterSeconds } from './retry';
import { trimmedOrUndefined } from './strings';

export interface SecurityIrErrorInit {
  /** The error type, e.g. `ThrottlingException`. */
  readonly type: string;
  /** HTTP status of the response; 0 when no response arrived. */
  readonly statusCode: number;
  readonly message?: string;
  readonly retryable?: boolean;
  readonly throttling?: boolean;
  readonly retryAfterSeconds?: number;
  readonly requestId?: string;
  /** The response's `Date` header, used to correct the local clock. */
  readonly responseDate?: Date;
  /** Members of the error body other than the type and message, as received. */
  readonly fields?: Record<string, unknown>;
  readonly cause?: unknown;
}

/** What a subclass's constructor takes: the class itself fixes the type and flags. */
export type ServiceErrorInit = Omit<SecurityIrErrorInit, 'type' | 'retryable' | 'throttling'>;

/** Base of every error this client throws for a failed request. */
export class SecurityIrError extends Error {
  readonly type: string;
  readonly statusCode: number;
  readonly retryable: boolean;
  readonly throttling: boolean;
  readonly retryAfterSeconds?: number;
  readonly requestId?: string;
  readonly responseDate?: Date;
  readonly fields: Readonly<Record<string, unknown>>;

  constructor(init: SecurityIrErrorInit) {
    super(init.message || init.type, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = init.type;
    this.type = init.type;
    this.statusCode = init.statusCode;
    this.retryable = init.retryable ?? false;
    this.throttling = init.throttling ?? false;
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.requestId = init.requestId;
    this.responseDate = init.responseDate;
    this.fields = init.fields ?? {};
  }

  /** A string member of the error body, if present. */
  protected field(name: string): string | undefined {
    const value = this.fields[name];
    return typeof value === 'string' ? value : undefined;
  }
}

export class AccessDeniedException extends SecurityIrError {
  constructor(init: ServiceErrorInit) {
    super({ ...init, type: 'AccessDeniedException' });
  }
}

export class ConflictException extends SecurityIrError {
  readonly resourceId?: string;
  readonly resourceType?: string;
  constructor(init: ServiceErrorInit) {
    super({ ...init, type: 'ConflictException' });
    this.resourceId = this.field('resourceId');
    this.resourceType = this.field('resourceType');
  }
}

export class InternalServerException extends SecurityIrError {
  constructor(init: ServiceErrorInit) {
    super({ ...init, type: 'InternalServerException', retryable: true });
  }
}

/**
 * The pagination token is no longer valid. Marked retryable (the table says so) but the client
 * never retries it itself: only restarting the listing can help, and that is the caller's call.
 */
export class InvalidTokenException extends SecurityIrError {
  constructor(init: ServiceErrorInit) {
    super({ ...init, type: 'InvalidTokenException', retryable: true });
  }
}

export class ResourceNotFoundException extends SecurityIrError {
  constructor(init: ServiceErrorInit) {
    super({ ...init, type: 'ResourceNotFoundException' });
  }
}

/** The account has no active Security Incident Response membership. */
export class SecurityIncidentResponseNotActiveException extends SecurityIrError {
  constructor(init: ServiceErrorInit) {
    super({ ...init, type: 'SecurityIncidentResponseNotActiveException' });
  }
}

export class ServiceQuotaExceededException extends SecurityIrError {
  readonly resourceId?: string;
  readonly resourceType?: string;
  readonly serviceCode?: string;
  readonly quotaCode?: string;
  constructor(init: ServiceErrorInit) {
    super({ ...init, type: 'ServiceQuotaExceededException' });
    this.resourceId = this.field('resourceId');
    this.resourceType = this.field('resourceType');
    this.serviceCode = this.field('serviceCode');
    this.quotaCode = this.field('quotaCode');
  }
}

export class ThrottlingException extends SecurityIrError {
  readonly serviceCode?: string;
  readonly quotaCode?: string;
  constructor(init: ServiceErrorInit) {
    super({ ...init, type: 'ThrottlingException', retryable: true, throttling: true });
    this.serviceCode = this.field('serviceCode');
    this.quotaCode = this.field('quotaCode');
  }
}

export interface ValidationExceptionField {
  readonly name?: string;
  readonly message?: string;
}

export class ValidationException extends SecurityIrError {
  readonly reason?: string;
  readonly fieldList?: ValidationExceptionField[];
  constructor(init: ServiceErrorInit) {
    super({ ...init, type: 'ValidationException' });
    this.reason = this.field('reason');
    const list = this.fields.fieldList;
    this.fieldList = Array.isArray(list)
      ? list.map((entry) => ({
        name: typeof entry?.name === 'string' ? entry.name : undefined,
        message: typeof entry?.message === 'string' ? entry.message : undefined,
      }))
      : undefined;
  }
}

/** The per-request timeout elapsed before the response was complete. */
export class SecurityIrTimeoutError extends SecurityIrError {
  constructor(init: Omit<ServiceErrorInit, 'statusCode'> & { statusCode?: number }) {
    super({ statusCode: 0, ...init, type: 'RequestTimeout', retryable: true });
  }
}

/** The request never got a response: connection refused or reset, DNS failure, TLS error... */
export class SecurityIrNetworkError extends SecurityIrError {
  constructor(init: Omit<ServiceErrorInit, 'statusCode'>) {
    super({ ...init, statusCode: 0, type: 'NetworkError', retryable: true });
  }
}

/**
 * A success response whose body is not what the API documents (not JSON, `items` not a list,
 * an item without `caseId`...). Retryable: such bodies come from truncated or intercepted
 * responses far more often than from the service, and the operations are read-only.
 */
export class SecurityIrMalformedResponseError extends SecurityIrError {
  constructor(init: ServiceErrorInit) {
    super({ ...init, type: 'MalformedResponse', retryable: true });
  }
}

/**
 * A listing that cannot end: the service handed back a `nextToken` it already gave in this listing,
 * or kept paging far past the `total` it reported. A server fault that no retry of the same request
 * fixes: the run stops at once instead of calling ListCases until its timeout.
 */
export class SecurityIrPaginationLoopError extends SecurityIrError {
  constructor(init: Omit<ServiceErrorInit, 'statusCode'>) {
    super({ ...init, statusCode: 0, type: 'PaginationLoop', retryable: false });
  }
}

/** The caller's deadline left no time for a (further) attempt. */
export class SecurityIrDeadlineExceededError extends SecurityIrError {
  constructor(init: Omit<ServiceErrorInit, 'statusCode'>) {
    super({ ...init, statusCode: 0, type: 'DeadlineExceeded' });
  }
}

const SERVICE_ERRORS: Record<string, new (init: ServiceErrorInit) => SecurityIrError> = {
  AccessDeniedException,
  ConflictException,
  InternalServerException,
  InvalidTokenException,
  ResourceNotFoundException,
  SecurityIncidentResponseNotActiveException,
  ServiceQuotaExceededException,
  ThrottlingException,
  ValidationException,
};

/** Types that only one status of the table carries, for responses that name no type. */
const TYPE_BY_STATUS: Record<number, string> = {
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
 * status when only one type of the table uses it. An unknown type keeps its name and is
 * retryable for 5xx and 429 (throttling) only.
 */
export function errorFromResponse(response: ErrorResponse, nowMs: number = Date.now()): SecurityIrError {
  const body = parseErrorBody(response.body);
  const type = typeFromHeader(response.headers.get('x-amzn-errortype'))
    ?? typeFromBody(body.__type ?? body.code ?? body.Code)
    ?? TYPE_BY_STATUS[response.status];
  const { message, Message, __type, code, Code, ...fields } = body;
  const dateHeader = response.headers.get('date');
  const responseDate = dateHeader ? new Date(dateHeader) : undefined;
  const init: ServiceErrorInit = {
    statusCode: response.status,
    message: firstString(message, Message, response.headers.get('x-amzn-errormessage'))
      ?? `Security IR responded with HTTP ${response.status}`,
    retryAfterSeconds: parseRetryAfterSeconds(response.headers.get('retry-after'), nowMs),
    requestId: firstString(response.headers.get('x-amzn-requestid'), response.headers.get('x-amz-request-id')),
    responseDate: responseDate && !Number.isNaN(responseDate.getTime()) ? responseDate : undefined,
    fields,
  };
  const known = type === undefined ? undefined : SERVICE_ERRORS[type];
  if (known) {
    return new known(init);
  }
  return new SecurityIrError({
    ...init,
    type: type ?? 'UnknownError',
    retryable: response.status >= 500 || response.status === 429,
    throttling: response.status === 429,
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
