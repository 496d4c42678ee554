import { Duration, Token } from 'aws-cdk-lib';
import { eventSourceProblem, regionProblem, roleArnProblem } from './internal/rules';

/**
 * Synth-time checks of the construct's props. Each one names the prop it rejects and skips values
 * that only deploy time knows (tokens).
 */

export const LAMBDA_MIN_MEMORY_MB = 128;
export const LAMBDA_MAX_MEMORY_MB = 10240;
export const LAMBDA_MAX_TIMEOUT = Duration.minutes(15);

export function validateEventSource(eventSource: string): void {
  if (!Token.isUnresolved(eventSource)) {
    rejectIfProblem('eventSource', eventSourceProblem(eventSource));
  }
}

export function validateRoleArn(roleArn: string | undefined): void {
  if (roleArn !== undefined && !Token.isUnresolved(roleArn)) {
    rejectIfProblem('securityIrRoleArn', roleArnProblem(roleArn));
  }
}

export function validateRegion(region: string): void {
  if (!Token.isUnresolved(region)) {
    rejectIfProblem('securityIrRegion', regionProblem(region));
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

function rejectIfProblem(prop: string, problem: string | undefined): void {
  if (problem !== undefined) {
    throw new Error(`${prop} ${problem}`);
  }
}
