/**
 * The npm package as a consumer gets it: `npm pack` of this repository, installed into a throw-away
 * CDK app outside the repository next to the pinned peer dependencies, then used from plain
 * JavaScript (synthesised) and from TypeScript (type-checked against the shipped declarations).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE, DEFAULT_EVENT_SOURCE } from '../lib/events';
import { ensureBundle } from '../local-aws/poller-harness';
import { scratchDir } from './support/scratch-dir';

const REPO_ROOT = join(__dirname, '..');
const PACKAGE_NAME = 'cdk-security-ir-case-watcher';
/** The versions the repository pins; a consumer app gets the same ones. */
const AWS_CDK_LIB_VERSION = '2.276.0';
const CONSTRUCTS_VERSION = '10.8.1';
const CONSUMER_STACK = 'ConsumerStack';
/**
 * Every child process here runs synchronously, which also stops jest's own timeout: each gets a
 * limit of its own, so a stalled `npm install` fails the test instead of hanging the suite.
 */
const CHILD_TIMEOUT_MS = 120_000;

/** Every file under `dir` (recursively), as paths relative to `dir` with forward slashes. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => statSync(join(dir, file)).isFile())
    .map((file) => file.split('\\').join('/'));
}

/** The library's TypeScript sources, relative to `lib/`, without extension. */
function librarySources(): string[] {
  return filesUnder(join(REPO_ROOT, 'lib'))
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
    .map((file) => file.slice(0, -'.ts'.length));
}

/**
 * Compiles `lib/` into `dist/lib` (`tsc -p tsconfig.lib.json`) when an output is missing or older
 * than its source, or when `dist/lib` holds output of a source that no longer exists.
 */
function ensureLibraryCompiled(): void {
  const outDir = join(REPO_ROOT, 'dist', 'lib');
  const sources = librarySources();
  const expected = new Set(sources.flatMap((s) => [`${s}.js`, `${s}.d.ts`]));
  const orphaned = filesUnder(outDir).some((file) => !expected.has(file));
  const stale = sources.some((source) => {
    const sourceTime = statSync(join(REPO_ROOT, 'lib', `${source}.ts`)).mtimeMs;
    return [`${source}.js`, `${source}.d.ts`].some((out) => !existsSync(join(outDir, out)) || statSync(join(outDir, out)).mtimeMs < sourceTime);
  });
  if (orphaned) rmSync(outDir, { recursive: true, force: true });
  if (orphaned || stale) {
    execFileSync(process.execPath, [join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.lib.json'], { cwd: REPO_ROOT, stdio: 'pipe', timeout: CHILD_TIMEOUT_MS });
  }
}

function npm(args: string[], cwd: string): string {
  return execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: CHILD_TIMEOUT_MS });
}

/** A plain JavaScript CDK app, as a consumer writes one: the watcher and one `on*()` rule with an SNS target. */
const CONSUMER_APP_JS = `
const { App, Stack } = require('aws-cdk-lib');
const sns = require('aws-cdk-lib/aws-sns');
const targets = require('aws-cdk-lib/aws-events-targets');
const { SecurityIrCaseWatcher } = require('${PACKAGE_NAME}');

const app = new App({ outdir: process.argv[2] });
const stack = new Stack(app, '${CONSUMER_STACK}');
const watcher = new SecurityIrCaseWatcher(stack, 'CaseWatcher');
const onCall = new sns.Topic(stack, 'OnCall');
watcher.onPendingActionChanged('CustomerAction', { pendingAction: ['Customer'], target: new targets.SnsTopic(onCall) });
app.synth();
`;

/**
 * A subscriber's TypeScript: the detail types and constants from the package's declarations. The
 * `@ts-expect-error` lines fail the check if the types were missing (`any`) or too loose.
 */
const CONSUMER_TS = `
import { App, Stack } from 'aws-cdk-lib';
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

/** The shape of @types/aws-lambda's EventBridgeEvent, declared here so the check needs nothing else. */
interface EventBridgeEvent<TDetailType extends string, TDetail> {
  readonly id: string;
  readonly source: string;
  readonly 'detail-type': TDetailType;
  readonly time: string;
  readonly resources: string[];
  readonly detail: TDetail;
}

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
export const watcher = new SecurityIrCaseWatcher(stack, 'CaseWatcher', { emitCreatedEvents: false });
// @ts-expect-error not a prop of the construct
new SecurityIrCaseWatcher(stack, 'Other', { pollEverySecond: true });
`;

const CONSUMER_TSCONFIG = {
  compilerOptions: {
    strict: true,
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    noEmit: true,
    skipLibCheck: true,
    types: [],
  },
  files: ['consumer.ts'],
};

type Template = { Resources: Record<string, { Type: string; Properties?: any }> };

function resourcesOfType(template: Template, type: string): [string, any][] {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type).map(([id, r]) => [id, r.Properties ?? {}]);
}

let workDir: string;
let appDir: string;
let packedFiles: string[];

