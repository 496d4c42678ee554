/**
 * The handler's configuration: the function's environment (names in lib/internal/handler-environment.ts),
 * validated once per container so that a deployment mistake fails with the variable's name. The
 * rules the construct also checks at synth time come from lib/internal/rules.ts: one rule, one place.
 */
import { DEFAULT_EVENT_SOURCE } from '../lib/events';
import { HandlerEnvironment, LAMBDA_LOG_LEVEL_ENV } from '../lib/internal/handler-environment';
import { accountIdProblem, eventSourceProblem, regionProblem, roleArnAccount, roleArnProblem } from '../lib/internal/rules';
import { echoed, trimmedOrUndefined } from './strings';
import type { LogLevel } from './telemetry';

export interface WatcherConfig {
  readonly stateTableName: string;
  /** The bus name or ARN, passed to PutEvents as given. */
  readonly eventBusName: string;
  readonly eventSource: string;
  readonly emitCreatedEvents: boolean;
  readonly emitExistingCasesOnFirstRun: boolean;
  readonly securityIrRegion: string;
  /** Role to assume for Security IR calls; undefined: the function's own credentials. */
  readonly securityIrRoleArn?: string;
  /** Watched account (for cases without an ARN): `SECURITY_IR_ACCOUNT_ID`, else the role's account. */
  readonly securityIrAccountId?: string;
  /** The `service` metric dimension and log field. */
  readonly serviceName: string;
  /** The lowest level of the log lines written. */
  readonly logLevel: LogLevel;
  /** The `Awaiting Customer` reminder marks in whole minutes, strictly increasing; empty: no reminders. */
  readonly awaitingCustomerReminderMinutes: readonly number[];
}

