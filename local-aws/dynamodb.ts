/**
 * DynamoDB for tests: dynalite (in memory, in-process) and a recording, fault-injecting,
 * SigV4-verifying proxy in front of it, so tests can count requests and write units and make
 * chosen calls fail the way DynamoDB fails them.
 */
import { Agent, request as httpRequest, Server } from 'node:http';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { TEST_CREDENTIALS, TEST_REGION } from './credentials';
import { FaultInjector } from './faults';
import { AccessKey, AwsServiceError, awsJsonProtocol, CallOutcome, jsonResponse, listenOnLoopback, SimRequest, SimResponse, startAwsSimServer, StreamedResponse } from './http-server';

// dynalite ships no type declarations; this is the part of its API used here.
const dynalite: (options: { createTableMs?: number; deleteTableMs?: number; updateTableMs?: number }) => Server = require('dynalite');

export interface DynamoDbServer {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  close(): Promise<void>;
}

export interface DynamoDbCall {
  /** e.g. 'GetItem' */
  operation: string;
  /** e.g. 'dynamodb:GetItem' */
  action: string;
  /** The table named; several names comma-separated for batch and transaction calls. */
  tableName?: string;
  /** Whether the operation writes items (PutItem, UpdateItem, DeleteItem, BatchWriteItem, TransactWriteItems). */
  isWrite: boolean;
  /** Items the request writes, when it reached DynamoDB (0 when the proxy answered it: bad signature, injected fault). */
  itemsWritten: number;
  /**
   * Approximate write units the request costs, when it reached DynamoDB: per written item, 1 per started KB
   * of its JSON (for UpdateItem: of its key and new values), doubled inside a transaction.
   */
  writeUnits: number;
  /** Status answered; 0 when a `hang` fault left it unanswered. */
  status: number;
}

export interface DynamoDbProxy {
  /** `http://127.0.0.1:<port>`: use as the DynamoDB endpoint. */
  readonly url: string;
  readonly calls: DynamoDbCall[];
  readonly faults: FaultInjector;
  /**
   * Faults answered after the request reached DynamoDB and took effect (`error` faults; others are
   * ignored): the write happened, its caller is told it failed, as when an answer is lost.
   */
  readonly faultsAfterApplying: FaultInjector;
  /**
   * The next `times` (default 1; 0 cancels) BatchWriteItem requests of two items or more reach
   * DynamoDB with only their first half; the rest comes back as `UnprocessedItems`, as DynamoDB
   * answers under load. Replaces what an earlier call left. (The call log still counts the whole
   * request as written.)
   */
  leaveUnprocessed(opts?: { times?: number }): void;
  /** Requests answered with `UnprocessedItems` so far. */
  readonly unprocessedAnswers: number;
  close(): Promise<void>;
}

/** Runs dynalite in this process, in memory, on 127.0.0.1 and a free port; tables are ACTIVE at once. */
export async function startDynalite(): Promise<DynamoDbServer> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const port = await listenOnLoopback(server);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => {
      const closed = new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
      server.closeAllConnections(); // keep-alive sockets of clients and proxies
      return closed;
    },
  };
}

/** Creates an on-demand table with string keys and waits until it is ACTIVE. */
export async function createTable(endpoint: string, spec: { tableName: string; partitionKey: string; sortKey?: string; ttlAttribute?: string }): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS });
  try {
    const keys = [
      { AttributeName: spec.partitionKey, KeyType: 'HASH' as const },
      ...(spec.sortKey ? [{ AttributeName: spec.sortKey, KeyType: 'RANGE' as const }] : []),
    ];
    await client.send(
      new CreateTableCommand({
        TableName: spec.tableName,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: keys,
        AttributeDefinitions: keys.map((k) => ({ AttributeName: k.AttributeName, AttributeType: 'S' as const })),
      }),
    );
    for (;;) {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: spec.tableName }));
      if (Table?.TableStatus === 'ACTIVE') break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    if (spec.ttlAttribute) {
      try {
        await client.send(new UpdateTimeToLiveCommand({ TableName: spec.tableName, TimeToLiveSpecification: { AttributeName: spec.ttlAttribute, Enabled: true } }));
      } catch (err) {
        // dynalite has no TTL; DynamoDB Local or AWS would enable it. Expiry is never what a test checks.
        if ((err as Error).name !== 'UnknownOperationException') throw err;
      }
    }
  } finally {
    client.destroy();
  }
}

