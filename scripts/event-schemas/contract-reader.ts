/**
 * Reads the public event contract (`lib/events.ts`) as data: the detail-type constants, the default
 * source, the schema version and the detail interfaces with their fields, types and doc comments.
 *
 * TypeScript 7 has no compiler API and the detail interfaces are not in the jsii assembly (their
 * `string | null` has no jsii equivalent), so the file is parsed with swc's TypeScript parser and its
 * declarations walked here. The reader is strict: a construct it does not understand (an optional
 * field, an array, a generic, a type alias...) throws an error naming the declaration and the line,
 * rather than producing a schema that says less than the types do.
 *
 * Conventions it relies on, which `lib/events.ts` follows:
 * - `CASE_WATCHER_DETAIL_TYPES` lists every detail-type, as the names of string constants;
 * - the detail of the constant `CASE_<NAME>_DETAIL_TYPE` is the interface `Case<Name>Detail`
 *   (`CASE_STATUS_CHANGED_DETAIL_TYPE` -> `CaseStatusChangedDetail`);
 * - `DEFAULT_EVENT_SOURCE` and `EVENT_SCHEMA_VERSION` are literal constants.
 */
import { parseSync } from '@swc/core';
import type { Expression, ModuleItem, TsInterfaceDeclaration, TsType, TsTypeElement } from '@swc/core';

/** The JSON type of one member of a field's type (`null` is kept apart, as `nullable`). */
export type FieldType =
  | { readonly kind: 'string' | 'number' | 'boolean' }
  | { readonly kind: 'literal'; readonly value: string | number | boolean };

/**
 * What a string field's doc comment can add to its type, as TSDoc tags of the names JSON Schema
 * uses: `@format date-time`, `@pattern ^[0-9a-f]{16,}$`, `@minLength 1`, `@maxLength 300`.
 */
export interface StringConstraints {
  readonly format?: 'date-time';
  readonly pattern?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
}

export interface ContractField {
  readonly name: string;
  /** The first paragraph of the field's doc comment. */
  readonly doc?: string;
  /** From the doc comment's tags; only on string fields. */
  readonly constraints?: StringConstraints;
  /** The non-null members of the field's type: one kind, or literals of one kind. */
  readonly types: readonly FieldType[];
  /** `null` is one of the members. */
  readonly nullable: boolean;
}

export interface ContractInterface {
  readonly name: string;
  readonly doc?: string;
  readonly extends: readonly string[];
  /** The fields declared by this interface itself. */
  readonly fields: readonly ContractField[];
}

export interface ContractDetailType {
  /** The constant's name, e.g. `CASE_STATUS_CHANGED_DETAIL_TYPE`. */
  readonly constant: string;
  /** Its value, e.g. `Security IR Case Status Changed`. */
  readonly detailType: string;
  /** The interface of the event's detail, e.g. `CaseStatusChangedDetail`. */
  readonly detailInterface: string;
}

export interface EventContract {
  readonly detailTypes: readonly ContractDetailType[];
  readonly defaultSource: string;
  readonly schemaVersion: number;
  readonly interfaces: Readonly<Record<string, ContractInterface>>;
}

/** The list of every detail-type, and the constants with the default source and the schema version. */
export const DETAIL_TYPES_LIST = 'CASE_WATCHER_DETAIL_TYPES';
export const DEFAULT_SOURCE_CONSTANT = 'DEFAULT_EVENT_SOURCE';
export const SCHEMA_VERSION_CONSTANT = 'EVENT_SCHEMA_VERSION';

/** `CASE_STATUS_CHANGED_DETAIL_TYPE` -> `CaseStatusChangedDetail`; undefined for a name of another shape. */
export function detailInterfaceOf(constant: string): string | undefined {
  const match = /^CASE_([A-Z0-9]+(?:_[A-Z0-9]+)*)_DETAIL_TYPE$/.exec(constant);
  if (!match) return undefined;
  const words = match[1].split('_').map((w) => w[0] + w.slice(1).toLowerCase());
  return `Case${words.join('')}Detail`;
}

