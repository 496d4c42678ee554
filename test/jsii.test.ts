/**
 * The construct's public API compiles with jsii, so the library can later be published for Python,
 * Java and .NET: no union types, no generics beyond Array/Record/Promise, readonly structs. jsii runs
 * on a copy of `lib/` in a temporary folder (it writes its own tsconfig.json and assembly there).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const REPO_ROOT = join(__dirname, '..');

interface JsiiType {
  kind: string;
  fqn: string;
  properties?: { name: string; static?: boolean; immutable?: boolean }[];
  methods?: { name: string }[];
}

let dir: string;
let jsii: { status: number | null; output: string };
let types: Record<string, JsiiType>;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'case-watcher-jsii-'));
  cpSync(join(REPO_ROOT, 'lib'), join(dir, 'lib'), { recursive: true, filter: (path) => !/\.(js|d\.ts)$/.test(path) });
  cpSync(join(REPO_ROOT, 'README.md'), join(dir, 'README.md'));
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({
    name: pkg.name,
    version: pkg.version,
    description: pkg.description,
    license: pkg.license,
    // jsii requires both; they only label the assembly.
    author: { name: 'cdk-security-ir-case-watcher authors', organization: false },
    repository: { type: 'git', url: 'https://example.com/cdk-security-ir-case-watcher.git' },
    main: 'lib/index.js',
    types: 'lib/index.d.ts',
    peerDependencies: pkg.peerDependencies,
    devDependencies: { 'aws-cdk-lib': pkg.devDependencies['aws-cdk-lib'], 'constructs': pkg.devDependencies.constructs },
    jsii: { outdir: 'dist', targets: {}, tsc: { outDir: 'lib', rootDir: 'lib' } },
  }, null, 2));
  const run = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules', 'jsii', 'bin', 'jsii'), '--fail-on-warnings'], { cwd: dir, encoding: 'utf8', timeout: 110_000 });
  jsii = { status: run.status, output: `${run.stdout}${run.stderr}` };
  types = jsii.status === 0 ? JSON.parse(readFileSync(join(dir, '.jsii'), 'utf8')).types : {};
}, 120_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('jsii compiles the library without an error or a warning', () => {
  expect(jsii.output).not.toMatch(/error JSII|error TS|warning JSII/);
  expect(jsii.status).toBe(0);
});

test('the construct, its props and the rule options are in the assembly', () => {
  const fqn = (name: string) => `cdk-security-ir-case-watcher.${name}`;
  expect(types[fqn('SecurityIrCaseWatcher')]?.kind).toBe('class');
  expect(types[fqn('SecurityIrCaseWatcherProps')]?.kind).toBe('interface');
  expect(types[fqn('CaseEventRuleOptions')]?.kind).toBe('interface');
  const methods = types[fqn('SecurityIrCaseWatcher')].methods!.map((m) => m.name);
  expect(methods).toEqual(expect.arrayContaining(['onCaseCreated', 'onCaseStatusChanged', 'onPendingActionChanged', 'metricPollSucceeded']));
  // Structs must be read-only for jsii's value semantics.
  expect(types[fqn('SecurityIrCaseWatcherProps')].properties!.every((p) => p.immutable)).toBe(true);
});

test('the detail-types and default source reach other languages as static constants', () => {
  const statics = types['cdk-security-ir-case-watcher.CaseWatcherEvents']?.properties?.filter((p) => p.static).map((p) => p.name);
  expect(statics?.sort()).toEqual(['CASE_CREATED_DETAIL_TYPE', 'CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE', 'CASE_STATUS_CHANGED_DETAIL_TYPE', 'DEFAULT_EVENT_SOURCE']);
});
