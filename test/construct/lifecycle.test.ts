/**
 * What a deployment's lifecycle asks of the construct: a state table brought back after a move
 * (`stateTable`), the function's role named from another account's stack (the cross-account app of
 * docs/construct.md, in two stacks), no forwarder warning when the app has the forwarder, and
 * bus-policy statement ids that stay unique within EventBridge's 64 characters.
 */
import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { SecurityIrCaseWatcher, SecurityIrEventForwarder } from '../../lib';
import { HandlerEnvironment } from '../../lib/internal/handler-environment';
import { testApp } from '../support/test-app';
import { functionRole, onlyResource, READER_ROLE_ARN, TEST_ENV, watcherStack } from '../support/watcher-synth';

const MEMBERSHIP_ENV = { account: '444455556666', region: 'us-east-1' };
const OLD_TABLE = 'SecurityIrCaseWatcherStack-CaseWatcherStateTable5D5F3E1A-1A2B3C4D5E6F';

describe('stateTable: the watcher keeps its state in an existing table', () => {
  const { stack, template } = watcherStack((s) => ({ stateTable: dynamodb.Table.fromTableName(s, 'Old', OLD_TABLE) }), { env: TEST_ENV });

  test('creates no table; the function reads and writes the given one, and only it', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 0);
    expect(onlyResource(template, 'AWS::Lambda::Function').Environment.Variables[HandlerEnvironment.STATE_TABLE_NAME]).toBe(OLD_TABLE);
    const table = functionRole(template).statements.find((s) => s.Sid === 'UseStateTable')!;
    expect(stack.resolve(table.Resource)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:dynamodb:us-east-1:111122223333:table/${OLD_TABLE}`]],
    });
    expect(JSON.stringify(functionRole(template).statements)).not.toContain('kms:');
  });

  test('a table encrypted with a customer managed key: the function may use that key through DynamoDB only', () => {
    const keyArn = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const { template: encrypted } = watcherStack((s) => ({
      stateTable: dynamodb.Table.fromTableAttributes(s, 'Old', { tableName: OLD_TABLE, encryptionKey: kms.Key.fromKeyArn(s, 'Key', keyArn) }),
    }), { env: TEST_ENV });
    const kmsStatements = functionRole(encrypted).statements.filter((s) => JSON.stringify(s).includes('kms:'));
    expect(kmsStatements).toEqual([expect.objectContaining({
      Sid: 'UseStateTableKey',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: keyArn,
      Condition: { StringEquals: { 'kms:ViaService': expect.objectContaining({ 'Fn::Join': expect.anything() }) } },
    })]);
    expect(JSON.stringify(kmsStatements[0].Condition)).toContain('dynamodb.');
  });

  test('the encryptionKey prop still encrypts the queue and the log group, and the table keeps its own key', () => {
    const { template: both } = watcherStack((s) => ({
      encryptionKey: new kms.Key(s, 'WatcherKey'),
      stateTable: dynamodb.Table.fromTableName(s, 'Old', OLD_TABLE),
    }), { env: TEST_ENV });
    expect(functionRole(both).statements.filter((s) => s.Sid?.endsWith('Key')).map((s) => s.Sid)).toEqual(['UseQueueKey']);
    expect(onlyResource(both, 'AWS::SQS::Queue').KmsMasterKeyId).toBeDefined();
    expect(onlyResource(both, 'AWS::Logs::LogGroup').KmsKeyId).toBeDefined();
  });

  test('a table of this app keyed otherwise is refused, naming the prop', () => {
    expect(() => watcherStack((s) => ({
      stateTable: new dynamodb.Table(s, 'Wrong', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } }),
    }))).toThrow(/^stateTable must have the string partition key "pk" and the string sort key "sk" .* got "id" \(S\) \/ none$/);
  });

  test('moving the construct under a parent with stateTable keeps the state where it was: same table, same environment', () => {
    const before = watcherStack({}, { env: TEST_ENV, stackId: 'SecurityIrCaseWatcherStack' });
    const tableId = Object.keys(before.template.findResources('AWS::DynamoDB::Table'))[0];
    expect(before.template.findResources('AWS::DynamoDB::Table')[tableId]).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });

    const app = testApp();
    const moved = new Stack(app, 'SecurityIrCaseWatcherStack', { env: TEST_ENV });
    const parent = new Construct(moved, 'Operations');
    const watcher = new SecurityIrCaseWatcher(parent, 'CaseWatcher', { stateTable: dynamodb.Table.fromTableName(parent, 'State', OLD_TABLE) });
    const after = Template.fromStack(moved);
    after.resourceCountIs('AWS::DynamoDB::Table', 0);
    expect(onlyResource(after, 'AWS::Lambda::Function').Environment.Variables[HandlerEnvironment.STATE_TABLE_NAME]).toBe(OLD_TABLE);
    expect(watcher.table.tableName).toBe(OLD_TABLE);
  });
});

describe('the cross-account app of docs/construct.md: watcher in one account, reader role and forwarder in the membership account', () => {
  function crossAccountApp(withForwarder: boolean) {
    const app = testApp();
    const watcherStackOf = new Stack(app, 'Watcher', { env: TEST_ENV });
    const watcher = new SecurityIrCaseWatcher(watcherStackOf, 'CaseWatcher', {
      securityIrRoleArn: 'arn:aws:iam::444455556666:role/SecurityIrCaseReader',
    });
    const membership = new Stack(app, 'Membership', { env: MEMBERSHIP_ENV });
    membership.addStackDependency(watcherStackOf, 'the reader role trusts the watcher\'s role, which must exist first');
    const reader = new iam.Role(membership, 'Reader', { roleName: 'SecurityIrCaseReader', assumedBy: watcher.role });
    reader.addToPolicy(new iam.PolicyStatement({ actions: ['security-ir:ListCases'], resources: ['*'] }));
    if (withForwarder) new SecurityIrEventForwarder(membership, 'Forwarder', { watcherAccount: TEST_ENV.account });
    return { app, watcherStack: watcherStackOf, membership, watcher };
  }

  test('synthesises: the watcher\'s role gets a generated name, and the reader role trusts exactly that role', () => {
    const { app, watcherStack: watcherSide, membership } = crossAccountApp(true);
    const assembly = app.synth();
    const roleName = functionRole(Template.fromStack(watcherSide)).properties.RoleName;
    expect(roleName).toMatch(/^[\w+=,.@-]{1,64}$/);
    const reader = Object.values(Template.fromStack(membership).findResources('AWS::IAM::Role'))[0].Properties;
    expect(reader.AssumeRolePolicyDocument.Statement).toEqual([{
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::111122223333:role/${roleName}`]] } },
    }]);
    // cdk deploy --all deploys the watcher first (docs/construct.md, "Cross-account deploy order").
    expect(assembly.getStackArtifact(membership.artifactId).dependencies.map((d) => d.id)).toContain(watcherSide.artifactId);
  });

  test('without a reference from another environment, the role keeps a CloudFormation-generated name (no RoleName)', () => {
    expect(functionRole(watcherStack({}, { env: TEST_ENV }).template).properties.RoleName).toBeUndefined();
  });

  test('with the forwarder in the membership account and region: no fastPathNeedsForwarder warning', () => {
    const { watcherStack: watcherSide } = crossAccountApp(true);
    expect(Annotations.fromStack(watcherSide).findWarning('*', Match.stringLikeRegexp('SecurityIrEventForwarder'))).toEqual([]);
  });

  test('without it, the warning names what to deploy where', () => {
    const { watcherStack: watcherSide } = crossAccountApp(false);
    const warnings = Annotations.fromStack(watcherSide).findWarning('*', Match.stringLikeRegexp('SecurityIrEventForwarder'));
    expect(warnings.map((w) => w.id)).toEqual(['/Watcher/CaseWatcher']);
    expect(warnings[0].entry.data).toMatch(/\(account 444455556666, region us-east-1\).*\[ack: cdk-security-ir-case-watcher:fastPathNeedsForwarder\]/s);
  });

  test('a forwarder to another account, or in another region, does not count', () => {
    const app = testApp();
    const watcherSide = new Stack(app, 'Watcher', { env: TEST_ENV });
    new SecurityIrCaseWatcher(watcherSide, 'CaseWatcher', { securityIrRoleArn: READER_ROLE_ARN });
    new SecurityIrEventForwarder(new Stack(app, 'Elsewhere', { env: MEMBERSHIP_ENV }), 'Forwarder', { watcherAccount: '999988887777' });
    new SecurityIrEventForwarder(new Stack(app, 'OtherRegion', { env: { ...MEMBERSHIP_ENV, region: 'eu-west-1' } }), 'Forwarder', {
      watcherAccount: TEST_ENV.account, watcherRegion: TEST_ENV.region,
    });
    expect(Annotations.fromStack(watcherSide).findWarning('*', Match.stringLikeRegexp('SecurityIrEventForwarder'))).toHaveLength(1);
  });
});

