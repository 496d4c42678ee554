/**
 * The deployed artefact: `dist/handler/index.js`, copied outside the repository (so nothing can come
 * from node_modules) and run in a child process configured only through its environment, endpoints
 * included (`AWS_ENDPOINT_URL_*`), through several polls of one container.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { CASE_CREATED_DETAIL_TYPE, CASE_STATUS_CHANGED_DETAIL_TYPE } from '../../lib/events';
import { HandlerEnvironment } from '../../lib/internal/handler-environment';
import { METRIC_NAMESPACE, MetricName } from '../../lib/metrics';
import { CASES_SKIPPED_METRIC } from '../../lambda/telemetry';
import { TEST_CREDENTIALS } from '../../local-aws/credentials';
import { BundledHandler, BundledRun, ensureBundle, expectedChangeId, PollerHarness, startPollerHarness } from '../../local-aws/poller-harness';
import { startStsSimulator } from '../../local-aws/sts-simulator';

let h: PollerHarness;
let handler: BundledHandler;

beforeAll(async () => {
  ensureBundle();
  h = await startPollerHarness();
  handler = await h.startBundledHandler();
});
afterAll(async () => {
  await h.close();
});

/**
 * The contract's telemetry of one run: exactly one summary line (cases seen, pages, events published,
 * duration) and one EMF document with every metric in the SecurityIrCaseWatcher namespace.
 */
function expectRunTelemetry(run: BundledRun, figures: { casesSeen: number; eventsPublished: number; succeeded: boolean }): void {
  expect(run.logs.filter((l) => l.raw !== undefined)).toEqual([]); // every line the handler wrote is JSON
  const summaries = run.logs.filter((l) => l.summary !== undefined);
  expect(summaries).toHaveLength(1);
  expect(summaries[0].summary).toMatchObject({
    casesSeen: figures.casesSeen, pages: expect.any(Number), eventsPublished: figures.eventsPublished, durationMs: expect.any(Number),
  });
  const emf = run.logs.filter((l) => l._aws !== undefined);
  expect(emf).toHaveLength(1);
  expect(emf[0]._aws.CloudWatchMetrics).toEqual([expect.objectContaining({ Namespace: METRIC_NAMESPACE })]);
  expect(emf[0]._aws.CloudWatchMetrics[0].Metrics.map((m: { Name: string }) => m.Name).sort()).toEqual([...Object.values(MetricName), CASES_SKIPPED_METRIC].sort());
  expect(emf[0]).toMatchObject({
    [MetricName.CASES_SEEN]: figures.casesSeen, [MetricName.EVENTS_PUBLISHED]: figures.eventsPublished, [MetricName.POLL_SUCCEEDED]: figures.succeeded ? 1 : 0,
  });
}

/** The SDK probes for these inside try/catch (SigV4a, CRT signing); the handler never needs them. */
const OPTIONAL_SDK_PROBES = ['@aws-sdk/signature-v4-crt', '@aws-sdk/signature-v4a'];

