/**
 * The Lambda entry point. Configuration and clients are built once per container, on the first
 * invocation (so a configuration error is reported as that invocation's failure, in the log), then
 * every invocation, bounded by its remaining time, runs one poll (the schedule) or handles one
 * fast-path hint (a Security IR case event).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { HandlerEnvironment } from '../lib/internal/handler-environment';
import { ConfigError, DEFAULT_SERVICE_NAME, loadConfig, WatcherConfig } from './config';
import { FastPath } from './fast-path';
import { classifyInvocation } from './invocation';
import { keptUntilExpiry } from './lambda-credentials';
import { Poller } from './poller';
import { EventPublisher } from './publisher';
import { type RunSettings, scopeOf } from './run';
import { SecurityIrClient } from './security-ir-client';
import { StateStore } from './state-store';
import type { HintSummary, RunSummary } from './telemetry';
import { createTelemetry } from './telemetry';

/** The parts of the Lambda context the handler reads. */
export interface LambdaContext {
  readonly awsRequestId?: string;
  readonly invokedFunctionArn?: string;
  getRemainingTimeInMillis(): number;
}

/** What a container keeps between invocations. */
interface Container {
  readonly config: WatcherConfig;
  /** What every run reads: the config's slice and the watched account, fixed for the container. */
  readonly settings: RunSettings;
  readonly securityIr: SecurityIrClient;
  readonly store: StateStore;
  readonly publisher: EventPublisher;
  /** ListCases requests made by this container's client, retries included. */
  listCasesCalls: number;
}

let container: Container | undefined;

export const handler = async (event: unknown, context: LambdaContext): Promise<RunSummary | HintSummary | IgnoredEvent> => {
  const deadline = Date.now() + context.getRemainingTimeInMillis();
  const coldStart = container === undefined;
  const current = container ?? (container = createContainer(context));
  const { config, settings } = current;
  const telemetry = createTelemetry({
    serviceName: config.serviceName,
    level: config.logLevel,
    fields: { requestId: context.awsRequestId, coldStart },
  });
  const dependencies = { source: current.securityIr, store: current.store, publisher: current.publisher, telemetry };

  const invocation = classifyInvocation(event);
  switch (invocation.kind) {
    case 'hint':
      telemetry.log('DEBUG', 'Security IR case event: reading the case', invocation);
      return new FastPath(dependencies, settings).handle(invocation.caseId, deadline);
    case 'ignored':
      telemetry.log('WARN', 'Ignored a Security IR event that names no case', { reason: invocation.reason });
      return { outcome: 'ignored', reason: invocation.reason };
    case 'poll':
      return new Poller({ ...dependencies, listCasesCalls: () => current.listCasesCalls }, settings).poll(deadline);
  }
};

/** What the handler returns for an event it does not act on. */
export interface IgnoredEvent {
  readonly outcome: 'ignored';
  readonly reason: string;
}

function createContainer(context: LambdaContext): Container {
  let config: WatcherConfig;
  let settings: RunSettings;
  try {
    config = loadConfig();
    settings = { ...config, accountId: watchedAccount(config, context) };
  } catch (error) {
    if (error instanceof ConfigError) {
      const service = process.env[HandlerEnvironment.SERVICE_NAME] || DEFAULT_SERVICE_NAME;
      createTelemetry({ serviceName: service }).log('ERROR', error.message, { variable: error.variable, coldStart: true });
    }
    throw error;
  }
  // Both SDK clients read AWS_ENDPOINT_URL_DYNAMODB / _EVENTBRIDGE / AWS_ENDPOINT_URL themselves.
  // One attempt per request: the retries are the handler's own (retry.ts), under the run's deadline.
  const sdk = { maxAttempts: 1, requestHandler: { connectionTimeout: 3_000 } };
  const created: Container = {
    config,
    settings,
    securityIr: new SecurityIrClient({
      region: config.securityIrRegion,
      credentials: config.securityIrRoleArn ? assumedRole(config.securityIrRoleArn) : undefined,
      onAttempt: (operation) => {
        if (operation === 'ListCases') {
          created.listCasesCalls++;
        }
      },
    }),
    store: new StateStore({ client: new DynamoDBClient(sdk), tableName: config.stateTableName, scope: scopeOf(settings) }),
    publisher: new EventPublisher({ client: new EventBridgeClient(sdk), eventBusName: config.eventBusName }),
    listCasesCalls: 0,
  };
  return created;
}

/**
 * Credentials of `roleArn` from STS AssumeRole, kept until shortly before they expire: the provider
 * alone calls STS on every use, i.e. on every signed request.
 */
function assumedRole(roleArn: string): AwsCredentialIdentityProvider {
  return keptUntilExpiry(fromTemporaryCredentials({ params: { RoleArn: roleArn, RoleSessionName: 'security-ir-case-watcher' } }));
}

/**
 * The watched account, whose state the table keeps: `SECURITY_IR_ACCOUNT_ID` (the construct sets
 * it), else the account of `SECURITY_IR_ROLE_ARN` (config.ts reads both), else the function's own,
 * read from the invocation's function ARN: no IAM action (not even sts:GetCallerIdentity) needed.
 */
function watchedAccount(config: WatcherConfig, context: LambdaContext): string {
  const account = config.securityIrAccountId ?? accountOf(context.invokedFunctionArn);
  if (account === null) {
    throw new ConfigError(HandlerEnvironment.SECURITY_IR_ACCOUNT_ID, 'is not set, and the invocation names no function ARN to read the account from');
  }
  return account;
}

/** The account of a Lambda function ARN (`arn:aws:lambda:<region>:<account>:function:<name>`). */
function accountOf(functionArn: string | undefined): string | null {
  const account = functionArn?.split(':')[4];
  return account && /^\d{12}$/.test(account) ? account : null;
}