const TARGET_PREFIX = 'DynamoDB_20120810.';
const WRITE_OPERATIONS = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

/** A recording, fault-injecting, SigV4-verifying proxy in front of dynalite (faults: e.g. ProvisionedThroughputExceededException on 'PutItem'). */
export async function startDynamoDbProxy(target: string, opts: { credentials?: AccessKey[] } = {}): Promise<DynamoDbProxy> {
  const faults = new FaultInjector();
  const faultsAfterApplying = new FaultInjector();
  const calls: DynamoDbCall[] = [];
  const agent = new Agent({ keepAlive: true });
  let unprocessedToLeave = 0;
  let unprocessedAnswers = 0;
  const server = await startAwsSimServer({
    service: 'dynamodb',
    credentials: opts.credentials ?? [TEST_CREDENTIALS],
    protocol: awsJsonProtocol('1.0', 'com.amazonaws.dynamodb.v20120810#'),
    faults,
    operationOf: (req) => {
      const header = String(req.headers['x-amz-target'] ?? '');
      return req.method === 'POST' && header.startsWith(TARGET_PREFIX) ? header.slice(TARGET_PREFIX.length) : undefined;
    },
    handle: async (req, operation) => {
      const lost = faultsAfterApplying.take(operation);
      if (lost?.kind === 'error') {
        const { upstream } = await forward(req, target, agent);
        await upstream.toArray();
        throw new AwsServiceError(lost.status, lost.type, lost.message ?? `Injected ${lost.type} after the request took effect`, lost.fields, lost.retryAfterSeconds);
      }
      const part = operation === 'BatchWriteItem' && unprocessedToLeave > 0 ? splitBatchWrite(req) : undefined;
      if (!part) return forward(req, target, agent);
      unprocessedToLeave--;
      unprocessedAnswers++;
      return forwardFirstHalf(part, target, agent);
    },
    record: (outcome) => calls.push(dynamoDbCall(outcome)),
  });
  return {
    url: server.url,
    calls,
    faults,
    faultsAfterApplying,
    leaveUnprocessed: ({ times = 1 } = {}) => {
      unprocessedToLeave = times;
    },
    get unprocessedAnswers() {
      return unprocessedAnswers;
    },
    close: async () => {
      await server.close();
      agent.destroy();
    },
  };
}

/** Sends the request's bytes to `target` unchanged; the answer is streamed back as it comes. */
function forward(req: SimRequest, target: string, agent: Agent): Promise<StreamedResponse> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(new URL(req.url, target), { method: req.method, headers: req.headers, agent }, (upstream) => resolve({ upstream }));
    outgoing.on('error', reject);
    outgoing.end(req.body);
  });
}

type Json = Record<string, any>;

/** A BatchWriteItem request cut in two: the request for its first half, and the write requests left out. */
interface SplitBatchWrite {
  readonly firstHalf: SimRequest;
  readonly left: Record<string, Json[]>;
}

