/**
 * The PagerDuty routing key, read from Secrets Manager (`GetSecretValue`, awsJson1_1) once per
 * container and kept for an hour (a rotated key is picked up within that time). Its value is never
 * logged nor put in an error message: only its length is said when it is not a routing key.
 */
import type { Clock } from '../clock';
import { resolveEndpoint } from '../endpoints';
import { arnRegion, AwsRequester } from './aws-request';
import { NotifierRequestError, REQUEST_TIMEOUT_MS, type RetryContext, withRetries } from './requests';

/** How long a read value is trusted. */
export const SECRET_MAX_AGE_MS = 60 * 60 * 1000;
/** A PagerDuty integration (routing) key is 32 characters. */
const ROUTING_KEY = /^[A-Za-z0-9]{32}$/;

export class RoutingKeyReader {
  private cached?: { value: string; readAt: number };

  constructor(private readonly requester: AwsRequester, private readonly secretArn: string, private readonly clock: Clock) {}

  /** The routing key; from the cache while it is fresh. */
  async routingKey(context: RetryContext): Promise<string> {
    if (this.cached !== undefined && this.clock.now() - this.cached.readAt < SECRET_MAX_AGE_MS) return this.cached.value;
    const region = arnRegion(this.secretArn);
    const target = { service: 'secretsmanager', region, endpoint: resolveEndpoint('SECRETS_MANAGER', `https://secretsmanager.${region}.amazonaws.com`) };
    const headers = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.GetSecretValue' };
    const { value } = await withRetries('secretsmanager GetSecretValue', context, async (attempt) => {
      const answer = await this.requester.post(target, 'GetSecretValue', headers, JSON.stringify({ SecretId: this.secretArn }),
        Math.min(REQUEST_TIMEOUT_MS, attempt.timeLeftMs()), (failed) => awsJsonError(failed.body));
      return secretString(answer.body);
    });
    const key = value.trim();
    if (!ROUTING_KEY.test(key)) {
      throw new NotifierRequestError('secretsmanager GetSecretValue', `the secret's value is not a PagerDuty routing key (32 letters and digits; it has ${key.length} characters)`, { retryable: false });
    }
    this.cached = { value: key, readAt: this.clock.now() };
    return key;
  }
}

function secretString(body: string): string {
  try {
    const value = (JSON.parse(body) as { SecretString?: unknown }).SecretString;
    if (typeof value === 'string') return value;
  } catch {
    // reported below
  }
  throw new NotifierRequestError('secretsmanager GetSecretValue', 'the answer holds no SecretString (a binary secret is not a routing key)', { retryable: false });
}

/** awsJson error: `__type` (maybe with a namespace before `#`) and `message` or `Message`. */
function awsJsonError(body: string): { code: string; message: string } {
  try {
    const parsed = JSON.parse(body) as { __type?: unknown; message?: unknown; Message?: unknown };
    const code = typeof parsed.__type === 'string' ? parsed.__type.split('#').pop()! : 'UnknownError';
    const message = typeof parsed.message === 'string' ? parsed.message : typeof parsed.Message === 'string' ? parsed.Message : '';
    return { code, message };
  } catch {
    return { code: 'UnknownError', message: '' };
  }
}