test('the bundle is self-contained: it requires only Node built-ins (and the SDK\'s optional probes)', () => {
  const code = readFileSync(ensureBundle(), 'utf8');
  const required = [...code.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
  const builtins = new Set(require('node:module').builtinModules as string[]);
  const external = required.filter((name) => !builtins.has(name.replace(/^node:/, '')) && !OPTIONAL_SDK_PROBES.includes(name));
  expect(external).toEqual([]);
  expect(required.length).toBeGreaterThan(0);
});

test('baseline, silence, a transition, a new case: through the bundled handler', async () => {
  const c = h.securityIr.addCase({ caseStatus: 'Acknowledged', pendingAction: 'None' });
  h.securityIr.addCase();

  const baseline = await handler.invoke();
  expect(baseline.error).toBeUndefined();
  expect(baseline.result).toMatchObject({ outcome: 'succeeded', casesSeen: 2, eventsPublished: 0 });
  expect(h.eventBridge.events).toEqual([]);
  const summaryLine = baseline.logs.find((l) => l.summary);
  expect(summaryLine).toMatchObject({ level: 'INFO', service: 'case-watcher-test', requestId: 'request-1' });
  expect(baseline.logs.find((l) => l._aws)).toMatchObject({ service: 'case-watcher-test', PollSucceeded: 1, CasesSeen: 2 });
  expectRunTelemetry(baseline, { casesSeen: 2, eventsPublished: 0, succeeded: true });

  h.resetRecords();
  const silent = await handler.invoke();
  expect(silent.result).toMatchObject({ outcome: 'succeeded', eventsPublished: 0 });
  expect(h.dynamoDb.calls.map((call) => call.operation)).toEqual(['GetItem']);
  expect(h.eventBridge.calls).toEqual([]);

  const updated = h.securityIr.updateCase(c.caseId, { caseStatus: 'Detection and Analysis' });
  const added = h.securityIr.addCase({ caseStatus: 'Submitted' });
  const changes = await handler.invoke();
  expect(changes.result).toMatchObject({ outcome: 'succeeded', eventsPublished: 2 });
  expectRunTelemetry(changes, { casesSeen: 3, eventsPublished: 2, succeeded: true });
  expect(h.eventBridge.events.map((e) => [e.DetailType, e.Detail.changeId]).sort()).toEqual([
    [CASE_CREATED_DETAIL_TYPE, expectedChangeId(added, 'created', null)],
    [CASE_STATUS_CHANGED_DETAIL_TYPE, expectedChangeId(updated, 'caseStatus', 'Acknowledged')],
  ].sort());
  const statusEvent = h.eventBridge.events.find((e) => e.DetailType === CASE_STATUS_CHANGED_DETAIL_TYPE)!;
  expect(statusEvent).toMatchObject({ EventBusName: h.busName, Source: h.eventSource, Resources: [c.caseArn], Time: statusEvent.Detail.observedAt });
  expect(statusEvent.Detail).toMatchObject({ previousCaseStatus: 'Acknowledged', caseStatus: 'Detection and Analysis', previousPendingAction: 'None', pendingAction: 'None' });

  // every request reached the stand-ins signed with the test credentials, through the env overrides alone
  for (const calls of [h.securityIr.calls, h.eventBridge.calls]) {
    expect(new Set(calls.map((call) => `${call.accessKeyId} ${call.status}`))).toEqual(new Set([`${TEST_CREDENTIALS.accessKeyId} 200`]));
  }
  expect(new Set(h.dynamoDb.calls.map((call) => call.status))).toEqual(new Set([200]));
});

test('a failed listing makes the invocation fail, and the next invocation delivers', async () => {
  // A case of its own, recorded first (as a baseline or a new case, whichever this container is at).
  const c = h.securityIr.addCase({ caseStatus: 'Acknowledged' });
  expect((await handler.invoke()).error).toBeUndefined();
  const updated = h.securityIr.updateCase(c.caseId, { caseStatus: 'Ready to Close' });
  const fault = { kind: 'error', status: 403, type: 'AccessDeniedException', message: 'not allowed' } as const;
  h.securityIr.faults.add(fault, { operation: 'ListCases' });
  h.resetRecords();
  const failed = await handler.invoke();
  expect(failed.error).toMatchObject({ name: fault.type, message: fault.message });
  // One line names the failure, says that nothing changed, and hints at the missing permission.
  expect(failed.logs.filter((l) => l.level === 'ERROR' && l.errorType !== undefined)).toEqual([
    expect.objectContaining({
      message: `Listing the cases failed (${fault.type}): no state was changed`,
      errorType: fault.type,
      error: `${fault.type}: ${fault.message}`,
      hint: expect.stringContaining('security-ir:ListCases'),
    }),
  ]);
  expect(failed.logs.find((l) => l._aws)).toMatchObject({ PollSucceeded: 0 });
  expectRunTelemetry(failed, { casesSeen: 0, eventsPublished: 0, succeeded: false });
  expect(h.eventBridge.events).toEqual([]);

  const next = await handler.invoke();
  expect(next.result).toMatchObject({ outcome: 'succeeded', eventsPublished: 1 });
  expect(h.eventBridge.events.map((e) => e.Detail.changeId)).toEqual([expectedChangeId(updated, 'caseStatus', 'Acknowledged')]);
});

test('a configuration error fails the invocation with the variable named', async () => {
  const misconfigured = await h.startBundledHandler({ [HandlerEnvironment.EMIT_CREATED_EVENTS]: 'yes' });
  try {
    const run = await misconfigured.invoke();
    expect(run.error?.message).toContain(HandlerEnvironment.EMIT_CREATED_EVENTS);
    expect(run.logs.find((l) => l.level === 'ERROR')).toMatchObject({ variable: HandlerEnvironment.EMIT_CREATED_EVENTS });
  } finally {
    await misconfigured.stop();
  }
});

test('SECURITY_IR_ROLE_ARN: Security IR is called with credentials from STS AssumeRole', async () => {
  const roleArn = 'arn:aws:iam::444455556666:role/SecurityIrReader';
  const granted: { accessKeyId: string; secretAccessKey: string }[] = [];
  const sts = await startStsSimulator({ assumableRoleArns: [roleArn], grantTo: granted });
  const crossAccount = await startPollerHarness({ securityIrCredentials: granted });
  try {
    const c = crossAccount.securityIr.addCase({ caseStatus: 'Acknowledged', caseArn: undefined });
    const assuming = await crossAccount.startBundledHandler({
      [HandlerEnvironment.SECURITY_IR_ROLE_ARN]: roleArn,
      AWS_ENDPOINT_URL_STS: sts.url,
    });
    expect((await assuming.invoke()).error).toBeUndefined();
    const updated = crossAccount.securityIr.updateCase(c.caseId, { caseStatus: 'Closed' });
    const run = await assuming.invoke();
    expect(run.result).toMatchObject({ outcome: 'succeeded', eventsPublished: 1 });
    expect(sts.calls.filter((call) => call.status === 200)).toHaveLength(1); // cached across invocations
    expect(sts.issued[0]).toMatchObject({ roleArn });
    expect(new Set(crossAccount.securityIr.calls.map((call) => call.accessKeyId))).toEqual(new Set([sts.issued[0].accessKeyId]));
    // a case without an ARN is attributed to the role's account
    expect(crossAccount.eventBridge.events.map((e) => [e.Detail.changeId, e.Detail.accountId])).toEqual([
      [expectedChangeId(updated, 'caseStatus', 'Acknowledged'), '444455556666'],
    ]);
  } finally {
    await crossAccount.close();
    await sts.close();
  }
});

test('deployed before the reader role exists (docs/construct.md, "Cross-account deploy order"): each poll fails with an ERROR line, records and publishes nothing; once the role exists, the first poll takes the baseline', async () => {
  const roleArn = 'arn:aws:iam::444455556666:role/SecurityIrReader';
  const granted: { accessKeyId: string; secretAccessKey: string }[] = [];
  const assumable: string[] = [];
  const sts = await startStsSimulator({ assumableRoleArns: assumable, grantTo: granted });
  const crossAccount = await startPollerHarness({ securityIrCredentials: granted });
  try {
    crossAccount.securityIr.addCase({ caseStatus: 'Acknowledged' });
    const assuming = await crossAccount.startBundledHandler({ [HandlerEnvironment.SECURITY_IR_ROLE_ARN]: roleArn, AWS_ENDPOINT_URL_STS: sts.url });
    const refused = await assuming.invoke();
    expect(refused.error).toBeDefined();
    expect(sts.calls.map((call) => call.status)).toContain(403);
    const errors = refused.logs.filter((l) => l.level === 'ERROR').map((l) => JSON.stringify(l));
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.join('\n')).toMatch(/AccessDenied|not authorized to perform: sts:AssumeRole/);
    expect(crossAccount.securityIr.calls).toEqual([]);
    expect(crossAccount.eventBridge.events).toEqual([]);
    expect(crossAccount.dynamoDb.calls.filter((call) => call.isWrite)).toEqual([]);

    assumable.push(roleArn); // the membership stack is deployed
    const baseline = await assuming.invoke();
    expect(baseline.error).toBeUndefined();
    expect(baseline.result).toMatchObject({ outcome: 'succeeded', eventsPublished: 0 });
  } finally {
    await crossAccount.close();
    await sts.close();
  }
});