/** Parses the contract source text; `file` names it in errors. */
export function readEventContract(source: string, file = 'lib/events.ts'): EventContract {
  const reader = new SourceReader(source, file);
  const module = parseSync(source, { syntax: 'typescript', comments: true, target: 'es2022' });
  const constants = new Map<string, { value: unknown; at: number }>();
  const lists = new Map<string, { names: string[]; at: number }>();
  const interfaces: Record<string, ContractInterface> = {};

  let previousEnd = 1;
  for (const item of module.body) {
    const declaration = exportedDeclaration(item);
    if (declaration?.type === 'TsInterfaceDeclaration') {
      interfaces[declaration.id.value] = reader.interface(declaration, reader.docBefore(item.span.start, previousEnd));
    } else if (declaration?.type === 'VariableDeclaration' && declaration.kind === 'const') {
      for (const declarator of declaration.declarations) {
        if (declarator.id.type !== 'Identifier' || !declarator.init) continue;
        const name = declarator.id.value;
        const literal = literalOf(declarator.init);
        if (literal !== undefined) constants.set(name, { value: literal, at: declarator.span.start });
        const names = identifierListOf(declarator.init);
        if (names !== undefined) lists.set(name, { names, at: declarator.span.start });
      }
    }
    previousEnd = item.span.end;
  }

  const constant = (name: string, type: 'string' | 'number'): any => {
    const found = constants.get(name);
    if (found === undefined) throw reader.error(undefined, `no exported constant ${name} with a literal value`);
    if (typeof found.value !== type) throw reader.error(found.at, `${name} must be a ${type} literal`);
    return found.value;
  };
  const list = lists.get(DETAIL_TYPES_LIST);
  if (list === undefined) throw reader.error(undefined, `no exported constant ${DETAIL_TYPES_LIST} listing the detail-type constants by name`);
  if (list.names.length === 0) throw reader.error(list.at, `${DETAIL_TYPES_LIST} lists no detail-type`);

  const detailTypes = list.names.map((name): ContractDetailType => {
    const detailInterface = detailInterfaceOf(name);
    if (detailInterface === undefined) throw reader.error(list.at, `${DETAIL_TYPES_LIST} names ${name}: a detail-type constant must be named CASE_<NAME>_DETAIL_TYPE`);
    if (interfaces[detailInterface] === undefined) throw reader.error(list.at, `${name} has no detail interface: expected an exported interface ${detailInterface}`);
    return { constant: name, detailType: constant(name, 'string'), detailInterface };
  });
  const duplicates = detailTypes.filter((d, i) => detailTypes.findIndex((o) => o.detailType === d.detailType) !== i);
  if (duplicates.length > 0) throw reader.error(list.at, `${DETAIL_TYPES_LIST} repeats ${duplicates.map((d) => d.detailType).join(', ')}`);

  const contract: EventContract = {
    detailTypes,
    defaultSource: constant(DEFAULT_SOURCE_CONSTANT, 'string'),
    schemaVersion: constant(SCHEMA_VERSION_CONSTANT, 'number'),
    interfaces,
  };
  for (const { detailInterface } of detailTypes) detailFields(contract, detailInterface);
  return contract;
}

/**
 * Every field of `interfaceName`, its ancestors' first (in `extends` order), then its own. A field
 * declared twice on the way, or an ancestor that is not an interface of the file, throws.
 */
export function detailFields(contract: EventContract, interfaceName: string, seen: readonly string[] = []): ContractField[] {
  const declaration = contract.interfaces[interfaceName];
  if (declaration === undefined) throw new Error(`${interfaceName} is not an exported interface of the event contract`);
  if (seen.includes(interfaceName)) throw new Error(`${[...seen, interfaceName].join(' extends ')}: circular`);
  const fields = [...declaration.extends.flatMap((parent) => detailFields(contract, parent, [...seen, interfaceName])), ...declaration.fields];
  const names = fields.map((f) => f.name);
  const twice = names.filter((name, i) => names.indexOf(name) !== i);
  if (twice.length > 0) throw new Error(`${interfaceName} declares ${[...new Set(twice)].join(', ')} more than once (through its ancestors)`);
  return fields;
}

