/**
 * The bundled notifier in a Lambda-like process against the stand-ins (SNS, Secrets Manager,
 * PagerDuty): every kind of event to every destination, the hostile-title matrix, PagerDuty's
 * incident lifecycle, and faults (nothing lost; the dead-letter queue only once Lambda's retries are
 * spent). One set of stand-ins and one warm notifier for the file.
 */
import type { LambdaInvocation } from '../../local-aws/lambda-process';
import { type BundledNotifier, type NotificationStandIns, notifierEnvironment, startBundledNotifier, startNotificationStandIns, TEST_ROUTING_KEY } from '../../local-aws/notifier-harness';
import { AWAITING_CUSTOMER, BASE_DETAIL, DETAILS, HOSTILE_TITLES, PENDING_ACTION_CHANGED, STATUS_CHANGED, watcherEvent } from './sample-events';

let standIns: NotificationStandIns;
let notifier: BundledNotifier;
const logs: string[] = [];
let nextCase = 1000000000;

beforeAll(async () => {
  standIns = await startNotificationStandIns();
  notifier = await startBundledNotifier(notifierEnvironment(standIns, { PAGERDUTY_TRIGGER_ON_CREATED: 'true' }));
});
afterAll(async () => {
  await notifier.stop();
  await standIns.close();
});
afterEach(() => {
  standIns.sns.faults.clear();
  standIns.pagerDuty.faults.clear();
});

/** A fresh case, so each test reads only its own deliveries and incidents. */
function newCase(): { caseId: string; caseArn: string; event: (name: string, overrides?: Record<string, unknown>) => Record<string, unknown> } {
  const caseId = String(++nextCase);
  const caseArn = `arn:aws:security-ir:us-east-1:111122223333:case/${caseId}`;
  return {
    caseId,
    caseArn,
    event: (name, overrides = {}) => watcherEvent(DETAILS[name].detailType, { ...DETAILS[name].detail, caseId, caseArn, ...overrides }),
  };
}

async function invoke(event: unknown, on: BundledNotifier = notifier): Promise<LambdaInvocation> {
  const run = await on.invoke(event);
  logs.push(...run.logs);
  return run;
}

/** Lambda's asynchronous invoke as the construct configures it (2 retries, then the dead-letter queue). */
async function invokeAsync(event: unknown, on: BundledNotifier = notifier): Promise<{ invocations: number; deadLettered: boolean; last: LambdaInvocation }> {
  let last: LambdaInvocation | undefined;
  for (let invocation = 1; invocation <= 3; invocation++) {
    last = await invoke(event, on);
    if (last.error === undefined) return { invocations: invocation, deadLettered: false, last };
  }
  return { invocations: 3, deadLettered: true, last: last! };
}

const deliveriesOf = (caseId: string) => standIns.sns.deliveries.filter((d) => d.message.includes(`case ${caseId}`) || d.message.includes(`case-${caseId}`));
const chatOf = (caseId: string) => deliveriesOf(caseId).filter((d) => d.subscriber === 'chat');
const emailOf = (caseId: string) => deliveriesOf(caseId).filter((d) => d.subscriber === 'email');
const incidentsOf = (caseId: string) => standIns.pagerDuty.incidents.filter((i) => i.dedupKey.startsWith(`security-ir/${caseId}/`)).map((i) => `${i.dedupKey.split('/')[2]} #${i.number % 1000} ${i.status} x${i.triggers}`);

