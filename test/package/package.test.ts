/**
 * The npm package as a consumer gets it: `npm pack` of this repository (once per run), installed
 * into two throw-away CDK apps outside the repository, one with the newest peer dependencies (the
 * versions the repository pins) and one with the oldest its peer ranges admit (the floor), then used
 * from plain JavaScript (synthesised, at both), from TypeScript (type-checked against the shipped
 * declarations, at both), as ES module and CommonJS, and by a subscriber's Lambda that bundles only
 * the CDK-free event contract (`cdk-security-ir-case-watcher/events`). The tarball is also unpacked to
 * check that every link of its documents and every reference of its declarations resolves inside it.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE, CASE_STATUS_CHANGED_DETAIL_TYPE, DEFAULT_EVENT_SOURCE } from '../../lib/events';
import { TEST_ACCOUNT_ID, TEST_REGION, localAwsEnv } from '../../local-aws/credentials';
import { startDynalite, startDynamoDbProxy } from '../../local-aws/dynamodb';
import { startEventBridgeSimulator } from '../../local-aws/eventbridge-simulator';
import { ensureBundle } from '../../local-aws/poller-harness';
import { ensureEventSchemas, SCHEMA_INDEX_FILE, SCHEMAS_DIR } from '../../scripts/event-schemas/files';
import { startSecurityIrSimulator } from '../../local-aws/security-ir-simulator';
import { createTemplateTables, LocalFunction, pseudoParameters, readCloudAssembly, resourcesOfType as templateResources, startTemplateFunction } from '../support/cloud-assembly';
import { ensureLibraryCompiled, filesUnder, librarySources } from '../support/library-build';
import { scratchDir } from '../support/scratch-dir';

const REPO_ROOT = join(__dirname, '..', '..');
const PACKAGE_NAME = 'cdk-security-ir-case-watcher';
const REPO_PACKAGE_JSON = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
/** Versions of the peer dependencies a consumer app is given. */
interface PeerVersions {
  readonly awsCdkLib: string;
  readonly constructs: string;
}

/** The oldest version a peer range admits: the `x.y.z` of `^x.y.z`, the only form the package uses. */
function floorOf(peer: string): string {
  const range: string = REPO_PACKAGE_JSON.peerDependencies[peer];
  const floor = /^\^(\d+\.\d+\.\d+)$/.exec(range)?.[1];
  if (floor === undefined) {
    throw new Error(`peerDependencies.${peer} must be a caret range from the oldest supported version (^x.y.z), got ${range}`);
  }
  return floor;
}

/** The newest: the versions the repository pins (and jsii builds against). */
const NEWEST: PeerVersions = {
  awsCdkLib: REPO_PACKAGE_JSON.devDependencies['aws-cdk-lib'],
  constructs: REPO_PACKAGE_JSON.devDependencies.constructs,
};
/**
 * The floor: the oldest the peer ranges admit, fetched from the npm registry (it is in no lockfile).
 * Below aws-cdk-lib 2.269.0, `Validations.of(...).acknowledge` rejects a rule id holding `::` (the
 * cdk-nag findings the watcher acknowledges); below 2.186.0 there is no stable `aws-scheduler`.
 */
const FLOOR: PeerVersions = { awsCdkLib: floorOf('aws-cdk-lib'), constructs: floorOf('constructs') };
const CONSUMERS = [['newest', NEWEST], ['floor', FLOOR]] as const;
type ConsumerName = (typeof CONSUMERS)[number][0];
const AWS_LAMBDA_TYPES_VERSION: string = REPO_PACKAGE_JSON.devDependencies['@types/aws-lambda'];
const CDK_NAG_VERSION: string = REPO_PACKAGE_JSON.devDependencies['cdk-nag'];
/** cdk-nag runs in the newest consumer only: 3.0.2 requires constructs ^10.5.1, above the floor's 10.5.0. */
const NAG_CONSUMER: ConsumerName = 'newest';
const CONSUMER_STACK = 'ConsumerStack';
/** What "a few KB" means for a subscriber's bundle of the event contract (2.2 KB measured). */
const SUBSCRIBER_BUNDLE_MAX_BYTES = 4 * 1024;
/**
 * Every child process here runs synchronously, which also stops jest's own timeout: each gets a
 * limit of its own, so a stalled `npm install` fails the test instead of hanging the suite.
 */
const CHILD_TIMEOUT_MS = 120_000;
const TSC = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

type Output = { stdout: string; stderr: string };

function failure(command: string, args: string[], status: number | string | null, output: Output, error?: Error): Error {
  return new Error(`${command} ${args.join(' ')} exited with ${status}:\n${output.stdout}${output.stderr}${error ?? ''}`);
}

/** Runs a command to completion and returns its output; a non-zero exit throws with both streams. */
function run(command: string, args: string[], cwd: string): Output {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: CHILD_TIMEOUT_MS });
  if (result.status !== 0) throw failure(command, args, result.status ?? result.signal, result, result.error);
  return { stdout: result.stdout, stderr: result.stderr };
}

/** `run`, without blocking: so that the two consumer apps install at the same time. */
function runInBackground(command: string, args: string[], cwd: string): Promise<Output> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, timeout: CHILD_TIMEOUT_MS });
    const output = { stdout: '', stderr: '' };
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { output.stdout += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { output.stderr += chunk; });
    child.on('error', (error) => reject(failure(command, args, null, output, error)));
    child.on('close', (status, signal) => (status === 0 ? resolve(output) : reject(failure(command, args, status ?? signal, output))));
  });
}

/**
 * A plain JavaScript CDK app, as a consumer writes one: the watcher and one `on*()` rule with an SNS
 * target. Given a second argument, it writes there before synth cdk-nag's unacknowledged AwsSolutions
 * findings, as `RuleId @ construct path` (read from the tree: cheaper than a validation plugin's report).
 */
