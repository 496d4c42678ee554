/**
 * The notifier's bundle: one self-contained file (Node built-ins only), small beside the watcher's,
 * with no CDK in it, and its source map beside it.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { BUNDLE_PATH, ensureBundle, NOTIFIER_BUNDLE_PATH } from '../../local-aws/poller-harness';

let code: string;
beforeAll(() => {
  ensureBundle(NOTIFIER_BUNDLE_PATH);
  code = readFileSync(NOTIFIER_BUNDLE_PATH, 'utf8');
});

test('it requires only Node built-ins', () => {
  const required = [...code.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
  const builtins = new Set(require('node:module').builtinModules as string[]);
  expect(required.length).toBeGreaterThan(0);
  expect(required.filter((name) => !builtins.has(name.replace(/^node:/, '')))).toEqual([]);
  expect(code).not.toMatch(/aws-cdk-lib|@aws-sdk\/client-/);
});

test('it stays small: under 100 KiB, under a quarter of the watcher\'s bundle', () => {
  const size = statSync(NOTIFIER_BUNDLE_PATH).size;
  expect(size).toBeLessThan(100 * 1024);
  expect(size * 4).toBeLessThan(statSync(BUNDLE_PATH).size);
  expect(existsSync(`${NOTIFIER_BUNDLE_PATH}.map`)).toBe(true);
  expect(code).toMatch(/sourceMappingURL=index\.js\.map\s*$/);
});