test('every kind of event reaches chat (one thread per case) and e-mail, and pages as decided', async () => {
  const { caseId, caseArn, event } = newCase();
  for (const name of Object.keys(DETAILS)) {
    const run = await invoke(event(name));
    expect([name, run.error]).toEqual([name, undefined]);
  }
  const chat = chatOf(caseId);
  expect(chat.map((d) => d.chatProblems)).toEqual(Array(6).fill(undefined));
  expect(new Set(chat.map((d) => d.chat!.metadata!.threadId))).toEqual(new Set([caseArn]));
  expect(chat.map((d) => d.chat!.content.keywords![1])).toEqual(['created', 'awaiting-customer', 'no-longer-waiting', 'status-changed', 'closed', 'reminder']);
  expect(emailOf(caseId).map((d) => d.subject!.split(': ')[1].split(' - ')[0])).toEqual([
    'New Security IR case', 'AWS is waiting on you', 'AWS is no longer waiting on you', 'Case moved to Containment, Eradication and Recovery', 'Case closed', 'AWS is still waiting on you (4 h)',
  ]);
  expect(standIns.pagerDuty.accepted.filter((e) => e.dedup_key?.includes(caseId)).map((e) => `${e.event_action} ${e.dedup_key!.split('/')[2]}`)).toEqual([
    'trigger created', 'trigger awaiting-customer', 'resolve awaiting-customer', 'resolve awaiting-customer', 'resolve created', 'trigger awaiting-customer',
  ]);
});

describe('any title is text, through the bundle, at every destination', () => {
  test.each(Object.entries(HOSTILE_TITLES))('%s', async (_name, title) => {
    const { caseId, event } = newCase();
    const run = await invoke(event('awaiting customer', { title }));
    expect(run.error).toBeUndefined();
    const [chat] = chatOf(caseId);
    expect(chat.chatProblems).toBeUndefined();
    const { content, metadata } = chat.chat!;
    for (const text of [content.title!, content.description!, metadata!.summary!]) expect(text).not.toMatch(/[<>]|\p{Cs}/u);
    expect(content.description!.split('\n')[0]).toMatch(new RegExp(`^Case ${caseId}: \`\u2068[^\`]+\u2069\`$`));
    const [email] = emailOf(caseId);
    expect(email.subject).toMatch(new RegExp(`^Security IR case ${caseId}: AWS is waiting on you`));
    expect(email.message).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(incidentsOf(caseId)).toEqual(['awaiting-customer #' + (standIns.pagerDuty.incidents.at(-1)!.number % 1000) + ' triggered x1']);
  });
});