const CONSUMER_APP_JS = `
const { writeFileSync } = require('node:fs');
const { App, Stack } = require('aws-cdk-lib');
const sns = require('aws-cdk-lib/aws-sns');
const targets = require('aws-cdk-lib/aws-events-targets');
const { SecurityIrCaseWatcher } = require('${PACKAGE_NAME}');

const app = new App({ outdir: process.argv[2] });
const stack = new Stack(app, '${CONSUMER_STACK}');
const watcher = new SecurityIrCaseWatcher(stack, 'CaseWatcher');
const onCall = new sns.Topic(stack, 'OnCall');
watcher.onPendingActionChanged('CustomerAction', { pendingAction: ['Customer'], target: new targets.SnsTopic(onCall) });
if (process.argv[3] !== undefined) {
  const { AwsSolutionsChecks } = require('cdk-nag');
  const findings = new AwsSolutionsChecks().validateScope(app).violations
    .flatMap((v) => v.violatingResources.map((r) => v.ruleName + ' @ ' + r.constructPath));
  writeFileSync(process.argv[3], JSON.stringify(findings));
}
app.synth();
`;

/**
 * A CDK app's TypeScript: the construct, the detail types and constants from the package's main
 * entry. The `@ts-expect-error` lines fail the check if the types were missing (`any`) or too loose.
 * The members are typed with the app's own aws-cdk-lib: one that lacked a type the declarations name
 * would fail here, even though the check skips the libraries' own declarations.
 */
const CONSUMER_TS = `
import type { EventBridgeEvent } from 'aws-lambda';
import { App, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import {
  CASE_CREATED_DETAIL_TYPE,
  CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE,
  CASE_STATUS_CHANGED_DETAIL_TYPE,
  CASE_WATCHER_DETAIL_TYPES,
  CaseCreatedDetail,
  CaseEventDetail,
  CasePendingActionChangedDetail,
  CaseStatusChangedDetail,
  DEFAULT_EVENT_SOURCE,
  SecurityIrCaseWatcher,
} from '${PACKAGE_NAME}';

type PendingActionEvent = EventBridgeEvent<typeof CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE, CasePendingActionChangedDetail>;

export function summary(event: PendingActionEvent): string {
  const detail: CaseEventDetail = event.detail;
  const waitsOnCustomer: boolean = detail.pendingAction === 'Customer';
  const closed: string | null = detail.closedDate;
  const version: number = detail.schemaVersion;
  return \`\${event['detail-type']} \${detail.caseId} \${detail.changeId} \${waitsOnCustomer} \${closed} \${version}\`;
}

export const literals: ['security-ir.case-watcher', 'Security IR Case Created', 'Security IR Case Status Changed'] = [
  DEFAULT_EVENT_SOURCE,
  CASE_CREATED_DETAIL_TYPE,
  CASE_STATUS_CHANGED_DETAIL_TYPE,
];
export const detailTypes: readonly string[] = CASE_WATCHER_DETAIL_TYPES;

export function wrongTypes(created: CaseCreatedDetail, changed: CaseStatusChangedDetail): void {
  // @ts-expect-error caseId is a string
  const caseId: number = created.caseId;
  // @ts-expect-error closedDate is null while the case is open
  const closedDate: string = changed.closedDate;
  // @ts-expect-error the detail is read-only
  changed.caseStatus = 'Closed';
  void caseId;
  void closedDate;
}

const stack = new Stack(new App(), 'TypedConsumer');
export const watcher = new SecurityIrCaseWatcher(stack, 'CaseWatcher', { emitCreatedEvents: false, logLevel: lambda.ApplicationLogLevel.DEBUG });
export const schedule: scheduler.Schedule = watcher.schedule;
// @ts-expect-error a schedule is not a table: the members are typed, not any
export const notATable: dynamodb.Table = watcher.schedule;
// @ts-expect-error not a prop of the construct
new SecurityIrCaseWatcher(stack, 'Other', { pollEverySecond: true });
`;

/**
 * A subscriber's Lambda, typed with @types/aws-lambda and the event contract only: the
 * `/events` entry point, which imports nothing, so neither its bundle nor its type-check needs the CDK.
 */
const SUBSCRIBER_TS = `
import type { EventBridgeEvent } from 'aws-lambda';
import {
  CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE,
  CASE_STATUS_CHANGED_DETAIL_TYPE,
  CaseWatcherEvents,
  DEFAULT_EVENT_SOURCE,
  type CasePendingActionChangedDetail,
  type CaseStatusChangedDetail,
} from '${PACKAGE_NAME}/events';

type StatusChanged = EventBridgeEvent<typeof CASE_STATUS_CHANGED_DETAIL_TYPE, CaseStatusChangedDetail>;
type PendingActionChanged = EventBridgeEvent<typeof CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE, CasePendingActionChangedDetail>;

export const handler = async (event: StatusChanged | PendingActionChanged): Promise<string> => {
  if (event.source !== DEFAULT_EVENT_SOURCE) return 'not ours';
  switch (event['detail-type']) {
    case CASE_STATUS_CHANGED_DETAIL_TYPE:
      return \`case \${event.detail.caseId}: \${event.detail.previousCaseStatus} -> \${event.detail.caseStatus}\`;
    case CaseWatcherEvents.CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE:
      return \`case \${event.detail.caseId} waits on \${event.detail.pendingAction}\`;
  }
};

export function wrongTypes(event: StatusChanged): void {
  // @ts-expect-error the detail-type is the literal, not any string
  const other: StatusChanged = { ...event, 'detail-type': 'Security IR Case Created' };
  // @ts-expect-error previousCaseStatus is null on a case the watcher had not recorded
  const previous: string = event.detail.previousCaseStatus;
  void other;
  void previous;
}
`;

function tsconfig(file: string, moduleOptions: { module: string; moduleResolution: string }, extra: Record<string, unknown> = {}) {
  return {
    compilerOptions: { strict: true, target: 'ES2022', ...moduleOptions, noEmit: true, skipLibCheck: true, types: [], ...extra },
    files: [file],
  };
}

/** Type-checks with a tsconfig written into the app; returns the diagnostics and every file the compiler read. */
function typeCheck(tscPath: string, config: object, name: string, dir = appDir): { diagnostics: string[]; files: string[]; status: number | null } {
  writeFileSync(join(dir, name), JSON.stringify(config, null, 2));
  const result = spawnSync(process.execPath, [tscPath, '-p', join(dir, name), '--listFiles'], { cwd: dir, encoding: 'utf8', timeout: CHILD_TIMEOUT_MS });
  const lines = `${result.stdout}${result.stderr}`.split('\n').filter((line) => line.trim() !== '');
  return { diagnostics: lines.filter((line) => /error TS\d+/.test(line)), files: lines.filter((line) => !/error TS\d+/.test(line)), status: result.status };
}

