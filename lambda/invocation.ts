/**
 * What an invocation asks for: a Security IR case event is a fast-path hint for its case; anything
 * else (the schedule's invocation, a test event from the console) runs a poll. An `aws.security-ir`
 * event that is not about one case (membership events, a malformed case ID) is ignored. No payload
 * makes this throw, and a reason echoes at most a few hundred characters of it.
 */
import { CASE_ID_PATTERN, SECURITY_IR_CASE_DETAIL_TYPES, SECURITY_IR_EVENT_SOURCE } from '../lib/internal/security-ir-events';
import { echoed } from './strings';

export type Invocation =
  | { readonly kind: 'poll' }
  | { readonly kind: 'hint'; readonly caseId: string; readonly detailType: string; readonly eventTime?: string }
  | { readonly kind: 'ignored'; readonly reason: string };

/** The longest event time carried along (ISO-8601 needs 35 at most): anything longer is not echoed. */
const MAX_EVENT_TIME = 40;

export function classifyInvocation(event: unknown): Invocation {
  const e = (typeof event === 'object' && event !== null ? event : {}) as { source?: unknown; 'detail-type'?: unknown; detail?: unknown; time?: unknown };
  if (e.source !== SECURITY_IR_EVENT_SOURCE) {
    return { kind: 'poll' };
  }
  const detailType = e['detail-type'];
  if (typeof detailType !== 'string' || !SECURITY_IR_CASE_DETAIL_TYPES.includes(detailType)) {
    return { kind: 'ignored', reason: `not a case event: ${echoed(detailType)}` };
  }
  const detail = typeof e.detail === 'object' && e.detail !== null ? e.detail as { caseId?: unknown } : {};
  const caseId = detail.caseId;
  if (typeof caseId !== 'string' || !CASE_ID_PATTERN.test(caseId)) {
    return { kind: 'ignored', reason: `no valid caseId in the ${detailType} event` };
  }
  return { kind: 'hint', caseId, detailType, ...(typeof e.time === 'string' && e.time.length <= MAX_EVENT_TIME ? { eventTime: e.time } : {}) };
}