function exportedDeclaration(item: ModuleItem) {
  return item.type === 'ExportDeclaration' ? item.declaration : undefined;
}

function literalOf(expression: Expression): unknown {
  const inner = expression.type === 'TsAsExpression' || expression.type === 'TsConstAssertion' ? expression.expression : expression;
  if (inner.type === 'StringLiteral' || inner.type === 'NumericLiteral' || inner.type === 'BooleanLiteral') return inner.value;
  return undefined;
}

/** `[A, B, C]` (optionally `as const`) -> `['A', 'B', 'C']`; undefined for anything else. */
function identifierListOf(expression: Expression): string[] | undefined {
  const inner = expression.type === 'TsAsExpression' || expression.type === 'TsConstAssertion' ? expression.expression : expression;
  if (inner.type !== 'ArrayExpression') return undefined;
  const names = inner.elements.map((element) => (element && !element.spread && element.expression.type === 'Identifier' ? element.expression.value : undefined));
  return names.every((n): n is string => n !== undefined) ? names : undefined;
}

/** Source positions, doc comments and the walk of one interface. swc's spans are 1-based UTF-8 byte offsets. */
class SourceReader {
  private readonly bytes: Buffer;

  constructor(source: string, private readonly file: string) {
    this.bytes = Buffer.from(source, 'utf8');
  }

  public error(spanStart: number | undefined, message: string): Error {
    const line = spanStart === undefined ? undefined : this.text(1, spanStart).split('\n').length;
    return new Error(`${this.file}${line === undefined ? '' : `:${line}`}: ${message}`);
  }

  public interface(declaration: TsInterfaceDeclaration, doc: string | undefined): ContractInterface {
    const name = declaration.id.value;
    this.expectText(declaration.id.span, name);
    if (declaration.typeParams) throw this.error(declaration.span.start, `${name}: generic interfaces are not supported`);
    const parents = declaration.extends.map((heritage) => {
      if (heritage.expression.type !== 'Identifier' || heritage.typeArguments) throw this.error(heritage.span.start, `${name}: only extends of plain interface names are supported`);
      return heritage.expression.value;
    });
    let previousEnd = declaration.body.span.start + 1; // after the opening brace
    const fields = declaration.body.body.map((member) => {
      const field = this.field(name, member, previousEnd);
      previousEnd = member.span.end;
      return field;
    });
    return { name, doc, extends: parents, fields };
  }

  private field(interfaceName: string, member: TsTypeElement, previousEnd: number): ContractField {
    if (member.type !== 'TsPropertySignature' || member.computed || member.key.type !== 'Identifier') {
      throw this.error(member.span.start, `${interfaceName}: only plain property signatures are supported`);
    }
    const name = member.key.value;
    this.expectText(member.key.span, name);
    const where = `${interfaceName}.${name}`;
    if (member.optional) throw this.error(member.span.start, `${where} is optional: every detail field is always present (null where unknown)`);
    if (!member.readonly) throw this.error(member.span.start, `${where} must be readonly`);
    if (!member.typeAnnotation) throw this.error(member.span.start, `${where} has no type`);
    const members = unionMembers(member.typeAnnotation.typeAnnotation);
    const nullable = members.some((t) => t.type === 'TsKeywordType' && t.kind === 'null');
    const types = members
      .filter((t) => !(t.type === 'TsKeywordType' && t.kind === 'null'))
      .map((t) => this.fieldType(where, t));
    const kinds = new Set(types.map((t) => (t.kind === 'literal' ? typeof t.value : t.kind)));
    if (types.length === 0) throw this.error(member.span.start, `${where}: a field cannot be only null`);
    if (kinds.size > 1) throw this.error(member.span.start, `${where}: a union of ${[...kinds].join(' and ')} is not supported`);
    if (types.some((t) => t.kind !== 'literal') && types.length > 1) throw this.error(member.span.start, `${where}: a union of a type and its literals is not supported`);
    const constraints = this.constraints(where, member.span.start, this.tagsBefore(member.span.start, previousEnd));
    if (constraints && !types.every((t) => t.kind === 'string')) throw this.error(member.span.start, `${where}: @${Object.keys(constraints)[0]} applies to string fields only`);
    return { name, doc: this.docBefore(member.span.start, previousEnd), types, nullable, ...(constraints ? { constraints } : {}) };
  }

