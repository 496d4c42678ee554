/**
 * The poller against local stand-ins: the Security IR and EventBridge simulators and dynalite behind
 * the recording DynamoDB proxy, with the state table created. Builds an in-process poller wired the
 * way the handler wires it, or drives the bundled handler (`dist/handler/index.js`) in a child
 * process configured only through its environment. Used by the poller tests, the demo and the bench.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type AttributeValue, DeleteItemCommand, DynamoDBClient, ScanCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { HandlerEnvironment } from '../lib/internal/handler-environment';
import type { RecordedCase } from '../lambda/case-state';
import { changeIdOf } from '../lambda/change-detection';
import { type Clock, systemClock } from '../lambda/clock';
import { FastPath, FastPathStore } from '../lambda/fast-path';
import { Poller, PollerStore } from '../lambda/poller';
import { EventPublisher, PublisherOptions } from '../lambda/publisher';
import { type RunSettings, scopeOf } from '../lambda/run';
import { SecurityIrClient, SecurityIrClientOptions } from '../lambda/security-ir-client';
import { MetaRecord, StateStore, StateStoreOptions } from '../lambda/state-store';
import { createTelemetry, HintSummary, RunSummary } from '../lambda/telemetry';
import { localAwsEnv, TEST_ACCOUNT_ID, TEST_CREDENTIALS, TEST_REGION } from './credentials';
import { copyToTempFolder, scheduledEvent, startLambdaProcess } from './lambda-process';
import { createTable, DynamoDbProxy, DynamoDbServer, startDynalite, startDynamoDbProxy } from './dynamodb';
import { EventBridgeSimulator, startEventBridgeSimulator } from './eventbridge-simulator';
import { SecurityIrSimulator, SimCase, startSecurityIrSimulator } from './security-ir-simulator';

const REPO_ROOT = join(__dirname, '..');
export const BUNDLE_PATH = join(REPO_ROOT, 'dist', 'handler', 'index.js');
/** The notifier's bundle (`SecurityIrCaseNotifications`), built by the same script. */
export const NOTIFIER_BUNDLE_PATH = join(REPO_ROOT, 'dist', 'notifier', 'index.js');

/** One parsed log line of the poller (JSON). */
export type LogLine = Record<string, any>;

/** How one poll ended: its summary, or the error it threw; and what it logged. */
export interface PollRun {
  readonly summary?: RunSummary;
  readonly error?: { name: string; message: string; stack?: string };
  /** The error object the in-process poller threw, for `instanceof` checks (not set for the bundled handler). */
  readonly thrown?: unknown;
  readonly logs: LogLine[];
}

export interface HarnessPollerOptions {
  /** Poller settings over the harness defaults (source, flags, region, account). */
  readonly settings?: Partial<RunSettings>;
  /** Wraps the real state store, e.g. to make a write fail after publishing. */
  readonly wrapStore?: (store: WatcherStore) => WatcherStore;
  /** Security IR client options over the harness defaults (short retry delays). */
  readonly client?: Partial<SecurityIrClientOptions>;
  /** Publisher options over the harness defaults (short retry delays). */
  readonly publisher?: Partial<PublisherOptions>;
  /** State store options over the harness defaults (short retry delays). */
  readonly store?: Partial<StateStoreOptions>;
  /** The time of the poller, the store, the publisher and the telemetry (their waits stay real). */
  readonly now?: () => number;
  /** The whole clock of every part, the Security IR client's too, waits included (a virtual clock whose `sleep` moves `now`); overrides `now`. */
  readonly clock?: Clock;
}

/** Every state operation of the poll and the fast path: what a test's `wrapStore` wraps. */
export type WatcherStore = PollerStore & FastPathStore;

/** How one hint ended: its summary, or the error it threw; and what it logged. */
export interface HintRun {
  readonly summary?: HintSummary;
  readonly error?: { name: string; message: string };
  readonly logs: LogLine[];
}

