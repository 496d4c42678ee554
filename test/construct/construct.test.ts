import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import {
  CASE_WATCHER_DETAIL_TYPES,
  DEFAULT_EVENT_SOURCE,
  METRIC_NAMESPACE,
  SecurityIrCaseWatcher,
} from '../../lib';
import { HandlerEnvironment } from '../../lib/internal/handler-environment';
import { once, testApp } from '../support/test-app';
import { functionRole, only, READER_ROLE_ARN, watcherStack } from '../support/watcher-synth';

const DEFAULT_BUS_ARN = {
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':event-bus/default']],
};

/** The watcher with default props, synthesised once for every test that only reads it. */
const defaultProps = once(() => watcherStack());

function functionProps(template: Template): Record<string, any> {
  return only(template.findResources('AWS::Lambda::Function')).Properties;
}

function alarm(template: Template, metricName: string): Record<string, any> {
  const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter(
    (a) => a.Properties.MetricName === metricName,
  );
  expect(alarms).toHaveLength(1);
  return alarms[0].Properties;
}

describe('alarms: false', () => {
  test('creates no alarm and leaves the alarm members unset; everything else is as with the defaults', () => {
    const { watcher, template } = watcherStack({ alarms: false });
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    expect([watcher.failedRunsAlarm, watcher.stalenessAlarm, watcher.deadLetterQueueAlarm]).toEqual([undefined, undefined, undefined]);
    const withAlarms = defaultProps().template.toJSON().Resources;
    const without = template.toJSON().Resources;
    const alarmIds = Object.keys(withAlarms).filter((id) => withAlarms[id].Type === 'AWS::CloudWatch::Alarm');
    expect(alarmIds).toHaveLength(3);
    expect(Object.keys(without).sort()).toEqual(Object.keys(withAlarms).filter((id) => !alarmIds.includes(id)).sort());
  });
});

