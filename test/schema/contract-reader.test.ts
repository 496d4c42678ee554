/**
 * The reader of the event contract: what it reads from `lib/events.ts` agrees with the module's own
 * values, a contract grown the way the next versions grow it (a detail-type, fields) is read with no
 * change to the generator, and everything it does not understand is refused with the place named.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CASE_WATCHER_DETAIL_TYPES, DEFAULT_EVENT_SOURCE, EVENT_SCHEMA_VERSION } from '../../lib/events';
import { detailFields, detailInterfaceOf, readEventContract } from '../../scripts/event-schemas/contract-reader';
import { eventSchemaDocuments } from '../../scripts/event-schemas/openapi';

const CONTRACT_SOURCE = readFileSync(join(__dirname, '..', '..', 'lib', 'events.ts'), 'utf8');
const LIST_START = /(export const CASE_WATCHER_DETAIL_TYPES: readonly string\[\] = \[)/;
const BASE_INTERFACE_START = /(export interface CaseEventDetail \{)/;

/** lib/events.ts with `text` added to the end, and `edits` applied first. */
function contractWith(text: string, ...edits: [RegExp, string][]): string {
  let source = CONTRACT_SOURCE;
  for (const [pattern, replacement] of edits) {
    expect(source).toMatch(pattern); // the fixture still finds what it edits
    source = source.replace(pattern, replacement);
  }
  return `${source}\n${text}\n`;
}

describe('lib/events.ts as read', () => {
  const contract = readEventContract(CONTRACT_SOURCE);

  test('the detail-types, the default source and the schema version are the module\'s own values', () => {
    expect(contract.detailTypes.map((d) => d.detailType)).toEqual([...CASE_WATCHER_DETAIL_TYPES]);
    expect(contract.defaultSource).toBe(DEFAULT_EVENT_SOURCE);
    expect(contract.schemaVersion).toBe(EVENT_SCHEMA_VERSION);
  });

  test('each detail-type has its detail interface, whose fields include the inherited ones, with their docs', () => {
    for (const { detailInterface } of contract.detailTypes) {
      const fields = detailFields(contract, detailInterface);
      expect(fields.map((f) => f.name)).toEqual(expect.arrayContaining(['schemaVersion', 'changeId', 'caseId', 'caseStatus', 'previousCaseStatus', 'observedAt']));
      expect(fields.every((f) => f.doc !== undefined && f.doc.length > 0)).toBe(true);
    }
    const base = detailFields(contract, 'CaseEventDetail');
    expect(base.find((f) => f.name === 'caseArn')).toEqual({ name: 'caseArn', doc: 'The case ARN, or null when the API did not return one.', types: [{ kind: 'string' }], nullable: true });
    expect(base.find((f) => f.name === 'schemaVersion')).toMatchObject({ types: [{ kind: 'number' }], nullable: false });
  });

  test('detail-type constants name their interfaces', () => {
    expect(detailInterfaceOf('CASE_STATUS_CHANGED_DETAIL_TYPE')).toBe('CaseStatusChangedDetail');
    expect(detailInterfaceOf('CASE_AWAITING_CUSTOMER_DETAIL_TYPE')).toBe('CaseAwaitingCustomerDetail');
    expect(detailInterfaceOf('STATUS_CHANGED')).toBeUndefined();
  });
});

test('a new detail-type and new fields are picked up with no change to the generator', () => {
  const grown = readEventContract(contractWith(
    [
      '/** Detail-type of a reminder (a fixture). */',
      "export const CASE_FIXTURE_REMINDER_DETAIL_TYPE = 'Security IR Case Fixture Reminder';",
      '/** Detail of a reminder. */',
      'export interface CaseFixtureReminderDetail extends CaseEventDetail {',
      '  /** When the wait began. */',
      '  readonly fixtureWaitingSince: string;',
      '  /** Whole minutes of waiting. */',
      '  readonly fixtureWaitingMinutes: number;',
      '}',
    ].join('\n'),
    [LIST_START, '$1\n  CASE_FIXTURE_REMINDER_DETAIL_TYPE,'],
    [BASE_INTERFACE_START, '$1\n  /** When the previous status was first seen. */\n  readonly fixturePreviousSince: string | null;'],
  ));
  const documents = eventSchemaDocuments(grown);
  expect(documents.map((d) => d.detailType)).toEqual(['Security IR Case Fixture Reminder', ...CASE_WATCHER_DETAIL_TYPES]);
  const reminder = documents[0].document.components.schemas.CaseFixtureReminderDetail;
  expect(reminder.required).toEqual(expect.arrayContaining(['fixturePreviousSince', 'fixtureWaitingSince', 'fixtureWaitingMinutes', 'caseId']));
  expect(reminder.properties!.fixtureWaitingMinutes).toEqual({ type: 'number', description: 'Whole minutes of waiting.' });
  for (const { document, detailInterface } of documents) {
    expect(document.components.schemas[detailInterface].properties!.fixturePreviousSince).toEqual({ type: 'string', nullable: true, description: 'When the previous status was first seen.' });
  }
});

