/**
 * The notification stand-ins on the wire: SNS `Publish` and Secrets Manager `GetSecretValue`
 * signed with the SDK's own signer (a bad signature is refused), and the PagerDuty Events API v2
 * with its schema, its answers and its incidents by `dedup_key`. One server of each for the file.
 */
import { PagerDutySimulator, problemsOf, startPagerDutySimulator } from '../../local-aws/pagerduty-simulator';
import { SecretsManagerSimulator, startSecretsManagerSimulator } from '../../local-aws/secrets-manager-simulator';
import { chatNotificationProblems, SnsSimulator, startSnsSimulator, subjectProblemOf } from '../../local-aws/sns-simulator';
import { signedFetch } from '../support/signed-fetch';

const ROUTING_KEY = 'R0123456789abcdef0123456789abcde';
let sns: SnsSimulator;
let secrets: SecretsManagerSimulator;
let pagerDuty: PagerDutySimulator;
let chatTopic: string;
let emailTopic: string;

beforeAll(async () => {
  [sns, secrets, pagerDuty] = await Promise.all([startSnsSimulator(), startSecretsManagerSimulator(), startPagerDutySimulator({ routingKeys: [ROUTING_KEY] })]);
  chatTopic = sns.createTopic('case-chat', 'chat');
  emailTopic = sns.createTopic('case-email', 'email');
});
afterAll(() => Promise.all([sns.close(), secrets.close(), pagerDuty.close()]));

function publish(params: Record<string, string>, credentials?: { accessKeyId: string; secretAccessKey: string }) {
  return signedFetch({
    method: 'POST',
    url: `${sns.url}/`,
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: new URLSearchParams({ Action: 'Publish', Version: '2010-03-31', ...params }).toString(),
  }, { service: 'sns', credentials });
}

const CHAT_MESSAGE = {
  version: '1.0',
  source: 'custom',
  content: { textType: 'client-markdown', title: 'Case closed', description: 'Case 1234567890', nextSteps: ['Review it'], keywords: ['closed'] },
  metadata: { threadId: 'arn:aws:security-ir:us-east-1:111122223333:case/1234567890', summary: 'Case closed' },
};

describe('SNS Publish', () => {
  test('records what an e-mail and a chat subscriber receive, and answers the MessageId', async () => {
    const before = sns.deliveries.length;
    const email = await publish({ TopicArn: emailTopic, Subject: 'Case 1234567890: closed', Message: 'The case is closed.\nNext: review it.' });
    const chat = await publish({ TopicArn: chatTopic, Message: JSON.stringify(CHAT_MESSAGE) });
    expect([email.status, chat.status]).toEqual([200, 200]);
    const [emailed, chatted] = sns.deliveries.slice(before);
    expect(email.text).toContain(`<MessageId>${emailed.messageId}</MessageId>`);
    expect(emailed).toMatchObject({ topicArn: emailTopic, subscriber: 'email', subject: 'Case 1234567890: closed', message: 'The case is closed.\nNext: review it.' });
    expect(chatted).toMatchObject({ subscriber: 'chat', chat: CHAT_MESSAGE });
    expect(chatted.chatProblems).toBeUndefined();
    expect(sns.calls.slice(-2).map((c) => [c.action, c.status])).toEqual([['sns:Publish', 200], ['sns:Publish', 200]]);
  });

  test('a chat message Amazon Q Developer would not show is accepted by SNS and recorded as dropped, with why', async () => {
    const response = await publish({ TopicArn: chatTopic, Message: JSON.stringify({ ...CHAT_MESSAGE, version: '2.0', content: { title: 'x'.repeat(251) } }) });
    expect(response.status).toBe(200);
    expect(sns.deliveries.at(-1)!.chatProblems).toEqual(['version must be "1.0"', 'content.title has 251 characters, at most 250']);
    expect(chatNotificationProblems({ version: '1.0', source: 'custom', content: { description: 'ok', keywords: Array(11).fill('k') } }))
      .toEqual(['content.keywords has 11 items, at most 10']);
    expect(chatNotificationProblems({ version: '1.0', source: 'custom', content: { title: 'cut \ud83d' } })).toEqual(['content.title has a lone surrogate or a control character']);
  });

  test.each([
    ['empty', '', 'empty'],
    ['100 characters', 'x'.repeat(100), '100 characters, at most 99'],
    ['a line break', 'Case\nclosed', 'characters other than printable ASCII'],
    ['a tab', 'Case\tclosed', 'characters other than printable ASCII'],
    ['non-ASCII', 'Case cl\u00f6sed', 'characters other than printable ASCII'],
  ])('a subject with %s is refused with InvalidParameter, nothing delivered', async (_name, subject, problem) => {
    expect(subjectProblemOf(subject)).toBe(problem);
    const before = sns.deliveries.length;
    const response = await publish({ TopicArn: emailTopic, Subject: subject, Message: 'body' });
    expect(response.status).toBe(400);
    expect(response.text).toContain('<Code>InvalidParameter</Code>');
    expect(sns.deliveries.length).toBe(before);
  });

  test('an unknown topic is NotFound, an empty message InvalidParameter, a bad signature refused, a fault answered', async () => {
    expect((await publish({ TopicArn: 'arn:aws:sns:us-east-1:111122223333:nobody', Message: 'x' })).status).toBe(404);
    expect((await publish({ TopicArn: emailTopic, Message: '' })).text).toContain('Empty message');
    const forged = await publish({ TopicArn: emailTopic, Message: 'x' }, { accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'wrong' });
    expect([forged.status, forged.text.includes('<Code>InvalidSignatureException</Code>')]).toEqual([403, true]);
    sns.faults.add({ kind: 'error', status: 429, type: 'Throttled', message: 'Rate exceeded' }, { operation: 'Publish' });
    const throttled = await publish({ TopicArn: emailTopic, Message: 'x' });
    expect([throttled.status, throttled.text.includes('<Code>Throttled</Code>')]).toEqual([429, true]);
  });
});