beforeAll(() => {
  ensureBundle();
  ensureLibraryCompiled();

  workDir = scratchDir('case-watcher-package-');
  const [packed] = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', workDir], REPO_ROOT)) as { filename: string; files: { path: string }[] }[];
  packedFiles = packed.files.map((f) => f.path).sort();

  appDir = join(workDir, 'consumer-app');
  mkdirSync(appDir);
  writeFileSync(join(appDir, 'package.json'), JSON.stringify({ name: 'consumer-app', version: '1.0.0', private: true }));
  // From the npm cache that `npm ci` filled: a few seconds, so the peers are installed, not linked.
  npm(['install', '--prefer-offline', '--no-audit', '--no-fund', join(workDir, packed.filename), `aws-cdk-lib@${AWS_CDK_LIB_VERSION}`, `constructs@${CONSTRUCTS_VERSION}`], appDir);
}, 180_000);

afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

test('the tarball holds exactly the compiled library, the bundled handler, package.json and the README', () => {
  const expected = [
    ...librarySources().flatMap((s) => [`dist/lib/${s}.js`, `dist/lib/${s}.d.ts`]),
    'dist/handler/index.js',
    'dist/handler/index.js.map',
    'package.json',
    'README.md',
    ...(existsSync(join(REPO_ROOT, 'LICENSE')) ? ['LICENSE'] : []),
  ].sort();
  expect(packedFiles).toEqual(expected);
  expect(packedFiles).toContain('dist/lib/index.js');
  expect(packedFiles.filter((f) => /^(lib|lambda|test|bin|scripts|bench|docs)\//.test(f) || /(?<!\.d)\.ts$/.test(f))).toEqual([]);
});

test('the installed package resolves to its compiled entry point, next to the consumer\'s own aws-cdk-lib', () => {
  const resolve = (request: string) => execFileSync(process.execPath, ['-p', `require.resolve(${JSON.stringify(request)})`], { cwd: appDir, encoding: 'utf8', timeout: CHILD_TIMEOUT_MS }).trim();
  const installed = join(appDir, 'node_modules', PACKAGE_NAME);
  expect(resolve(PACKAGE_NAME)).toBe(join(installed, 'dist', 'lib', 'index.js'));
  expect(resolve('aws-cdk-lib')).toBe(join(appDir, 'node_modules', 'aws-cdk-lib', 'index.js'));
  // Peers, not bundled copies: the package must use the app's aws-cdk-lib and constructs.
  expect(existsSync(join(installed, 'node_modules'))).toBe(false);
  expect(JSON.parse(readFileSync(join(appDir, 'node_modules', 'aws-cdk-lib', 'package.json'), 'utf8')).version).toBe(AWS_CDK_LIB_VERSION);
});

test('a plain JavaScript CDK app synthesises the watcher and a rule from the installed package', () => {
  writeFileSync(join(appDir, 'app.js'), CONSUMER_APP_JS);
  const outdir = join(appDir, 'cdk.out');
  // Without the CDK's built-in CloudFormation validation (the switch of `cdk synth --no-validation`):
  // this is about the package; nag.test.ts and the end-to-end test assert that validation finds nothing.
  const env = { ...process.env, CDK_VALIDATION: 'false' };
  execFileSync(process.execPath, ['app.js', outdir], { cwd: appDir, env, stdio: 'pipe', timeout: CHILD_TIMEOUT_MS });
  const template: Template = JSON.parse(readFileSync(join(outdir, `${CONSUMER_STACK}.template.json`), 'utf8'));

  // The function, whose code asset is the package's bundled handler, byte for byte.
  const functions = resourcesOfType(template, 'AWS::Lambda::Function');
  expect(functions).toHaveLength(1);
  const [, fn] = functions[0];
  expect(fn.Handler).toBe('index.handler');
  const assetHash = String(fn.Code.S3Key).replace(/\.zip$/, '');
  const assets = JSON.parse(readFileSync(join(outdir, `${CONSUMER_STACK}.assets.json`), 'utf8'));
  expect(assets.files[assetHash].source).toEqual({ path: `asset.${assetHash}`, packaging: 'zip' });
  const assetDir = join(outdir, `asset.${assetHash}`);
  expect(filesUnder(assetDir)).toEqual(['index.js', 'index.js.map']);
  const shipped = readFileSync(join(appDir, 'node_modules', PACKAGE_NAME, 'dist', 'handler', 'index.js'));
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

test('a TypeScript consumer type-checks against the shipped declarations', () => {
  writeFileSync(join(appDir, 'consumer.ts'), CONSUMER_TS);
  writeFileSync(join(appDir, 'tsconfig.json'), JSON.stringify(CONSUMER_TSCONFIG, null, 2));
  const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const run = spawnSync(process.execPath, [tsc, '-p', join(appDir, 'tsconfig.json'), '--listFiles'], { cwd: appDir, encoding: 'utf8', timeout: CHILD_TIMEOUT_MS });
  const lines = `${run.stdout}${run.stderr}`.split('\n').filter((line) => line.trim() !== '');
  const diagnostics = lines.filter((line) => /error TS\d+/.test(line));
  expect(diagnostics).toEqual([]);
  expect(run.status).toBe(0);
  // The declarations came from the installed package, and nothing from this repository was read.
  const installedLib = join(appDir, 'node_modules', PACKAGE_NAME, 'dist', 'lib');
  expect(lines).toEqual(expect.arrayContaining([join(installedLib, 'index.d.ts'), join(installedLib, 'events.d.ts')]));
  const isDefaultLib = (file: string) => /[\\/]lib\.[\w.]+\.d\.ts$/.test(file); // TypeScript's own lib.es2022.d.ts...
  expect(lines.filter((file) => file.startsWith(REPO_ROOT) && !isDefaultLib(file))).toEqual([]);
});