export interface HarnessPoller {
  readonly poller: Poller;
  /** Runs one poll ending by `deadline` (default: 30 s from now); never throws. */
  poll(deadline?: number): Promise<PollRun>;
  /** Handles one fast-path hint for `caseId`, with the same clients and store; never throws. */
  hint(caseId: string, deadline?: number): Promise<HintRun>;
}

/** One invocation of the bundled handler: its outcome, and what the handler's process spent on it. */
export interface BundledRun extends PollRun {
  readonly result?: unknown;
  readonly wallMs: number;
  readonly cpuMs: number;
  /** Peak RSS of the handler's process so far. */
  readonly maxRssBytes: number;
}

/** The bundled handler, loaded once in a child process: one container, several invocations. */
export interface BundledHandler {
  /** Invokes `handler` with `event` (default: the schedule's invocation) and a Lambda-like context. */
  invoke(opts?: { remainingMs?: number; event?: unknown }): Promise<BundledRun>;
  stop(): Promise<void>;
}

export interface PollerHarness {
  readonly securityIr: SecurityIrSimulator;
  readonly eventBridge: EventBridgeSimulator;
  /** The recording proxy every DynamoDB client of the harness goes through. */
  readonly dynamoDb: DynamoDbProxy;
  readonly tableName: string;
  readonly busName: string;
  readonly eventSource: string;
  /** The handler's environment: local endpoints, test credentials, the configuration variables. */
  handlerEnv(overrides?: Record<string, string | undefined>): Record<string, string>;
  createPoller(options?: HarnessPollerOptions): HarnessPoller;
  /** One poll with a fresh poller: `createPoller(options).poll()`. */
  poll(options?: HarnessPollerOptions): Promise<PollRun>;
  /** Starts the bundled handler (built if missing or stale) in a child process, from a copy outside the repository. */
  startBundledHandler(envOverrides?: Record<string, string | undefined>): Promise<BundledHandler>;
  /** The state of one watched scope (default: the harness's), read straight from dynalite (not counted by the proxy). */
  readState(scope?: Partial<Pick<RunSettings, 'accountId' | 'securityIrRegion'>>): Promise<{ meta?: MetaRecord; cases: Map<string, RecordedCase> }>;
  /** Deletes every item of the state table, straight in dynalite (not counted by the proxy). */
  clearState(): Promise<void>;
  /**
   * As if the waiting cases had waited `minutes` longer: their `awaitingCustomerSince` and
   * `...Since` times and the meta item's next reminder moved back by that much, straight in dynalite
   * (not counted by the proxy). How a test with real signatures (the bundled handler's) or the demo
   * reaches a reminder mark without waiting.
   */
  ageWaits(minutes: number): Promise<void>;
  /** Forgets the calls recorded by every stand-in and the accepted events. Queued faults stay. */
  resetRecords(): void;
  close(): Promise<void>;
}

export interface PollerHarnessOptions {
  readonly tableName?: string;
  readonly busName?: string;
  readonly eventSource?: string;
  /**
   * Keys the Security IR simulator accepts (e.g. the list an STS simulator grants its temporary
   * keys to, for the SECURITY_IR_ROLE_ARN path). @default [TEST_CREDENTIALS]
   */
  readonly securityIrCredentials?: { accessKeyId: string; secretAccessKey: string }[];
}

