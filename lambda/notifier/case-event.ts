/**
 * The one reader of what the notifier receives: an EventBridge event from the watcher, checked as a
 * subscriber must check input it did not produce (source, detail-type, the detail's shape), and
 * turned into a `CaseNotice`. Fields newer than the oldest watcher this notifier may run beside
 * (`previous*Since`, the reminder's `awaitingCustomer*`) are read defensively: absent means unknown.
 */
import {
  CASE_AWAITING_CUSTOMER_DETAIL_TYPE,
  CASE_CREATED_DETAIL_TYPE,
  type CaseEventDetail,
  CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE,
  CASE_STATUS_CHANGED_DETAIL_TYPE,
  EVENT_SCHEMA_VERSION,
} from '../../lib/events';
import { CASE_ID_PATTERN } from '../../lib/internal/security-ir-events';

/** What happened to the case, in the notifier's words. */
export type NoticeKind = 'created' | 'statusChanged' | 'pendingActionChanged' | 'awaitingCustomer';

const KIND_OF_DETAIL_TYPE: Readonly<Record<string, NoticeKind>> = {
  [CASE_CREATED_DETAIL_TYPE]: 'created',
  [CASE_STATUS_CHANGED_DETAIL_TYPE]: 'statusChanged',
  [CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE]: 'pendingActionChanged',
  [CASE_AWAITING_CUSTOMER_DETAIL_TYPE]: 'awaitingCustomer',
};

/** Every detail-type the notifier renders. */
export const NOTIFIABLE_DETAIL_TYPES: readonly string[] = Object.keys(KIND_OF_DETAIL_TYPE);

/** The contract's fields the notifier reads, as the contract gives them. */
type ContractFields = 'changeId' | 'caseId' | 'caseArn' | 'accountId' | 'region' | 'title' | 'caseStatus' | 'previousCaseStatus'
  | 'pendingAction' | 'previousPendingAction' | 'engagementType' | 'resolverType' | 'closedDate' | 'observedAt';

/** One watcher event, checked. Text fields are as received: renderers make them safe per destination. */
export interface CaseNotice extends Pick<CaseEventDetail, ContractFields> {
  readonly kind: NoticeKind;
  readonly detailType: string;
  /** When the watcher first saw the previous status; null when unknown (baseline, `Created`, an older watcher). */
  readonly previousCaseStatusSince: string | null;
  /** When the watcher first saw the previous pending action; null when unknown. */
  readonly previousPendingActionSince: string | null;
  /** Reminders: when the case started waiting on the customer; null otherwise or when unknown. */
  readonly awaitingCustomerSince: string | null;
  /** Reminders: whole minutes it has waited; null otherwise or when unknown. */
  readonly awaitingCustomerMinutes: number | null;
}

/** An event the notifier refuses: not the watcher's, or not the shape the contract gives. Retrying cannot fix it. */
export class InvalidCaseEventError extends Error {
  constructor(problem: string) {
    super(`Not a case watcher event: ${problem}`);
    this.name = 'InvalidCaseEventError';
  }
}

const CHANGE_ID = /^[0-9a-f]{16,128}$/;
/** No field of a genuine event comes near this: a longer one is refused rather than rendered. */
const MAX_FIELD_LENGTH = 2048;

/** Reads `event` (as EventBridge delivers it to a target); throws `InvalidCaseEventError` saying what is wrong. */
export function readCaseEvent(event: unknown, expectedSource: string): CaseNotice {
  if (!isObject(event)) throw new InvalidCaseEventError('the event is not a JSON object');
  if (event.source !== expectedSource) throw new InvalidCaseEventError(`source ${quote(event.source)} is not ${quote(expectedSource)}`);
  const detailType = event['detail-type'];
  const kind = typeof detailType === 'string' ? KIND_OF_DETAIL_TYPE[detailType] : undefined;
  if (kind === undefined) throw new InvalidCaseEventError(`detail-type ${quote(detailType)} is not one the watcher publishes`);
  const detail = event.detail;
  if (!isObject(detail)) throw new InvalidCaseEventError('detail is not a JSON object');
  if (detail.schemaVersion !== EVENT_SCHEMA_VERSION) throw new InvalidCaseEventError(`detail.schemaVersion ${quote(detail.schemaVersion)} is not ${EVENT_SCHEMA_VERSION}`);
  const changeId = required(detail, 'changeId');
  if (!CHANGE_ID.test(changeId)) throw new InvalidCaseEventError('detail.changeId is not a lowercase hex id');
  const caseId = required(detail, 'caseId');
  if (!CASE_ID_PATTERN.test(caseId)) throw new InvalidCaseEventError('detail.caseId is not a Security IR case ID');
  const observedAt = required(detail, 'observedAt');
  if (!isIsoTime(observedAt)) throw new InvalidCaseEventError('detail.observedAt is not an ISO time');
  const minutes = detail.awaitingCustomerMinutes;
  return {
    kind,
    detailType: detailType as string,
    changeId,
    caseId,
    caseArn: optional(detail, 'caseArn'),
    accountId: optional(detail, 'accountId'),
    region: optional(detail, 'region'),
    title: optional(detail, 'title'),
    caseStatus: optional(detail, 'caseStatus'),
    previousCaseStatus: optional(detail, 'previousCaseStatus'),
    pendingAction: optional(detail, 'pendingAction'),
    previousPendingAction: optional(detail, 'previousPendingAction'),
    engagementType: optional(detail, 'engagementType'),
    resolverType: optional(detail, 'resolverType'),
    closedDate: optionalTime(detail, 'closedDate'),
    observedAt,
    previousCaseStatusSince: optionalTime(detail, 'previousCaseStatusSince'),
    previousPendingActionSince: optionalTime(detail, 'previousPendingActionSince'),
    awaitingCustomerSince: optionalTime(detail, 'awaitingCustomerSince'),
    awaitingCustomerMinutes: typeof minutes === 'number' && Number.isInteger(minutes) && minutes >= 0 ? minutes : null,
  };
}

function required(detail: Record<string, unknown>, key: string): string {
  const value = detail[key];
  if (typeof value !== 'string' || value.length === 0) throw new InvalidCaseEventError(`detail.${key} is missing or not a string`);
  if (value.length > MAX_FIELD_LENGTH) throw new InvalidCaseEventError(`detail.${key} is longer than ${MAX_FIELD_LENGTH} characters`);
  return value;
}

/** A string field; absent or null is null; any other type fails (the contract says string or null). */
function optional(detail: Record<string, unknown>, key: string): string | null {
  const value = detail[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new InvalidCaseEventError(`detail.${key} is not a string or null`);
  if (value.length > MAX_FIELD_LENGTH) throw new InvalidCaseEventError(`detail.${key} is longer than ${MAX_FIELD_LENGTH} characters`);
  return value;
}

/** A time field; one that is not an ISO time is treated as unknown, not trusted. */
function optionalTime(detail: Record<string, unknown>, key: string): string | null {
  const value = detail[key];
  return typeof value === 'string' && isIsoTime(value) ? value : null;
}

function isIsoTime(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/.test(value) && !Number.isNaN(Date.parse(value));
}

/** A value for an error message: short, so no log line echoes much of the input. */
function quote(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 80 ? `${text.slice(0, 80)}...` : text;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
