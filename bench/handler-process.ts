/**
 * The bundled handler in a child process of its own, one warm "container" that is invoked several
 * times, reporting for each invocation the wall time, the CPU time and the peak RSS of that process
 * (the bench's own process runs the stand-ins, whose work must not be counted as the handler's).
 */
import { ChildProcess, fork } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunSummary } from '../lambda/telemetry';

export interface MeasuredInvocation {
  readonly summary?: RunSummary;
  readonly error?: { name: string; message: string };
  /** Wall time of the `handler()` call. */
  readonly wallMs: number;
  /** User + system CPU time of the handler's process during the call. */
  readonly cpuMs: number;
  /** The process's peak resident set size so far (like Lambda's "Max Memory Used" of a warm container). */
  readonly maxRssBytes: number;
}

export interface MeasuredHandler {
  invoke(remainingMs: number): Promise<MeasuredInvocation>;
  stop(): Promise<void>;
}

/**
 * Loads the bundle once, then on each message invokes it with a Scheduled Event and a Lambda-like
 * context. The handler's own log lines go to its stdout, which the parent discards.
 */
const DRIVER = `
const { handler } = require('./index.js');
process.on('message', async ({ remainingMs }) => {
  const deadline = Date.now() + remainingMs;
  const context = {
    awsRequestId: 'bench',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:case-watcher',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  const event = { 'detail-type': 'Scheduled Event', source: 'aws.events', time: new Date().toISOString(), detail: {} };
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  let outcome;
  try {
    outcome = { summary: await handler(event, context) };
  } catch (error) {
    outcome = { error: { name: error && error.name, message: error && error.message } };
  }
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const used = process.cpuUsage(cpu);
  process.send({ ...outcome, wallMs, cpuMs: (used.user + used.system) / 1000, maxRssBytes: process.resourceUsage().maxRSS * 1024 });
});
process.send('ready');
`;

/** Starts a copy of `bundlePath` outside the repository (so nothing resolves from node_modules) with exactly `env`. */
export async function startMeasuredHandler(bundlePath: string, env: Record<string, string>): Promise<MeasuredHandler> {
  const dir = mkdtempSync(join(tmpdir(), 'case-watcher-bench-'));
  copyFileSync(bundlePath, join(dir, 'index.js'));
  writeFileSync(join(dir, 'driver.js'), DRIVER);
  const child: ChildProcess = fork(join(dir, 'driver.js'), [], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', ...env },
    execArgv: [], // not the bench's TypeScript loader: a plain Node.js, as on Lambda
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    void exited.then((code) => reject(new Error(`the handler process exited before it was ready (code ${code})`)));
  });

  return {
    invoke(remainingMs) {
      return new Promise((resolve, reject) => {
        child.once('message', (message) => resolve(message as MeasuredInvocation));
        void exited.then((code) => reject(new Error(`the handler process exited (code ${code})`)));
        child.send({ remainingMs });
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill();
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
