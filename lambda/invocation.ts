/**
 * What an invocation asks for: a Security IR case event is a fast-path hint for its case; anything
 * else (the schedule's invocation, a test event from the console) runs a poll. An `aws.security-ir`
 * event that is not about one case (membership events, a malformed case ID) is ignored.
 */
import { CASE_ID_PATTERN, SECURITY_IR_CASE_DETAIL_TYPES, SECURITY_IR_EVENT_SOURCE } from '../lib/internal/security-ir-events';

export type Invocation =
  | { readonly kind: 'poll' }
  | { readonly kind: 'hint'; readonly caseId: string; readonly detailType: string; readonly eventTime?: string }
  | { readonly kind: 'ignored'; readonly reason: string };

export function classifyInvocation(event: unknown): Invocation {
  const e = (event ?? {}) as { source?: unknown; 'detail-type'?: unknown; detail?: { caseId?: unknown }; time?: unknown };
  if (e.source !== SECURITY_IR_EVENT_SOURCE) {
    return { kind: 'poll' };
  }
  const detailType = String(e['detail-type']);
  if (!SECURITY_IR_CASE_DETAIL_TYPES.includes(detailType)) {
    return { kind: 'ignored', reason: `not a case event: ${detailType}` };
  }
  const caseId = e.detail?.caseId;
  if (typeof caseId !== 'string' || !CASE_ID_PATTERN.test(caseId)) {
    return { kind: 'ignored', reason: `no valid caseId in the ${detailType} event` };
  }
  return { kind: 'hint', caseId, detailType, ...(typeof e.time === 'string' ? { eventTime: e.time } : {}) };
}
