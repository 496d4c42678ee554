/**
 * What a failed AWS SDK request means for a retry, read the one way every SDK caller of the
 * handler reads it (the DynamoDB state table, the EventBridge publisher). The SDK clients make a
 * single attempt (`maxAttempts: 1`): the retries are the handler's own (`retry.ts`).
 */

/** Error names that mean rate limiting, whatever their HTTP status. */
const THROTTLING = /Throttl|TooManyRequests|LimitExceeded|ProvisionedThroughputExceeded/;
/** Node's codes for a connection that failed or broke: the request may not have arrived. */
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_SOCKET']);

interface SdkErrorShape {
  readonly name?: string;
  readonly Code?: string;
  readonly $fault?: 'client' | 'server';
  readonly $retryable?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly code?: string;
}

/**
 * Whether another attempt may succeed: throttling, a server fault, a request timed out by our
 * timer, or no answer at all (a reset connection). A client fault (validation, access denied, a
 * failed condition) is not.
 */
export function isRetryableAwsError(error: unknown): boolean {
  const e = (error ?? {}) as SdkErrorShape;
  if (e.$retryable || e.$fault === 'server' || THROTTLING.test(e.name ?? '')) {
    return true;
  }
  if (e.name === 'TimeoutError' || e.name === 'AbortError' || NETWORK_CODES.has(e.code ?? '')) {
    return true;
  }
  const status = e.$metadata?.httpStatusCode ?? 0;
  return e.$fault !== 'client' && (status >= 500 || status === 429);
}

/** The error's code as AWS names it, e.g. `ThrottlingException`. */
export function awsErrorCode(error: unknown): string {
  const e = (error ?? {}) as SdkErrorShape;
  return e.Code ?? e.name ?? 'UnknownError';
}
