/**
 * The bundled handler's log lines as an operator sees them: the level it is configured with
 * (`LOG_LEVEL`, or Lambda's `AWS_LAMBDA_LOG_LEVEL`), the DEBUG lines a poll writes, and the
 * cold-start field. Metrics are written at every level.
 */
import { HandlerEnvironment } from '../../lib/internal/handler-environment';
import { harnessPerFile } from '../support/harness-per-file';

const harness = harnessPerFile();

const messages = (logs: Array<Record<string, any>>, level: string) => logs.filter((l) => l.level === level).map((l) => l.message);

test('LOG_LEVEL=DEBUG: a line per listing page and per step of a poll; coldStart on every line', async () => {

  const h = harness();
  const handler = await h.startBundledHandler({ [HandlerEnvironment.LOG_LEVEL]: 'DEBUG' });
  const c = h.securityIr.addCase({ caseStatus: 'Acknowledged' });
  const baseline = await handler.invoke();
  expect(baseline.error).toBeUndefined();
  expect(messages(baseline.logs, 'DEBUG')).toEqual([
    'Listed a page of cases',
    'No baseline yet: recording one',
    'Lease taken',
    'Compared the listing with the recorded state',
  ]);
  expect(baseline.logs.filter((l) => l.level !== undefined).every((l) => l.coldStart === true)).toBe(true);

  h.securityIr.updateCase(c.caseId, { caseStatus: 'Closed' });
  const changed = await handler.invoke();
  expect(messages(changed.logs, 'DEBUG')).toEqual([
    'Listed a page of cases',
    'Listing differs from the last recorded one',
    'Lease taken',
    'Compared the listing with the recorded state',
    'Published',
  ]);
  expect(changed.logs.find((l) => l.message === 'Published')).toMatchObject({ events: 1, accepted: 1, putEventsCalls: 1 });
  expect(changed.logs.find((l) => l.message === 'Compared the listing with the recorded state')).toMatchObject({ changedCases: 1, events: 1 });
  const lines = changed.logs.filter((l) => l.level !== undefined);
  expect(lines.length).toBeGreaterThan(5);
  expect(lines.every((l) => l.coldStart === false)).toBe(true);

  const quiet = await handler.invoke();
  expect(messages(quiet.logs, 'DEBUG')).toEqual(['Listed a page of cases', 'Listing unchanged since the last recorded one: nothing to do']);
  await handler.stop();
});

test('by default (INFO) no DEBUG line is written', async () => {

  const h = harness();
  const handler = await h.startBundledHandler();
  h.securityIr.addCase();
  const run = await handler.invoke();
  expect(run.error).toBeUndefined();
  expect(messages(run.logs, 'INFO')).toEqual(['Poll succeeded']);
  expect(messages(run.logs, 'DEBUG')).toEqual([]);
  await handler.stop();
});

test("Lambda's AWS_LAMBDA_LOG_LEVEL=ERROR wins over LOG_LEVEL: a good run writes only its metrics", async () => {

  const h = harness();
  const handler = await h.startBundledHandler({ [HandlerEnvironment.LOG_LEVEL]: 'DEBUG', AWS_LAMBDA_LOG_LEVEL: 'ERROR' });
  h.securityIr.addCase();
  const run = await handler.invoke();
  expect(run.error).toBeUndefined();
  expect(run.logs.filter((l) => l.level !== undefined)).toEqual([]);
  expect(run.logs.filter((l) => l._aws !== undefined)).toEqual([expect.objectContaining({ PollSucceeded: 1 })]);
  await handler.stop();
});

describe('stack traces', () => {
  // A misconfiguration fails the cold start in lambda/config.ts: its stack is what Lambda logs.
  const misconfigured = { [HandlerEnvironment.EMIT_CREATED_EVENTS]: 'yes' };

  test('with NODE_OPTIONS=--enable-source-maps (as the construct sets it) they name the TypeScript sources', async () => {

    const h = harness();
    const handler = await h.startBundledHandler({ ...misconfigured, NODE_OPTIONS: '--enable-source-maps' });
    const run = await handler.invoke();
    expect(run.error?.name).toBe('ConfigError');
    expect(run.error?.stack).toMatch(/\blambda\/config\.ts:\d+:\d+/);
    expect(run.error?.stack).toMatch(/\blambda\/index\.ts:\d+:\d+/);
    await handler.stop();
  });

  test('without it, they point into the minified bundle', async () => {

    const h = harness();
    const handler = await h.startBundledHandler(misconfigured);
    const run = await handler.invoke();
    expect(run.error?.name).toBe('ConfigError');
    expect(run.error?.stack).toMatch(/index\.js:\d+:\d+/);
    expect(run.error?.stack).not.toMatch(/\.ts:\d+/);
    await handler.stop();
  });
});
