/**
 * Every IAM policy statement a synthesised template holds, with its CloudFormation intrinsics
 * resolved to representative values of one deployment: identity policies (`AWS::IAM::Policy`, a
 * role's inline `Policies`), trust policies (a role's `AssumeRolePolicyDocument`) and resource
 * policies (event bus, KMS key, SQS queue and SNS topic policies).
 *
 * A resource's `Ref` and `Fn::GetAtt ... Arn` stand for what CloudFormation returns for its type,
 * named after its logical ID unless a name is given; a type this file does not know throws when a
 * policy refers to it, so a policy is never checked against a guess.
 */
import { CfnTemplate, LocalReferences, pseudoParameters, resolveIntrinsics } from './cloud-assembly';

export const REPRESENTATIVE_ACCOUNT = '111122223333';
export const REPRESENTATIVE_REGION = 'us-east-1';

export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

export type PolicyKind = 'identity' | 'trust' | 'resource';

/** One statement and where it is: the resource's type and logical ID, and what kind of policy. */
export interface PlacedStatement {
  readonly kind: PolicyKind;
  readonly resourceType: string;
  readonly logicalId: string;
  /** The statement's Sid, else its index in its policy. */
  readonly name: string;
  readonly statement: Statement;
}

/** `Ref` and `Fn::GetAtt` of one resource of a type: what CloudFormation returns, from a name. */
const REFERENCE_SHAPES: Record<string, (name: string, region: string, account: string) => { ref: string; attributes: Record<string, string> }> = {
  'AWS::DynamoDB::Table': (n, r, a) => ({ ref: n, attributes: { Arn: `arn:aws:dynamodb:${r}:${a}:table/${n}` } }),
  'AWS::Logs::LogGroup': (n, r, a) => ({ ref: n, attributes: { Arn: `arn:aws:logs:${r}:${a}:log-group:${n}:*` } }),
  'AWS::SQS::Queue': (n, r, a) => ({ ref: `https://sqs.${r}.amazonaws.com/${a}/${n}`, attributes: { Arn: `arn:aws:sqs:${r}:${a}:${n}`, QueueName: n, QueueUrl: `https://sqs.${r}.amazonaws.com/${a}/${n}` } }),
  'AWS::SNS::Topic': (n, r, a) => ({ ref: `arn:aws:sns:${r}:${a}:${n}`, attributes: { TopicArn: `arn:aws:sns:${r}:${a}:${n}`, TopicName: n } }),
  'AWS::Lambda::Function': (n, r, a) => ({ ref: n, attributes: { Arn: `arn:aws:lambda:${r}:${a}:function:${n}` } }),
  'AWS::IAM::Role': (n, _r, a) => ({ ref: n, attributes: { Arn: `arn:aws:iam::${a}:role/${n}`, RoleId: `AROA${n.toUpperCase().slice(0, 17)}` } }),
  'AWS::KMS::Key': (n, r, a) => ({ ref: `key-${n}`, attributes: { Arn: `arn:aws:kms:${r}:${a}:key/key-${n}`, KeyId: `key-${n}` } }),
  'AWS::Events::EventBus': (n, r, a) => ({ ref: n, attributes: { Arn: `arn:aws:events:${r}:${a}:event-bus/${n}`, Name: n } }),
  'AWS::Events::Rule': (n, r, a) => ({ ref: n, attributes: { Arn: `arn:aws:events:${r}:${a}:rule/${n}` } }),
  'AWS::Events::Archive': (n, r, a) => ({ ref: n, attributes: { Arn: `arn:aws:events:${r}:${a}:archive/${n}` } }),
  'AWS::EventSchemas::Registry': (n, r, a) => ({ ref: `arn:aws:schemas:${r}:${a}:registry/${n}`, attributes: { RegistryArn: `arn:aws:schemas:${r}:${a}:registry/${n}`, RegistryName: n } }),
  'AWS::Scheduler::Schedule': (n, r, a) => ({ ref: n, attributes: { Arn: `arn:aws:scheduler:${r}:${a}:schedule/default/${n}` } }),
  'AWS::CloudWatch::Alarm': (n, r, a) => ({ ref: n, attributes: { Arn: `arn:aws:cloudwatch:${r}:${a}:alarm:${n}` } }),
};

/**
 * The references of a template deployed as `stackName` in the representative account and region:
 * every resource of a known type named after its logical ID, or `names[logicalId]`.
 */
