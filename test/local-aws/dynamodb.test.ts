import {
  BatchWriteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { TEST_CREDENTIALS, TEST_REGION } from '../../local-aws/credentials';
import { rejectionOf } from '../support/rejection';
import { signedFetch } from '../support/signed-fetch';
import { createTable, DynamoDbProxy, DynamoDbServer, startDynalite, startDynamoDbProxy } from '../../local-aws/dynamodb';

const TABLE = 'watcher-state';
let dynamo: DynamoDbServer;
let proxy: DynamoDbProxy;
let client: DynamoDBClient;

beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(() => dynamo.close());

let tableCount = 0;
let table: string;
beforeEach(async () => {
  table = `${TABLE}-${++tableCount}`;
  await createTable(dynamo.endpoint, { tableName: table, partitionKey: 'pk', sortKey: 'sk', ttlAttribute: 'expiresAt' });
  proxy = await startDynamoDbProxy(dynamo.endpoint);
  client = new DynamoDBClient({ endpoint: proxy.url, region: TEST_REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
});
afterEach(async () => {
  client.destroy();
  await proxy.close();
});

function caseItem(id: string, extra: Record<string, { S: string }> = {}) {
  return { pk: { S: 'CASE' }, sk: { S: id }, caseStatus: { S: 'Acknowledged' }, ...extra };
}

describe('dynalite behind the recording proxy', () => {
  test('forwards reads and writes and records operation, table, writes and write units', async () => {
    await client.send(new PutItemCommand({ TableName: table, Item: caseItem('1') }));
    await client.send(new PutItemCommand({ TableName: table, Item: caseItem('2', { blob: { S: 'x'.repeat(2500) } }) }));
    const got = await client.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'CASE' }, sk: { S: '1' } }, ConsistentRead: true }));
    expect(got.Item).toEqual(caseItem('1'));
    await client.send(
      new BatchWriteItemCommand({ RequestItems: { [table]: ['3', '4', '5'].map((id) => ({ PutRequest: { Item: caseItem(id) } })) } }),
    );
    const queried = await client.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'CASE' } } }));
    expect(queried.Items!.map((i) => i.sk.S)).toEqual(['1', '2', '3', '4', '5']);

    expect(proxy.calls).toEqual([
      { operation: 'PutItem', action: 'dynamodb:PutItem', tableName: table, isWrite: true, itemsWritten: 1, writeUnits: 1, status: 200 },
      { operation: 'PutItem', action: 'dynamodb:PutItem', tableName: table, isWrite: true, itemsWritten: 1, writeUnits: 3, status: 200 },
      { operation: 'GetItem', action: 'dynamodb:GetItem', tableName: table, isWrite: false, itemsWritten: 0, writeUnits: 0, status: 200 },
      { operation: 'BatchWriteItem', action: 'dynamodb:BatchWriteItem', tableName: table, isWrite: true, itemsWritten: 3, writeUnits: 3, status: 200 },
      { operation: 'Query', action: 'dynamodb:Query', tableName: table, isWrite: false, itemsWritten: 0, writeUnits: 0, status: 200 },
    ]);
  });

  test('passes DynamoDB errors through: a failed condition is a ConditionalCheckFailedException', async () => {
    await client.send(new PutItemCommand({ TableName: table, Item: caseItem('1') }));
    const err = await rejectionOf(
      client.send(new PutItemCommand({ TableName: table, Item: caseItem('1'), ConditionExpression: 'attribute_not_exists(pk)' })),
    );
    expect(err.name).toBe('ConditionalCheckFailedException');
    expect(proxy.calls[1]).toMatchObject({ operation: 'PutItem', status: 400, itemsWritten: 1 });
  });

  test('counts UpdateItem and transactional writes', async () => {
    await client.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { pk: { S: 'META' }, sk: { S: 'META' } },
        UpdateExpression: 'SET leaseOwner = :me',
        ExpressionAttributeValues: { ':me': { S: 'run-1' } },
      }),
    );
    await client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: table, Item: caseItem('1') } },
          { Delete: { TableName: table, Key: { pk: { S: 'CASE' }, sk: { S: '9' } } } },
          { ConditionCheck: { TableName: table, Key: { pk: { S: 'META' }, sk: { S: 'META' } }, ConditionExpression: 'attribute_exists(pk)' } },
        ],
      }),
    ).catch((err: Error) => {
      // dynalite has no transactions; what matters here is what the proxy recorded.
      expect(err.name).toBe('UnknownOperationException');
    });
    expect(proxy.calls[0]).toMatchObject({ operation: 'UpdateItem', isWrite: true, itemsWritten: 1, writeUnits: 1, status: 200 });
    expect(proxy.calls[1]).toMatchObject({ operation: 'TransactWriteItems', tableName: table, isWrite: true, itemsWritten: 2, writeUnits: 4 });
  });

  test('streams a large answer back intact', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => String(i).padStart(3, '0'));
    for (let i = 0; i < ids.length; i += 20) {
      const batch = ids.slice(i, i + 20).map((id) => ({ PutRequest: { Item: caseItem(id, { blob: { S: id.repeat(1000) } }) } }));
      await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: batch } }));
    }
    const res = await client.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'CASE' } } }));
    expect(res.Items!.map((i) => i.sk.S)).toEqual(ids);
    expect(res.Items!.every((i) => i.blob.S === i.sk.S!.repeat(1000))).toBe(true);
  });
});

