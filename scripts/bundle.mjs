// Bundles the Lambda handler into one self-contained file that the construct ships with
// lambda.Code.fromAsset, so that consumers of the npm package need neither esbuild nor Docker.
import { build } from 'esbuild';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'handler');

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });

const result = await build({
  entryPoints: [join(root, 'lambda', 'index.ts')],
  outfile: join(outdir, 'index.js'),
  bundle: true,
  platform: 'node',
  // The oldest Node.js the bundle must run on: the Lambda runtime is newer, the test machines run 20.
  target: 'node20',
  format: 'cjs',
  // The SDK's ES module builds tree-shake far better than its CommonJS ones.
  mainFields: ['module', 'main'],
  minify: true,
  // Stack traces through NODE_OPTIONS=--enable-source-maps (set by the construct). The map needs no
  // sources: mappings and names are enough to name the file, line and function.
  sourcemap: 'linked',
  sourcesContent: false,
  legalComments: 'none',
  metafile: true,
  // The handler must never import these (docs/design.md). Left external, such an import shows up
  // as a require() that the bundle test rejects, instead of megabytes bundled unnoticed.
  external: ['aws-cdk-lib', 'constructs'],
  logLevel: 'warning',
});
writeFileSync(join(root, 'dist', 'handler-meta.json'), JSON.stringify(result.metafile));
const kib = (file) => (result.metafile.outputs[`dist/handler/${file}`].bytes / 1024).toFixed(1);
console.log(`bundled lambda/index.ts -> dist/handler/index.js (${kib('index.js')} KiB, source map ${kib('index.js.map')} KiB)`);