/** Undefined when the request has fewer than two items (DynamoDB would throttle it whole instead). */
function splitBatchWrite(req: SimRequest): SplitBatchWrite | undefined {
  const body = JSON.parse(req.body.toString('utf8')) as Json;
  const writes = Object.entries((body.RequestItems ?? {}) as Record<string, Json[]>).flatMap(([table, requests]) => requests.map((r) => [table, r] as const));
  if (writes.length < 2) return undefined;
  const keep = Math.floor(writes.length / 2);
  const group = (part: (readonly [string, Json])[]) => part.reduce<Record<string, Json[]>>((byTable, [table, r]) => ({ ...byTable, [table]: [...(byTable[table] ?? []), r] }), {});
  const kept = Buffer.from(JSON.stringify({ ...body, RequestItems: group(writes.slice(0, keep)) }));
  // dynalite does not check signatures, so the shortened body needs only its new length.
  const firstHalf = { ...req, body: kept, headers: { ...req.headers, 'content-length': String(kept.length) } };
  return { firstHalf, left: group(writes.slice(keep)) };
}

/** Sends the first half on, then answers with DynamoDB's result plus the left-out half as `UnprocessedItems`. */
async function forwardFirstHalf(part: SplitBatchWrite, target: string, agent: Agent): Promise<SimResponse> {
  const { upstream } = await forward(part.firstHalf, target, agent);
  const text = Buffer.concat(await upstream.toArray()).toString('utf8');
  const contentType = 'application/x-amz-json-1.0';
  if (upstream.statusCode !== 200) return { status: upstream.statusCode ?? 502, headers: { 'content-type': contentType }, body: text };
  const result = JSON.parse(text) as Json;
  const unprocessed: Record<string, Json[]> = { ...(result.UnprocessedItems ?? {}) };
  for (const [table, requests] of Object.entries(part.left)) unprocessed[table] = [...(unprocessed[table] ?? []), ...requests];
  return jsonResponse(200, { ...result, UnprocessedItems: unprocessed }, contentType);
}

function dynamoDbCall(outcome: CallOutcome): DynamoDbCall {
  let body: Json = {};
  try {
    body = JSON.parse(outcome.request.body.toString('utf8')) ?? {};
  } catch {
    // Not JSON: nothing to learn from it.
  }
  const written = outcome.served ? writtenItems(outcome.operation, body) : [];
  return {
    operation: outcome.operation,
    action: `dynamodb:${outcome.operation}`,
    tableName: tableNames(body),
    isWrite: WRITE_OPERATIONS.has(outcome.operation),
    itemsWritten: written.length,
    writeUnits: written.reduce((sum, w) => sum + w.factor * Math.max(1, Math.ceil(Buffer.byteLength(JSON.stringify(w.item)) / 1024)), 0),
    status: outcome.status,
  };
}

/** The items a write request writes (as much of each as the request shows) and their cost factor. */
function writtenItems(operation: string, body: Json): { item: unknown; factor: number }[] {
  const updated = (u: Json) => ({ ...u.Key, ...u.ExpressionAttributeValues, ...u.AttributeUpdates });
  switch (operation) {
    case 'PutItem':
      return [{ item: body.Item, factor: 1 }];
    case 'UpdateItem':
      return [{ item: updated(body), factor: 1 }];
    case 'DeleteItem':
      return [{ item: body.Key, factor: 1 }];
    case 'BatchWriteItem':
      return Object.values((body.RequestItems ?? {}) as Record<string, Json[]>)
        .flat()
        .map((r) => ({ item: r.PutRequest?.Item ?? r.DeleteRequest?.Key, factor: 1 }));
    case 'TransactWriteItems':
      return ((body.TransactItems ?? []) as Json[])
        .filter((t) => !t.ConditionCheck)
        .map((t) => ({ item: t.Put?.Item ?? (t.Update ? updated(t.Update) : t.Delete?.Key), factor: 2 }));
    default:
      return [];
  }
}

function tableNames(body: Json): string | undefined {
  if (typeof body.TableName === 'string') return body.TableName;
  const names = new Set<string>(Object.keys(body.RequestItems ?? {}));
  for (const t of (body.TransactItems ?? []) as Json[]) {
    for (const part of Object.values(t) as Json[]) if (typeof part?.TableName === 'string') names.add(part.TableName);
  }
  return names.size > 0 ? [...names].join(',') : undefined;
}
