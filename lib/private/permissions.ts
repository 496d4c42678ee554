import { Annotations, Aws, PhysicalName, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { WatcherResources } from './watcher-resources';
import { CASE_WATCHER_DETAIL_TYPES } from '../events';

/** The DynamoDB actions the handler calls on its table (docs/design.md). */
const TABLE_ACTIONS = [
  'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:BatchWriteItem', 'dynamodb:BatchGetItem',
];

/**
 * The function's role: exactly what the handler calls, each on the narrowest resource, in one inline
 * policy. Its name is generated when another environment needs it (the Security IR account's reader
 * role trusts exactly this role), so `watcher.role` can be named from another account's stack.
 */
export function createFunctionRole(scope: Construct, resources: WatcherResources): iam.Role {
  const role = new iam.Role(scope, 'ServiceRole', {
    roleName: PhysicalName.GENERATE_IF_NEEDED,
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: 'Security IR case watcher: lists cases, records them in its table, publishes case events',
    inlinePolicies: { CaseWatcher: new iam.PolicyDocument({ statements: functionStatements(resources) }) },
  });
  if (resources.watched.roleArn === undefined) {
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'security-ir:ListCases supports no resource-level permission (the service authorization reference ' +
        'lists no resource type for it), so "*" is the only resource it can be granted on. It is read-only ' +
        'and the statement grants nothing else.',
    });
    if (resources.settings.fastPath) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${nagFindingText(Stack.of(scope), resources.watched.caseArnPattern)}]`,
        reason:
          'security-ir:GetCase is granted on case/* of the watched account and region: a fast-path hint may name any ' +
          'case there, and the case is the only resource type GetCase has. It is read-only.',
      });
    }
  }
  return role;
}

function functionStatements(r: WatcherResources): iam.PolicyStatement[] {
  // With a role, every Security IR call runs on the assumed role's keys: the function may only assume it.
  const securityIr = r.watched.roleArn !== undefined
    ? [new iam.PolicyStatement({ sid: 'AssumeSecurityIrRole', actions: ['sts:AssumeRole'], resources: [r.watched.roleArn] })]
    : [
      new iam.PolicyStatement({ sid: 'ListSecurityIrCases', actions: ['security-ir:ListCases'], resources: ['*'] }),
      ...(r.settings.fastPath
        ? [new iam.PolicyStatement({ sid: 'ReadSecurityIrCases', actions: ['security-ir:GetCase'], resources: [r.watched.caseArnPattern] })]
        : []),
    ];
  return [
    ...securityIr,
    new iam.PolicyStatement({
      sid: 'PutCaseEvents',
      actions: ['events:PutEvents'],
      resources: [r.eventBus.eventBusArn],
      // Both keys are multivalued (one call carries up to 10 entries): every entry must be ours.
      conditions: {
        'ForAllValues:StringEquals': { 'events:source': [r.eventSource], 'events:detail-type': [...CASE_WATCHER_DETAIL_TYPES] },
      },
    }),
    new iam.PolicyStatement({ sid: 'UseStateTable', actions: TABLE_ACTIONS, resources: [r.table.tableArn] }),
    // Lambda sends an invocation that failed its retries to the dead-letter queue with this role.
    new iam.PolicyStatement({ sid: 'SendFailedInvocations', actions: ['sqs:SendMessage'], resources: [r.deadLetterQueue.queueArn] }),
    new iam.PolicyStatement({ sid: 'WriteOwnLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [r.logGroup.logGroupArn] }),
    ...(r.tableKey ? [keyUsedVia('UseStateTableKey', r.tableKey, 'dynamodb')] : []),
    ...(r.key ? [keyUsedVia('UseQueueKey', r.key, 'sqs')] : []),
  ];
}

/** The role EventBridge Scheduler runs the poll with: invoke this function, send to the dead-letter queue. */
export function createScheduleRole(scope: Construct, fn: lambda.IFunction, deadLetterQueue: sqs.IQueue, key: kms.IKey | undefined): iam.Role {
  return new iam.Role(scope, 'ScheduleRole', {
    assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
      conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } },
    }),
    description: 'Security IR case watcher: EventBridge Scheduler runs the poll with this role',
    inlinePolicies: {
      RunThePoll: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({ sid: 'RunThePoll', actions: ['lambda:InvokeFunction'], resources: [fn.functionArn] }),
          new iam.PolicyStatement({ sid: 'SendUndeliveredTicks', actions: ['sqs:SendMessage'], resources: [deadLetterQueue.queueArn] }),
          ...(key ? [keyUsedVia('UseQueueKey', key, 'sqs')] : []),
        ],
      }),
    },
  });
}

/** Use of a KMS key through one AWS service only (`kms:ViaService`): what reading and writing through it needs. */
function keyUsedVia(sid: string, key: kms.IKey, service: 'dynamodb' | 'sqs'): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid,
    actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
    resources: [key.keyArn],
    conditions: { StringEquals: { 'kms:ViaService': `${service}.${Aws.REGION}.${Aws.URL_SUFFIX}` } },
  });
}

/**
 * Key policy statements for the services that use the key on the watcher's behalf: CloudWatch Logs
 * for the log group and EventBridge for sending to the encrypted dead-letter queue. An imported key's
 * policy cannot be changed from this app: a warning says which statements to add.
 */
export function grantServicesUseOfKey(scope: Construct, key: kms.IKey): void {
  if (!(key instanceof kms.Key)) {
    Annotations.of(scope).addWarningV2(
      'cdk-security-ir-case-watcher:importedKeyPolicy',
      'encryptionKey is imported: this app cannot add to its key policy the statements CloudWatch Logs (for the log group) ' +
        'and EventBridge (for the dead-letter queue) need. Add them to the key policy yourself (see docs/construct.md, ' +
        '"With encryptionKey"), or the log group and the dead-letter queue cannot use the key.',
    );
  }
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchLogsForCaseWatcher',
      principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.${Aws.URL_SUFFIX}`)],
      actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*` },
      },
    }),
    true,
  );
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowEventBridgeDeadLetterForCaseWatcher',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: ['*'],
      conditions: {
        ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:events:${Aws.REGION}:${Aws.ACCOUNT_ID}:rule/*` },
      },
    }),
    true,
  );
}

/**
 * A value as cdk-nag names it in a finding: references as `<LogicalId.Attribute>` or
 * `<AWS::PseudoParameter>`, the literal parts as they are.
 */
function nagFindingText(stack: Stack, value: string): string {
  const resolved = stack.resolve(value);
  const parts: unknown[] = typeof resolved === 'string' ? [resolved] : resolved['Fn::Join'][1];
  return parts.map((part) => {
    if (typeof part === 'string') return part;
    const ref = part as { Ref?: string; 'Fn::GetAtt'?: string[] };
    return ref.Ref !== undefined ? `<${ref.Ref}>` : `<${ref['Fn::GetAtt']!.join('.')}>`;
  }).join('');
}
