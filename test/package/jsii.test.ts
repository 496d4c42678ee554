/**
 * The library is compiled with jsii (`npm run compile`), so the package carries the `.jsii` assembly
 * that Construct Hub reads and that bindings for other languages could later be generated from: no
 * union types, no generics beyond Array/Record/Promise, readonly structs. The global setup compiles
 * when the assembly is older than its inputs (test/support/library-build.ts), failing the run with
 * jsii's diagnostics; this file reads that assembly, the one the package test packs, and checks that
 * API.md is what jsii-docgen makes of it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ASSEMBLY_PATH } from '../support/library-build';
import { CaseWatcherMetrics, METRIC_NAMESPACE, METRIC_SERVICE_DIMENSION, MetricName } from '../../lib/metrics';

const REPO_ROOT = join(__dirname, '..', '..');
const PACKAGE_NAME = 'cdk-security-ir-case-watcher';

interface JsiiType {
  kind: string;
  fqn: string;
  properties?: { name: string; static?: boolean; immutable?: boolean }[];
  methods?: { name: string }[];
}

interface Assembly {
  name: string;
  version: string;
  jsiiVersion: string;
  description: string;
  license: string;
  homepage: string;
  author: { name: string; roles: string[] };
  repository: { type: string; url: string };
  keywords: string[];
  docs?: { stability?: string };
  readme?: { markdown: string };
  targets: Record<string, unknown>;
  dependencies: Record<string, string>;
  types: Record<string, JsiiType>;
}

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
const assembly: Assembly = JSON.parse(readFileSync(ASSEMBLY_PATH, 'utf8'));
const { types } = assembly;

test('the build compiles the library with jsii, failing on any jsii warning', () => {
  // One warning silenced, by name: jsii's advice to develop against the peer range's floor. The
  // repository builds against the newest aws-cdk-lib instead, and the package test installs the floor.
  expect(pkg.scripts.compile).toBe('jsii --fail-on-warnings --silence-warnings=metadata/missing-dev-dependency');
  expect(pkg.scripts.build).toContain('npm run compile');
  // jsii writes the JavaScript and declarations where `main` and `types` point, and the assembly.
  expect(pkg.jsii.tsconfig).toBe('tsconfig.lib.json');
  expect(JSON.parse(readFileSync(join(REPO_ROOT, 'tsconfig.lib.json'), 'utf8')).compilerOptions.outDir).toBe('dist/lib');
  expect([pkg.main, pkg.types]).toEqual(['dist/lib/index.js', 'dist/lib/index.d.ts']);
  expect(assembly.jsiiVersion.split(' ')[0]).toBe(pkg.devDependencies.jsii);
});

test('the assembly describes the package as package.json does, for Construct Hub', () => {
  expect(assembly).toMatchObject({
    name: PACKAGE_NAME,
    version: pkg.version,
    description: pkg.description,
    license: 'Apache-2.0',
    homepage: pkg.homepage,
    repository: { type: 'git', url: pkg.repository.url },
    author: { name: pkg.author.name, roles: ['author'] },
    docs: { stability: 'experimental' },
  });
  // Construct Hub lists jsii packages with one of its keywords; `awscdk` is the AWS CDK's.
  expect(assembly.keywords).toContain('awscdk');
  expect(assembly.readme?.markdown).toBe(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8'));
  // Published for JavaScript/TypeScript only: a target for another language would have Construct
  // Hub show install instructions for a package that no registry holds.
  expect(assembly.targets).toEqual({ js: { npm: PACKAGE_NAME } });
  expect(Object.keys(assembly.dependencies).sort()).toEqual(['aws-cdk-lib', 'constructs']);
  // The supported range as Construct Hub shows it: the peer ranges, from the floor the package test installs.
  expect(assembly.dependencies).toEqual(pkg.peerDependencies);
});

test('the construct, its props and the rule options are in the assembly', () => {
  const fqn = (name: string) => `${PACKAGE_NAME}.${name}`;
  expect(types[fqn('SecurityIrCaseWatcher')]?.kind).toBe('class');
  expect(types[fqn('SecurityIrCaseWatcherProps')]?.kind).toBe('interface');
  expect(types[fqn('CaseEventRuleOptions')]?.kind).toBe('interface');
  const methods = types[fqn('SecurityIrCaseWatcher')].methods!.map((m) => m.name);
  expect(methods).toEqual(expect.arrayContaining(['onCaseCreated', 'onCaseStatusChanged', 'onPendingActionChanged', 'metricPollSucceeded']));
  // Structs must be read-only for jsii's value semantics.
  expect(types[fqn('SecurityIrCaseWatcherProps')].properties!.every((p) => p.immutable)).toBe(true);
});

test('the detail-types and default source reach other languages as static constants', () => {
  const statics = types[`${PACKAGE_NAME}.CaseWatcherEvents`]?.properties?.filter((p) => p.static).map((p) => p.name);
  expect(statics?.sort()).toEqual(['CASE_CREATED_DETAIL_TYPE', 'CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE', 'CASE_STATUS_CHANGED_DETAIL_TYPE', 'DEFAULT_EVENT_SOURCE']);
});

test('the metric namespace, dimension and every metric name reach other languages as static constants, with the handler\'s values', () => {
  const statics = types[`${PACKAGE_NAME}.CaseWatcherMetrics`]?.properties?.filter((p) => p.static && p.immutable).map((p) => p.name) ?? [];
  const values = Object.fromEntries(statics.map((name) => [name, (CaseWatcherMetrics as unknown as Record<string, unknown>)[name]]));
  expect(values).toEqual({
    NAMESPACE: METRIC_NAMESPACE,
    SERVICE_DIMENSION: METRIC_SERVICE_DIMENSION,
    ...Object.fromEntries(Object.entries(MetricName).map(([key, name]) => [key, name])),
  });
});

/** 'up to date', or the first line where the committed API.md differs from a fresh one. */
function staleness(committed: string, fresh: string): string {
  if (committed === fresh) return 'up to date';
  const [was, is] = [committed.split('\n'), fresh.split('\n')];
  const line = was.findIndex((text, i) => text !== is[i]);
  const at = line === -1 ? was.length : line;
  return `API.md is stale from line ${at + 1}: ${JSON.stringify(was[at] ?? '<end>')} where jsii-docgen now writes ${JSON.stringify(is[at] ?? '<end>')}; run npm run docgen`;
}

test('API.md is what jsii-docgen makes of the current assembly (else: npm run docgen)', () => {
  expect(pkg.scripts.docgen).toBe('jsii-docgen --output API.md');
  const dir = mkdtempSync(join(tmpdir(), 'case-watcher-docgen-'));
  try {
    const output = join(dir, 'API.md');
    // The docgen script's command with another output file; it reads ./.jsii and the dependencies' assemblies.
    const run = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules', 'jsii-docgen', 'bin', 'jsii-docgen'), '--output', output], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(`${run.stdout}${run.stderr}`.trim()).toBe('');
    expect(run.status).toBe(0);
    const fresh = readFileSync(output, 'utf8');
    expect(fresh).toContain('### SecurityIrCaseWatcher');
    expect(staleness(readFileSync(join(REPO_ROOT, 'API.md'), 'utf8'), fresh)).toBe('up to date');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
