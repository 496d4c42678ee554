/**
 * What lets subscribers trust the stream: the events' schemas in a schema registry, the archive a
 * failed subscriber replays from, and the bus-policy statement that denies everyone but the watcher
 * its source. (The deny's decisions are evaluated in test/iam/evaluation.test.ts.)
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import { CASE_WATCHER_DETAIL_TYPES, DEFAULT_EVENT_SOURCE } from '../../lib/events';
import { EVENT_SCHEMA_CANDIDATES, EVENT_SCHEMA_INDEX_FILE, locateEventSchemas } from '../../lib/private/event-schemas';
import { functionRole, onlyResource, TEST_ENV, watcherStack } from '../support/watcher-synth';

const DEFAULT_BUS_ARN = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:us-east-1:111122223333:event-bus/default']] };
const schemaDir = locateEventSchemas();
const index = JSON.parse(readFileSync(join(schemaDir, EVENT_SCHEMA_INDEX_FILE), 'utf8')) as { schemas: { detailType: string; schemaName: string; file: string }[] };
const generated = (file: string) => JSON.parse(readFileSync(join(schemaDir, file), 'utf8'));

describe('default props', () => {
  const { stack, watcher, template } = watcherStack({}, { env: TEST_ENV });

  test('a registry holds one OpenApi3 schema per detail-type: the generated document, named <source>@<name>', () => {
    const registry = onlyResource(template, 'AWS::EventSchemas::Registry');
    expect(registry.RegistryName).toMatch(/^Stack-Watcher-[0-9A-F]{8}$/);
    const schemas = Object.values(template.findResources('AWS::EventSchemas::Schema')).map((s) => s.Properties);
    expect(schemas.map((s) => s.SchemaName).sort()).toEqual(index.schemas.map((s) => s.schemaName).sort());
    expect(index.schemas.map((s) => s.detailType).sort()).toEqual([...CASE_WATCHER_DETAIL_TYPES].sort());
    for (const entry of index.schemas) {
      const schema = schemas.find((s) => s.SchemaName === entry.schemaName)!;
      expect(schema.Type).toBe('OpenApi3');
      expect(schema.RegistryName).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(watcher.schemaRegistry!), 'RegistryName'] });
      expect(JSON.parse(schema.Content)).toEqual(generated(entry.file));
    }
  });

  test('public members: the registry name, the registry, the schemas, the archive, the deny', () => {
    expect(stack.resolve(watcher.schemaRegistryName)).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(watcher.schemaRegistry!), 'RegistryName'] });
    expect(watcher.schemas).toHaveLength(CASE_WATCHER_DETAIL_TYPES.length);
    expect(watcher.archive).toBeInstanceOf(events.Archive);
    expect(watcher.forgedEventsDenyPolicy).toBeInstanceOf(events.CfnEventBusPolicy);
  });

  test('the archive keeps the watcher\'s own events (its source only) on its bus for 30 days', () => {
    expect(onlyResource(template, 'AWS::Events::Archive')).toMatchObject({
      SourceArn: DEFAULT_BUS_ARN,
      EventPattern: { source: [DEFAULT_EVENT_SOURCE] },
      RetentionDays: 30,
    });
  });

  test('the bus policy denies PutEvents with our source to every principal but the function role, EventBridge itself excepted', () => {
    const policy = onlyResource(template, 'AWS::Events::EventBusPolicy');
    expect(policy).toEqual({
      EventBusName: 'default',
      StatementId: policy.Statement.Sid,
      Statement: {
        Sid: expect.stringMatching(/^DenyForgedCaseEvents-StackWatcher[0-9A-F]{8}$/),
        Effect: 'Deny',
        Principal: '*',
        Action: 'events:PutEvents',
        Resource: DEFAULT_BUS_ARN,
        Condition: {
          'ForAnyValue:StringEquals': { 'events:source': [DEFAULT_EVENT_SOURCE] },
          'ArnNotEquals': { 'aws:PrincipalArn': [{ 'Fn::GetAtt': [functionRole(template).logicalId, 'Arn'] }] },
          'BoolIfExists': { 'aws:PrincipalIsAWSService': 'false' },
        },
      },
    });
  });
});

test('eventSource, an existing registry and a retention: the source is in every schema, name, archive and deny', () => {
  const { template, watcher } = watcherStack({ eventSource: 'acme.security', schemaRegistryName: 'acme-events', archiveRetention: Duration.days(7) }, { env: TEST_ENV });
  expect(template.findResources('AWS::EventSchemas::Registry')).toEqual({});
  expect(watcher.schemaRegistry).toBeUndefined();
  expect(watcher.schemaRegistryName).toBe('acme-events');
  const schemas = Object.values(template.findResources('AWS::EventSchemas::Schema')).map((s) => s.Properties);
  expect(schemas.map((s) => s.SchemaName).sort()).toEqual(index.schemas.map((s) => `acme.security@${s.schemaName.split('@')[1]}`).sort());
  for (const schema of schemas) {
    expect(schema.RegistryName).toBe('acme-events');
    expect(JSON.parse(schema.Content).components.schemas.AWSEvent['x-amazon-events-source']).toBe('acme.security');
    expect(schema.Content).not.toContain(DEFAULT_EVENT_SOURCE);
  }
  expect(onlyResource(template, 'AWS::Events::Archive')).toMatchObject({ EventPattern: { source: ['acme.security'] }, RetentionDays: 7 });
  expect(onlyResource(template, 'AWS::Events::EventBusPolicy').Statement.Condition['ForAnyValue:StringEquals']).toEqual({ 'events:source': ['acme.security'] });
});

test('publishSchemas: false and archive: false: neither registry, schemas nor archive; the deny stays', () => {
  const { template, watcher } = watcherStack({ publishSchemas: false, archive: false }, { env: TEST_ENV });
  for (const type of ['AWS::EventSchemas::Registry', 'AWS::EventSchemas::Schema', 'AWS::Events::Archive']) expect([type, template.findResources(type)]).toEqual([type, {}]);
  expect([watcher.schemaRegistryName, watcher.schemaRegistry, watcher.schemas, watcher.archive]).toEqual([undefined, undefined, [], undefined]);
  expect(onlyResource(template, 'AWS::Events::EventBusPolicy').Statement.Effect).toBe('Deny');
});

test('a bus of this stack: the archive and the deny are on that bus', () => {
  const { stack, template } = watcherStack((s) => ({ eventBus: new events.EventBus(s, 'Bus') }), { env: TEST_ENV });
  const busId = stack.getLogicalId(stack.node.findChild('Bus').node.defaultChild as events.CfnEventBus);
  expect(onlyResource(template, 'AWS::Events::Archive').SourceArn).toEqual({ 'Fn::GetAtt': [busId, 'Arn'] });
  const policy = onlyResource(template, 'AWS::Events::EventBusPolicy');
  expect(policy.EventBusName).toEqual({ Ref: busId });
  expect(policy.Statement.Resource).toEqual({ 'Fn::GetAtt': [busId, 'Arn'] });
});

describe('a bus of another account or region: no archive, no deny, a warning each; archive: true refused', () => {
  test.each([
    ['another account', 'arn:aws:events:us-east-1:999988887777:event-bus/security'],
    ['another region', 'arn:aws:events:eu-west-1:111122223333:event-bus/security'],
  ])('%s', (where, busArn) => {
    const { stack, template } = watcherStack((s) => ({ eventBus: events.EventBus.fromEventBusArn(s, 'Bus', busArn) }), { env: TEST_ENV });
    expect(template.findResources('AWS::Events::Archive')).toEqual({});
    expect(template.findResources('AWS::Events::EventBusPolicy')).toEqual({});
    const warnings = Annotations.fromStack(stack);
    expect(warnings.findWarning('*', Match.stringLikeRegexp(`No archive of the case events: the eventBus is in ${where}`))).toHaveLength(1);
    expect(warnings.findWarning('*', Match.stringLikeRegexp(`The eventBus is in ${where}: .*Its owner adds it`))).toHaveLength(1);
    expect(() => watcherStack((s) => ({ eventBus: events.EventBus.fromEventBusArn(s, 'Bus', busArn), archive: true }), { env: TEST_ENV }))
      .toThrow(new RegExp(`^archive: the eventBus is in ${where}, where this stack cannot create an archive`));
  });
});

describe('validation, naming the prop', () => {
  test.each<[string, object, RegExp]>([
    ['a registry name with a space', { schemaRegistryName: 'acme events' }, /^schemaRegistryName must be 1 to 64 letters, digits, "\.", "-", "_" or "@", got "acme events"$/],
    ['a registry name of 65 characters', { schemaRegistryName: 'a'.repeat(65) }, /^schemaRegistryName must be 1 to 64/],
    ['a registry name with publishSchemas: false', { publishSchemas: false, schemaRegistryName: 'acme' }, /^schemaRegistryName names where the schemas go, which publishSchemas: false turns off/],
    ['a retention of part of a day', { archiveRetention: Duration.hours(36) }, /^archiveRetention must be a whole number of days, at least 1, got 1 day 12 hours$/],
    ['a retention of no days', { archiveRetention: Duration.days(0) }, /^archiveRetention must be a whole number of days, at least 1/],
    ['a retention with archive: false', { archive: false, archiveRetention: Duration.days(7) }, /^archiveRetention acts on the archive, which archive: false turns off/],
  ])('rejects %s', (_what, props, message) => {
    expect(() => watcherStack(props)).toThrow(message);
  });

  test('the largest registry name is accepted', () => {
    expect(() => watcherStack({ schemaRegistryName: `a.b-c_d@${'e'.repeat(56)}` })).not.toThrow();
  });
});

test('the schema documents are looked for in the repository and in the package; missing, the error says how to build them', () => {
  // From lib/private/ here, dist/schemas; from dist/lib/private/ in the package, its dist/schemas (the package test synthesises with it).
  const privateDir = join(__dirname, '..', '..', 'lib', 'private');
  expect(EVENT_SCHEMA_CANDIDATES.map((dir) => relative(privateDir, dir))).toEqual([join('..', '..', 'dist', 'schemas'), join('..', '..', 'schemas')]);
  expect(locateEventSchemas()).toBe(EVENT_SCHEMA_CANDIDATES[0]);
  expect(() => locateEventSchemas(['/nonexistent/schemas'])).toThrow(/event schemas \(index\.json\) were not found in \/nonexistent\/schemas\. Run `npm run schemas`.*publishSchemas: false/);
});
