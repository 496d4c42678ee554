/**
 * Internal: the rules a value must follow, each written once and checked twice: by the construct at
 * synth time (naming the prop) and by the handler at cold start (naming the environment variable).
 * Each returns what is wrong with the value, or undefined when it is fine. Imports nothing.
 */

/** EventBridge reserves sources starting with `aws.` (in any case) for AWS services. */
const RESERVED_EVENT_SOURCE_PREFIX = 'aws.';
const MAX_EVENT_SOURCE_LENGTH = 256;
const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const ACCOUNT_ID = /^\d{12}$/;
/** An IAM role ARN; the first group is the role's account. */
const IAM_ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;

export function eventSourceProblem(source: string): string | undefined {
  if (source.length === 0 || source.length > MAX_EVENT_SOURCE_LENGTH) {
    return `must be 1 to ${MAX_EVENT_SOURCE_LENGTH} characters long, got ${source.length}`;
  }
  if (source.toLowerCase().startsWith(RESERVED_EVENT_SOURCE_PREFIX)) {
    return `must not start with "${RESERVED_EVENT_SOURCE_PREFIX}" (reserved for AWS services), got "${source}"`;
  }
  return undefined;
}

export function regionProblem(region: string): string | undefined {
  return AWS_REGION.test(region) ? undefined : `must be an AWS region code such as "us-east-1", got "${region}"`;
}

export function accountIdProblem(account: string): string | undefined {
  return ACCOUNT_ID.test(account) ? undefined : `must be a 12-digit AWS account ID, got "${account}"`;
}

export function roleArnProblem(roleArn: string): string | undefined {
  return IAM_ROLE_ARN.test(roleArn) ? undefined : `must be an IAM role ARN (arn:aws:iam::<account>:role/<name>), got "${roleArn}"`;
}

/** The account of a role ARN that passes `roleArnProblem`. */
export function roleArnAccount(roleArn: string): string | undefined {
  return IAM_ROLE_ARN.exec(roleArn)?.[1];
}