export async function startPollerHarness(options: PollerHarnessOptions = {}): Promise<PollerHarness> {
  const tableName = options.tableName ?? 'case-watcher-state';
  const busName = options.busName ?? 'case-watcher-bus';
  const eventSource = options.eventSource ?? 'security-ir.case-watcher';

  const securityIr = await startSecurityIrSimulator({ credentials: options.securityIrCredentials });
  const eventBridge = await startEventBridgeSimulator();
  const dynalite: DynamoDbServer = await startDynalite();
  const dynamoDb = await startDynamoDbProxy(dynalite.endpoint);
  await createTable(dynalite.endpoint, { tableName, partitionKey: 'pk', sortKey: 'sk' });

  const clientConfig = { region: TEST_REGION, credentials: TEST_CREDENTIALS };
  // One attempt per request, as the handler's clients make: the retries are the state store's own.
  const dynamoViaProxy = new DynamoDBClient({ ...clientConfig, endpoint: dynamoDb.url, maxAttempts: 1 });
  const dynamoDirect = new DynamoDBClient({ ...clientConfig, endpoint: dynalite.endpoint });
  const eventBridgeClient = new EventBridgeClient({ ...clientConfig, endpoint: eventBridge.url, maxAttempts: 1 });
  const bundledHandlers = new Set<BundledHandler>();

  const harness: PollerHarness = {
    securityIr,
    eventBridge,
    dynamoDb,
    tableName,
    busName,
    eventSource,

    handlerEnv(overrides = {}) {
      const env: Record<string, string | undefined> = {
        ...localAwsEnv({ securityIr: securityIr.url, eventBridge: eventBridge.url, dynamoDb: dynamoDb.url }),
        AWS_EC2_METADATA_DISABLED: 'true',
        [HandlerEnvironment.STATE_TABLE_NAME]: tableName,
        [HandlerEnvironment.EVENT_BUS_NAME]: busName,
        [HandlerEnvironment.EVENT_SOURCE]: eventSource,
        [HandlerEnvironment.EMIT_CREATED_EVENTS]: 'true',
        [HandlerEnvironment.EMIT_EXISTING_CASES_ON_FIRST_RUN]: 'false',
        [HandlerEnvironment.SECURITY_IR_REGION]: TEST_REGION,
        [HandlerEnvironment.SERVICE_NAME]: 'case-watcher-test',
        ...overrides,
      };
      return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
    },

    createPoller(pollerOptions = {}) {
      const clock: Clock = pollerOptions.clock ?? (pollerOptions.now ? { ...systemClock, now: pollerOptions.now } : systemClock);
      let listCasesCalls = 0;
      const client = new SecurityIrClient({
        region: TEST_REGION,
        endpoint: securityIr.url,
        credentials: async () => TEST_CREDENTIALS,
        baseDelayMs: 5,
        maxDelayMs: 50,
        ...(pollerOptions.clock ? { clock: pollerOptions.clock } : {}),
        ...pollerOptions.client,
        onAttempt: (operation, attempt) => {
          if (operation === 'ListCases') listCasesCalls++;
          pollerOptions.client?.onAttempt?.(operation, attempt);
        },
      });

      const publisher = new EventPublisher({ client: eventBridgeClient, eventBusName: busName, baseDelayMs: 5, maxDelayMs: 50, clock, ...pollerOptions.publisher });
      const logs: LogLine[] = [];
      const telemetry = createTelemetry({ serviceName: 'case-watcher-test', write: (line) => logs.push(JSON.parse(line)), clock });
      const settings: RunSettings = {
        eventSource,
        emitCreatedEvents: true,
        emitExistingCasesOnFirstRun: false,
        securityIrRegion: TEST_REGION,
        accountId: TEST_ACCOUNT_ID,
        ...pollerOptions.settings,
      };
      const realStore = new StateStore({ client: dynamoViaProxy, tableName, clock, baseDelayMs: 5, scope: scopeOf(settings), ...pollerOptions.store });
      const store = pollerOptions.wrapStore ? pollerOptions.wrapStore(realStore) : realStore;
      const poller = new Poller({ source: client, store, publisher, telemetry, listCasesCalls: () => listCasesCalls, clock }, settings);
      const fastPath = new FastPath({ source: client, store, publisher, telemetry, clock }, settings);
      return {
        poller,
        async hint(caseId, deadline = clock.now() + 30_000) {
          logs.length = 0;
          try {
            return { summary: await fastPath.handle(caseId, deadline), logs: [...logs] };
          } catch (error) {
            return { error: { name: (error as Error).name, message: (error as Error).message }, logs: [...logs] };
          }
        },
        async poll(deadline = clock.now() + 30_000) {
          logs.length = 0;
          try {
            const summary = await poller.poll(deadline);
            return { summary, logs: [...logs] };
          } catch (error) {
            return { error: { name: (error as Error).name, message: (error as Error).message }, thrown: error, logs: [...logs] };
          }
        },
      };
    },

    poll(pollerOptions) {
      return harness.createPoller(pollerOptions).poll();
    },

    async startBundledHandler(envOverrides = {}) {
      const handler = await startBundledHandler(harness.handlerEnv(envOverrides));
      bundledHandlers.add(handler);
      return {
        invoke: handler.invoke,
        stop: async () => {
          bundledHandlers.delete(handler);
          await handler.stop();
        },
      };
    },

    async readState(scope = {}) {
      const store = new StateStore({ client: dynamoDirect, tableName, scope: scopeOf({ accountId: TEST_ACCOUNT_ID, securityIrRegion: TEST_REGION, ...scope }) });
      return { meta: await store.getMeta(), cases: await store.loadCases() };
    },

    async clearState() {
      const { Items = [] } = await dynamoDirect.send(new ScanCommand({ TableName: tableName, ProjectionExpression: 'pk, sk' }));
      for (const key of Items) await dynamoDirect.send(new DeleteItemCommand({ TableName: tableName, Key: key }));
    },

    async ageWaits(minutes) {
      const earlier = (item: Record<string, AttributeValue>, name: string) => item[name]?.S !== undefined
        ? { S: new Date(Date.parse(item[name].S!) - minutes * 60_000).toISOString() }
        : item[name]?.N !== undefined ? { N: String(Number(item[name].N) - minutes * 60_000) } : undefined;
      const { Items = [] } = await dynamoDirect.send(new ScanCommand({ TableName: tableName }));
      for (const item of Items.filter((i) => i.awaitingCustomerSince !== undefined || i.nextReminderAt?.N !== undefined)) {
        const moved = ['awaitingCustomerSince', 'caseStatusSince', 'pendingActionSince', 'nextReminderAt'].flatMap((name) => {
          const value = earlier(item, name);
          return value === undefined ? [] : [[name, value] as const];
        });
        await dynamoDirect.send(new UpdateItemCommand({
          TableName: tableName,
          Key: { pk: item.pk, sk: item.sk },
          UpdateExpression: `SET ${moved.map((_, i) => `#a${i} = :v${i}`).join(', ')}`,
          ExpressionAttributeNames: Object.fromEntries(moved.map(([name], i) => [`#a${i}`, name])),
          ExpressionAttributeValues: Object.fromEntries(moved.map(([, value], i) => [`:v${i}`, value])),
        }));
      }
    },

    resetRecords() {
      securityIr.calls.length = 0;
      eventBridge.calls.length = 0;
      eventBridge.events.length = 0;
      dynamoDb.calls.length = 0;
    },

    async close() {
      await Promise.all([...bundledHandlers].map((h) => h.stop()));
      dynamoViaProxy.destroy();
      dynamoDirect.destroy();
      eventBridgeClient.destroy();
      await Promise.all([securityIr.close(), eventBridge.close(), dynamoDb.close()]);
      await dynalite.close();
    },
  };
  return harness;
}