test('PagerDuty: one incident per waiting period, whatever the reminders and duplicates; resolved on None and on Closed', async () => {
  const { caseId, event } = newCase();
  const waiting = event('awaiting customer');
  await invoke(waiting);
  await invoke(event('reminder'));
  await invoke(waiting); // a duplicate delivery: the same changeId
  expect(incidentsOf(caseId)).toEqual([expect.stringMatching(/^awaiting-customer #\d+ triggered x3$/)]);
  await invoke(event('no longer waiting'));
  expect(standIns.pagerDuty.openIncident(`security-ir/${caseId}/awaiting-customer`)).toBeUndefined();
  await invoke(event('awaiting customer', { changeId: 'fedcba9876543210fedcba9876543210', observedAt: '2026-11-24T10:00:00.000Z' }));
  await invoke(event('closed'));
  const incidents = standIns.pagerDuty.incidents.filter((i) => i.dedupKey === `security-ir/${caseId}/awaiting-customer`);
  expect(incidents.map((i) => [i.status, i.triggers])).toEqual([['resolved', 3], ['resolved', 1]]);
  // Chat and e-mail repeat the duplicate: at-least-once, not suppressed (docs/design.md says why).
  expect(chatOf(caseId).filter((d) => d.chat!.id === BASE_DETAIL.changeId && d.chat!.content.keywords![1] === 'awaiting-customer')).toHaveLength(2);
});

describe('faults: nothing lost, the dead-letter queue only once the retries are spent', () => {
  test('SNS throttled twice: retried, delivered in the first invocation', async () => {
    const { caseId, event } = newCase();
    const before = standIns.sns.calls.length;
    standIns.sns.faults.add({ kind: 'error', status: 400, type: 'Throttling', message: 'Rate exceeded' }, { operation: 'Publish', times: 2 });
    const outcome = await invokeAsync(event('status changed'));
    expect([outcome.invocations, outcome.deadLettered]).toEqual([1, false]);
    expect([chatOf(caseId).length, emailOf(caseId).length]).toEqual([1, 1]);
    expect(standIns.sns.calls.slice(before).map((c) => c.status).sort()).toEqual([200, 200, 400, 400]);
  });

  test('PagerDuty 429 then 500: retried, the incident opened once', async () => {
    const { caseId, event } = newCase();
    standIns.pagerDuty.faults.add({ kind: 'error', status: 429, type: 'throttle event', retryAfterSeconds: 0 }, { operation: 'Enqueue' });
    standIns.pagerDuty.faults.add({ kind: 'error', status: 500, type: 'error' }, { operation: 'Enqueue' });
    const outcome = await invokeAsync(event('awaiting customer'));
    expect([outcome.invocations, outcome.deadLettered]).toEqual([1, false]);
    expect(incidentsOf(caseId)).toEqual([expect.stringMatching(/triggered x1$/)]);
    expect(JSON.parse(outcome.last.logs.find((l) => l.includes('"Notified"'))!).notification.deliveries).toContainEqual({ destination: 'pagerduty', outcome: 'sent', requests: 3 });
  });

  test('SNS failing beyond the retries: the invocation fails, Lambda retries it and the next attempt delivers', async () => {
    const { caseId, event } = newCase();
    // Five attempts each for the chat and the e-mail message: ten failures spend them all.
    standIns.sns.faults.add({ kind: 'error', status: 500, type: 'InternalError' }, { operation: 'Publish', times: 10 });
    const outcome = await invokeAsync(event('closed'));
    expect([outcome.invocations, outcome.deadLettered]).toEqual([2, false]);
    expect([chatOf(caseId).length, emailOf(caseId).length]).toEqual([1, 1]);
  });

  test('PagerDuty 400: fails with PagerDuty\'s reason (never the key), chat and e-mail still told, then the dead-letter queue', async () => {
    const { caseId, event } = newCase();
    standIns.pagerDuty.faults.add({ kind: 'error', status: 400, type: 'invalid event', message: `Event object is invalid: routing_key ${TEST_ROUTING_KEY} bad` }, { operation: 'Enqueue', times: 3 });
    const outcome = await invokeAsync(event('awaiting customer'));
    expect([outcome.invocations, outcome.deadLettered]).toEqual([3, true]);
    expect(outcome.last.error!.message).toMatch(/pagerduty failed \(NotifierRequestError: pagerduty trigger: 400 Event object is invalid: routing_key \[routing key\] bad\)/);
    expect([chatOf(caseId).length, emailOf(caseId).length]).toEqual([3, 3]);
    expect(incidentsOf(caseId)).toEqual([]);
  });

  test('the secret missing: PagerDuty fails naming Secrets Manager\'s error, the others are told', async () => {
    const missing = await startBundledNotifier(notifierEnvironment(standIns, { PAGERDUTY_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:gone-AbCdEf' }));
    try {
      const { caseId, event } = newCase();
      const run = await invoke(event('awaiting customer'), missing);
      expect(run.error!.message).toContain('pagerduty failed (NotifierRequestError: secretsmanager GetSecretValue: 400 ResourceNotFoundException');
      expect([chatOf(caseId).length, emailOf(caseId).length, incidentsOf(caseId).length]).toEqual([1, 1, 0]);
    } finally {
      await missing.stop();
    }
  });

  test('an event that is not the watcher\'s is refused before anything is sent', async () => {
    const before = [standIns.sns.deliveries.length, standIns.pagerDuty.calls.length];
    const run = await invoke(watcherEvent(PENDING_ACTION_CHANGED, BASE_DETAIL, 'someone.else'));
    expect(run.error).toMatchObject({ name: 'InvalidCaseEventError' });
    expect([standIns.sns.deliveries.length, standIns.pagerDuty.calls.length]).toEqual(before);
  });
});

test('the routing key is read once per container and appears in no log line', async () => {
  const { event } = newCase();
  const reads = standIns.secrets.calls.length;
  await invoke(event('awaiting customer'));
  await invoke(watcherEvent(AWAITING_CUSTOMER, { ...DETAILS.reminder.detail }));
  await invoke(watcherEvent(STATUS_CHANGED, { ...DETAILS.closed.detail }));
  expect(standIns.secrets.calls.length).toBe(reads);
  expect(logs.length).toBeGreaterThan(10);
  expect(logs.filter((line) => line.includes(TEST_ROUTING_KEY))).toEqual([]);
});