/** A missing or invalid environment variable. */
export class ConfigError extends Error {
  constructor(readonly variable: string, problem: string) {
    super(`Invalid configuration: environment variable ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

export const DEFAULT_SERVICE_NAME = 'security-ir-case-watcher';
export const DEFAULT_LOG_LEVEL: LogLevel = 'INFO';
/** The reminder marks when the variable is not set (the construct always sets it): 1 h, 4 h, 24 h. */
export const DEFAULT_REMINDER_MINUTES: readonly number[] = [60, 240, 1440];
/** The longest mark: 30 days. */
const MAX_REMINDER_MINUTES = 30 * 24 * 60;

const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
const BUS_NAME = /^[A-Za-z0-9/_.-]{1,256}$/;
const BUS_ARN = /^arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:event-bus\/[A-Za-z0-9/_.-]{1,256}$/;
/** Lambda's application log levels, folded onto the four the handler writes. */
const LOG_LEVELS: Readonly<Record<string, LogLevel>> = {
  TRACE: 'DEBUG', DEBUG: 'DEBUG', INFO: 'INFO', WARN: 'WARN', ERROR: 'ERROR', FATAL: 'ERROR',
};

/** Reads and validates the configuration; throws a `ConfigError` naming the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): WatcherConfig {
  const stateTableName = required(env, HandlerEnvironment.STATE_TABLE_NAME);
  check(HandlerEnvironment.STATE_TABLE_NAME, TABLE_NAME.test(stateTableName) ? undefined : `is not a DynamoDB table name: ${stateTableName}`);

  const eventBusName = required(env, HandlerEnvironment.EVENT_BUS_NAME);
  check(HandlerEnvironment.EVENT_BUS_NAME, (eventBusName.startsWith('arn:') ? BUS_ARN : BUS_NAME).test(eventBusName)
    ? undefined
    : `is neither an event bus name nor an event bus ARN: ${eventBusName}`);

  const eventSource = trimmedOrUndefined(env[HandlerEnvironment.EVENT_SOURCE]) ?? DEFAULT_EVENT_SOURCE;
  check(HandlerEnvironment.EVENT_SOURCE, eventSourceProblem(eventSource));

  const regionVariable = trimmedOrUndefined(env[HandlerEnvironment.SECURITY_IR_REGION]) ? HandlerEnvironment.SECURITY_IR_REGION : 'AWS_REGION';
  const securityIrRegion = trimmedOrUndefined(env[regionVariable]);
  if (!securityIrRegion) {
    throw new ConfigError(HandlerEnvironment.SECURITY_IR_REGION, 'is not set (nor is AWS_REGION)');
  }
  check(regionVariable, regionProblem(securityIrRegion));

  const securityIrRoleArn = trimmedOrUndefined(env[HandlerEnvironment.SECURITY_IR_ROLE_ARN]);
  if (securityIrRoleArn !== undefined) {
    check(HandlerEnvironment.SECURITY_IR_ROLE_ARN, roleArnProblem(securityIrRoleArn));
  }

  const accountId = trimmedOrUndefined(env[HandlerEnvironment.SECURITY_IR_ACCOUNT_ID]);
  if (accountId !== undefined) {
    check(HandlerEnvironment.SECURITY_IR_ACCOUNT_ID, accountIdProblem(accountId));
  }

  return {
    stateTableName,
    eventBusName,
    eventSource,
    emitCreatedEvents: flag(env, HandlerEnvironment.EMIT_CREATED_EVENTS, true),
    emitExistingCasesOnFirstRun: flag(env, HandlerEnvironment.EMIT_EXISTING_CASES_ON_FIRST_RUN, false),
    securityIrRegion,
    securityIrRoleArn,
    securityIrAccountId: accountId ?? (securityIrRoleArn === undefined ? undefined : roleArnAccount(securityIrRoleArn)),
    serviceName: trimmedOrUndefined(env[HandlerEnvironment.SERVICE_NAME]) ?? DEFAULT_SERVICE_NAME,
    logLevel: logLevel(env),
    awaitingCustomerReminderMinutes: reminderMinutes(env),
  };
}

export function check(variable: string, problem: string | undefined): void {
  if (problem !== undefined) {
    throw new ConfigError(variable, problem);
  }
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = trimmedOrUndefined(env[name]);
  if (value === undefined) {
    throw new ConfigError(name, 'is not set');
  }
  return value;
}

/** Only `true` and `false`: a typo must not silently flip a behaviour. */
export function flag(env: NodeJS.ProcessEnv, name: string, defaultValue: boolean): boolean {
  const value = trimmedOrUndefined(env[name]);
  if (value === undefined) {
    return defaultValue;
  }
  check(name, value === 'true' || value === 'false' ? undefined : `must be "true" or "false", not "${value}"`);
  return value === 'true';
}

/** Whole minutes, comma-separated, strictly increasing, at most 30 days; empty: off; unset: the default. */
function reminderMinutes(env: NodeJS.ProcessEnv): readonly number[] {
  const name = HandlerEnvironment.AWAITING_CUSTOMER_REMINDER_MINUTES;
  const value = env[name];
  if (value === undefined) {
    return DEFAULT_REMINDER_MINUTES;
  }
  if (value.trim() === '') {
    return [];
  }
  const marks = value.split(',').map((mark) => mark.trim());
  marks.forEach((mark, i) => check(name, /^[1-9]\d{0,5}$/.test(mark) && Number(mark) <= MAX_REMINDER_MINUTES && (i === 0 || Number(mark) > Number(marks[i - 1]))
    ? undefined
    : `must list whole minutes from 1 to ${MAX_REMINDER_MINUTES}, strictly increasing, comma-separated: ${echoed(value)}`));
  return marks.map(Number);
}

/** Lambda's `AWS_LAMBDA_LOG_LEVEL` (the console's application log level) wins over `LOG_LEVEL`. */
export function logLevel(env: NodeJS.ProcessEnv): LogLevel {
  const variable = trimmedOrUndefined(env[LAMBDA_LOG_LEVEL_ENV]) ? LAMBDA_LOG_LEVEL_ENV : HandlerEnvironment.LOG_LEVEL;
  const value = trimmedOrUndefined(env[variable]);
  if (value === undefined) {
    return DEFAULT_LOG_LEVEL;
  }
  const level = LOG_LEVELS[value.toUpperCase()];
  check(variable, level === undefined ? `must be one of ${Object.keys(LOG_LEVELS).join(', ')}, not "${value}"` : undefined);
  return level;
}