/** Requests the stand-ins answered since the last `resetRecords()`, by operation. */
export interface RequestsSeen {
  /** Security IR operations, e.g. `{ GetCase: 1 }`. */
  readonly securityIr: Readonly<Record<string, number>>;
  /** DynamoDB reads by operation, e.g. `{ BatchGetItem: 1 }`. */
  readonly dynamoDbReads: Readonly<Record<string, number>>;
  /** DynamoDB writes by operation, e.g. `{ UpdateItem: 2, BatchWriteItem: 1, PutItem: 1 }`. */
  readonly dynamoDbWrites: Readonly<Record<string, number>>;
  readonly putEvents: number;
}

export function requestsSeen(harness: PollerHarness): RequestsSeen {
  const dynamoDbCalls = harness.dynamoDb.calls;
  return {
    securityIr: countByOperation(harness.securityIr.calls),
    dynamoDbReads: countByOperation(dynamoDbCalls.filter((c) => !c.isWrite)),
    dynamoDbWrites: countByOperation(dynamoDbCalls.filter((c) => c.isWrite)),
    putEvents: harness.eventBridge.calls.length,
  };
}

/** The sum of counts by operation, e.g. every DynamoDB write. */
export function totalOf(counts: Readonly<Record<string, number>>): number {
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}

