/**
 * The compiled library as the package ships it: `npm run compile` (jsii, failing on any warning)
 * writes `dist/lib` (JavaScript and declarations) and the `.jsii` assembly. The test suite runs it
 * once, from the global setup, when an output is missing or older than what it is made of; the
 * package test packs the result and the jsii test reads the same assembly and documents it with
 * jsii-docgen, so one jsii run serves both.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const REPO_ROOT = join(__dirname, '..', '..');
export const LIBRARY_OUT_DIR = join(REPO_ROOT, 'dist', 'lib');
export const ASSEMBLY_PATH = join(REPO_ROOT, '.jsii');

/** Every file under `dir` (recursively), as paths relative to `dir` with forward slashes. */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => statSync(join(dir, file)).isFile())
    .map((file) => file.split('\\').join('/'));
}

/** The library's TypeScript sources, relative to `lib/`, without extension. */
export function librarySources(): string[] {
  return filesUnder(join(REPO_ROOT, 'lib'))
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
    .map((file) => file.slice(0, -'.ts'.length));
}

/**
 * What the compiled output is made of besides the sources: the assembly embeds the README and
 * package.json's metadata, the compiler options come from the tsconfig files, and a new jsii
 * version must compile (and warn) afresh.
 */
const BUILD_INPUTS = ['README.md', 'package.json', 'tsconfig.json', 'tsconfig.lib.json', join('node_modules', 'jsii', 'package.json')];

/**
 * Runs `npm run compile` when `.jsii` or a compiled file is missing or older than its inputs, or
 * when `dist/lib` holds output of a source that no longer exists. A failed compilation throws with
 * jsii's diagnostics and leaves no assembly behind, so the next run compiles again.
 */
export function ensureLibraryCompiled(): void {
  const sources = librarySources();
  const outputs = sources.flatMap((s) => [`${s}.js`, `${s}.d.ts`]);
  const expected = new Set(outputs);
  const orphaned = filesUnder(LIBRARY_OUT_DIR).some((file) => !expected.has(file));
  const newestInput = Math.max(
    ...sources.map((source) => statSync(join(REPO_ROOT, 'lib', `${source}.ts`)).mtimeMs),
    ...BUILD_INPUTS.map((file) => statSync(join(REPO_ROOT, file)).mtimeMs),
  );
  const outputPaths = [ASSEMBLY_PATH, ...outputs.map((file) => join(LIBRARY_OUT_DIR, file))];
  const stale = outputPaths.some((out) => !existsSync(out) || statSync(out).mtimeMs < newestInput);
  if (!orphaned && !stale) return;

  if (orphaned) rmSync(LIBRARY_OUT_DIR, { recursive: true, force: true });
  try {
    execFileSync('npm', ['run', '--silent', 'compile'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: 'pipe', timeout: 120_000 });
  } catch (error) {
    rmSync(ASSEMBLY_PATH, { force: true });
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`npm run compile (jsii) failed:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}