describe('default props', () => {
  const { stack, watcher, template } = defaultProps();

  test('state table: pk/sk strings, on demand, point-in-time recovery, retained', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('log group: three months, retained, and it is the function log group', () => {
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 90 },
      DeletionPolicy: 'Retain',
    });
    expect(functionProps(template).LoggingConfig).toEqual({ LogGroup: { Ref: stack.getLogicalId(watcher.logGroup.node.defaultChild as any) } });
  });

  test('function: bundled handler, newest Node.js runtime, arm64, 512 MB, timeout below the minute', () => {
    const props = functionProps(template);
    expect(props.Handler).toBe('index.handler');
    expect(props.Runtime).toBe(lambda.determineLatestNodeRuntime(stack).name);
    expect(props.Runtime).toMatch(/^nodejs\d+\.x$/);
    expect(props.Architectures).toEqual(['arm64']);
    expect(props.MemorySize).toBe(512);
    expect(props.Timeout).toBe(50);
    expect(props.Role).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(watcher.role.node.defaultChild as any), 'Arn'] });
  });

  test('function environment: exactly the contract variables', () => {
    expect(functionProps(template).Environment.Variables).toEqual({
      [HandlerEnvironment.STATE_TABLE_NAME]: { Ref: stack.getLogicalId(watcher.table.node.defaultChild as any) },
      [HandlerEnvironment.EVENT_BUS_NAME]: DEFAULT_BUS_ARN,
      [HandlerEnvironment.EVENT_SOURCE]: DEFAULT_EVENT_SOURCE,
      [HandlerEnvironment.EMIT_CREATED_EVENTS]: 'true',
      [HandlerEnvironment.EMIT_EXISTING_CASES_ON_FIRST_RUN]: 'false',
      [HandlerEnvironment.SECURITY_IR_REGION]: { Ref: 'AWS::Region' },
      [HandlerEnvironment.SECURITY_IR_ACCOUNT_ID]: { Ref: 'AWS::AccountId' },
      [HandlerEnvironment.SERVICE_NAME]: watcher.serviceName,
      [HandlerEnvironment.LOG_LEVEL]: 'INFO',
      [HandlerEnvironment.AWAITING_CUSTOMER_REMINDER_MINUTES]: '60,240,1440',
      NODE_OPTIONS: '--enable-source-maps',
    });
  });

  test("Lambda's own retries of a failed invocation: both can act, then the dead-letter queue", () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 300,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [stack.getLogicalId(watcher.deadLetterQueue.node.defaultChild as any), 'Arn'] } } },
    });
  });

  test('schedule: rate(1 minute) on EventBridge Scheduler to the function, retries within one interval, dead-letter queue', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 minute)',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: { 'Fn::GetAtt': [stack.getLogicalId(watcher.function.node.defaultChild as any), 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [stack.getLogicalId(watcher.deadLetterQueue.node.defaultChild as any), 'Arn'] } },
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 60 },
        RoleArn: Match.anyValue(),
      },
    });
    expect(stack.resolve((watcher.schedule.node.defaultChild as any).scheduleExpression)).toBe('rate(1 minute)');
  });

  test('fast-path rule: the account\'s case events to the function, bounded retries, dead-letter queue', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.security-ir'] },
      Targets: [
        {
          Arn: { 'Fn::GetAtt': [stack.getLogicalId(watcher.function.node.defaultChild as any), 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [stack.getLogicalId(watcher.deadLetterQueue.node.defaultChild as any), 'Arn'] } },
          RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 60 },
          Id: Match.anyValue(),
        },
      ],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [stack.getLogicalId(watcher.fastPathRule!.node.defaultChild as any), 'Arn'] },
    });
  });

  test('dead-letter queue: SQS-managed encryption, 14 days, TLS only, writable by the fast-path rule (by policy) only', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    const queueArn = { 'Fn::GetAtt': [stack.getLogicalId(watcher.deadLetterQueue.node.defaultChild as any), 'Arn'] };
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Deny',
            Action: 'sqs:*',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            Resource: queueArn,
          },
          {
            Effect: 'Allow',
            Action: 'sqs:SendMessage',
            Principal: { Service: 'events.amazonaws.com' },
            Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [stack.getLogicalId(watcher.fastPathRule!.node.defaultChild as any), 'Arn'] } } },
            Resource: queueArn,
            Sid: Match.anyValue(),
          },
        ],
      },
    });
  });

  test('failed-runs alarm: function Errors >= 1 in one period', () => {
    expect(alarm(template, 'Errors')).toMatchObject({
      Namespace: 'AWS/Lambda',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: stack.getLogicalId(watcher.function.node.defaultChild as any) } }],
      Statistic: 'Sum',
      Period: 60,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
  });

  test('staleness alarm: no PollSucceeded of this watcher for 3 periods, missing data breaches', () => {
    expect(alarm(template, 'PollSucceeded')).toMatchObject({
      Namespace: METRIC_NAMESPACE,
      Dimensions: [{ Name: 'service', Value: watcher.serviceName }],
      Statistic: 'Sum',
      Period: 60,
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      TreatMissingData: 'breaching',
    });
  });

  test('function role: trusted by Lambda only, exactly the statements the handler needs', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }],
      },
    });
    expect(functionRole(template).statements).toEqual([
      { Sid: 'ListSecurityIrCases', Effect: 'Allow', Action: 'security-ir:ListCases', Resource: '*' },
      {
        Sid: 'ReadSecurityIrCases',
        Effect: 'Allow',
        Action: 'security-ir:GetCase',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':security-ir:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':case/*']] },
      },
      {
        Sid: 'PutCaseEvents',
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: DEFAULT_BUS_ARN,
        Condition: {
          'ForAllValues:StringEquals': { 'events:source': [DEFAULT_EVENT_SOURCE], 'events:detail-type': [...CASE_WATCHER_DETAIL_TYPES] },
        },
      },
      {
        Sid: 'UseStateTable',
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:BatchWriteItem', 'dynamodb:BatchGetItem'],
        Resource: { 'Fn::GetAtt': [stack.getLogicalId(watcher.table.node.defaultChild as any), 'Arn'] },
      },
      {
        Sid: 'SendFailedInvocations',
        Effect: 'Allow',
        Action: 'sqs:SendMessage',
        Resource: { 'Fn::GetAtt': [stack.getLogicalId(watcher.deadLetterQueue.node.defaultChild as any), 'Arn'] },
      },
      {
        Sid: 'WriteOwnLogs',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: { 'Fn::GetAtt': [stack.getLogicalId(watcher.logGroup.node.defaultChild as any), 'Arn'] },
      },
    ]);
  });

  test('no managed policy, no policy resource: each of the two roles has one inline policy', () => {
    const json = JSON.stringify(template.toJSON());
    expect(json).not.toContain('ManagedPolicyArns');
    expect(json).not.toContain(':iam::aws:policy');
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.resourceCountIs('AWS::IAM::Role', 2);
  });

  test('schedule role: trusted by Scheduler for this account only, may invoke this function and send to the dead-letter queue', () => {
    const scheduleRoleId = only(template.findResources('AWS::Scheduler::Schedule')).Properties.Target.RoleArn['Fn::GetAtt'][0];
    const role = template.toJSON().Resources[scheduleRoleId].Properties;
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([{
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: { Service: 'scheduler.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
    }]);
    expect(role.Policies).toEqual([{
      PolicyName: 'RunThePoll',
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          { Sid: 'RunThePoll', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': [stack.getLogicalId(watcher.function.node.defaultChild as any), 'Arn'] } },
          { Sid: 'SendUndeliveredTicks', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [stack.getLogicalId(watcher.deadLetterQueue.node.defaultChild as any), 'Arn'] } },
        ],
      },
    }]);
  });

  test('exactly these resources', () => {
    const types = Object.values(template.toJSON().Resources as Record<string, { Type: string }>).map((r) => r.Type).sort();
    expect(types).toEqual([
      'AWS::CloudWatch::Alarm',
      'AWS::CloudWatch::Alarm',
      'AWS::CloudWatch::Alarm',
      'AWS::DynamoDB::Table',
      'AWS::EventSchemas::Registry',
      'AWS::EventSchemas::Schema',
      'AWS::EventSchemas::Schema',
      'AWS::EventSchemas::Schema',
      'AWS::EventSchemas::Schema',
      'AWS::Events::Archive',
      'AWS::Events::EventBusPolicy',
      'AWS::Events::Rule',
      'AWS::IAM::Role',
      'AWS::IAM::Role',
      'AWS::Lambda::EventInvokeConfig',
      'AWS::Lambda::Function',
      'AWS::Lambda::Permission',
      'AWS::Logs::LogGroup',
      'AWS::SQS::Queue',
      'AWS::SQS::QueuePolicy',
      'AWS::Scheduler::Schedule',
    ]);
  });

  test('public members', () => {
    expect(watcher.eventSource).toBe(DEFAULT_EVENT_SOURCE);
    expect(stack.resolve(watcher.eventBus.eventBusArn)).toEqual(DEFAULT_BUS_ARN);
    expect(stack.resolve(watcher.eventBus.eventBusName)).toBe('default');
    const alarmIds = (metricName: string) => Object.entries(template.findResources('AWS::CloudWatch::Alarm'))
      .filter(([, a]) => a.Properties.MetricName === metricName)
      .map(([logicalId]) => logicalId);
    expect(alarmIds('Errors')).toEqual([stack.getLogicalId(watcher.failedRunsAlarm!.node.defaultChild as any)]);
    expect(alarmIds('PollSucceeded')).toEqual([stack.getLogicalId(watcher.stalenessAlarm!.node.defaultChild as any)]);
  });
});

describe('metrics', () => {
  const { stack, watcher } = defaultProps();
  const cases: Array<[string, (p?: any) => any, string, string]> = [
    ['metricCasesSeen', (p) => watcher.metricCasesSeen(p), 'CasesSeen', 'Maximum'],
    ['metricEventsPublished', (p) => watcher.metricEventsPublished(p), 'EventsPublished', 'Sum'],
    ['metricPublishFailures', (p) => watcher.metricPublishFailures(p), 'PublishFailures', 'Sum'],
    ['metricPollDuration', (p) => watcher.metricPollDuration(p), 'PollDurationMs', 'Average'],
    ['metricPollSucceeded', (p) => watcher.metricPollSucceeded(p), 'PollSucceeded', 'Sum'],
    ['metricListCasesCalls', (p) => watcher.metricListCasesCalls(p), 'ListCasesCalls', 'Sum'],
  ];

  test.each(cases)('%s: namespace, metric name, service dimension, statistic', (_name, make, metricName, statistic) => {
    const metric = make();
    expect(metric.namespace).toBe(METRIC_NAMESPACE);
    expect(metric.metricName).toBe(metricName);
    expect(metric.dimensions).toEqual({ service: watcher.serviceName });
    expect(metric.statistic).toBe(statistic);
    expect(make({ statistic: 'p99', period: Duration.minutes(1) }).statistic).toBe('p99');
  });

  test('metric() reads any metric of this watcher; metricErrors() is the function Errors', () => {
    expect(watcher.metric('Custom').metricName).toBe('Custom');
    expect(watcher.metric('Custom').dimensions).toEqual({ service: watcher.serviceName });
    const errors = watcher.metricErrors();
    expect(errors.namespace).toBe('AWS/Lambda');
    expect(errors.metricName).toBe('Errors');
    expect(stack.resolve(errors.dimensions)).toEqual({ FunctionName: { Ref: stack.getLogicalId(watcher.function.node.defaultChild as any) } });
  });

  test('the service name is the same on every synth, and differs between two watchers', () => {
    const again = watcherStack().watcher;
    expect(again.serviceName).toBe(watcher.serviceName);
    const stack2 = new Stack(new App(), 'Stack');
    const a = new SecurityIrCaseWatcher(stack2, 'A');
    const b = new SecurityIrCaseWatcher(stack2, 'B');
    expect(a.serviceName).not.toBe(b.serviceName);
    expect(a.serviceName.length).toBeLessThanOrEqual(64);
  });
});

describe('each prop has its effect', () => {
  // Every figure derived from pollInterval, for 1, 5, 60 minutes and 1 day: schedule-fast-path.test.ts.
  test('pollInterval: a long interval caps the default timeout at 5 minutes and the ages at their maxima', () => {
    const { template } = watcherStack({ pollInterval: Duration.days(2) });
    expect(functionProps(template).Timeout).toBe(300);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(2 days)',
      Target: Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 } }),
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumEventAgeInSeconds: 21600 });
    // Alarm periods stop at one day: two days of silence times 3 intervals is 6 daily periods.
    expect(alarm(template, 'PollSucceeded')).toMatchObject({ Period: 86400, EvaluationPeriods: 6 });
  });

  test('eventBus: events go to it, and PutEvents is allowed on it only', () => {
    const { stack, template } = watcherStack((s) => ({ eventBus: new events.EventBus(s, 'Bus') }));
    const busArn = { 'Fn::GetAtt': [stack.getLogicalId(stack.node.findChild('Bus').node.defaultChild as any), 'Arn'] };
    expect(functionProps(template).Environment.Variables[HandlerEnvironment.EVENT_BUS_NAME]).toEqual(busArn);
    expect(functionRole(template).statements.find((s) => s.Sid === 'PutCaseEvents')!.Resource).toEqual(busArn);
  });

  test('eventSource: in the environment and the PutEvents condition', () => {
    const { template, watcher } = watcherStack({ eventSource: 'acme.security' });
    expect(watcher.eventSource).toBe('acme.security');
    expect(functionProps(template).Environment.Variables[HandlerEnvironment.EVENT_SOURCE]).toBe('acme.security');
    expect(functionRole(template).statements.find((s) => s.Sid === 'PutCaseEvents')!.Condition).toEqual({
      'ForAllValues:StringEquals': { 'events:source': ['acme.security'], 'events:detail-type': [...CASE_WATCHER_DETAIL_TYPES] },
    });
  });

  test('emitCreatedEvents and emitExistingCasesOnFirstRun: in the environment', () => {
    const vars = functionProps(watcherStack({ emitCreatedEvents: false, emitExistingCasesOnFirstRun: true }).template).Environment.Variables;
    expect(vars[HandlerEnvironment.EMIT_CREATED_EVENTS]).toBe('false');
    expect(vars[HandlerEnvironment.EMIT_EXISTING_CASES_ON_FIRST_RUN]).toBe('true');
  });

  test('securityIrRegion: in the environment; default the stack region when it is known', () => {
    expect(functionProps(watcherStack({ securityIrRegion: 'eu-west-1' }).template).Environment.Variables[HandlerEnvironment.SECURITY_IR_REGION]).toBe('eu-west-1');
    const stack = new Stack(testApp(), 'Stack', { env: { account: '111122223333', region: 'ap-southeast-2' } });
    new SecurityIrCaseWatcher(stack, 'Watcher');
    const vars = functionProps(Template.fromStack(stack)).Environment.Variables;
    expect(vars[HandlerEnvironment.SECURITY_IR_REGION]).toBe('ap-southeast-2');
    expect(vars[HandlerEnvironment.SECURITY_IR_ACCOUNT_ID]).toBe('111122223333');
  });

  test('securityIrRoleArn: assumed instead of listing with the own role; its account is the watched one', () => {
    const { template } = watcherStack({ securityIrRoleArn: READER_ROLE_ARN });
    const vars = functionProps(template).Environment.Variables;
    expect(vars[HandlerEnvironment.SECURITY_IR_ROLE_ARN]).toBe(READER_ROLE_ARN);
    expect(vars[HandlerEnvironment.SECURITY_IR_ACCOUNT_ID]).toBe('444455556666');
    const statements = functionRole(template).statements;
    expect(statements[0]).toEqual({ Sid: 'AssumeSecurityIrRole', Effect: 'Allow', Action: 'sts:AssumeRole', Resource: READER_ROLE_ARN });
    expect(JSON.stringify(statements)).not.toContain('security-ir:');
    expect(statements.map((s) => s.Sid)).toEqual(['AssumeSecurityIrRole', 'PutCaseEvents', 'UseStateTable', 'SendFailedInvocations', 'WriteOwnLogs']);
  });

  test('securityIrRoleArn unset: no role variable', () => {
    expect(functionProps(defaultProps().template).Environment.Variables).not.toHaveProperty(HandlerEnvironment.SECURITY_IR_ROLE_ARN);
  });

  test('timeout, memorySize, logRetention', () => {
    const { template } = watcherStack({ timeout: Duration.seconds(20), memorySize: 1024, logRetention: logs.RetentionDays.ONE_YEAR });
    expect(functionProps(template)).toMatchObject({ Timeout: 20, MemorySize: 1024 });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
  });

  test('removalPolicy: applies to the table and the log group', () => {
    const { template } = watcherStack({ removalPolicy: RemovalPolicy.DESTROY });
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
    template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Delete' });
  });

  test('stalenessPeriods: the number of empty intervals before the alarm', () => {
    expect(alarm(watcherStack({ stalenessPeriods: 10 }).template, 'PollSucceeded')).toMatchObject({ EvaluationPeriods: 10, DatapointsToAlarm: 10 });
  });
});

describe('encryptionKey', () => {
  const { stack, template } = watcherStack((s) => ({ encryptionKey: new kms.Key(s, 'Key', { enableKeyRotation: true }) }));
  const keyArn = { 'Fn::GetAtt': [stack.getLogicalId(stack.node.findChild('Key').node.defaultChild as any), 'Arn'] };

  test('encrypts the table, the dead-letter queue and the log group', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: keyArn });
    template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: keyArn });
  });

  test('the function may use the key through DynamoDB (its table) and SQS (failed invocations to the queue) only', () => {
    const viaService = (service: string) => ({
      StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', [`${service}.`, { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] } },
    });
    expect(functionRole(template).statements.slice(-2)).toEqual([
      { Sid: 'UseStateTableKey', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: keyArn, Condition: viaService('dynamodb') },
      { Sid: 'UseQueueKey', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: keyArn, Condition: viaService('sqs') },
    ]);
  });

  test('the key policy lets CloudWatch Logs and EventBridge (for the dead-letter queue) use it', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AllowCloudWatchLogsForCaseWatcher',
            Principal: { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] } },
            Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': Match.anyValue() } },
          }),
          Match.objectLike({
            Sid: 'AllowEventBridgeDeadLetterForCaseWatcher',
            Principal: { Service: 'events.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
            Condition: { ArnLike: { 'aws:SourceArn': Match.anyValue() } },
          }),
        ]),
      },
    });
  });

  test('without a key: no KMS statement in the role', () => {
    expect(JSON.stringify(functionRole(defaultProps().template).statements)).not.toContain('kms:');
  });

  test('an imported key is used, and its policy is left alone', () => {
    const { template: imported } = watcherStack((s) => ({
      encryptionKey: kms.Key.fromKeyArn(s, 'Imported', 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'),
    }));
    imported.resourceCountIs('AWS::KMS::Key', 0);
    expect(functionRole(imported).statements.at(-1)!.Resource).toBe('arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab');
  });
});
