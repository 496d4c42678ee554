import { Duration, Token } from 'aws-cdk-lib';
import { accountIdProblem, eventSourceProblem, regionProblem, roleArnProblem } from './internal/rules';

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
  validateRegionProp('securityIrRegion', region);
}

export function validateRegionProp(prop: string, region: string): void {
  if (!Token.isUnresolved(region)) {
    rejectIfProblem(prop, regionProblem(region));
  }
}

export function validateAccountId(prop: string, account: string): void {
  if (!Token.isUnresolved(account)) {
    rejectIfProblem(prop, accountIdProblem(account));
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

/**
 * The poll interval: whole minutes (Scheduler's rate unit), at least one, and known at synth time,
 * since the timeout, the lease and the staleness alarm are derived from it.
 */
export function validatePollInterval(interval: Duration): void {
  if (interval.isUnresolved()) {
    throw new Error(
      'pollInterval must be known at synth time (the function timeout and the staleness alarm are derived from it), ' +
        'got a token; pass a number, for instance from context',
    );
  }
  const ms = interval.toMilliseconds();
  if (ms < 60_000 || ms % 60_000 !== 0) {
    throw new Error(`pollInterval must be a whole number of minutes, at least 1, got ${interval.toHumanString()}`);
  }
}

/** The timeout must end before the next run starts, so that a crashed run's lease has expired by then. */
export function validateTimeout(timeout: Duration, interval: Duration): void {
  if (timeout.isUnresolved()) {
    return;
  }
  const ms = timeout.toMilliseconds();
  if (ms % 1000 !== 0) {
    throw new Error(`timeout must be a whole number of seconds (Lambda's unit), got ${timeout.toHumanString()}`);
  }
  const seconds = ms / 1000;
  if (seconds < 1 || seconds > LAMBDA_MAX_TIMEOUT.toSeconds()) {
    throw new Error(`timeout must be from 1 second to ${LAMBDA_MAX_TIMEOUT.toHumanString()}, got ${timeout.toHumanString()}`);
  }
  if (seconds >= interval.toSeconds()) {
    throw new Error(
      `timeout (${timeout.toHumanString()}) must be below the pollInterval (${interval.toHumanString()}) ` +
        'so that one run ends before the next begins',
    );
  }
}

export function validateStalenessPeriods(stalenessPeriods: number): void {
  if (Token.isUnresolved(stalenessPeriods)) {
    return;
  }
  if (!Number.isInteger(stalenessPeriods) || stalenessPeriods < 1) {
    throw new Error(`stalenessPeriods must be a whole number of at least 1, got ${stalenessPeriods}`);
  }
}

function rejectIfProblem(prop: string, problem: string | undefined): void {
  if (problem !== undefined) {
    throw new Error(`${prop} ${problem}`);
  }
}