describe('the bundle\'s credentials: Lambda\'s own, from the environment or the container credentials endpoint', () => {
  const NO_KEYS = { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined };

  test('no key in the environment: the credentials endpoint is asked once per client, with its token, and its keys sign every request', async () => {
    const asked: (string | undefined)[] = [];
    const endpoint = createServer((request, response) => {
      asked.push(request.headers.authorization);
      const expiration = new Date(Date.now() + 3_600_000).toISOString();
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
        AccessKeyId: TEST_CREDENTIALS.accessKeyId, SecretAccessKey: TEST_CREDENTIALS.secretAccessKey, Token: 'container-session', Expiration: expiration,
      }));
    });
    await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
    const { port } = endpoint.address() as AddressInfo;
    try {
      const env = { ...NO_KEYS, AWS_CONTAINER_CREDENTIALS_FULL_URI: `http://127.0.0.1:${port}/credentials`, AWS_CONTAINER_AUTHORIZATION_TOKEN: 'container-token' };
      await withFreshHandler(env, async (harness, handler) => {
        harness.securityIr.addCase();
        expect((await handler.invoke()).result).toMatchObject({ outcome: 'succeeded' });
        expect((await handler.invoke()).result).toMatchObject({ outcome: 'succeeded' });
        const clientsUsed = [harness.securityIr.calls, harness.dynamoDb.calls, harness.eventBridge.calls].filter((calls) => calls.length > 0).length;
        expect(clientsUsed).toBeGreaterThanOrEqual(2);
        expect(asked).toEqual(Array(clientsUsed).fill('container-token')); // kept across requests and invocations
      });
    } finally {
      await new Promise((resolve) => endpoint.close(resolve));
    }
  });

  test('neither: the invocation fails saying so, and no request leaves', async () => {
    await withFreshHandler(NO_KEYS, async (harness, handler) => {
      const run = await handler.invoke();
      expect(run.error).toBeDefined();
      expect(JSON.stringify(run.logs.filter((l) => l.level === 'ERROR'))).toMatch(/credential/i);
      expect([harness.securityIr.calls, harness.dynamoDb.calls, harness.eventBridge.calls]).toEqual([[], [], []]);
    });
  });

  test('the SDK\'s other credential sources (profiles, SSO, credential_process, web identity, instance metadata) are not in the bundle', () => {
    const meta = JSON.parse(readFileSync(join(dirname(ensureBundle()), '..', 'handler-meta.json'), 'utf8'));
    const bundled = Object.entries<{ bytesInOutput: number }>(meta.outputs['dist/handler/index.js'].inputs).filter(([, input]) => input.bytesInOutput > 0);
    const packages = new Set(bundled.map(([input]) => /node_modules\/(@[^/]+\/[^/]+|[^/]+)/.exec(input)?.[1]).filter(Boolean));
    const left = ['ini', 'sso', 'process', 'web-identity', 'login', 'node'].map((name) => `@aws-sdk/credential-provider-${name}`);
    expect(left.filter((name) => packages.has(name))).toEqual([]);
    expect(packages.has('@smithy/credential-provider-imds')).toBe(false);
    expect(packages.has('@aws-sdk/credential-provider-env')).toBe(true);
  });
});

