/**
 * The bundled handler driven by Security IR's own events, as the fast-path rule delivers them:
 * a case event makes it read that case and publish its change; other Security IR events are ignored.
 */
import { HandlerEnvironment } from '../../lib/internal/handler-environment';
import { expectedChangeId } from '../../local-aws/poller-harness';
import { harnessPerFile } from '../support/harness-per-file';
import { securityIrCaseEvent } from '../../local-aws/security-ir-events';

const harness = harnessPerFile();

test('the simulator\'s own events reach the bundled handler: a change is published, a comment costs one read', async () => {

  const h = harness();
  const handler = await h.startBundledHandler({ [HandlerEnvironment.LOG_LEVEL]: 'DEBUG' });
  const c = h.securityIr.addCase({ caseStatus: 'Acknowledged', pendingAction: 'None' });
  expect((await handler.invoke()).error).toBeUndefined(); // the baseline
  h.resetRecords();

  const updated = h.securityIr.updateCase(c.caseId, { pendingAction: 'Customer' });
  const caseUpdated = h.securityIr.nativeEvents.at(-1)!;
  expect(caseUpdated).toMatchObject({ source: 'aws.security-ir', 'detail-type': 'Case Updated', detail: { caseId: c.caseId } });
  const run = await handler.invoke({ event: caseUpdated });
  expect(run.error).toBeUndefined();
  expect(run.result).toEqual({ outcome: 'published', caseId: c.caseId, eventsPublished: 1, publishFailures: 0, durationMs: expect.any(Number) });
  expect(h.eventBridge.events.map((e) => [e.DetailType, e.Detail.changeId])).toEqual([
    ['Security IR Case Pending Action Changed', expectedChangeId(updated, 'pendingAction', 'None')],
  ]);
  expect(h.securityIr.calls.map((call) => call.operation)).toEqual(['GetCase']);
  expect(run.logs.filter((l) => l.hint)).toEqual([expect.objectContaining({ level: 'INFO', message: 'Hint published' })]);
  expect(run.logs.filter((l) => l._aws)).toEqual([expect.objectContaining({ EventsPublished: 1, PublishFailures: 0 })]);
  expect(run.logs.filter((l) => l._aws)[0]).not.toHaveProperty('PollSucceeded'); // the heartbeat belongs to the poll

  h.resetRecords();
  h.securityIr.addComment(c.caseId);
  const comment = await handler.invoke({ event: h.securityIr.nativeEvents.at(-1) });
  expect(comment.result).toMatchObject({ outcome: 'unchanged', eventsPublished: 0 });
  expect(h.dynamoDb.calls.map((call) => call.operation)).toEqual(['BatchGetItem']);
  expect(h.eventBridge.calls).toEqual([]);
  await handler.stop();
});

test('a membership event is ignored with a warning; nothing is read', async () => {

  const h = harness();
  const handler = await h.startBundledHandler();
  h.resetRecords();
  const membership = { ...securityIrCaseEvent('Case Updated', '1234567890'), 'detail-type': 'Membership Updated', detail: {} };
  const run = await handler.invoke({ event: membership });
  expect(run.result).toEqual({ outcome: 'ignored', reason: 'not a case event: Membership Updated' });
  expect(run.logs.find((l) => l.level === 'WARN')).toMatchObject({ message: 'Ignored a Security IR event that names no case' });
  expect([...h.securityIr.calls, ...h.dynamoDb.calls, ...h.eventBridge.calls]).toEqual([]);
  await handler.stop();
});

test('no invocation payload makes the handler throw, and no log line echoes more than a few hundred characters of it', async () => {
  const h = harness();
  const handler = await h.startBundledHandler({ [HandlerEnvironment.LOG_LEVEL]: 'DEBUG' });
  const base = securityIrCaseEvent('Case Updated', '1234567890');
  for (const event of [
    { ...base, 'detail-type': { toString: 1 } },
    { ...base, 'detail-type': 'x'.repeat(100_000) },
    { ...base, detail: 'not an object', time: 'z'.repeat(100_000) },
  ]) {
    const run = await handler.invoke({ event });
    expect(run.error).toBeUndefined();
    expect(run.result).toMatchObject({ outcome: 'ignored' });
    expect(Math.max(...run.logs.map((l) => JSON.stringify(l).length))).toBeLessThan(1_000);
  }
  await handler.stop();
});