test('literal types become enums, with null when the field may be null', () => {
  const contract = readEventContract(contractWith('', [BASE_INTERFACE_START, "$1\n  /** A kind. */\n  readonly fixtureKind: 'a' | 'b' | null;"]));
  const [first] = eventSchemaDocuments(contract);
  expect(first.document.components.schemas[first.detailInterface].properties!.fixtureKind).toEqual({ type: 'string', nullable: true, enum: ['a', 'b', null], description: 'A kind.' });
});

test('a string field\'s doc tags constrain it: format, pattern and lengths', () => {
  const tagged = [
    '/**',
    '   * An id.',
    '   *',
    '   * @pattern ^[0-9a-f]{16,}$',
    '   * @minLength 16',
    '   * @maxLength 64',
    '   * @default none, a tag that is not the reader\'s',
    '   */',
    '  readonly fixtureId: string;',
    '  /** A time.',
    '   * @format date-time',
    '   */',
    '  readonly fixtureAt: string | null;',
  ].join('\n');
  const contract = readEventContract(contractWith('', [BASE_INTERFACE_START, `$1\n  ${tagged}`]));
  const [first] = eventSchemaDocuments(contract);
  const properties = first.document.components.schemas[first.detailInterface].properties!;
  expect(properties.fixtureId).toEqual({ type: 'string', description: 'An id.', pattern: '^[0-9a-f]{16,}$', minLength: 16, maxLength: 64 });
  expect(properties.fixtureAt).toEqual({ type: 'string', nullable: true, description: 'A time.', format: 'date-time' });
});

describe('what the reader refuses, naming the place', () => {
  const field = (declaration: string) => contractWith('', [BASE_INTERFACE_START, `$1\n  ${declaration}`]);
  const line = (source: string, text: string) => source.split('\n').findIndex((l) => l.includes(text)) + 1;

  test.each([
    ['an optional field', 'readonly fixture?: string;', /CaseEventDetail\.fixture is optional: every detail field is always present/],
    ['a mutable field', 'fixture: string;', /CaseEventDetail\.fixture must be readonly/],
    ['an array', 'readonly fixture: readonly string[];', /CaseEventDetail\.fixture: the type `readonly string\[\]` is not supported/],
    ['a named type', 'readonly fixture: CaseStatus;', /CaseEventDetail\.fixture: the type `CaseStatus` is not supported/],
    ['any', 'readonly fixture: any;', /the type `any` is not supported/],
    ['a union of two kinds', 'readonly fixture: string | number;', /CaseEventDetail\.fixture: a union of string and number is not supported/],
    ['only null', 'readonly fixture: null;', /CaseEventDetail\.fixture: a field cannot be only null/],
    ['a method', 'fixture(): string;', /CaseEventDetail: only plain property signatures are supported/],
    ['a format it does not know', '/** x\n   * @format email */ readonly fixture: string;', /CaseEventDetail\.fixture: @format email is not supported \(date-time is\)/],
    ['a pattern that is not a regular expression', '/** x\n   * @pattern ^[0-9 */ readonly fixture: string;', /CaseEventDetail\.fixture: @pattern \^\[0-9 is not a regular expression/],
    ['a length that is not a number', '/** x\n   * @maxLength many */ readonly fixture: string;', /CaseEventDetail\.fixture: @maxLength must be a whole number, not "many"/],
    ['a constraint on a number', '/** x\n   * @maxLength 3 */ readonly fixture: number;', /CaseEventDetail\.fixture: @maxLength applies to string fields only/],
  ])('%s', (_name, declaration, message) => {
    const source = field(declaration);
    expect(() => readEventContract(source)).toThrow(message);
    expect(() => readEventContract(source)).toThrow(`lib/events.ts:${line(source, declaration.split('\n').at(-1)!)}:`);
  });

  test('a detail-type whose constant has no detail interface', () => {
    const source = contractWith("export const CASE_ORPHAN_DETAIL_TYPE = 'Security IR Case Orphan';", [LIST_START, '$1 CASE_ORPHAN_DETAIL_TYPE,']);
    expect(() => readEventContract(source)).toThrow('CASE_ORPHAN_DETAIL_TYPE has no detail interface: expected an exported interface CaseOrphanDetail');
  });

  test('a detail-type listed by a name of another shape, or not as a constant', () => {
    expect(() => readEventContract(contractWith("export const ORPHAN = 'x';", [LIST_START, '$1 ORPHAN,'])))
      .toThrow('a detail-type constant must be named CASE_<NAME>_DETAIL_TYPE');
    expect(() => readEventContract(contractWith('', [LIST_START, "$1 'Security IR Case Literal',"])))
      .toThrow('no exported constant CASE_WATCHER_DETAIL_TYPES listing the detail-type constants by name');
  });

  test('a field declared again by an interface that extends the base', () => {
    const source = contractWith('', [/(export interface CaseStatusChangedDetail extends CaseEventDetail) \{\}/, '$1 { /** again */ readonly caseId: string; }']);
    expect(() => readEventContract(source)).toThrow('CaseStatusChangedDetail declares caseId more than once (through its ancestors)');
  });
});