describe('faults and signatures', () => {
  test('an injected ProvisionedThroughputExceededException reaches the SDK and writes nothing', async () => {
    proxy.faults.add({ kind: 'error', status: 400, type: 'ProvisionedThroughputExceededException', message: 'Rate of requests exceeds the allowed throughput.' }, { operation: 'PutItem' });
    const err = await rejectionOf(client.send(new PutItemCommand({ TableName: table, Item: caseItem('1') })));
    expect(err.name).toBe('ProvisionedThroughputExceededException');
    expect(err.$metadata.httpStatusCode).toBe(400);
    const got = await client.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'CASE' }, sk: { S: '1' } } }));
    expect(got.Item).toBeUndefined();
    expect(proxy.calls.map((c) => [c.operation, c.status, c.itemsWritten, c.writeUnits])).toEqual([
      ['PutItem', 400, 0, 0],
      ['GetItem', 200, 0, 0],
    ]);
  });

  test('the SDK retries a throttled write by itself when allowed more attempts', async () => {
    const retrying = new DynamoDBClient({ endpoint: proxy.url, region: TEST_REGION, credentials: TEST_CREDENTIALS, maxAttempts: 3 });
    try {
      proxy.faults.add({ kind: 'error', status: 400, type: 'ProvisionedThroughputExceededException' }, { operation: 'PutItem' });
      await retrying.send(new PutItemCommand({ TableName: table, Item: caseItem('1') }));
      expect(proxy.calls.map((c) => c.status)).toEqual([400, 200]);
    } finally {
      retrying.destroy();
    }
  });

  test('error bodies use the awsJson1_0 namespaced __type, which the SDK understands', async () => {
    proxy.faults.add({ kind: 'error', status: 500, type: 'InternalServerError', message: 'oops' }, { times: 2 });
    const raw = await signedFetch(
      { method: 'POST', url: `${proxy.url}/`, headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.ListTables' }, body: '{}' },
      { service: 'dynamodb' },
    );
    expect(raw.status).toBe(500);
    expect(raw.headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(raw.json).toEqual({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'oops' });
    const err = await rejectionOf(client.send(new ListTablesCommand({})));
    expect(err.name).toBe('InternalServerError');
    expect(err.$metadata.httpStatusCode).toBe(500);
  });

  test('rejects a request signed with the wrong secret before it reaches dynalite', async () => {
    const wrong = new DynamoDBClient({ endpoint: proxy.url, region: TEST_REGION, credentials: { ...TEST_CREDENTIALS, secretAccessKey: 'nope' }, maxAttempts: 1 });
    try {
      const err = await rejectionOf(wrong.send(new PutItemCommand({ TableName: table, Item: caseItem('1') })));
      expect(err.name).toBe('InvalidSignatureException');
      expect(proxy.calls).toEqual([expect.objectContaining({ operation: 'PutItem', status: 400, itemsWritten: 0 })]);
      expect((await client.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'CASE' }, sk: { S: '1' } } }))).Item).toBeUndefined();
    } finally {
      wrong.destroy();
    }
  });

  test('a hang leaves the call open until the client aborts; close() ends it', async () => {
    proxy.faults.add({ kind: 'hang' }, { operation: 'GetItem' });
    const abort = new AbortController();
    const pending = rejectionOf(client.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'CASE' }, sk: { S: '1' } } }), { abortSignal: abort.signal }));
    while (proxy.calls.length === 0) await new Promise((r) => setTimeout(r, 5));
    expect(proxy.calls[0]).toMatchObject({ operation: 'GetItem', status: 0 });
    abort.abort();
    expect((await pending).name).toBe('AbortError');
  });
});