type EnvOverrides = Record<string, string | undefined>;

/** A fresh set of stand-ins and the bundled handler started with `env` over the harness's environment. */
async function withFreshHandler(
  env: EnvOverrides | ((harness: PollerHarness) => EnvOverrides),
  body: (harness: PollerHarness, handler: BundledHandler) => Promise<void>,
): Promise<void> {
  const harness = await startPollerHarness();
  try {
    await body(harness, await harness.startBundledHandler(typeof env === 'function' ? env(harness) : env));
  } finally {
    await harness.close();
  }
}

describe('AWS_ENDPOINT_URL, the SDK convention\'s fallback, reaches each service when its own variable is unset', () => {
  test.each([
    ['SECURITY_IR', (harness: PollerHarness) => harness.securityIr.url, (harness: PollerHarness) => harness.securityIr.calls],
    ['DYNAMODB', (harness: PollerHarness) => harness.dynamoDb.url, (harness: PollerHarness) => harness.dynamoDb.calls],
    ['EVENTBRIDGE', (harness: PollerHarness) => harness.eventBridge.url, (harness: PollerHarness) => harness.eventBridge.calls],
  ] as const)('%s', async (service, urlOf, callsOf) => {
    const env = (harness: PollerHarness) => ({ [`AWS_ENDPOINT_URL_${service}`]: undefined, AWS_ENDPOINT_URL: urlOf(harness) });
    await withFreshHandler(env, async (harness, handler) => {
      const c = harness.securityIr.addCase({ caseStatus: 'Acknowledged' });
      expect((await handler.invoke()).error).toBeUndefined();
      harness.securityIr.updateCase(c.caseId, { caseStatus: 'Closed' });
      expect((await handler.invoke()).result).toMatchObject({ outcome: 'succeeded', eventsPublished: 1 });
      expect(callsOf(harness).length).toBeGreaterThan(0);
      expect(harness.eventBridge.events.map((e) => e.Detail.changeId)).toEqual([expectedChangeId(c, 'caseStatus', 'Acknowledged')]);
    });
  });
});

