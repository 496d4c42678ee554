/**
 * A synthesised CDK app as deployment would see it: the cloud assembly the CLI writes, its stack
 * templates, their intrinsic functions resolved to local values, the tables they declare created in
 * dynalite, and a function run from its asset folder in a child process the way Lambda runs it
 * (the template's handler, environment, timeout and memory). Nothing here reads our TypeScript.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { createTable } from '../../local-aws/dynamodb';
import { LambdaInvocation, startLambdaProcess } from '../../local-aws/lambda-process';

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
  /** What `cdk synth` printed (stdout, then stderr), for an assembly from `synthesizeApp`. */
  readonly cliOutput?: string;
  readonly manifest: { artifacts?: Record<string, { type: string; properties?: Record<string, any>; displayName?: string }> };
  readonly stacks: SynthesizedStack[];
}

/** Runs `cdk synth -q -o <outdir>` on this repository's app with the given context values. */
export function synthesizeApp(outdir: string, context: Record<string, string> = {}): CloudAssembly {
  const contextArgs = Object.entries(context).flatMap(([key, value]) => ['-c', `${key}=${value}`]);
  const synth = spawnSync(join(REPO_ROOT, 'node_modules', '.bin', 'cdk'), ['synth', '-q', '-o', outdir, ...contextArgs], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 120_000, // a synchronous child also stops jest's timeout: a stalled synth must fail, not hang
    env: { ...process.env, CDK_DISABLE_VERSION_CHECK: 'true' },
  });
  const cliOutput = `${synth.stdout ?? ''}${synth.stderr ?? ''}`;
  if (synth.status !== 0) throw new Error(`cdk synth exited with ${synth.status ?? synth.signal}:\n${cliOutput}${synth.error ?? ''}`);
  return { ...readCloudAssembly(outdir), cliOutput };
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

/** A function of a template, running from a copy of its asset folder in one child process (one warm container). */
export interface LocalFunction {
  readonly logicalId: string;
  readonly functionName: string;
  readonly functionArn: string;
  /** The environment of the function process: the template's variables resolved, plus `extraEnv`. */
  readonly environment: Record<string, string>;
  readonly timeoutSeconds: number;
  /** Invokes the handler with `event` and a Lambda-like context; one invocation at a time. */
  invoke(event: unknown): Promise<LambdaInvocation>;
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
    TZ: 'UTC',
    ...options.extraEnv,
  };
  const container = await startLambdaProcess({ codeDir, handler: String(props.Handler), environment });
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
      remainingMs: timeoutSeconds * 1000,
    }),
    stop: () => container.stop(),
  };
}
