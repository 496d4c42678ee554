/**
 * The dependency directions of docs/design.md, read from the import statements of every source
 * file, and the package's public surface, read from its entry point.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import * as publicApi from '../../lib';

const ROOT = join(__dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
    .map((file) => join(dir, file));
}

/** Every module specifier a file imports or re-exports (type-only imports included). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+'([^']+)'|require\('([^']+)'\)/gm)].map((m) => m[1] ?? m[2]);
}

function offenders(files: string[], forbidden: (specifier: string) => boolean): string[] {
  return files.flatMap((file) => importsOf(file).filter(forbidden).map((specifier) => `${file} imports ${specifier}`));
}

const CDK = (s: string) => s === 'aws-cdk-lib' || s.startsWith('aws-cdk-lib/') || s === 'constructs';

test('the sources are where this test looks for them', () => {
  expect(sources('lambda').length).toBeGreaterThan(10);
  expect(sources('lib')).toEqual(expect.arrayContaining(['lib/events.ts', 'lib/metrics.ts', 'lib/internal/rules.ts']));
  expect(importsOf('lib/security-ir-case-watcher.ts')).toEqual(expect.arrayContaining(['aws-cdk-lib', 'constructs', './events']));
});

test('the event and metric contracts and the internal shared modules import nothing', () => {
  for (const file of ['lib/events.ts', 'lib/metrics.ts', ...sources('lib/internal')]) {
    expect([file, importsOf(file)]).toEqual([file, []]);
  }
});

/** The repository path a relative specifier of `file` names (`lambda/notifier/x.ts` importing `../retry` -> `lambda/retry`). */
function resolved(file: string, specifier: string): string {
  return normalize(join(dirname(file), specifier));
}

test('the handlers never import aws-cdk-lib, constructs, the construct, the stand-ins or the tests', () => {
  const sharedWithHandler = new Set([
    'lib/events', 'lib/metrics', 'lib/internal/handler-environment', 'lib/internal/rules', 'lib/internal/security-ir-events',
    'lib/private/notifications/notifier-environment', 'lib/private/notifications/rules',
  ]);
  const outside = (file: string) => (s: string) => s.startsWith('.') && !resolved(file, s).startsWith('lambda/') && !sharedWithHandler.has(resolved(file, s));
  const files = sources('lambda');
  expect(files).toEqual(expect.arrayContaining(['lambda/notifier/index.ts']));
  expect(files.flatMap((file) => importsOf(file).filter((s) => CDK(s) || outside(file)(s)).map((s) => `${file} imports ${s}`))).toEqual([]);
});

test('the notifier shares with the watcher\'s handler only its retry loop, clock, endpoints, configuration checks and log lines', () => {
  const shared = new Set(['lambda/retry', 'lambda/clock', 'lambda/endpoints', 'lambda/strings', 'lambda/config', 'lambda/telemetry']);
  const notifier = sources('lambda/notifier');
  const reached = notifier.flatMap((file) => importsOf(file).filter((s) => s.startsWith('.')).map((s) => resolved(file, s)))
    .filter((target) => target.startsWith('lambda/') && !target.startsWith('lambda/notifier/'));
  expect(reached.filter((target) => !shared.has(target))).toEqual([]);
  expect(offenders(sources('lambda').filter((f) => !f.startsWith('lambda/notifier/')), (s) => s.includes('notifier'))).toEqual([]);
});

test('the private notification modules shared with the notifier import nothing', () => {
  for (const file of ['lib/private/notifications/notifier-environment.ts', 'lib/private/notifications/rules.ts']) {
    expect([file, importsOf(file)]).toEqual([file, []]);
  }
});

test('change detection does no I/O: it and the modules it imports import only hashing, the event contract and each other', () => {
  const valueImports = (file: string) => [...readFileSync(join(ROOT, file), 'utf8').matchAll(/^import (?!type )[^;]*?from '([^']+)'/gm)].map((m) => m[1]);
  const reached = new Set(['lambda/change-detection.ts']);
  for (const file of reached) {
    for (const specifier of valueImports(file).filter((s) => s.startsWith('./'))) reached.add(`${resolved(file, specifier)}.ts`);
  }
  expect([...reached].sort()).toEqual(['lambda/change-detection.ts', 'lambda/staleness.ts', 'lambda/waiting-period.ts']);
  const outside = [...reached].flatMap((file) => valueImports(file).filter((s) => !s.startsWith('./') && s !== 'crypto' && s !== '../lib/events'));
  expect(outside).toEqual([]);
});

test('the library, the handler and the stand-ins never import test support', () => {
  const files = [...sources('lib'), ...sources('lambda'), ...sources('local-aws'), ...sources('scripts'), ...sources('bench')];
  expect(offenders(files, (s) => /(^|\/)test(\/|$)/.test(s))).toEqual([]);
  expect(offenders([...sources('lib'), ...sources('lambda')], (s) => s.includes('local-aws'))).toEqual([]);
});

test('the schema generator reads the event contract as text: it imports only Node.js, the parser and its own modules', () => {
  const files = sources('scripts/event-schemas');
  expect(files.length).toBeGreaterThanOrEqual(3);
  expect(offenders(files, (s) => !s.startsWith('node:') && s !== '@swc/core' && !s.startsWith('./'))).toEqual([]);
});

test('the package entry point exports the construct and the public contracts only', () => {
  expect(Object.keys(publicApi).sort()).toEqual([
    'CASE_AWAITING_CUSTOMER_DETAIL_TYPE',
    'CASE_CREATED_DETAIL_TYPE',
    'CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE',
    'CASE_STATUS_CHANGED_DETAIL_TYPE',
    'CASE_WATCHER_DETAIL_TYPES',
    'CaseWatcherEvents',
    'CaseWatcherMetrics',
    'DEFAULT_EVENT_SOURCE',
    'EVENT_SCHEMA_VERSION',
    'METRIC_NAMESPACE',
    'METRIC_SERVICE_DIMENSION',
    'MetricName',
    'PagerDutySeverity',
    'SecurityIrCaseNotifications',
    'SecurityIrCaseWatcher',
    'SecurityIrEventForwarder',
  ]);
  expect(relative(ROOT, require.resolve('../../lib'))).toBe(join('lib', 'index.ts'));
});

test('the top of lib/ holds exactly what lib/index.ts exports; the rest is under lib/private/ and lib/internal/', () => {
  const top = readdirSync(join(ROOT, 'lib'), { withFileTypes: true });
  const exported = importsOf('lib/index.ts').map((s) => `${s.replace(/^\.\//, '')}.ts`);
  expect(top.filter((e) => e.isFile()).map((e) => e.name).sort()).toEqual(['index.ts', ...exported].sort());
  expect(top.filter((e) => e.isDirectory()).map((e) => e.name).sort()).toEqual(['internal', 'private']);
  // Private parts are the construct's: the handler's shared modules never import them.
  expect(offenders([...sources('lib/internal'), 'lib/events.ts', 'lib/metrics.ts'], (s) => s.includes('private'))).toEqual([]);
});
