/**
 * The Security IR client's response parsing: strict about shapes, open about enum values. A body
 * that does not have the documented shape throws `ShapeError` (the client turns it into a
 * `MalformedResponse` error, never into an empty page).
 */
import type { SecurityIrCase } from './security-ir-case';

export interface ListCasesPage {
  items: SecurityIrCase[];
  nextToken?: string;
  total?: number;
}

/** A response body that does not have the documented shape. */
export class ShapeError extends Error {}

type JsonObject = Record<string, unknown>;

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ShapeError(`body is not JSON (${text.length} characters)`);
  }
}

export function parseListCasesPage(body: unknown): ListCasesPage {
  const object = expectObject(body, 'body');
  const items = optionalList(object, 'items', 'body', (item, where) => parseCase(expectObject(item, where), where));
  return definedMembers({
    items: items ?? [], // the model makes `items` optional: absent means an empty page
    nextToken: optionalString(object, 'nextToken', 'body'),
    total: optionalNumber(object, 'total', 'body'),
  });
}

const CASE_STRINGS = ['caseArn', 'title', 'caseStatus', 'pendingAction', 'engagementType', 'resolverType'] as const;
const CASE_DATES = ['createdDate', 'lastUpdatedDate', 'closedDate'] as const;

function parseCase(item: JsonObject, where: string): SecurityIrCase {
  const caseId = optionalString(item, 'caseId', where);
  if (!caseId) {
    throw new ShapeError(`${where} has no caseId`);
  }
  return { caseId, ...caseMembers(item, where) };
}

/** A `GetCase` answer: the members of a listing item (the others are not read), `caseId` from the request. */
export function parseCaseAnswer(caseId: string, body: unknown): SecurityIrCase {
  return { caseId, ...caseMembers(expectObject(body, 'body'), 'body') };
}

function caseMembers(object: JsonObject, where: string): Omit<SecurityIrCase, 'caseId'> {
  return definedMembers({
    ...pick(object, CASE_STRINGS, where, optionalString),
    ...pick(object, CASE_DATES, where, optionalDate),
  });
}

function pick<K extends string, V>(
  object: JsonObject, keys: readonly K[], where: string, read: (object: JsonObject, key: string, where: string) => V,
): Record<K, V> {
  return Object.fromEntries(keys.map((key) => [key, read(object, key, where)])) as Record<K, V>;
}

function expectObject(value: unknown, where: string): JsonObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ShapeError(`${where} is not a JSON object`);
  }
  return value as JsonObject;
}

function expectString(value: unknown, where: string): string {
  if (typeof value !== 'string') {
    throw new ShapeError(`${where} is not a string`);
  }
  return value;
}

/** `null` counts as absent, as it does for the SDKs' JSON deserialisers. */
function member(object: JsonObject, key: string): unknown {
  const value = object[key];
  return value === null ? undefined : value;
}

function optionalString(object: JsonObject, key: string, where: string): string | undefined {
  const value = member(object, key);
  return value === undefined ? undefined : expectString(value, `${where}.${key}`);
}

function optionalNumber(object: JsonObject, key: string, where: string): number | undefined {
  const value = member(object, key);
  if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) {
    throw new ShapeError(`${where}.${key} is not a number`);
  }
  return value;
}

/** Epoch seconds, possibly fractional, to a `Date` (rounded to the millisecond). */
function optionalDate(object: JsonObject, key: string, where: string): Date | undefined {
  const seconds = optionalNumber(object, key, where);
  return seconds === undefined ? undefined : new Date(Math.round(seconds * 1000));
}

function optionalList<T>(object: JsonObject, key: string, where: string, read: (item: unknown, where: string) => T): T[] | undefined {
  const value = member(object, key);
  if (value === undefined) {
    return undefined;
  }
  if (!Array.isArray(value)) {
    throw new ShapeError(`${where}.${key} is not an array`);
  }
  return value.map((item, index) => read(item, `${where}.${key}[${index}]`));
}

/** The object without its undefined members, so absent fields stay absent (not present-but-undefined). */
export function definedMembers<T extends object>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as T;
}