/** Negative when `a` (x.y.z) is older than `b`, positive when newer, 0 when equal. */
function compareVersions(a: string, b: string): number {
  const [pa, pb] = [a, b].map((version) => version.split('.').map(Number));
  const differing = pa.findIndex((part, i) => part !== pb[i]);
  return differing === -1 ? 0 : pa[differing] - pb[differing];
}

type Template = { Resources: Record<string, { Type: string; Properties?: any }> };

function resourcesOfType(template: Template, type: string): [string, any][] {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type).map(([id, r]) => [id, r.Properties ?? {}]);
}

/** Where a document's relative links and anchors point: `[text](target)` and `href="target"`, outside code. */
function linksOf(markdown: string): string[] {
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
  return [
    ...[...prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]),
    ...[...prose.matchAll(/\bhref="([^"]+)"/g)].map((m) => m[1]),
  ].filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target)); // not https:, mailto:...
}

/** The anchors a document offers: GitHub's slugs of its headings, and explicit `id` / `name` attributes. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const [, heading] of markdown.replace(/^```[\s\S]*?^```/gm, '').matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const text = heading.replace(/<[^>]*>/g, '').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
    const slug = text.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  for (const [, id] of markdown.matchAll(/\b(?:id|name)="([^"]+)"/g)) anchors.add(id);
  return anchors;
}

/** A throw-away CDK app with the tarball installed next to one set of peer versions. */
interface Consumer {
  readonly versions: PeerVersions;
  readonly dir: string;
  /** Where the package is installed in it. */
  readonly installed: string;
  readonly installOutput: Output;
}

let workDir: string;
let unpackedDir: string;
let packed: { filename: string; size: number; unpackedSize: number; files: { path: string }[] };
let packedFiles: string[];
let consumers: Record<ConsumerName, Consumer>;
/** The newest consumer's, which the tests that are not about the peer versions use. */
let appDir: string;
let installed: string;

beforeAll(async () => {
  // Both are also done by the global setup; here so that this file alone still packs a current build.
  ensureBundle();
  ensureEventSchemas();
  ensureLibraryCompiled();

  workDir = scratchDir('case-watcher-package-');
  // --ignore-scripts: the build above stands for the prepack script's `npm run build`.
  [packed] = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', workDir], REPO_ROOT).stdout);
  packedFiles = packed.files.map((f) => f.path).sort();
  const tarball = join(workDir, packed.filename);

  // The tarball's contents as they are, for the links and references.
  unpackedDir = join(workDir, 'unpacked');
  mkdirSync(unpackedDir);
  run('tar', ['-xzf', tarball, '-C', unpackedDir], workDir);
  unpackedDir = join(unpackedDir, 'package');

  // Both at once: the newest from the npm cache that `npm ci` filled, the floor from the registry the
  // first time (then from the cache too). The peers are installed, not linked.
  const install = async (name: ConsumerName, versions: PeerVersions): Promise<[ConsumerName, Consumer]> => {
    const dir = join(workDir, `consumer-app-${name}`);
    mkdirSync(dir);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `consumer-app-${name}`, version: '1.0.0', private: true }));
    const installOutput = await runInBackground('npm', [
      'install', '--prefer-offline', '--no-audit', '--no-fund', tarball,
      `aws-cdk-lib@${versions.awsCdkLib}`, `constructs@${versions.constructs}`, `@types/aws-lambda@${AWS_LAMBDA_TYPES_VERSION}`,
      ...(name === NAG_CONSUMER ? [`cdk-nag@${CDK_NAG_VERSION}`] : []),
    ], dir);
    return [name, { versions, dir, installed: join(dir, 'node_modules', PACKAGE_NAME), installOutput }];
  };
  consumers = Object.fromEntries(await Promise.all(CONSUMERS.map(([name, versions]) => install(name, versions)))) as Record<ConsumerName, Consumer>;
  ({ dir: appDir, installed } = consumers.newest);
}, 180_000);

afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