  /** The string constraints among `tags`; a malformed value throws. Other tags (`@default`, `@jsii`...) are not the reader's. */
  private constraints(where: string, at: number, tags: [string, string][]): StringConstraints | undefined {
    const found: { -readonly [K in keyof StringConstraints]: StringConstraints[K] } = {};
    for (const [tag, value] of tags) {
      if (tag === 'format') {
        if (value !== 'date-time') throw this.error(at, `${where}: @format ${value} is not supported (date-time is)`);
        found.format = value;
      } else if (tag === 'pattern') {
        try {
          new RegExp(value, 'u');
        } catch (error) {
          throw this.error(at, `${where}: @pattern ${value} is not a regular expression (${(error as Error).message})`);
        }
        found.pattern = value;
      } else if (tag === 'minLength' || tag === 'maxLength') {
        if (!/^\d+$/.test(value)) throw this.error(at, `${where}: @${tag} must be a whole number, not ${JSON.stringify(value)}`);
        found[tag] = Number(value);
      }
    }
    return Object.keys(found).length > 0 ? found : undefined;
  }

  private fieldType(where: string, type: TsType): FieldType {
    if (type.type === 'TsKeywordType' && (type.kind === 'string' || type.kind === 'number' || type.kind === 'boolean')) return { kind: type.kind };
    if (type.type === 'TsLiteralType' && (type.literal.type === 'StringLiteral' || type.literal.type === 'NumericLiteral' || type.literal.type === 'BooleanLiteral')) {
      return { kind: 'literal', value: type.literal.value };
    }
    throw this.error(type.span.start, `${where}: the type \`${this.text(type.span.start, type.span.end)}\` is not supported (string, number, boolean, literals, and their union with null are)`);
  }

  /** The first paragraph of the doc comment (`/** ... *\/`) that ends right before `to` (after `from`). */
  public docBefore(to: number, from: number): string | undefined {
    const between = this.text(from, to).trimEnd();
    const start = between.lastIndexOf('/**');
    if (!between.endsWith('*/') || start === -1) return undefined;
    const lines = between.slice(start + 3, -2).split('\n').map((l) => l.replace(/^\s*\*?\s?/, '').trim());
    const end = lines.findIndex((l, i) => l.startsWith('@') || (l === '' && lines.slice(0, i).some((p) => p !== '')));
    const text = (end === -1 ? lines : lines.slice(0, end)).join(' ').replace(/\s+/g, ' ').trim();
    return text === '' ? undefined : text;
  }

  /** The `@tag value` lines of the doc comment that ends right before `to` (after `from`). */
  private tagsBefore(to: number, from: number): [string, string][] {
    const between = this.text(from, to).trimEnd();
    const start = between.lastIndexOf('/**');
    if (!between.endsWith('*/') || start === -1) return [];
    return between.slice(start + 3, -2).split('\n')
      .map((l) => /^\s*\*?\s*@(\w+)(?:\s+(.*?))?\s*$/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1], m[2] ?? '']);
  }

  private text(start: number, end: number): string {
    return this.bytes.subarray(start - 1, end - 1).toString('utf8');
  }

  /** Guards the offset arithmetic: the span of a name must hold that name. */
  private expectText(span: { start: number; end: number }, expected: string): void {
    const found = this.text(span.start, span.end);
    if (found !== expected) throw new Error(`${this.file}: the parser's positions are off (expected ${expected}, found ${JSON.stringify(found)})`);
  }
}

function unionMembers(type: TsType): TsType[] {
  if (type.type === 'TsParenthesizedType') return unionMembers(type.typeAnnotation);
  if (type.type === 'TsUnionType') return type.types.flatMap(unionMembers);
  return [type];
}
