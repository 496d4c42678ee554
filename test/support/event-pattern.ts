/**
 * A small EventBridge event pattern matcher, for the operators the watcher's rules use: exact values
 * listed in arrays, nested objects, `prefix`, `anything-but` (values or a prefix), `numeric` and `exists`.
 * Any other operator throws, so a pattern it cannot judge never passes silently.
 *
 * Semantics (as EventBridge documents them):
 * - every field of the pattern must match (AND); the values listed for one field are alternatives (OR);
 * - a field missing from the event matches nothing but `{ "exists": false }`;
 * - when the event's value is an array, the field matches if any element matches;
 * - matching is exact and typed: `"5"` is not `5`, `null` matches only `null`.
 */

type JsonObject = { readonly [key: string]: unknown };

/** Whether `event` (an EventBridge event, `detail-type` spelt as on the wire) matches `pattern`. */
export function matchesEventPattern(pattern: unknown, event: unknown): boolean {
  if (!isObject(pattern)) {
    throw new Error('an event pattern must be a JSON object');
  }
  return matchObject(pattern, event, '');
}

function matchObject(pattern: JsonObject, value: unknown, path: string): boolean {
  return Object.entries(pattern).every(([key, condition]) => {
    const fieldPath = path === '' ? key : `${path}.${key}`;
    const present = isObject(value) && Object.prototype.hasOwnProperty.call(value, key);
    const fieldValue = present ? (value as JsonObject)[key] : undefined;
    if (Array.isArray(condition)) {
      return matchField(condition, present, fieldValue, fieldPath);
    }
    if (isObject(condition)) {
      const objects = Array.isArray(fieldValue) ? fieldValue : [fieldValue];
      return present && objects.some((element) => isObject(element) && matchObject(condition, element, fieldPath));
    }
    throw new Error(`pattern field "${fieldPath}" must be an array of conditions or a nested object`);
  });
}

function matchField(conditions: readonly unknown[], present: boolean, value: unknown, path: string): boolean {
  const candidates = Array.isArray(value) ? value : [value];
  return conditions.some((condition) => {
    if (isObject(condition)) {
      const [operator, ...others] = Object.keys(condition);
      if (operator === undefined || others.length > 0) {
        throw new Error(`pattern field "${path}": an operator object needs exactly one key`);
      }
      if (operator === 'exists') {
        return condition.exists === present;
      }
      return present && candidates.some((candidate) => matchOperator(operator, condition[operator], candidate, path));
    }
    return present && candidates.some((candidate) => candidate === condition);
  });
}

function matchOperator(operator: string, argument: unknown, value: unknown, path: string): boolean {
  switch (operator) {
    case 'prefix':
      return typeof value === 'string' && value.startsWith(stringArgument(argument, path, operator));
    case 'anything-but':
      if (Array.isArray(argument)) {
        return !argument.includes(value);
      }
      if (isObject(argument)) {
        if (Object.keys(argument).length !== 1 || !('prefix' in argument)) {
          throw new Error(`pattern field "${path}": only { "anything-but": { "prefix": ... } } is supported`);
        }
        return typeof value === 'string' && !value.startsWith(stringArgument(argument.prefix, path, 'anything-but prefix'));
      }
      return value !== argument;
    case 'numeric':
      return typeof value === 'number' && numericPairs(argument, path).every(([op, bound]) => NUMERIC[op](value, bound));
    default:
      throw new Error(`pattern field "${path}": operator "${operator}" is not supported by this matcher`);
  }
}

const NUMERIC: Record<string, (value: number, bound: number) => boolean> = {
  '<': (v, b) => v < b, '<=': (v, b) => v <= b, '=': (v, b) => v === b, '>=': (v, b) => v >= b, '>': (v, b) => v > b,
};

/** `["<", 10, ">=", 2]` as `[["<", 10], [">=", 2]]`; anything else throws, naming the field. */
function numericPairs(argument: unknown, path: string): Array<[string, number]> {
  if (!Array.isArray(argument) || argument.length === 0 || argument.length % 2 !== 0) {
    throw new Error(`pattern field "${path}": "numeric" takes operator and number pairs`);
  }
  const pairs: Array<[string, number]> = [];
  for (let i = 0; i < argument.length; i += 2) {
    const [op, bound] = [argument[i], argument[i + 1]];
    if (typeof op !== 'string' || !(op in NUMERIC) || typeof bound !== 'number') {
      throw new Error(`pattern field "${path}": "numeric" takes operator and number pairs, got ${JSON.stringify(argument)}`);
    }
    pairs.push([op, bound]);
  }
  return pairs;
}

function stringArgument(argument: unknown, path: string, operator: string): string {
  if (typeof argument !== 'string') {
    throw new Error(`pattern field "${path}": "${operator}" takes a string`);
  }
  return argument;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
