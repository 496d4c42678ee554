// Bundles each Lambda handler into one self-contained file that its construct ships with
// lambda.Code.fromAsset, so that consumers of the npm package need neither esbuild nor Docker:
// the watcher's (lambda/index.ts -> dist/handler) and the notifier's (lambda/notifier/index.ts -> dist/notifier).
import { build } from 'esbuild';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundles = [
  { entry: join('lambda', 'index.ts'), name: 'handler' },
  { entry: join('lambda', 'notifier', 'index.ts'), name: 'notifier' },
];
// The SDK's default credential chain, in its place the chain of a Lambda function (lambda/lambda-credentials.ts).
const alias = { '@aws-sdk/credential-provider-node': join(root, 'lambda', 'lambda-credentials.ts') };

for (const { entry, name } of bundles) {
  const outdir = join(root, 'dist', name);
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });

  const result = await build({
    entryPoints: [join(root, entry)],
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
    alias,
    logLevel: 'warning',
  });
  writeFileSync(join(root, 'dist', `${name}-meta.json`), JSON.stringify(result.metafile));
  const kib = (file) => (result.metafile.outputs[`dist/${name}/${file}`].bytes / 1024).toFixed(1);
  console.log(`bundled ${entry} -> dist/${name}/index.js (${kib('index.js')} KiB, source map ${kib('index.js.map')} KiB)`);
}