test('the tarball holds the compiled library, its jsii assembly, the bundled handler and notifier, the event schemas and every document the README links to', () => {
  const expected = [
    ...librarySources().flatMap((s) => [`dist/lib/${s}.js`, `dist/lib/${s}.d.ts`]),
    'dist/handler/index.js',
    'dist/handler/index.js.map',
    ...filesUnder(SCHEMAS_DIR).map((f) => `dist/schemas/${f}`),
    'dist/notifier/index.js',
    'dist/notifier/index.js.map',
    '.jsii',
    'API.md',
    'README.md',
    ...filesUnder(join(REPO_ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`),
    'bench/RESULTS.md',
    'package.json',
    ...(existsSync(join(REPO_ROOT, 'LICENSE')) ? ['LICENSE'] : []),
  ].sort();
  expect(packedFiles).toEqual(expected);
  expect(packedFiles).toEqual(expect.arrayContaining(['dist/lib/index.js', 'dist/lib/events.js', `dist/schemas/${SCHEMA_INDEX_FILE}`, 'docs/design.md', 'docs/construct.md']));
  // No source, test, script or tool of the repository: documents only from docs/ and bench/.
  expect(packedFiles.filter((f) => /^(lib|lambda|test|bin|scripts|local-aws)\//.test(f) || /(?<!\.d)\.ts$/.test(f))).toEqual([]);
  expect(packedFiles.filter((f) => /^(docs|bench)\//.test(f) && !f.endsWith('.md'))).toEqual([]);
  // The shipped assembly is the one the build just made, byte for byte.
  expect(readFileSync(join(unpackedDir, '.jsii')).equals(readFileSync(join(REPO_ROOT, '.jsii')))).toBe(true);
});

test('the packed package.json has no script that npm runs, or asks about, when a consumer installs the package', () => {
  const packedJson = JSON.parse(readFileSync(join(unpackedDir, 'package.json'), 'utf8'));
  // npm runs these for a dependency (prepare only for one from a tarball, git or a folder) and lists
  // them as install scripts not yet covered by the consumer's allowScripts.
  expect(Object.keys(packedJson.scripts ?? {}).filter((name) => ['preinstall', 'install', 'postinstall', 'prepare'].includes(name))).toEqual([]);
  expect(packedJson).toMatchObject({
    repository: { type: 'git', url: expect.stringMatching(/^git\+https:\/\/github\.com\/.+\.git$/) },
    homepage: expect.stringMatching(/^https:\/\/github\.com\//),
    bugs: { url: expect.stringMatching(/^https:\/\/github\.com\/.+\/issues$/) },
    stability: 'experimental',
  });
});

test('each peer range admits the newest, and the floor app gets an older aws-cdk-lib than the newest', () => {
  for (const peer of ['awsCdkLib', 'constructs'] as const) {
    const [floor, newest] = [FLOOR[peer], NEWEST[peer]].map((version) => version.split('.').map(Number));
    expect(newest[0]).toBe(floor[0]); // a caret range keeps the major
    expect(compareVersions(FLOOR[peer], NEWEST[peer])).toBeLessThanOrEqual(0);
  }
  expect(compareVersions(FLOOR.awsCdkLib, NEWEST.awsCdkLib)).toBeLessThan(0);
});

test.each(CONSUMERS)('installing the tarball into a fresh app (%s peers) prints no warning of ours', (name) => {
  const { installOutput, installed } = consumers[name];
  const lines = installOutput.stderr.split('\n').filter((line) => line.trim() !== '');
  const scripts: string[] = Object.values(REPO_PACKAGE_JSON.scripts);
  const ours = lines.filter((line) => line.includes(PACKAGE_NAME) || scripts.some((command) => line.includes(command)));
  expect(ours).toEqual([]);
  // The warning our `prepare` script used to cause, whoever it would name.
  expect(lines.filter((line) => line.includes('install-scripts'))).toEqual([]);
  expect(existsSync(join(installed, 'package.json'))).toBe(true);
});

test.each(CONSUMERS)('the installed package resolves to its compiled entry points, next to the consumer\'s own aws-cdk-lib (%s peers)', (name, versions) => {
  const { dir, installed } = consumers[name];
  const resolve = (request: string) => execFileSync(process.execPath, ['-p', `require.resolve(${JSON.stringify(request)})`], { cwd: dir, encoding: 'utf8', timeout: CHILD_TIMEOUT_MS }).trim();
  expect(resolve(PACKAGE_NAME)).toBe(join(installed, 'dist', 'lib', 'index.js'));
  expect(resolve(`${PACKAGE_NAME}/events`)).toBe(join(installed, 'dist', 'lib', 'events.js'));
  expect(resolve(`${PACKAGE_NAME}/.jsii`)).toBe(join(installed, '.jsii'));
  expect(resolve('aws-cdk-lib')).toBe(join(dir, 'node_modules', 'aws-cdk-lib', 'index.js'));
  // Peers, not bundled copies: the package must use the app's aws-cdk-lib and constructs, at the versions asked for.
  expect(existsSync(join(installed, 'node_modules'))).toBe(false);
  const installedVersion = (peer: string) => JSON.parse(readFileSync(join(dir, 'node_modules', peer, 'package.json'), 'utf8')).version;
  expect(installedVersion('aws-cdk-lib')).toBe(versions.awsCdkLib);
  expect(installedVersion('constructs')).toBe(versions.constructs);
});

test('both entry points load as CommonJS (require) and as ES modules (import), with the same exports', () => {
  const names = ['SecurityIrCaseWatcher', 'SecurityIrEventForwarder', 'CaseWatcherEvents', 'CASE_STATUS_CHANGED_DETAIL_TYPE', 'DEFAULT_EVENT_SOURCE', 'MetricName'];
  const eventNames = ['CaseWatcherEvents', 'CASE_AWAITING_CUSTOMER_DETAIL_TYPE', 'CASE_CREATED_DETAIL_TYPE', 'CASE_STATUS_CHANGED_DETAIL_TYPE', 'CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE', 'CASE_WATCHER_DETAIL_TYPES', 'DEFAULT_EVENT_SOURCE', 'EVENT_SCHEMA_VERSION'];
  const report = `JSON.stringify({
    main: [${names.map((n) => `typeof main.${n}`).join(', ')}],
    // An ES module namespace of CommonJS also holds 'default' (and on Node.js 23+, 'module.exports').
    events: Object.keys(events).filter((k) => !['default', '__esModule', 'module.exports'].includes(k)).sort(),
    same: events.CaseWatcherEvents === main.CaseWatcherEvents,
    detailType: events.CaseWatcherEvents.CASE_STATUS_CHANGED_DETAIL_TYPE,
  })`;
  const cjs = run(process.execPath, ['-e', `const main = require('${PACKAGE_NAME}'); const events = require('${PACKAGE_NAME}/events'); console.log(${report});`], appDir).stdout;
  const esm = run(process.execPath, ['--input-type=module', '-e', `import * as main from '${PACKAGE_NAME}'; import * as events from '${PACKAGE_NAME}/events'; import { SecurityIrCaseWatcher } from '${PACKAGE_NAME}'; import { DEFAULT_EVENT_SOURCE } from '${PACKAGE_NAME}/events'; if (typeof SecurityIrCaseWatcher !== 'function' || DEFAULT_EVENT_SOURCE !== '${DEFAULT_EVENT_SOURCE}') process.exit(3); console.log(${report});`], appDir).stdout;
  const expected = {
    main: ['function', 'function', 'function', 'string', 'string', 'object'],
    events: [...eventNames].sort(),
    same: true,
    detailType: CASE_STATUS_CHANGED_DETAIL_TYPE,
  };
  expect(JSON.parse(cjs)).toEqual(expected);
  expect(JSON.parse(esm)).toEqual(expected);
});

const syntheses = new Map<ConsumerName, { outdir: string; template: Template; nagFindings?: string[] }>();

/** The consumer's plain JavaScript app, synthesised once per consumer: its output folder, the stack's template and (NAG_CONSUMER) cdk-nag's findings. */
function synthesised(name: ConsumerName): { outdir: string; template: Template; nagFindings?: string[] } {
  let synthesis = syntheses.get(name);
  if (synthesis === undefined) {
    const { dir } = consumers[name];
    writeFileSync(join(dir, 'app.js'), CONSUMER_APP_JS);
    const outdir = join(dir, 'cdk.out');
    // Without the CDK's built-in CloudFormation validation (the switch of `cdk synth --no-validation`):
    // this is about the package; nag.test.ts and the end-to-end test assert that validation finds nothing.
    // cdk-nag's bus-policy rule reads a property aws-cdk-lib marks deprecated: its notices kept quiet, as in nag.test.ts.
    const env = { ...process.env, CDK_VALIDATION: 'false', JSII_DEPRECATED: 'quiet' };
    const nagFile = join(dir, 'nag-findings.json');
    execFileSync(process.execPath, ['app.js', outdir, ...(name === NAG_CONSUMER ? [nagFile] : [])], { cwd: dir, env, stdio: 'pipe', timeout: CHILD_TIMEOUT_MS });
    synthesis = {
      outdir,
      template: JSON.parse(readFileSync(join(outdir, `${CONSUMER_STACK}.template.json`), 'utf8')),
      nagFindings: name === NAG_CONSUMER ? JSON.parse(readFileSync(nagFile, 'utf8')) : undefined,
    };
    syntheses.set(name, synthesis);
  }
  return synthesis;
}

function onlyFunction(template: Template): any {
  const functions = resourcesOfType(template, 'AWS::Lambda::Function');
  expect(functions).toHaveLength(1);
  return functions[0][1];
}

test.each(CONSUMERS)('a plain JavaScript CDK app synthesises the watcher and a rule from the installed package (%s peers)', (name) => {
  const { installed } = consumers[name];
  const { outdir, template } = synthesised(name);

  // The function, whose code asset is the package's bundled handler, byte for byte.
  const fn = onlyFunction(template);
  expect(fn.Handler).toBe('index.handler');
  const assetHash = String(fn.Code.S3Key).replace(/\.zip$/, '');
  const assets = JSON.parse(readFileSync(join(outdir, `${CONSUMER_STACK}.assets.json`), 'utf8'));
  expect(assets.files[assetHash].source).toEqual({ path: `asset.${assetHash}`, packaging: 'zip' });
  const assetDir = join(outdir, `asset.${assetHash}`);
  expect(filesUnder(assetDir)).toEqual(['index.js', 'index.js.map']);
  const shipped = readFileSync(join(installed, 'dist', 'handler', 'index.js'));
  expect(readFileSync(join(assetDir, 'index.js')).equals(shipped)).toBe(true);
  expect(shipped.equals(readFileSync(join(REPO_ROOT, 'dist', 'handler', 'index.js')))).toBe(true);

  // The rule of onPendingActionChanged(), targeting the consumer's topic.
  const topics = resourcesOfType(template, 'AWS::SNS::Topic');
  expect(topics).toHaveLength(1);
  const patterned = resourcesOfType(template, 'AWS::Events::Rule').filter(([, rule]) => rule.EventPattern?.source?.[0] === DEFAULT_EVENT_SOURCE);
  expect(patterned).toHaveLength(1);
  // The fast path's rule, on Security IR's own events, and the poll's schedule.
  expect(resourcesOfType(template, 'AWS::Events::Rule').filter(([, rule]) => rule.EventPattern?.source?.[0] === 'aws.security-ir')).toHaveLength(1);
  expect(resourcesOfType(template, 'AWS::Scheduler::Schedule')).toHaveLength(1);
  const [, rule] = patterned[0];
  expect(rule.EventPattern).toEqual({
    'source': [DEFAULT_EVENT_SOURCE],
    'detail-type': [CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE],
    'detail': { accountId: [{ Ref: 'AWS::AccountId' }], region: [{ Ref: 'AWS::Region' }], pendingAction: ['Customer'] },
  });
  expect(rule.Targets).toEqual([expect.objectContaining({ Arn: { Ref: topics[0][0] } })]);

  // The state table, keyed as the handler expects.
  const tables = resourcesOfType(template, 'AWS::DynamoDB::Table');
  expect(tables).toHaveLength(1);
  expect(tables[0][1].KeySchema).toEqual([
    { AttributeName: 'pk', KeyType: 'HASH' },
    { AttributeName: 'sk', KeyType: 'RANGE' },
  ]);
  expect(fn.Environment.Variables.STATE_TABLE_NAME).toEqual({ Ref: tables[0][0] });
});

test('cdk-nag finds nothing unacknowledged in the consumer\'s watcher, from the installed package (newest peers)', () => {
  const nagFindings = synthesised(NAG_CONSUMER).nagFindings!;
  // The checks ran (the consumer's own plain topic has findings: no encryption, no TLS-only policy); the watcher has none.
  expect(nagFindings.filter((f) => f.includes(`${CONSUMER_STACK}/OnCall`)).length).toBeGreaterThan(0);
  expect(nagFindings.filter((f) => !f.includes(`${CONSUMER_STACK}/OnCall`))).toEqual([]);
});

test.each(CONSUMERS)('the consumer\'s stack has the schema registry, the archive and the no-forgeries statement (%s peers)', (name) => {
  const { template } = synthesised(name);
  const [[registryId]] = resourcesOfType(template, 'AWS::EventSchemas::Registry');
  const schemas = resourcesOfType(template, 'AWS::EventSchemas::Schema').map(([, schema]) => schema);
  const index = JSON.parse(readFileSync(join(SCHEMAS_DIR, SCHEMA_INDEX_FILE), 'utf8')) as { schemas: { schemaName: string; file: string }[] };
  expect(schemas.map((s) => s.SchemaName).sort()).toEqual(index.schemas.map((s) => s.schemaName).sort());
  for (const schema of schemas) {
    expect(schema).toMatchObject({ Type: 'OpenApi3', RegistryName: { 'Fn::GetAtt': [registryId, 'RegistryName'] } });
    const file = index.schemas.find((s) => s.schemaName === schema.SchemaName)!.file;
    expect(JSON.parse(schema.Content)).toEqual(JSON.parse(readFileSync(join(SCHEMAS_DIR, file), 'utf8'))); // the shipped document
  }
  const [[, archive]] = resourcesOfType(template, 'AWS::Events::Archive');
  expect(archive).toMatchObject({ EventPattern: { source: [DEFAULT_EVENT_SOURCE] }, RetentionDays: 30 });
  const [[, busPolicy]] = resourcesOfType(template, 'AWS::Events::EventBusPolicy');
  const roleId = resourcesOfType(template, 'AWS::IAM::Role').find(([, role]) => role.AssumeRolePolicyDocument.Statement[0].Principal.Service === 'lambda.amazonaws.com')![0];
  expect(busPolicy).toMatchObject({
    EventBusName: 'default',
    Statement: {
      Effect: 'Deny', Principal: '*', Action: 'events:PutEvents',
      Condition: {
        'ForAnyValue:StringEquals': { 'events:source': [DEFAULT_EVENT_SOURCE] },
        'ArnNotEquals': { 'aws:PrincipalArn': [{ 'Fn::GetAtt': [roleId, 'Arn'] }] },
        'BoolIfExists': { 'aws:PrincipalIsAWSService': 'false' },
      },
    },
  });
});

test('at the floor, the function gets the Node.js runtime it gets at the newest (the one the handler is tested on)', () => {
  const runtime = onlyFunction(synthesised('newest').template).Runtime;
  expect(runtime).toMatch(/^nodejs\d+\.x$/);
  expect(onlyFunction(synthesised('floor').template).Runtime).toBe(runtime);
});

/**
 * The lifecycle app: the watcher at `LifecycleStack/CaseWatcher` ("before"), then moved under a parent
 * construct with `stateTable` naming the table the first deployment created ("after").
 */
const LIFECYCLE_APP_JS = `
const { App, Stack } = require('aws-cdk-lib');
const dynamodb = require('aws-cdk-lib/aws-dynamodb');
const { Construct } = require('constructs');
const { SecurityIrCaseWatcher } = require('${PACKAGE_NAME}');

const [outdir, phase, oldTable] = process.argv.slice(2);
// The asset metadata the CLI asks for, so a test can run the function from its asset folder.
const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
const stack = new Stack(app, 'LifecycleStack', { env: { account: '${TEST_ACCOUNT_ID}', region: '${TEST_REGION}' } });
if (phase === 'before') {
  new SecurityIrCaseWatcher(stack, 'CaseWatcher');
} else {
  const operations = new Construct(stack, 'Operations');
  new SecurityIrCaseWatcher(operations, 'CaseWatcher', { stateTable: dynamodb.Table.fromTableName(operations, 'State', oldTable) });
}
app.synth();
`;

test('lifecycle: moved under a parent with stateTable naming the old table, the watcher keeps its state (no new baseline, the next change published once)', async () => {
  writeFileSync(join(appDir, 'lifecycle-app.js'), LIFECYCLE_APP_JS);
  const synth = (phase: string, oldTable = '') => {
    const outdir = join(appDir, `cdk.out.${phase}`);
    execFileSync(process.execPath, ['lifecycle-app.js', outdir, phase, oldTable], { cwd: appDir, env: { ...process.env, CDK_VALIDATION: 'false' }, stdio: 'pipe', timeout: CHILD_TIMEOUT_MS });
    const assembly = readCloudAssembly(outdir);
    return { assembly, stack: assembly.stacks[0] };
  };
  const [securityIr, eventBridge, dynalite] = await Promise.all([startSecurityIrSimulator(), startEventBridgeSimulator(), startDynalite()]);
  const dynamoDb = await startDynamoDbProxy(dynalite.endpoint);
  const running: LocalFunction[] = [];
  try {
    const start = async ({ assembly, stack }: ReturnType<typeof synth>, tables: Record<string, string>) => {
      const [fn] = templateResources(stack.template, 'AWS::Lambda::Function');
      const logGroups = Object.fromEntries(templateResources(stack.template, 'AWS::Logs::LogGroup').map(({ logicalId }) => [logicalId, `/aws/lambda/${logicalId}`]));
      const started = await startTemplateFunction({
        assembly, stack, logicalId: fn.logicalId, account: TEST_ACCOUNT_ID, region: TEST_REGION,
        references: { refs: { ...pseudoParameters(stack.stackName, TEST_ACCOUNT_ID, TEST_REGION), ...tables, ...logGroups } },
        extraEnv: { ...localAwsEnv({ securityIr: securityIr.url, eventBridge: eventBridge.url, dynamoDb: dynamoDb.url }), AWS_EC2_METADATA_DISABLED: 'true' },
      });
      running.push(started);
      return started;
    };

    // The first deployment: its table created as CloudFormation would name it, then the baseline.
    const before = synth('before');
    const tables = await createTemplateTables(dynalite.endpoint, before.stack.template, (id) => `${before.stack.stackName}-${id}`);
    const [oldTable] = Object.values(tables);
    const waiting = securityIr.addCase({ caseStatus: 'Detection and Analysis', pendingAction: 'None' });
    securityIr.addCase({ caseStatus: 'Acknowledged', pendingAction: 'None' });
    const first = await start(before, tables);
    expect((await first.invoke({})).error).toBeUndefined();
    expect(eventBridge.events).toEqual([]); // the baseline
    await first.stop();

    // The move: the same stack, the construct under a parent, the old table as stateTable.
    const after = synth('after', oldTable);
    expect(templateResources(after.stack.template, 'AWS::DynamoDB::Table')).toEqual([]);
    const moved = await start(after, {});
    expect(moved.environment.STATE_TABLE_NAME).toBe(oldTable);

    // Around the deployment a case starts waiting on the customer and one is opened.
    securityIr.updateCase(waiting.caseId, { pendingAction: 'Customer' });
    const opened = securityIr.addCase({ caseStatus: 'Submitted' });
    expect((await moved.invoke({})).error).toBeUndefined();
    expect(eventBridge.events.map((e) => [e.DetailType, e.Detail.caseId, e.Detail.previousPendingAction ?? null]).sort()).toEqual([
      ['Security IR Case Created', opened.caseId, null],
      ['Security IR Case Pending Action Changed', waiting.caseId, 'None'],
    ].sort());
    // Published once: the next poll finds nothing new.
    expect((await moved.invoke({})).error).toBeUndefined();
    expect(eventBridge.events).toHaveLength(2);
  } finally {
    await Promise.all(running.map((fn) => fn.stop()));
    await Promise.all([securityIr.close(), eventBridge.close(), dynamoDb.close()]);
    await dynalite.close();
  }
}, 120_000);

const isDefaultLib = (file: string) => /[\\/]lib\.[\w.]+\.d\.ts$/.test(file); // TypeScript's own lib.es2022.d.ts...

test.each(CONSUMERS)('a TypeScript consumer, and the packed README\'s construct and "Tell people" snippets, type-check against the shipped declarations (%s peers)', (name) => {
  const { dir, installed } = consumers[name];
  writeFileSync(join(dir, 'consumer.ts'), CONSUMER_TS);
  const snippets = [...readFileSync(join(installed, 'README.md'), 'utf8').matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((m) => m[1]);
  const fromPackage = snippets.filter((code) => code.includes(`from '${PACKAGE_NAME}'`) && code.includes('new SecurityIrCaseWatcher'));
  const readmeConstruct = fromPackage.filter((code) => !code.includes('new SecurityIrCaseNotifications'));
  const readmeNotifications = fromPackage.filter((code) => code.includes('new SecurityIrCaseNotifications'));
  expect([readmeConstruct.length, readmeNotifications.length]).toEqual([1, 1]);
  writeFileSync(join(dir, 'readme-construct.ts'), readmeConstruct[0]);
  writeFileSync(join(dir, 'readme-notifications.ts'), readmeNotifications[0]);
  const config = tsconfig('consumer.ts', { module: 'NodeNext', moduleResolution: 'NodeNext' });
  const { diagnostics, files, status } = typeCheck(TSC, { ...config, files: ['consumer.ts', 'readme-construct.ts', 'readme-notifications.ts'] }, 'tsconfig.consumer.json', dir);
  expect(diagnostics).toEqual([]);
  expect(status).toBe(0);
  // The declarations came from the installed package, and nothing from this repository was read.
  const installedLib = join(installed, 'dist', 'lib');
  expect(files).toEqual(expect.arrayContaining([join(installedLib, 'index.d.ts'), join(installedLib, 'events.d.ts')]));
  expect(files.filter((file) => file.startsWith(REPO_ROOT) && !isDefaultLib(file))).toEqual([]);
});

test('the installed package synthesises SecurityIrCaseNotifications with the shipped notifier as its code', () => {
  const script = `
const { App, Stack } = require('aws-cdk-lib');
const sns = require('aws-cdk-lib/aws-sns');
const { SecurityIrCaseNotifications, SecurityIrCaseWatcher } = require('${PACKAGE_NAME}');
const app = new App({ outdir: process.argv[1] });
const stack = new Stack(app, 'NotifyConsumer');
const watcher = new SecurityIrCaseWatcher(stack, 'CaseWatcher');
new SecurityIrCaseNotifications(stack, 'Notifications', { watcher, chatTopic: new sns.Topic(stack, 'Chat') });
app.synth();
`;
  const outdir = join(appDir, 'cdk.out.notify');
  execFileSync(process.execPath, ['-e', script, outdir], { cwd: appDir, env: { ...process.env, CDK_VALIDATION: 'false' }, stdio: 'pipe', timeout: CHILD_TIMEOUT_MS });
  const template: Template = JSON.parse(readFileSync(join(outdir, 'NotifyConsumer.template.json'), 'utf8'));
  const notifier = resourcesOfType(template, 'AWS::Lambda::Function').find(([, fn]) => String(fn.Description).startsWith('Tells people'));
  expect(notifier).toBeDefined();
  const assetHash = String(notifier![1].Code.S3Key).replace(/\.zip$/, '');
  const assetDir = join(outdir, `asset.${assetHash}`);
  expect(filesUnder(assetDir)).toEqual(['index.js', 'index.js.map']);
  const shipped = readFileSync(join(installed, 'dist', 'notifier', 'index.js'));
  expect(readFileSync(join(assetDir, 'index.js')).equals(shipped)).toBe(true);
  expect(shipped.equals(readFileSync(join(REPO_ROOT, 'dist', 'notifier', 'index.js')))).toBe(true);
});

test('a subscriber\'s Lambda types EventBridgeEvent<typeof CASE_STATUS_CHANGED_DETAIL_TYPE, CaseStatusChangedDetail> from /events without reading the CDK', () => {
  writeFileSync(join(appDir, 'subscriber.ts'), SUBSCRIBER_TS);
  // The packed README's own subscriber snippet, checked alongside.
  const snippets = [...readFileSync(join(installed, 'README.md'), 'utf8').matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((m) => m[1]);
  const readmeSubscriber = snippets.filter((code) => code.includes(`from '${PACKAGE_NAME}/events'`));
  expect(readmeSubscriber).toHaveLength(1);
  writeFileSync(join(appDir, 'readme-subscriber.ts'), readmeSubscriber[0]);
  const config = tsconfig('subscriber.ts', { module: 'NodeNext', moduleResolution: 'NodeNext' });
  const { diagnostics, files, status } = typeCheck(TSC, { ...config, files: ['subscriber.ts', 'readme-subscriber.ts'] }, 'tsconfig.subscriber.json');
  expect(diagnostics).toEqual([]);
  expect(status).toBe(0);
  const read = files.filter((file) => !isDefaultLib(file)).map((file) => relative(appDir, file).split('\\').join('/'));
  expect(read.filter((file) => file.startsWith(`node_modules/${PACKAGE_NAME}/`))).toEqual([`node_modules/${PACKAGE_NAME}/dist/lib/events.d.ts`]);
  expect(read.filter((file) => !file.startsWith('node_modules/@types/aws-lambda/') && !file.startsWith(`node_modules/${PACKAGE_NAME}/`)).sort()).toEqual(['readme-subscriber.ts', 'subscriber.ts']);
});

test('/events type-checks under the node10 resolution of older `module: commonjs` apps too (typesVersions), with TypeScript 6', () => {
  // TypeScript 7 (this repository's) has dropped moduleResolution node10; jsii's own TypeScript 6 still has it.
  const tsc6 = require.resolve('typescript/bin/tsc', { paths: [dirname(require.resolve('jsii/package.json'))] });
  expect(JSON.parse(readFileSync(join(dirname(tsc6), '..', 'package.json'), 'utf8')).version).toMatch(/^6\./);
  writeFileSync(join(appDir, 'subscriber.ts'), SUBSCRIBER_TS);
  const config = tsconfig('subscriber.ts', { module: 'CommonJS', moduleResolution: 'node10' }, { ignoreDeprecations: '6.0' });
  const { diagnostics, files, status } = typeCheck(tsc6, config, 'tsconfig.node10.json');
  expect(diagnostics).toEqual([]);
  expect(status).toBe(0);
  expect(files).toContain(join(installed, 'dist', 'lib', 'events.d.ts'));
});

test('an esbuild bundle of the subscriber\'s Lambda holds the event contract and a few KB, never aws-cdk-lib', () => {
  writeFileSync(join(appDir, 'subscriber.ts'), SUBSCRIBER_TS);
  const esbuild = join(REPO_ROOT, 'node_modules', 'esbuild', 'bin', 'esbuild');
  // Nothing external: whatever the entry point imported would be bundled, and listed in the metafile.
  run(esbuild, ['subscriber.ts', '--bundle', '--platform=node', '--target=node20', '--format=cjs', '--minify', '--metafile=subscriber-meta.json', '--outfile=subscriber-dist/index.js', '--log-level=warning'], appDir);
  const meta = JSON.parse(readFileSync(join(appDir, 'subscriber-meta.json'), 'utf8'));
  expect(Object.keys(meta.inputs).sort()).toEqual([`node_modules/${PACKAGE_NAME}/dist/lib/events.js`, 'subscriber.ts']);
  expect(Object.keys(meta.inputs).filter((input) => /aws-cdk-lib|constructs/.test(input))).toEqual([]);
  const bytes = statSync(join(appDir, 'subscriber-dist', 'index.js')).size;
  expect(bytes).toBeLessThan(SUBSCRIBER_BUNDLE_MAX_BYTES);
  expect(meta.outputs['subscriber-dist/index.js'].bytes).toBe(bytes);

  // And it runs on its own, as Lambda would run it, on an event as the watcher publishes it.
  const event = { 'source': DEFAULT_EVENT_SOURCE, 'detail-type': CASE_STATUS_CHANGED_DETAIL_TYPE, 'detail': { caseId: '1000000101', caseStatus: 'Closed', previousCaseStatus: 'Acknowledged' } };
  const runsAlone = `require('./subscriber-dist/index.js').handler(${JSON.stringify(event)}).then((r) => console.log(r))`;
  expect(run(process.execPath, ['-e', runsAlone], appDir).stdout.trim()).toBe('case 1000000101: Acknowledged -> Closed');
});

test('every relative link and anchor of the packed README and documents resolves inside the tarball', () => {
  const documents = packedFiles.filter((file) => file.endsWith('.md'));
  expect(documents).toEqual(expect.arrayContaining(['README.md', 'API.md', 'docs/design.md', 'docs/construct.md', 'bench/RESULTS.md']));
  const anchors = new Map(documents.map((doc) => [doc, anchorsOf(readFileSync(join(unpackedDir, doc), 'utf8'))]));
  const checked: string[] = [];
  const broken: string[] = [];
  for (const doc of documents) {
    for (const link of linksOf(readFileSync(join(unpackedDir, doc), 'utf8'))) {
      const [path, anchor] = link.split('#', 2);
      const target = path === '' ? doc : posix.normalize(posix.join(posix.dirname(doc), decodeURI(path)));
      checked.push(`${doc} -> ${link}`);
      if (!packedFiles.includes(target)) broken.push(`${doc}: ${link} (${target} is not in the tarball)`);
      else if (anchor !== undefined && anchors.has(target) && !anchors.get(target)!.has(anchor)) broken.push(`${doc}: ${link} (no #${anchor} in ${target})`);
    }
  }
  expect(broken).toEqual([]);
  // The README's links into docs/ and bench/ are among those checked.
  expect(checked).toEqual(expect.arrayContaining(['README.md -> docs/design.md', 'README.md -> API.md#cdk-security-ir-case-watcher.SecurityIrCaseWatcherProps', 'README.md -> docs/construct.md#lifecycle-keeping-the-state', 'README.md -> docs/construct.md#cross-account-deploy-order', 'README.md -> bench/RESULTS.md', 'README.md -> API.md']));
});

test('the shipped declarations and scripts reference only files that are shipped', () => {
  const broken: string[] = [];
  const code = packedFiles.filter((file) => /\.(d\.ts|js)$/.test(file));
  for (const file of code) {
    const text = readFileSync(join(unpackedDir, file), 'utf8');
    const references = [
      // import/export ... from './x', import('./x'), require('./x')
      ...[...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => ({ kind: 'module', target: m[1] })),
      ...[...text.matchAll(/\/\/\/\s*<reference\s+path="([^"]+)"/g)].map((m) => ({ kind: 'file', target: m[1] })),
      ...[...text.matchAll(/[#@]\s*sourceMappingURL=(?!data:)(\S+)/g)].map((m) => ({ kind: 'file', target: m[1] })),
    ];
    for (const { kind, target } of references) {
      const base = posix.normalize(posix.join(posix.dirname(file), target));
      const candidates = kind === 'file' ? [base] : file.endsWith('.d.ts')
        ? [`${base}.d.ts`, `${base}/index.d.ts`, base.replace(/\.js$/, '.d.ts')]
        : [`${base}.js`, `${base}/index.js`, base];
      if (!candidates.some((candidate) => packedFiles.includes(candidate))) broken.push(`${file}: ${target}`);
    }
  }
  expect(broken).toEqual([]);
  // The handler bundle's source map is shipped beside it; the library ships no maps (so none to miss).
  expect(readFileSync(join(unpackedDir, 'dist/handler/index.js'), 'utf8')).toMatch(/sourceMappingURL=index\.js\.map\s*$/);
  expect(packedFiles.filter((file) => file.startsWith('dist/lib/') && file.endsWith('.map'))).toEqual([]);
});
