import { ListTablesCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { localAwsEnv, TEST_CREDENTIALS } from '../../local-aws/credentials';
import { startDynalite, startDynamoDbProxy } from '../../local-aws/dynamodb';
import { startEventBridgeSimulator } from '../../local-aws/eventbridge-simulator';

test('localAwsEnv lists exactly the variables for the endpoints given', () => {
  expect(localAwsEnv({})).toEqual({ AWS_ACCESS_KEY_ID: 'AKIDLOCALTEST', AWS_SECRET_ACCESS_KEY: 'local-test-secret', AWS_REGION: 'us-east-1' });
  expect(localAwsEnv({ securityIr: 'http://127.0.0.1:1', eventBridge: 'http://127.0.0.1:2', dynamoDb: 'http://127.0.0.1:3' })).toMatchObject({
    AWS_ENDPOINT_URL_SECURITY_IR: 'http://127.0.0.1:1',
    AWS_ENDPOINT_URL_EVENTBRIDGE: 'http://127.0.0.1:2',
    AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:3',
  });
});

test('SDK clients configured only by localAwsEnv reach the stand-ins, signed with the test identity', async () => {
  const dynamo = await startDynalite();
  const proxy = await startDynamoDbProxy(dynamo.endpoint);
  const events = await startEventBridgeSimulator();
  const saved = { ...process.env };
  Object.assign(process.env, localAwsEnv({ eventBridge: events.url, dynamoDb: proxy.url }));
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
  const ddb = new DynamoDBClient({ maxAttempts: 1 });
  const eb = new EventBridgeClient({ maxAttempts: 1 });
  try {
    await ddb.send(new ListTablesCommand({}));
    await eb.send(new PutEventsCommand({ Entries: [{ Source: 's', DetailType: 'd', Detail: '{}' }] }));
    expect(proxy.calls.map((c) => [c.operation, c.status])).toEqual([['ListTables', 200]]);
    expect(events.calls.map((c) => [c.operation, c.status, c.accessKeyId])).toEqual([['PutEvents', 200, TEST_CREDENTIALS.accessKeyId]]);
  } finally {
    process.env = saved;
    ddb.destroy();
    eb.destroy();
    await Promise.all([proxy.close(), events.close()]);
    await dynamo.close();
  }
});
