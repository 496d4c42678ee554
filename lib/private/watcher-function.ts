import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { MAX_DELIVERY_RETRIES } from './fast-path';
import { locateHandlerAsset } from './handler-asset';
import { createScheduleRole } from './permissions';
import { WatcherSettings } from './settings';
import { WatcherResources } from './watcher-resources';
import { HandlerEnvironment } from '../internal/handler-environment';

/** The handler, configured through the environment the handler reads (lib/internal/handler-environment.ts). */
export function createWatcherFunction(scope: Construct, props: WatcherResources, role: iam.IRole): lambda.Function {
  const { settings, watched } = props;
  return new lambda.Function(scope, 'Function', {
    description: 'Polls AWS Security Incident Response cases and publishes their changes to EventBridge',
    code: lambda.Code.fromAsset(locateHandlerAsset()),
    handler: 'index.handler',
    runtime: lambda.determineLatestNodeRuntime(scope),
    architecture: lambda.Architecture.ARM_64,
    memorySize: settings.memorySize,
    timeout: settings.timeout,
    role,
    logGroup: props.logGroup,
    environment: {
      [HandlerEnvironment.STATE_TABLE_NAME]: props.table.tableName,
      // The ARN rather than the name: it also reaches a bus in another account.
      [HandlerEnvironment.EVENT_BUS_NAME]: props.eventBus.eventBusArn,
      [HandlerEnvironment.EVENT_SOURCE]: settings.eventSource,
      [HandlerEnvironment.EMIT_CREATED_EVENTS]: String(settings.emitCreatedEvents),
      [HandlerEnvironment.EMIT_EXISTING_CASES_ON_FIRST_RUN]: String(settings.emitExistingCasesOnFirstRun),
      [HandlerEnvironment.SECURITY_IR_REGION]: watched.region,
      [HandlerEnvironment.SECURITY_IR_ACCOUNT_ID]: watched.account,
      ...(watched.roleArn === undefined ? {} : { [HandlerEnvironment.SECURITY_IR_ROLE_ARN]: watched.roleArn }),
      [HandlerEnvironment.SERVICE_NAME]: props.serviceName,
      [HandlerEnvironment.LOG_LEVEL]: settings.logLevel,
      [HandlerEnvironment.AWAITING_CUSTOMER_REMINDER_MINUTES]: settings.awaitingCustomerReminderMinutes.join(','),
      // Stack traces in the logs point into lambda/*.ts through the bundle's source map.
      NODE_OPTIONS: '--enable-source-maps',
    },
    // Lambda retries a failed invocation after about 1 and 2 minutes: the age allows both, and no
    // more than an interval beyond that, when the next poll redoes the work anyway.
    retryAttempts: 2,
    maxEventAge: settings.asyncEventAge,
    onFailure: { bind: () => ({ destination: props.deadLetterQueue.queueArn }) },
  });
}

/** The poll: an EventBridge Scheduler rate schedule that invokes the function every `pollInterval`. */
export function createPollSchedule(
  scope: Construct,
  fn: lambda.IFunction,
  settings: WatcherSettings,
  deadLetterQueue: sqs.IQueue,
  key: kms.IKey | undefined,
): scheduler.Schedule {
  return new scheduler.Schedule(scope, 'Schedule', {
    description: 'Runs the Security IR case watcher\'s poll',
    schedule: scheduler.ScheduleExpression.rate(settings.pollInterval),
    target: new schedulerTargets.LambdaInvoke(fn, {
      // Exactly what Scheduler needs, in one inline policy: the target's own grants would add the
      // function's versions and aliases (`<function ARN>:*`) in a second policy.
      role: createScheduleRole(scope, fn, deadLetterQueue, key).withoutPolicyUpdates(),
      deadLetterQueue,
      retryAttempts: MAX_DELIVERY_RETRIES,
      maxEventAge: settings.deliveryAge,
    }),
  });
}
