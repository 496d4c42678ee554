/**
 * What the deployed handler costs before it polls anything: its size, and how long a fresh Node.js
 * (the one the Lambda process runner starts the handler on) takes to load it compared with starting
 * with nothing to load.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { LAMBDA_NODE, LOCAL_PROCESS_ENV } from '../local-aws/lambda-process';

export interface BundleStats {
  readonly rawBytes: number;
  readonly gzipBytes: number;
  readonly runs: number;
  /** Median wall time of `node -e "require('<bundle>')"`. */
  readonly importMedianMs: number;
  /** Median wall time of `node -e ''`. */
  readonly bareMedianMs: number;
  /** Median time of the `require()` itself, timed inside the process: the load, without the process's start. */
  readonly requireMedianMs: number;
}

export function measureBundle(bundlePath: string, runs = 10): BundleStats {
  const code = readFileSync(bundlePath);
  // A copy outside the repository: nothing it requires can come from node_modules.
  const dir = mkdtempSync(join(tmpdir(), 'case-watcher-coldstart-'));
  try {
    const copy = join(dir, 'index.js');
    copyFileSync(bundlePath, copy);
    const time = (script: string) => median(Array.from({ length: runs }, () => wallMs(script, dir)));
    time(''); // warms the file cache for node itself
    return {
      rawBytes: code.length,
      gzipBytes: gzipSync(code).length,
      runs,
      importMedianMs: time(`require(${JSON.stringify(copy)})`),
      bareMedianMs: time(''),
      requireMedianMs: median(Array.from({ length: runs }, () => requireMs(copy, dir))),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function wallMs(script: string, cwd: string): number {
  const started = process.hrtime.bigint();
  execFileSync(LAMBDA_NODE.path, ['-e', script], { cwd, env: { PATH: process.env.PATH ?? '', ...LOCAL_PROCESS_ENV }, stdio: 'ignore' });
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** The time `require(file)` takes in a fresh Node.js, as that process measures it. */
function requireMs(file: string, cwd: string): number {
  const script = `const t = process.hrtime.bigint(); require(${JSON.stringify(file)}); process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6));`;
  return Number(execFileSync(LAMBDA_NODE.path, ['-e', script], { cwd, env: { PATH: process.env.PATH ?? '', ...LOCAL_PROCESS_ENV }, encoding: 'utf8' }));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
