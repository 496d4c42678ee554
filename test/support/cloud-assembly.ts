/**
 * A synthesised CDK app as deployment would see it: the cloud assembly the CLI writes, its stack
 * templates, their intrinsic functions resolved to local values, the tables they declare created in
 * dynalite, and a function run from its asset folder in a child process the way Lambda runs it
 * (the template's handler, environment, timeout and memory). Nothing here reads our TypeScript.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { createTable } from './dynamodb';

const REPO_ROOT = join(__dirname, '..', '..');

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, any>;
  readonly Metadata?: Record<string, any>;
}

export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
}

export interface SynthesizedStack {
  /** The artifact ID, which is also the stack name when none is set. */
  readonly id: string;
  readonly stackName: string;
  readonly template: CfnTemplate;
}

export interface CloudAssembly {
  readonly directory: string;
  readonly manifest: { artifacts?: Record<string, { type: string; properties?: Record<string, any>; displayName?: string }> };
  readonly stacks: SynthesizedStack[];
}

/** Runs `cdk synth -q -o <outdir>` on this repository's app with the given context values. */
export function synthesizeApp(outdir: string, context: Record<string, string> = {}): CloudAssembly {
  const contextArgs = Object.entries(context).flatMap(([key, value]) => ['-c', `${key}=${value}`]);
  execFileSync(join(REPO_ROOT, 'node_modules', '.bin', 'cdk'), ['synth', '-q', '-o', outdir, ...contextArgs], {
    cwd: REPO_ROOT,
    stdio: 'pipe',
    env: { ...process.env, CDK_DISABLE_VERSION_CHECK: 'true' },
  });
  return readCloudAssembly(outdir);
}

/** Reads `manifest.json` and the template of every stack artifact in it. */
export function readCloudAssembly(directory: string): CloudAssembly {
  const manifest: CloudAssembly['manifest'] = JSON.parse(readFileSync(join(directory, 'manifest.json'), 'utf8'));
  const stacks = Object.entries(manifest.artifacts ?? {})
    .filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack')
    .map(([id, artifact]) => ({
      id,
      stackName: artifact.properties?.stackName ?? id,
      template: JSON.parse(readFileSync(join(directory, artifact.properties!.templateFile), 'utf8')) as CfnTemplate,
    }));
  return { directory, manifest, stacks };
}

/** The template's resources of one type, with their logical IDs. */
export function resourcesOfType(template: CfnTemplate, type: string): { logicalId: string; resource: CfnResource }[] {
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === type)
    .map(([logicalId, resource]) => ({ logicalId, resource }));
}

/** What `Ref` and `Fn::GetAtt` of each resource and pseudo parameter stand for in a local run. */
export interface LocalReferences {
  /** `Ref` values by logical ID or pseudo parameter (`AWS::AccountId`...). */
  readonly refs: Record<string, string>;
  /** `Fn::GetAtt` values by `<logicalId>.<attribute>`. */
  readonly attributes?: Record<string, string>;
}

/** The pseudo parameters of a stack deployed as `stackName` in `account` / `region` of the `aws` partition. */
export function pseudoParameters(stackName: string, account: string, region: string): Record<string, string> {
  return {
    'AWS::AccountId': account,
    'AWS::Region': region,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': stackName,
    'AWS::StackId': `arn:aws:cloudformation:${region}:${account}:stack/${stackName}/${randomUUID()}`,
  };
}

/**
 * `value` with its intrinsic functions (`Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`, `Fn::Select`,
 * `Fn::Split`) evaluated. A reference without a local value throws, naming it: a template that
 * needs something the test does not provide must not run with a guess.
 */
export function resolveIntrinsics(value: unknown, references: LocalReferences): any {
  const resolve = (v: unknown): any => resolveIntrinsics(v, references);
  if (Array.isArray(value)) return value.map(resolve);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  if (entries.length === 1) {
    const [[key, argument]] = entries;
    switch (key) {
      case 'Ref':
        return lookup(references.refs, String(argument), 'Ref');
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = Array.isArray(argument) ? argument : String(argument).split('.');
        return lookup(references.attributes ?? {}, `${logicalId}.${resolve(attribute)}`, 'Fn::GetAtt');
      }
      case 'Fn::Join': {
        const [separator, parts] = argument as [string, unknown[]];
        return (resolve(parts) as unknown[]).join(separator);
      }
      case 'Fn::Select': {
        const [index, list] = argument as [unknown, unknown];
        return (resolve(list) as unknown[])[Number(resolve(index))];
      }
      case 'Fn::Split': {
        const [separator, text] = argument as [string, unknown];
        return String(resolve(text)).split(separator);
      }
      case 'Fn::Sub': {
        const [text, variables] = Array.isArray(argument) ? argument : [argument, {}];
        const own = resolve(variables) as Record<string, string>;
        return String(text).replace(/\$\{([^}!][^}]*)\}/g, (_match, name: string) => {
          if (name in own) return own[name];
          return name.includes('.') ? lookup(references.attributes ?? {}, name, 'Fn::Sub') : lookup(references.refs, name, 'Fn::Sub');
        });
      }
      default:
        if (key.startsWith('Fn::')) throw new Error(`${key} is not supported by the local resolver`);
    }
  }
  return Object.fromEntries(entries.map(([key, v]) => [key, resolve(v)]));
}