function countByOperation(calls: readonly { operation: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { operation } of calls) counts[operation] = (counts[operation] ?? 0) + 1;
  return counts;
}

/**
 * The changeId the watcher gives a transition of `simCase` (as it is now in the simulator) from
 * `previous`: what a test expects to find at the EventBridge simulator.
 */
export function expectedChangeId(simCase: SimCase, field: 'created' | 'caseStatus' | 'pendingAction', previous: string | null): string {
  const current = field === 'pendingAction' ? simCase.pendingAction ?? null : simCase.caseStatus ?? null;
  return changeIdOf(simCase.caseId, field, previous, current, isoStamp(simCase));
}

/** `simCase`'s `lastUpdatedDate` (as it is now in the simulator) as the watcher records it. */
export function isoStamp(simCase: SimCase): string | null {
  return simCase.lastUpdatedDate === undefined ? null : new Date(simCase.lastUpdatedDate * 1000).toISOString();
}

/** Builds the bundles (`dist/handler/index.js`, `dist/notifier/index.js`) with `node scripts/bundle.mjs` when `bundlePath` is missing or older than the sources. */
export function ensureBundle(bundlePath: string = BUNDLE_PATH): string {
  const newestSource = Math.max(...['lambda', 'lib'].flatMap((dir) =>
    readdirSync(join(REPO_ROOT, dir), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => statSync(join(REPO_ROOT, dir, f)).mtimeMs)));
  if (!existsSync(bundlePath) || statSync(bundlePath).mtimeMs < newestSource) {
    execFileSync(process.execPath, [join(REPO_ROOT, 'scripts', 'bundle.mjs')], { cwd: REPO_ROOT, stdio: 'pipe', timeout: 60_000 });
  }
  return bundlePath;
}

const FUNCTION_ARN = `arn:aws:lambda:${TEST_REGION}:${TEST_ACCOUNT_ID}:function:case-watcher`;
const SCHEDULE_RULE_ARN = `arn:aws:events:${TEST_REGION}:${TEST_ACCOUNT_ID}:rule/case-watcher`;

/** Starts the bundled handler from a copy in a fresh temporary folder, with exactly `env` (plus PATH). */
async function startBundledHandler(env: Record<string, string>): Promise<BundledHandler> {
  const lambda = await startLambdaProcess({
    codeDir: copyToTempFolder(ensureBundle(), 'case-watcher-handler-'),
    handler: 'index.handler',
    environment: env,
  });
  let invocations = 0;
  return {
    async invoke({ remainingMs = 30_000, event = scheduledEvent(SCHEDULE_RULE_ARN, TEST_ACCOUNT_ID, TEST_REGION) } = {}) {
      const run = await lambda.invoke(event, {
        awsRequestId: `request-${++invocations}`,
        functionName: 'case-watcher',
        invokedFunctionArn: FUNCTION_ARN,
        remainingMs,
      });
      const logs = run.logs.map((line): LogLine => {
        try {
          return JSON.parse(line);
        } catch {
          return { raw: line };
        }
      });
      const { wallMs, cpuMs, maxRssBytes } = run;
      return run.error
        ? { error: run.error, logs, wallMs, cpuMs, maxRssBytes }
        : { summary: run.result as RunSummary, result: run.result, logs, wallMs, cpuMs, maxRssBytes };
    },
    stop: () => lambda.stop(),
  };
}
