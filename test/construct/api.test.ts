/**
 * The construct's public API as the contract (section 3) shapes it, read from the source where it is
 * written: every prop optional, read-only and documented with a `@default`; the public members and
 * the `on*()` / `metric*()` helpers' signatures. (That jsii compiles it: test/package/jsii.test.ts.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const LIB = join(__dirname, '..', '..', 'lib');
const SOURCE = readFileSync(join(LIB, 'security-ir-case-watcher.ts'), 'utf8');
/** Where each public struct is declared. */
const INTERFACE_FILES: Record<string, string> = {
  SecurityIrCaseWatcherProps: 'security-ir-case-watcher-props.ts',
  CaseEventRuleOptions: 'case-event-rule-options.ts',
  AwaitingCustomerRuleOptions: 'case-event-rule-options.ts',
};

interface Member {
  readonly name: string;
  readonly doc: string | undefined;
  readonly readonly: boolean;
  readonly optional: boolean;
}

/** The members of `export interface <name>`, each with the doc comment right above it. */
function interfaceMembers(name: string): Member[] {
  const file = INTERFACE_FILES[name];
  const body = new RegExp(`export interface ${name}\\b[^{]*\\{([\\s\\S]*?)\\n\\}`).exec(readFileSync(join(LIB, file), 'utf8'))?.[1];
  if (body === undefined) throw new Error(`interface ${name} not found in lib/${file}`);
  const members = [...body.matchAll(/(?:\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*)?^ {2}(readonly )?(\w+)(\??): [^;]+;/gm)];
  const declared = (body.match(/^ {2}(?:readonly )?\w+\??: /gm) ?? []).length;
  if (members.length !== declared) throw new Error(`${name}: read ${members.length} of its ${declared} members`);
  return members.map((m) => ({ doc: m[1], readonly: m[2] !== undefined, name: m[3], optional: m[4] === '?' }));
}

describe.each(['SecurityIrCaseWatcherProps', 'CaseEventRuleOptions', 'AwaitingCustomerRuleOptions'])('%s', (name) => {
  const members = interfaceMembers(name);

  test('has members, every one read', () => {
    expect(members.length).toBeGreaterThan(0);
  });

  test('every member is optional and read-only, with a doc comment and a @default', () => {
    const problems = members.flatMap((m) => [
      ...(m.optional ? [] : [`${m.name} is required`]),
      ...(m.readonly ? [] : [`${m.name} is not readonly`]),
      ...(m.doc === undefined ? [`${m.name} has no doc comment`] : []),
      ...(m.doc !== undefined && !/@default\s+\S/.test(m.doc) ? [`${m.name} has no @default`] : []),
    ]);
    expect(problems).toEqual([]);
  });
});

test('one way per job: the rule options add only detail filters, the inherited crossStackScope is the one scope option', () => {
  expect(interfaceMembers('CaseEventRuleOptions').map((m) => m.name)).toEqual(['caseStatus', 'pendingAction']);
  expect(interfaceMembers('AwaitingCustomerRuleOptions').map((m) => m.name)).toEqual(['minMinutes']);
});

describe('SecurityIrCaseWatcher', () => {
  const properties = [...SOURCE.matchAll(/^ {2}public (readonly )?(\w+)\??: [^;]+;/gm)];
  const methods = [...SOURCE.matchAll(/^ {2}public (\w+)\(([^)]*)\): ([^{]+?) \{/gm)];

  test('the contract\'s public members are there, read-only', () => {
    const names = properties.filter((p) => p[1] !== undefined).map((p) => p[2]);
    expect(names).toEqual(expect.arrayContaining([
      'function', 'table', 'schedule', 'fastPathRule', 'deadLetterQueue', 'logGroup', 'eventBus', 'eventSource', 'failedRunsAlarm', 'stalenessAlarm',
    ]));
    expect(properties.filter((p) => p[1] === undefined).map((p) => p[2])).toEqual([]);
  });

  test('on*() helpers return events.Rule and take CaseEventRuleOptions; metric*() return cloudwatch.Metric', () => {
    const helpers = methods.filter((m) => m[1].startsWith('on'));
    expect(helpers.map((m) => m[1])).toEqual(expect.arrayContaining(['onCaseCreated', 'onCaseStatusChanged', 'onPendingActionChanged', 'onAwaitingCustomer']));
    for (const [, name, params, returns] of helpers) {
      expect({ name, returns, params }).toEqual({ name, returns: 'events.Rule', params: expect.stringMatching(/^id: string, options: (CaseEventRuleOptions|AwaitingCustomerRuleOptions) = \{\}$/) });
    }
    const metrics = methods.filter((m) => m[1].startsWith('metric'));
    expect(metrics.length).toBeGreaterThan(0);
    for (const [, name, , returns] of metrics) expect({ name, returns }).toEqual({ name, returns: 'cloudwatch.Metric' });
  });
});