function lookup(values: Record<string, string>, name: string, intrinsic: string): string {
  if (!Object.prototype.hasOwnProperty.call(values, name)) {
    throw new Error(`${intrinsic} ${name} has no local value`);
  }
  return values[name];
}

/**
 * Creates every `AWS::DynamoDB::Table` of `template` in the DynamoDB at `endpoint`, from its own
 * `KeySchema` and `AttributeDefinitions`, named by `nameOf(logicalId)` (or its `TableName`).
 * Returns the table names by logical ID.
 */
export async function createTemplateTables(endpoint: string, template: CfnTemplate, nameOf: (logicalId: string) => string): Promise<Record<string, string>> {
  const names: Record<string, string> = {};
  for (const { logicalId, resource } of resourcesOfType(template, 'AWS::DynamoDB::Table')) {
    const props = resource.Properties ?? {};
    const keys = props.KeySchema as { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[];
    const types = new Map((props.AttributeDefinitions as { AttributeName: string; AttributeType: string }[]).map((d) => [d.AttributeName, d.AttributeType]));
    const nonString = keys.filter((k) => types.get(k.AttributeName) !== 'S');
    if (nonString.length > 0) {
      throw new Error(`${logicalId}: only string keys can be created locally, not ${nonString.map((k) => `${k.AttributeName} (${types.get(k.AttributeName)})`).join(', ')}`);
    }
    const tableName = typeof props.TableName === 'string' ? props.TableName : nameOf(logicalId);
    await createTable(endpoint, {
      tableName,
      partitionKey: keys.find((k) => k.KeyType === 'HASH')!.AttributeName,
      sortKey: keys.find((k) => k.KeyType === 'RANGE')?.AttributeName,
      ttlAttribute: props.TimeToLiveSpecification?.Enabled ? props.TimeToLiveSpecification.AttributeName : undefined,
    });
    names[logicalId] = tableName;
  }
  return names;
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

/** How one invocation ended, and the lines the function wrote to stdout meanwhile. */
export interface Invocation {
  readonly result?: unknown;
  readonly error?: { name: string; message: string };
  readonly logs: string[];
}

/** A function of a template, running from a copy of its asset folder in one child process (one warm container). */
export interface LocalFunction {
  readonly logicalId: string;
  readonly functionName: string;
  readonly functionArn: string;
  /** The environment of the function process: the template's variables resolved, plus `extraEnv`. */
  readonly environment: Record<string, string>;
  readonly timeoutSeconds: number;
  /** Invokes the handler with `event` and a Lambda-like context; one invocation at a time. */
  invoke(event: unknown): Promise<Invocation>;
  stop(): Promise<void>;
}

export interface StartFunctionOptions {
  readonly assembly: CloudAssembly;
  readonly stack: SynthesizedStack;
  readonly logicalId: string;
  readonly references: LocalReferences;
  readonly account: string;
  readonly region: string;
  /** Added to the function's environment (endpoints, credentials); wins over the template. */
  readonly extraEnv?: Record<string, string>;
}

/**
 * Copies the function's asset folder (`Metadata['aws:asset:path']`) outside the repository and loads
 * its `Handler` in a child process, with the template's environment resolved and the variables the
 * Lambda runtime sets. Only `PATH` is inherited from this process.
 */
export async function startTemplateFunction(options: StartFunctionOptions): Promise<LocalFunction> {
  const { stack, logicalId, references, account, region } = options;
  const resource = stack.template.Resources[logicalId];
  if (resource?.Type !== 'AWS::Lambda::Function') throw new Error(`${logicalId} is not an AWS::Lambda::Function of ${stack.id}`);
  const props = resource.Properties ?? {};
  const assetPath = resource.Metadata?.['aws:asset:path'];
  if (typeof assetPath !== 'string') throw new Error(`${logicalId} has no aws:asset:path metadata (synthesise with the CLI)`);

  const codeDir = mkdtempSync(join(tmpdir(), 'case-watcher-function-'));
  cpSync(isAbsolute(assetPath) ? assetPath : join(options.assembly.directory, assetPath), codeDir, { recursive: true });

  const functionName = `${stack.stackName}-${logicalId}`.slice(0, 64);
  const functionArn = `arn:aws:lambda:${region}:${account}:function:${functionName}`;
  const timeoutSeconds = Number(props.Timeout ?? 3);
  const memorySize = Number(props.MemorySize ?? 128);
  const variables = resolveIntrinsics(props.Environment?.Variables ?? {}, references) as Record<string, string>;
  const logGroupName = props.LoggingConfig?.LogGroup ? String(resolveIntrinsics(props.LoggingConfig.LogGroup, references)) : `/aws/lambda/${functionName}`;
  const environment: Record<string, string> = {
    ...variables,
    // What the Lambda runtime sets for every function.
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memorySize),
    AWS_LAMBDA_LOG_GROUP_NAME: logGroupName,
    AWS_EXECUTION_ENV: `AWS_Lambda_${props.Runtime}`,
    LAMBDA_TASK_ROOT: codeDir,
    _HANDLER: String(props.Handler),
    TZ: 'UTC',
    ...options.extraEnv,
  };
  const container = await startContainer(codeDir, String(props.Handler), environment);
  let invocations = 0;
  return {
    logicalId,
    functionName,
    functionArn,
    environment,
    timeoutSeconds,
    invoke: (event) => container.invoke(event, {
      awsRequestId: randomUUID(),
      functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: functionArn,
      memoryLimitInMB: String(memorySize),
      logGroupName,
      logStreamName: `local/[$LATEST]${String(++invocations).padStart(32, '0')}`,
      timeoutMs: timeoutSeconds * 1000,
    }),
    stop: async () => {
      await container.stop();
      rmSync(codeDir, { recursive: true, force: true });
    },
  };
}

/** The context fields sent to the child; it adds `getRemainingTimeInMillis` from `timeoutMs`. */
interface ContextSpec {
  awsRequestId: string;
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  logGroupName: string;
  logStreamName: string;
  timeoutMs: number;
}

/**
 * The child: loads `<module>.js` once and calls its export on each message, with stdout captured
 * per invocation (the handler writes its JSON log lines and EMF there) and sent back with the outcome.
 */
const CONTAINER_DRIVER = `
const path = require('node:path');
const [moduleName, exportName] = splitHandler(process.env._HANDLER);
const handler = require(path.join(process.env.LAMBDA_TASK_ROOT, moduleName))[exportName];
if (typeof handler !== 'function') throw new Error(process.env._HANDLER + ' is not a function');
let captured = null;
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = (chunk, ...rest) => (captured ? (captured.push(String(chunk)), true) : write(chunk, ...rest));
process.on('message', async ({ event, context: spec }) => {
  const deadline = Date.now() + spec.timeoutMs;
  const context = { ...spec, callbackWaitsForEmptyEventLoop: true, getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()) };
  delete context.timeoutMs;
  captured = [];
  let outcome;
  try {
    outcome = { result: await handler(event, context) };
  } catch (error) {
    outcome = { error: { name: String(error && error.name), message: String(error && error.message) } };
  }
  const logs = captured.join('').split('\\n').filter((line) => line !== '');
  captured = null;
  process.send({ ...outcome, logs });
});
process.send('ready');
function splitHandler(spec) {
  const dot = spec.lastIndexOf('.');
  return [spec.slice(0, dot), spec.slice(dot + 1)];
}
`;

interface Container {
  invoke(event: unknown, context: ContextSpec): Promise<Invocation>;
  stop(): Promise<void>;
}

async function startContainer(codeDir: string, handler: string, environment: Record<string, string>): Promise<Container> {
  const child: ChildProcess = spawn(process.execPath, ['-e', CONTAINER_DRIVER], {
    cwd: codeDir,
    env: { PATH: process.env.PATH ?? '', ...environment, _HANDLER: handler },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let pending: { resolve: (i: Invocation) => void; reject: (e: Error) => void } | undefined;
  exited.then((code) => pending?.reject(new Error(`the function process exited (code ${code}): ${stderr}`)));
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    exited.then((code) => reject(new Error(`the function process exited before it was ready (code ${code}): ${stderr}`)));
  });
  child.on('message', (message: Invocation) => {
    const done = pending;
    pending = undefined;
    done?.resolve(message);
  });

  return {
    invoke(event, context) {
      if (pending) return Promise.reject(new Error('one invocation at a time, like Lambda'));
      return new Promise((resolve, reject) => {
        pending = { resolve, reject };
        child.send({ event, context });
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill();
        await exited;
      }
    },
  };
}
