import { classifyInvocation } from '../../lambda/invocation';
import { SECURITY_IR_CASE_DETAIL_TYPES } from '../../lib/internal/security-ir-events';
import { securityIrCaseEvent } from '../../local-aws/security-ir-events';
import { scheduledEvent } from '../../local-aws/lambda-process';

describe('what an invocation asks for', () => {
  test.each(SECURITY_IR_CASE_DETAIL_TYPES)('%s: a hint for its case', (detailType) => {
    const event = securityIrCaseEvent(detailType as Parameters<typeof securityIrCaseEvent>[0], '1234567890');
    expect(classifyInvocation(event)).toEqual({ kind: 'hint', caseId: '1234567890', detailType, eventTime: event.time });
  });

  test('the schedule, a console test event, nothing at all: a poll', () => {
    expect(classifyInvocation(scheduledEvent('arn:aws:events:us-east-1:111122223333:rule/x', '111122223333', 'us-east-1'))).toEqual({ kind: 'poll' });
    expect(classifyInvocation({})).toEqual({ kind: 'poll' });
    expect(classifyInvocation(undefined)).toEqual({ kind: 'poll' });
    expect(classifyInvocation({ source: 'security-ir.case-watcher', 'detail-type': 'Case Updated', detail: { caseId: '1234567890' } })).toEqual({ kind: 'poll' });
  });

  test('Security IR events that name no case are ignored, with the reason', () => {
    const membership = { ...securityIrCaseEvent('Case Updated', '1234567890'), 'detail-type': 'Membership Updated', detail: {} };
    expect(classifyInvocation(membership)).toEqual({ kind: 'ignored', reason: 'not a case event: Membership Updated' });
    for (const caseId of [undefined, 123, '123', '12345678901234567890123456789012345', '../../etc']) {
      const event = { ...securityIrCaseEvent('Case Updated', '1234567890'), detail: { caseId } };
      expect(classifyInvocation(event)).toEqual({ kind: 'ignored', reason: 'no valid caseId in the Case Updated event' });
    }
  });

  test('no payload throws, and a reason echoes at most a few hundred characters of it', () => {
    const hostile: unknown[] = [
      { source: 'aws.security-ir', 'detail-type': { toString: 1 } },
      { source: 'aws.security-ir', 'detail-type': 'x'.repeat(100_000) },
      { source: 'aws.security-ir', 'detail-type': 'Case Updated', detail: 'not an object' },
      { source: 'aws.security-ir', 'detail-type': 'Case Updated', detail: null },
      { source: 'aws.security-ir', 'detail-type': ['Case Updated'] },
      'a string', 42, null, [],
    ];
    for (const event of hostile) {
      const invocation = classifyInvocation(event);
      expect(['poll', 'ignored']).toContain(invocation.kind);
      if (invocation.kind === 'ignored') expect(invocation.reason.length).toBeLessThanOrEqual(400);
    }
    expect(classifyInvocation(hostile[0])).toEqual({ kind: 'ignored', reason: 'not a case event: {"toString":1}' });
  });

  test('an event time that is not one is not carried along', () => {
    const event = { ...securityIrCaseEvent('Case Updated', '1234567890'), time: 'y'.repeat(100_000) };
    expect(classifyInvocation(event)).toEqual({ kind: 'hint', caseId: '1234567890', detailType: 'Case Updated' });
  });
});
