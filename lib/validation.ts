import { Duration, Token } from 'aws-cdk-lib';
import {
  AWS_REGION_PATTERN,
  IAM_ROLE_ARN_PATTERN,
  MAX_EVENT_SOURCE_LENGTH,
  RESERVED_EVENT_SOURCE_PREFIX,
} from './handler-environment';

/**
 * Synth-time checks of the construct's props. Each one names the prop it rejects and skips values
 * that only deploy time knows (tokens).
 */

export const LAMBDA_MIN_MEMORY_MB = 128;
export const LAMBDA_MAX_MEMORY_MB = 10240;
export const LAMBDA_MAX_TIMEOUT = Duration.minutes(15);

export function validateEventSource(eventSource: string): void {
  if (Token.isUnresolved(eventSource)) {
    return;
  }
  if (eventSource.length === 0 || eventSource.length > MAX_EVENT_SOURCE_LENGTH) {
    throw new Error(`eventSource must be 1 to ${MAX_EVENT_SOURCE_LENGTH} characters long, got ${eventSource.length}`);
  }
  if (eventSource.toLowerCase().startsWith(RESERVED_EVENT_SOURCE_PREFIX)) {
    throw new Error(`eventSource must not start with "${RESERVED_EVENT_SOURCE_PREFIX}" (reserved for AWS services), got "${eventSource}"`);
  }
}

export function validateRoleArn(roleArn: string | undefined): void {
  if (roleArn === undefined || Token.isUnresolved(roleArn)) {
    return;
  }
  if (!IAM_ROLE_ARN_PATTERN.test(roleArn)) {
    throw new Error(`securityIrRoleArn must be an IAM role ARN (arn:aws:iam::<account>:role/<name>), got "${roleArn}"`);
  }
}

export function validateRegion(region: string): void {
  if (Token.isUnresolved(region)) {
    return;
  }
  if (!AWS_REGION_PATTERN.test(region)) {
    throw new Error(`securityIrRegion must be an AWS region code such as "us-east-1", got "${region}"`);
  }
}

export function validateMemorySize(memorySize: number): void {
  if (Token.isUnresolved(memorySize)) {
    return;
  }
  if (!Number.isInteger(memorySize) || memorySize < LAMBDA_MIN_MEMORY_MB || memorySize > LAMBDA_MAX_MEMORY_MB) {
    throw new Error(
      `memorySize must be a whole number of MB from ${LAMBDA_MIN_MEMORY_MB} to ${LAMBDA_MAX_MEMORY_MB}, got ${memorySize}`,
    );
  }
}

/** `interval` is undefined when the schedule is a token, `readable` false when it is a string we cannot parse. */
export function validateSchedule(expression: string, interval: Duration | undefined, readable: boolean): void {
  if (!readable) {
    throw new Error(`schedule must be a rate(...) or cron(...) expression, got "${expression}"`);
  }
  if (interval === undefined) {
    return;
  }
  const seconds = interval.toSeconds();
  if (seconds < 60 || seconds % 60 !== 0) {
    throw new Error(`schedule must run at most once a minute, in whole minutes, got "${expression}"`);
  }
}

/** The timeout must end before the next run starts, so that a crashed run's lease has expired by then. */
export function validateTimeout(timeout: Duration, interval: Duration | undefined): void {
  if (timeout.isUnresolved()) {
    return;
  }
  const seconds = timeout.toSeconds();
  if (seconds < 1 || seconds > LAMBDA_MAX_TIMEOUT.toSeconds()) {
    throw new Error(`timeout must be from 1 second to ${LAMBDA_MAX_TIMEOUT.toHumanString()}, got ${timeout.toHumanString()}`);
  }
  if (interval !== undefined && seconds >= interval.toSeconds()) {
    throw new Error(
      `timeout (${timeout.toHumanString()}) must be below the schedule interval (${interval.toHumanString()}) ` +
        'so that one run ends before the next begins',
    );
  }
}

export function validateStalenessPeriods(stalenessPeriods: number): void {
  if (!Number.isInteger(stalenessPeriods) || stalenessPeriods < 1) {
    throw new Error(`stalenessPeriods must be a whole number of at least 1, got ${stalenessPeriods}`);
  }
}