export function representativeReferences(template: CfnTemplate, options: { stackName?: string; names?: Record<string, string>; account?: string; region?: string } = {}): LocalReferences {
  const account = options.account ?? REPRESENTATIVE_ACCOUNT;
  const region = options.region ?? REPRESENTATIVE_REGION;
  const refs: Record<string, string> = pseudoParameters(options.stackName ?? 'Stack', account, region);
  const attributes: Record<string, string> = {};
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    const shape = REFERENCE_SHAPES[resource.Type];
    if (!shape) continue;
    const { ref, attributes: own } = shape(options.names?.[logicalId] ?? resource.Properties?.TableName ?? resource.Properties?.Name ?? logicalId, region, account);
    refs[logicalId] = ref;
    for (const [attribute, value] of Object.entries(own)) attributes[`${logicalId}.${attribute}`] = value;
  }
  return { refs, attributes };
}

/** Every statement of every policy in `template`, resolved with `references`. */
export function templateStatements(template: CfnTemplate, references: LocalReferences = representativeReferences(template)): PlacedStatement[] {
  const placed: PlacedStatement[] = [];
  const add = (kind: PolicyKind, resourceType: string, logicalId: string, statements: unknown) => {
    const list = (Array.isArray(statements) ? statements : [statements]) as Statement[];
    list.forEach((statement, i) => placed.push({ kind, resourceType, logicalId, name: statement.Sid ?? `#${i}`, statement: resolveIntrinsics(statement, references) }));
  };
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    const p = resource.Properties ?? {};
    switch (resource.Type) {
      case 'AWS::IAM::Policy':
      case 'AWS::IAM::ManagedPolicy':
        add('identity', resource.Type, logicalId, p.PolicyDocument.Statement);
        break;
      case 'AWS::IAM::Role':
        add('trust', resource.Type, logicalId, p.AssumeRolePolicyDocument.Statement);
        for (const inline of p.Policies ?? []) add('identity', resource.Type, logicalId, inline.PolicyDocument.Statement);
        break;
      case 'AWS::Events::EventBusPolicy':
        if (p.Statement) add('resource', resource.Type, logicalId, p.Statement);
        else add('resource', resource.Type, logicalId, { Sid: p.StatementId, Effect: 'Allow', Principal: { AWS: p.Principal }, Action: p.Action, Condition: p.Condition });
        break;
      case 'AWS::KMS::Key':
        add('resource', resource.Type, logicalId, p.KeyPolicy.Statement);
        break;
      case 'AWS::SQS::QueuePolicy':
      case 'AWS::SNS::TopicPolicy':
        add('resource', resource.Type, logicalId, p.PolicyDocument.Statement);
        break;
      default:
        break;
    }
  }
  return placed;
}

/** The identity policy of role `roleLogicalId` (its inline policies and the `AWS::IAM::Policy` attached to it), resolved. */
export function roleIdentityPolicy(template: CfnTemplate, roleLogicalId: string, references: LocalReferences = representativeReferences(template)): { Version: string; Statement: Statement[] } {
  const statements: Statement[] = [];
  for (const resource of Object.values(template.Resources)) {
    const p = resource.Properties ?? {};
    if (resource.Type === 'AWS::IAM::Policy' && (p.Roles ?? []).some((r: any) => r?.Ref === roleLogicalId)) statements.push(...p.PolicyDocument.Statement);
  }
  const role = template.Resources[roleLogicalId];
  if (role?.Type !== 'AWS::IAM::Role') throw new Error(`${roleLogicalId} is not an AWS::IAM::Role`);
  for (const inline of role.Properties?.Policies ?? []) statements.push(...inline.PolicyDocument.Statement);
  return { Version: '2012-10-17', Statement: resolveIntrinsics(statements, references) };
}

/** The logical ID of the one role that `servicePrincipal` may assume. */
export function roleAssumedBy(template: CfnTemplate, servicePrincipal: string): string {
  const ids = Object.entries(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::IAM::Role' && r.Properties?.AssumeRolePolicyDocument.Statement.some((s: Statement) => [(s.Principal as any)?.Service].flat().includes(servicePrincipal)))
    .map(([id]) => id);
  if (ids.length !== 1) throw new Error(`${ids.length} roles are assumed by ${servicePrincipal}: ${ids.join(', ')}`);
  return ids[0];
}

/** A statement's values of `key` (`Action`, `Resource`...) as a list. */
export function listOf(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : [value].flat();
}
