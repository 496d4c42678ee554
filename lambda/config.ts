/**
 * The poller's configuration: the function's environment (names in lib/handler-environment.ts),
 * validated once per container so that a deployment mistake fails with the variable's name.
 */
import { DEFAULT_EVENT_SOURCE } from '../lib/events';
import {
  AWS_REGION_PATTERN,
  HandlerEnvironment,
  IAM_ROLE_ARN_PATTERN,
  MAX_EVENT_SOURCE_LENGTH,
  METRIC_SERVICE_ENV,
  RESERVED_EVENT_SOURCE_PREFIX,
} from '../lib/handler-environment';

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
  /** The `service` metric dimension. */
  readonly serviceName: string;
}

/** A missing or invalid environment variable. */
export class ConfigError extends Error {
  constructor(readonly variable: string, problem: string) {
    super(`Invalid configuration: environment variable ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

export const DEFAULT_SERVICE_NAME = 'security-ir-case-watcher';

const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
const BUS_NAME = /^[A-Za-z0-9/_.-]{1,256}$/;
const BUS_ARN = /^arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:event-bus\/[A-Za-z0-9/_.-]{1,256}$/;
const ACCOUNT_ID = /^\d{12}$/;

/** Reads and validates the configuration; throws a `ConfigError` naming the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): WatcherConfig {
  const stateTableName = required(env, HandlerEnvironment.STATE_TABLE_NAME);
  if (!TABLE_NAME.test(stateTableName)) {
    throw new ConfigError(HandlerEnvironment.STATE_TABLE_NAME, `is not a DynamoDB table name: ${stateTableName}`);
  }

  const eventBusName = required(env, HandlerEnvironment.EVENT_BUS_NAME);
  if (!(eventBusName.startsWith('arn:') ? BUS_ARN : BUS_NAME).test(eventBusName)) {
    throw new ConfigError(HandlerEnvironment.EVENT_BUS_NAME, `is neither an event bus name nor an event bus ARN: ${eventBusName}`);
  }

  const eventSource = optional(env, HandlerEnvironment.EVENT_SOURCE) ?? DEFAULT_EVENT_SOURCE;
  if (eventSource.length > MAX_EVENT_SOURCE_LENGTH || eventSource.toLowerCase().startsWith(RESERVED_EVENT_SOURCE_PREFIX)) {
    throw new ConfigError(HandlerEnvironment.EVENT_SOURCE, `must be at most ${MAX_EVENT_SOURCE_LENGTH} characters and not start with "${RESERVED_EVENT_SOURCE_PREFIX}": ${eventSource}`);
  }

  const regionVariable = optional(env, HandlerEnvironment.SECURITY_IR_REGION) ? HandlerEnvironment.SECURITY_IR_REGION : 'AWS_REGION';
  const securityIrRegion = optional(env, regionVariable);
  if (!securityIrRegion) {
    throw new ConfigError(HandlerEnvironment.SECURITY_IR_REGION, 'is not set (nor is AWS_REGION)');
  }
  if (!AWS_REGION_PATTERN.test(securityIrRegion)) {
    throw new ConfigError(regionVariable, `is not a region name: ${securityIrRegion}`);
  }

  const securityIrRoleArn = optional(env, HandlerEnvironment.SECURITY_IR_ROLE_ARN);
  const roleAccount = securityIrRoleArn === undefined ? undefined : IAM_ROLE_ARN_PATTERN.exec(securityIrRoleArn)?.[1];
  if (securityIrRoleArn !== undefined && roleAccount === undefined) {
    throw new ConfigError(HandlerEnvironment.SECURITY_IR_ROLE_ARN, `is not an IAM role ARN: ${securityIrRoleArn}`);
  }

  const accountId = optional(env, HandlerEnvironment.SECURITY_IR_ACCOUNT_ID);
  if (accountId !== undefined && !ACCOUNT_ID.test(accountId)) {
    throw new ConfigError(HandlerEnvironment.SECURITY_IR_ACCOUNT_ID, `is not a 12-digit account ID: ${accountId}`);
  }

  return {
    stateTableName,
    eventBusName,
    eventSource,
    emitCreatedEvents: flag(env, HandlerEnvironment.EMIT_CREATED_EVENTS, true),
    emitExistingCasesOnFirstRun: flag(env, HandlerEnvironment.EMIT_EXISTING_CASES_ON_FIRST_RUN, false),
    securityIrRegion,
    securityIrRoleArn,
    securityIrAccountId: accountId ?? roleAccount,
    serviceName: optional(env, METRIC_SERVICE_ENV) ?? DEFAULT_SERVICE_NAME,
  };
}

function optional(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = optional(env, name);
  if (value === undefined) {
    throw new ConfigError(name, 'is not set');
  }
  return value;
}

/** Only `true` and `false`: a typo must not silently flip a behaviour. */
function flag(env: NodeJS.ProcessEnv, name: string, defaultValue: boolean): boolean {
  const value = optional(env, name);
  if (value === undefined) {
    return defaultValue;
  }
  if (value !== 'true' && value !== 'false') {
    throw new ConfigError(name, `must be "true" or "false", not "${value}"`);
  }
  return value === 'true';
}