describe('bus-policy statement ids', () => {
  test('two watchers with long paths in two stacks of one account (two membership accounts) get distinct ids of at most 64 characters', () => {
    const app = testApp();
    const long = 'SecurityIncidentResponseOperationsForTheWholeOrganisation';
    // Two membership accounts watched from one account: both statements go on its one default bus.
    const stacks = [['First', READER_ROLE_ARN], ['Second', 'arn:aws:iam::777788889999:role/SecurityIrReader']].map(([name, roleArn]) => {
      const stack = new Stack(app, `${long}${name}`, { env: TEST_ENV });
      new SecurityIrCaseWatcher(new Construct(stack, long), 'CaseWatcher', { securityIrRoleArn: roleArn });
      return stack;
    });
    const statementIds = (prefix: string) => stacks.map((stack) => Object.values(Template.fromStack(stack).findResources('AWS::Events::EventBusPolicy'))
      .map((policy) => policy.Properties.StatementId as string).filter((id) => id.startsWith(prefix)));
    for (const [prefix, ids] of [['SecurityIrHints-', statementIds('SecurityIrHints-')], ['DenyForgedCaseEvents-', statementIds('DenyForgedCaseEvents-')]] as const) {
      expect(ids.map((inStack) => inStack.length)).toEqual([1, 1]);
      for (const [id] of ids) expect(id).toMatch(new RegExp(`^${prefix}[A-Za-z0-9_-]+$`));
      for (const [id] of ids) expect(id.length).toBeLessThanOrEqual(64);
      expect(ids[0][0]).not.toBe(ids[1][0]);
    }
  });
});
