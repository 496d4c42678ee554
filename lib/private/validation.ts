import { Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ValidationError } from './validation-error';
import { accountIdProblem, eventSourceProblem, regionProblem, roleArnProblem } from '../internal/rules';

/**
 * Synth-time checks of the constructs' props. Each one names the prop it rejects, throws a
 * `ValidationError` that carries the construct's path, and skips values that only deploy time
 * knows (tokens).
 */

export const LAMBDA_MIN_MEMORY_MB = 128;
export const LAMBDA_MAX_MEMORY_MB = 10240;
export const LAMBDA_MAX_TIMEOUT = Duration.minutes(15);

export function validateEventSource(scope: IConstruct, eventSource: string): void {
  if (!Token.isUnresolved(eventSource)) {
    rejectIfProblem(scope, 'eventSource', eventSourceProblem(eventSource));
  }
}

export function validateRoleArn(scope: IConstruct, roleArn: string | undefined): void {
  if (roleArn !== undefined && !Token.isUnresolved(roleArn)) {
    rejectIfProblem(scope, 'securityIrRoleArn', roleArnProblem(roleArn));
  }
}

export function validateRegion(scope: IConstruct, prop: string, region: string): void {
  if (!Token.isUnresolved(region)) {
    rejectIfProblem(scope, prop, regionProblem(region));
  }
}

export function validateAccountId(scope: IConstruct, prop: string, account: string): void {
  if (!Token.isUnresolved(account)) {
    rejectIfProblem(scope, prop, accountIdProblem(account));
  }
}

export function validateMemorySize(scope: IConstruct, memorySize: number): void {
  if (Token.isUnresolved(memorySize)) {
    return;
  }
  if (!Number.isInteger(memorySize) || memorySize < LAMBDA_MIN_MEMORY_MB || memorySize > LAMBDA_MAX_MEMORY_MB) {
    throw new ValidationError(
      `memorySize must be a whole number of MB from ${LAMBDA_MIN_MEMORY_MB} to ${LAMBDA_MAX_MEMORY_MB}, got ${memorySize}`,
      scope,
    );
  }
}

/**
 * The poll interval: whole minutes (Scheduler's rate unit), at least one, and known at synth time,
 * since the timeout, the lease and the staleness alarm are derived from it.
 */
export function validatePollInterval(scope: IConstruct, interval: Duration): void {
  if (interval.isUnresolved()) {
    throw new ValidationError(
      'pollInterval must be known at synth time (the function timeout and the staleness alarm are derived from it), ' +
        'got a token; pass a number, for instance from context',
      scope,
    );
  }
  const ms = interval.toMilliseconds();
  if (ms < 60_000 || ms % 60_000 !== 0) {
    throw new ValidationError(`pollInterval must be a whole number of minutes, at least 1, got ${interval.toHumanString()}`, scope);
  }
}

/** The timeout must end before the next run starts, so that a crashed run's lease has expired by then. */
export function validateTimeout(scope: IConstruct, timeout: Duration, interval: Duration): void {
  if (timeout.isUnresolved()) {
    return;
  }
  const ms = timeout.toMilliseconds();
  if (ms % 1000 !== 0) {
    throw new ValidationError(`timeout must be a whole number of seconds (Lambda's unit), got ${timeout.toHumanString()}`, scope);
  }
  const seconds = ms / 1000;
  if (seconds < 1 || seconds > LAMBDA_MAX_TIMEOUT.toSeconds()) {
    throw new ValidationError(`timeout must be from 1 second to ${LAMBDA_MAX_TIMEOUT.toHumanString()}, got ${timeout.toHumanString()}`, scope);
  }
  if (seconds >= interval.toSeconds()) {
    throw new ValidationError(
      `timeout (${timeout.toHumanString()}) must be below the pollInterval (${interval.toHumanString()}) ` +
        'so that one run ends before the next begins',
      scope,
    );
  }
}

export function validateStalenessPeriods(scope: IConstruct, stalenessPeriods: number): void {
  if (Token.isUnresolved(stalenessPeriods)) {
    return;
  }
  if (!Number.isInteger(stalenessPeriods) || stalenessPeriods < 1) {
    throw new ValidationError(`stalenessPeriods must be a whole number of at least 1, got ${stalenessPeriods}`, scope);
  }
}

function rejectIfProblem(scope: IConstruct, prop: string, problem: string | undefined): void {
  if (problem !== undefined) {
    throw new ValidationError(`${prop} ${problem}`, scope);
  }
}
