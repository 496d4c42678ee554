/**
 * The Security IR client's response parsing: strict about shapes, open about enum values. A body
 * that does not have the documented shape throws `ShapeError` (the client turns it into a
 * `MalformedResponse` error, never into an empty page); a listing item that is not a case (its
 * `caseId` is no Security IR case ID, a member has the wrong type) costs that item only: it is
 * skipped and reported with the page. Strings are cut at 300 characters (the service's own limit
 * for a title), so no answer can make an event too large for EventBridge.
 */
import { CASE_ID_PATTERN } from './case-identity';
import type { SecurityIrCase } from './security-ir-case';
import { echoed, truncated } from './strings';

/** The most characters of a string member kept: the service's limit for a title. */
export const MAX_STRING_MEMBER_CHARACTERS = 300;

/** A listing item that is not a case, skipped. */
export interface SkippedItem {
  /** Its `caseId`, cut to a few hundred characters; null when it had none. */
  readonly caseId: string | null;
  readonly reason: string;
}

export interface ListCasesPage {
  items: SecurityIrCase[];
  /** The items of the page that are not cases. */
  skipped?: SkippedItem[];
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
  const items: SecurityIrCase[] = [];
  const skipped: SkippedItem[] = [];
  // The model makes `items` optional: absent means an empty page.
  for (const item of optionalList(object, 'items', 'body', (value) => value) ?? []) {
    const parsed = parseListItem(item);
    if ('reason' in parsed) {
      skipped.push(parsed);
    } else {
      items.push(parsed);
    }
  }
  return definedMembers({
    items,
    skipped: skipped.length > 0 ? skipped : undefined,
    nextToken: optionalString(object, 'nextToken', 'body'),
    total: optionalNumber(object, 'total', 'body'),
  });
}

function parseListItem(value: unknown): SecurityIrCase | SkippedItem {
  const item = value !== null && typeof value === 'object' && !Array.isArray(value) ? value as JsonObject : undefined;
  const caseId = item?.caseId;
  if (typeof caseId !== 'string' || !CASE_ID_PATTERN.test(caseId)) {
    return { caseId: typeof caseId === 'string' ? echoed(caseId) : null, reason: 'not a Security IR case ID' };
  }
  try {
    return { caseId, ...caseMembers(item!, 'item') };
  } catch (error) {
    if (error instanceof ShapeError) {
      return { caseId, reason: error.message };
    }
    throw error;
  }
}

const CASE_STRINGS = ['caseArn', 'title', 'caseStatus', 'pendingAction', 'engagementType', 'resolverType'] as const;
const CASE_DATES = ['createdDate', 'lastUpdatedDate', 'closedDate'] as const;

/** A `GetCase` answer: the members of a listing item (the others are not read), `caseId` from the request. */
export function parseCaseAnswer(caseId: string, body: unknown): SecurityIrCase {
  return { caseId, ...caseMembers(expectObject(body, 'body'), 'body') };
}

function caseMembers(object: JsonObject, where: string): Omit<SecurityIrCase, 'caseId'> {
  return definedMembers({
    ...pick(object, CASE_STRINGS, where, boundedString),
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

function boundedString(object: JsonObject, key: string, where: string): string | undefined {
  const value = optionalString(object, key, where);
  return value === undefined ? undefined : truncated(value, MAX_STRING_MEMBER_CHARACTERS);
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
