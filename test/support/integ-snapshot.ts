/**
 * The integration test's snapshot: the templates its app synthesises (the example stack and the
 * assertion stack) and its `integ.json`, committed next to it as `<file>.snapshot/`, as integ-runner
 * lays them out. Compared with asset hashes and the assertions' salts masked: the handler's bundle
 * changes its hash with any handler change, which the template-level snapshot is not about (the
 * bundle has tests of its own), and a salt is the time of the synthesis.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { integApp } from '../integ/integ.example-stack';
import { scratchDir } from './scratch-dir';

export const INTEG_FILE = join(__dirname, '..', 'integ', 'integ.example-stack.ts');
export const SNAPSHOT_DIR = `${INTEG_FILE}.snapshot`;

/** The files of a synthesis the snapshot keeps. */
const kept = (file: string) => file.endsWith('.template.json') || file === 'integ.json';

/**
 * What changes on every synthesis replaced by placeholders: content hashes (assets, the asset zip's
 * key) and each assertion's `salt` (the synthesis time, so that every deploy runs the assertions again).
 */
export function maskAssetHashes(text: string): string {
  return text.replace(/\b[0-9a-f]{64}\b/g, '<asset hash>').replace(/"salt": *"\d+"/g, '"salt": "<synthesis time>"');
}

/** The kept files of a fresh synthesis of the integration test's app: name -> content. */
export function synthesiseSnapshot(): Map<string, string> {
  const outdir = scratchDir('integ-snapshot-');
  try {
    integApp({ outdir, builtinCloudFormationValidation: false }).synth();
    return new Map(readdirSync(outdir).filter(kept).sort().map((file) => [file, readFileSync(join(outdir, file), 'utf8')]));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The committed snapshot: name -> content. */
export function committedSnapshot(): Map<string, string> {
  return new Map(readdirSync(SNAPSHOT_DIR).filter(kept).sort().map((file) => [file, readFileSync(join(SNAPSHOT_DIR, file), 'utf8')]));
}

/**
 * Where `fresh` differs from `committed`, asset hashes aside: a file only on one side, or each
 * resource (or other top-level template entry) whose content differs, as `<file>: <what>`.
 */
export function snapshotDifferences(fresh: Map<string, string>, committed: Map<string, string>): string[] {
  const files = [...new Set([...fresh.keys(), ...committed.keys()])].sort();
  return files.flatMap((file) => {
    const [now, then] = [fresh.get(file), committed.get(file)];
    if (now === undefined) return [`${file}: in the snapshot only`];
    if (then === undefined) return [`${file}: not in the snapshot`];
    const [a, b] = [now, then].map((text) => JSON.parse(maskAssetHashes(text)) as Record<string, unknown>);
    const entries = (doc: Record<string, unknown>) => Object.entries(doc).flatMap(([key, value]) => (key === 'Resources' || key === 'Outputs'
      ? Object.entries(value as Record<string, unknown>).map(([id, v]) => [`${key}.${id}`, JSON.stringify(v)] as const)
      : [[key, JSON.stringify(value)] as const]));
    const [ea, eb] = [new Map(entries(a)), new Map(entries(b))];
    return [...new Set([...ea.keys(), ...eb.keys()])].sort().filter((key) => ea.get(key) !== eb.get(key)).map((key) => `${file}: ${key}`);
  });
}

/** Rewrites the committed snapshot from a fresh synthesis (`npm run integ:snapshot`). */
export function writeSnapshot(): string[] {
  rmSync(SNAPSHOT_DIR, { recursive: true, force: true });
  mkdirSync(SNAPSHOT_DIR, { recursive: true });
  const fresh = synthesiseSnapshot();
  for (const [file, content] of fresh) writeFileSync(join(SNAPSHOT_DIR, file), content);
  return [...fresh.keys()];
}

if (require.main === module) {
  console.log(`wrote ${writeSnapshot().join(', ')} to ${SNAPSHOT_DIR}`);
}
