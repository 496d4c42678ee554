/**
 * A SigV4-signed POST to an AWS service (SNS's awsQuery, Secrets Manager's awsJson1_1) with the
 * function's own credentials, and what a failed answer means: throttling and 5xx may be retried,
 * anything else (access denied, a missing topic or secret, a KMS key the role may not use) not.
 * Signed by hand with `@smithy/signature-v4` instead of the SDK clients: see docs/design.md.
 */
import { fromEnv } from '@aws-sdk/credential-providers';
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { Clock } from '../clock';
import { parseRetryAfterSeconds } from '../retry';
import { type Exchange, exchange, NotifierRequestError } from './requests';

/** Error codes that mean "slow down", whatever their status. */
const THROTTLING = new Set([
  'Throttling', 'ThrottlingException', 'Throttled', 'ThrottledException', 'RequestLimitExceeded', 'TooManyRequestsException', 'KMSThrottling', 'KMSThrottlingException',
]);

export interface AwsTarget {
  /** SigV4 signing name: `sns`, `secretsmanager`. */
  readonly service: string;
  readonly region: string;
  /** The service endpoint (no path). */
  readonly endpoint: string;
}

export class AwsRequester {
  private readonly signers = new Map<string, SignatureV4>();

  /** @param credentials the function's (Lambda puts them in the environment) by default */
  constructor(private readonly clock: Clock, private readonly credentials: AwsCredentialIdentityProvider = fromEnv()) {}

  /**
   * Sends `body` signed for `target`; resolves with a 2xx answer, throws `NotifierRequestError`
   * otherwise, with `code` read from the answer by `errorCodeOf`.
   */
  async post(target: AwsTarget, operation: string, headers: Record<string, string>, body: string, timeoutMs: number, errorCodeOf: (answer: Exchange) => { code: string; message: string }): Promise<Exchange> {
    const url = new URL(target.endpoint);
    url.pathname = url.pathname.replace(/\/*$/, '/');
    const signed = await this.signer(target).sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      query: {},
      headers: { ...headers, host: url.host },
      body,
    }, { signingDate: new Date(this.clock.now()) });
    // fetch sets Host from the URL, which is what was signed (port included).
    const { host: _host, ...sendHeaders } = signed.headers;
    const what = `${target.service} ${operation}`;
    const answer = await exchange(what, url.href, { method: 'POST', headers: sendHeaders, body }, timeoutMs, this.clock);
    if (answer.status >= 200 && answer.status < 300) return answer;
    const { code, message } = errorCodeOf(answer);
    throw new NotifierRequestError(what, `${answer.status} ${code}: ${message.slice(0, 300)}`, {
      retryable: answer.status >= 500 || answer.status === 429 || THROTTLING.has(code),
      status: answer.status,
      retryAfterSeconds: parseRetryAfterSeconds(answer.headers.get('retry-after'), this.clock.now()),
    });
  }

  private signer(target: AwsTarget): SignatureV4 {
    const key = `${target.service} ${target.region}`;
    let signer = this.signers.get(key);
    if (signer === undefined) {
      signer = new SignatureV4({ service: target.service, region: target.region, credentials: this.credentials, sha256: Sha256 });
      this.signers.set(key, signer);
    }
    return signer;
  }
}

/** The region of an ARN (`arn:partition:service:region:account:resource`). */
export function arnRegion(arn: string): string {
  return arn.split(':')[3] ?? '';
}
