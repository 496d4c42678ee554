/**
 * Watcher events as EventBridge delivers them to the notifier, built from the contract's example,
 * and the hostile titles every destination must show as text.
 */
import { CONTRACT_EXAMPLE_DETAIL } from '../support/contract-example';

export const SOURCE = 'security-ir.case-watcher';
export const CREATED = 'Security IR Case Created';
export const STATUS_CHANGED = 'Security IR Case Status Changed';
export const PENDING_ACTION_CHANGED = 'Security IR Case Pending Action Changed';
export const AWAITING_CUSTOMER = 'Security IR Case Awaiting Customer';

export const BASE_DETAIL = {
  ...CONTRACT_EXAMPLE_DETAIL,
  changeId: '0123456789abcdef0123456789abcdef',
  previousCaseStatus: 'Detection and Analysis',
  previousPendingActionSince: '2026-11-23T07:03:00.000Z',
};

export type Detail = Record<string, unknown>;

/** One event of each kind the notifier renders, by name. */
export const DETAILS: Record<string, { detailType: string; detail: Detail }> = {
  'created': {
    detailType: CREATED,
    detail: { ...BASE_DETAIL, caseStatus: 'Submitted', previousCaseStatus: null, pendingAction: 'None', previousPendingAction: null, previousCaseStatusSince: null, previousPendingActionSince: null },
  },
  'awaiting customer': { detailType: PENDING_ACTION_CHANGED, detail: BASE_DETAIL },
  'no longer waiting': {
    detailType: PENDING_ACTION_CHANGED,
    detail: { ...BASE_DETAIL, pendingAction: 'None', previousPendingAction: 'Customer', previousPendingActionSince: '2026-11-23T08:00:00.000Z' },
  },
  'status changed': {
    detailType: STATUS_CHANGED,
    detail: { ...BASE_DETAIL, caseStatus: 'Containment, Eradication and Recovery', previousCaseStatus: 'Detection and Analysis', previousPendingAction: 'Customer' },
  },
  'closed': {
    detailType: STATUS_CHANGED,
    detail: { ...BASE_DETAIL, caseStatus: 'Closed', previousCaseStatus: 'Post-incident Activities', pendingAction: 'None', previousPendingAction: 'None', closedDate: '2026-11-23T09:12:44.000Z' },
  },
  'reminder': {
    detailType: AWAITING_CUSTOMER,
    detail: { ...BASE_DETAIL, previousPendingAction: 'Customer', awaitingCustomerSince: '2026-11-23T05:13:00.000Z', awaitingCustomerMinutes: 240 },
  },
};

export function watcherEvent(detailType: string, detail: Detail, source = SOURCE): Record<string, unknown> {
  return {
    'version': '0',
    'id': '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': detailType,
    source,
    'account': '111122223333',
    'time': String(detail.observedAt ?? '2026-11-23T09:13:00Z'),
    'region': 'us-east-1',
    'resources': detail.caseArn ? [detail.caseArn] : [],
    detail,
  };
}

/** Point 5 of the issue: each must reach every destination as text that pings nobody. */
export const HOSTILE_TITLES: Record<string, string> = {
  'quotes': 'He said "stop" and \'left\'',
  'backslashes': 'C:\\Users\\admin\\ \\" \\n',
  'newlines and tabs': 'line one\nline two\r\n\tindented',
  'control characters': 'bell\u0007 null\u0000 esc\u001b[31m del\u007f c1\u0085',
  'markdown': '*bold* _it_ `code` ~strike~ [x](https://evil.example) # heading > quote',
  'slack channel ping': '<!channel> <!here> <!everyone>',
  'slack user ping': '<@U123> <#C123> <!subteam^S123>',
  'slack link': '<https://evil.example|click here>',
  'at here': '@here @channel @everyone',
  'emoji': '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}\u200D\u{1F466} family \u{1F1EB}\u{1F1F7} flag \u{1F44D}\u{1F3FD}',
  '300 characters': `${'\u{1F525}'.repeat(100)}${'é'.repeat(100)}${'x'.repeat(100)}`,
  'right to left': '\u202Eevil\u202C \u05E9\u05DC\u05D5\u05DD \u0645\u0631\u062D\u0628\u0627 \u2067isolate',
};