describe('Secrets Manager GetSecretValue', () => {
  const get = (secretId: unknown) => signedFetch({
    method: 'POST',
    url: `${secrets.url}/`,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.GetSecretValue' },
    body: JSON.stringify({ SecretId: secretId }),
  }, { service: 'secretsmanager' });

  test('answers the value by name or ARN, ResourceNotFoundException otherwise, and a replaced value', async () => {
    const arn = secrets.putSecret('pagerduty/routing-key', ROUTING_KEY);
    expect(arn).toMatch(/^arn:aws:secretsmanager:us-east-1:111122223333:secret:pagerduty\/routing-key-.{6}$/);
    expect((await get('pagerduty/routing-key')).json).toMatchObject({ ARN: arn, SecretString: ROUTING_KEY, VersionStages: ['AWSCURRENT'] });
    secrets.putSecret('pagerduty/routing-key', 'rotated');
    expect((await get(arn)).json.SecretString).toBe('rotated');
    const missing = await get('nope');
    expect([missing.status, missing.json.__type]).toEqual([400, 'ResourceNotFoundException']);
    expect((await get(42)).json.__type).toBe('InvalidParameterException');
    expect(secrets.calls.map((c) => c.action)).toEqual(Array(4).fill('secretsmanager:GetSecretValue'));
  });
});

describe('PagerDuty Events API v2', () => {
  const send = (body: unknown) => fetch(pagerDuty.enqueueUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    .then(async (r) => ({ status: r.status, json: await r.json() as any }));
  const trigger = (dedupKey: string, summary = 'AWS is waiting on you') => ({
    routing_key: ROUTING_KEY, event_action: 'trigger', dedup_key: dedupKey, payload: { summary, source: 'security-ir', severity: 'critical' },
  });

  test('incidents by dedup_key: a second trigger is deduplicated, resolve closes, a trigger after that opens a new one', async () => {
    expect((await send(trigger('case-1:awaiting'))).json).toEqual({ status: 'success', message: 'Event processed', dedup_key: 'case-1:awaiting' });
    await send(trigger('case-1:awaiting', 'reminder'));
    expect(pagerDuty.openIncident('case-1:awaiting')).toMatchObject({ number: 1, triggers: 2, summary: 'AWS is waiting on you' });
    expect((await send({ routing_key: ROUTING_KEY, event_action: 'resolve', dedup_key: 'case-1:awaiting' })).status).toBe(202);
    expect(pagerDuty.openIncident('case-1:awaiting')).toBeUndefined();
    expect((await send({ routing_key: ROUTING_KEY, event_action: 'resolve', dedup_key: 'case-1:awaiting' })).status).toBe(202);
    await send(trigger('case-1:awaiting'));
    expect(pagerDuty.incidents.filter((i) => i.dedupKey === 'case-1:awaiting').map((i) => [i.number, i.status])).toEqual([[1, 'resolved'], [2, 'triggered']]);
  });

  test('refuses what the schema refuses, with the reasons', async () => {
    const refused = await send({ ...trigger('k'), routing_key: 'short', payload: { summary: 'x'.repeat(1025), source: '', severity: 'loud' } });
    expect(refused).toEqual({
      status: 400,
      json: {
        status: 'invalid event',
        message: 'Event object is invalid',
        errors: [
          "Length of 'routing_key' is incorrect (should be 32 characters)",
          "'payload.summary' is longer than 1024 characters",
          "'payload.source' is missing",
          "'payload.severity' must be one of critical, error, warning, info",
        ],
      },
    });
    expect(problemsOf({ routing_key: ROUTING_KEY, event_action: 'resolve' }, [ROUTING_KEY])).toEqual(["'dedup_key' is required to resolve"]);
    expect(problemsOf({ routing_key: ROUTING_KEY, event_action: 'trigger', extra: 1 }, [ROUTING_KEY])).toEqual(["'extra' is not a field of an event", "'payload' is required to trigger"]);
    expect(problemsOf({ ...trigger('k'), routing_key: 'X'.repeat(32) }, [ROUTING_KEY])).toEqual(["'routing_key' is not an integration key of this service"]);
  });

  test('answers an injected 429 or 500 with PagerDuty\'s body, accepting nothing', async () => {
    const before = pagerDuty.accepted.length;
    pagerDuty.faults.add({ kind: 'error', status: 429, type: 'throttle event', message: 'Requests for this service are arriving too quickly', retryAfterSeconds: 1 }, { operation: 'Enqueue' });
    pagerDuty.faults.add({ kind: 'error', status: 500, type: 'error', message: 'Internal error' }, { operation: 'Enqueue' });
    const throttled = await fetch(pagerDuty.enqueueUrl, { method: 'POST', body: JSON.stringify(trigger('k2')) });
    expect([throttled.status, throttled.headers.get('retry-after'), (await throttled.json() as any).status]).toEqual([429, '1', 'throttle event']);
    expect((await send(trigger('k2'))).status).toBe(500);
    expect(pagerDuty.accepted.length).toBe(before);
    expect(pagerDuty.openIncident('k2')).toBeUndefined();
  });
});