describe('the configuration variables reach the published events', () => {
  test('EVENT_SOURCE and EMIT_EXISTING_CASES_ON_FIRST_RUN=true: the baseline announces every case, from that source', async () => {
    await withFreshHandler({ [HandlerEnvironment.EVENT_SOURCE]: 'acme.security', [HandlerEnvironment.EMIT_EXISTING_CASES_ON_FIRST_RUN]: 'true' }, async (harness, handler) => {
      const cases = [harness.securityIr.addCase(), harness.securityIr.addCase()];
      expect((await handler.invoke()).result).toMatchObject({ outcome: 'succeeded', eventsPublished: 2 });
      expect(harness.eventBridge.events.map((e) => [e.Source, e.DetailType, e.Detail.changeId]).sort()).toEqual(
        cases.map((c) => ['acme.security', CASE_CREATED_DETAIL_TYPE, expectedChangeId(c, 'created', null)]).sort(),
      );
    });
  });

  test('EMIT_CREATED_EVENTS=false: a new case is recorded silently, its later change is published', async () => {
    await withFreshHandler({ [HandlerEnvironment.EMIT_CREATED_EVENTS]: 'false' }, async (harness, handler) => {
      expect((await handler.invoke()).error).toBeUndefined();
      const c = harness.securityIr.addCase({ caseStatus: 'Submitted' });
      expect((await handler.invoke()).result).toMatchObject({ outcome: 'succeeded', eventsPublished: 0 });
      expect(harness.eventBridge.events).toEqual([]);
      const updated = harness.securityIr.updateCase(c.caseId, { caseStatus: 'Acknowledged' });
      expect((await handler.invoke()).result).toMatchObject({ outcome: 'succeeded', eventsPublished: 1 });
      expect(harness.eventBridge.events.map((e) => [e.DetailType, e.Detail.changeId])).toEqual([
        [CASE_STATUS_CHANGED_DETAIL_TYPE, expectedChangeId(updated, 'caseStatus', 'Submitted')],
      ]);
    });
  });
});
