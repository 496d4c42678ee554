/**
 * The public event contract of the Security IR case watcher: the detail-types, the default source
 * and the shape of every event's `detail`.
 *
 * This file is shared by the construct (which writes rules and IAM conditions against it) and by the
 * Lambda handler (which publishes the events), so it must never import aws-cdk-lib or any SDK.
 */

/** Detail-type of the event sent when a case appears that the watcher had not seen before. */
export const CASE_CREATED_DETAIL_TYPE = 'Security IR Case Created';

/** Detail-type of the event sent when a case's `caseStatus` differs from the recorded one. */
export const CASE_STATUS_CHANGED_DETAIL_TYPE = 'Security IR Case Status Changed';

/** Detail-type of the event sent when a case's `pendingAction` differs from the recorded one. */
export const CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE = 'Security IR Case Pending Action Changed';

/** Detail-type of the reminder sent while a case's `pendingAction` stays `Customer`, at each mark of `awaitingCustomerReminders`. */
export const CASE_AWAITING_CUSTOMER_DETAIL_TYPE = 'Security IR Case Awaiting Customer';

/** Every detail-type the watcher publishes. */
export const CASE_WATCHER_DETAIL_TYPES: readonly string[] = [
  CASE_CREATED_DETAIL_TYPE,
  CASE_STATUS_CHANGED_DETAIL_TYPE,
  CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE,
  CASE_AWAITING_CUSTOMER_DETAIL_TYPE,
];

/** The `source` of the events when the `eventSource` prop is not set. */
export const DEFAULT_EVENT_SOURCE = 'security-ir.case-watcher';

/** Version of the detail schema below; bumped only on a breaking change. */
export const EVENT_SCHEMA_VERSION = 1;

/**
 * The detail-types and the default source as static members of a class: module constants are
 * TypeScript-only, while these also reach the languages jsii generates bindings for.
 */
export class CaseWatcherEvents {
  /** `Security IR Case Created` */
  public static readonly CASE_CREATED_DETAIL_TYPE = CASE_CREATED_DETAIL_TYPE;
  /** `Security IR Case Status Changed` */
  public static readonly CASE_STATUS_CHANGED_DETAIL_TYPE = CASE_STATUS_CHANGED_DETAIL_TYPE;
  /** `Security IR Case Pending Action Changed` */
  public static readonly CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE = CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE;
  /** `security-ir.case-watcher` */
  public static readonly DEFAULT_EVENT_SOURCE = DEFAULT_EVENT_SOURCE;

  private constructor() {}
}

/**
 * The `detail` of every watcher event. Every field is always present; `null` where unknown.
 * Enum-like fields are plain strings: values unknown today are passed through as the API returns them.
 *
 * These types describe the JSON a TypeScript subscriber receives: `string | null` is exact there but
 * has no jsii equivalent, so they stay out of the bindings jsii generates for other languages.
 *
 * @jsii ignore
 */
export interface CaseEventDetail {
  /** Version of this schema. Always 1 today. */
  readonly schemaVersion: number;
  /** Stable lowercase hex id of this transition: the same on every retry, so subscribers can deduplicate. */
  readonly changeId: string;
  /** The Security IR case ID (10 to 32 digits). */
  readonly caseId: string;
  /** The case ARN, or null when the API did not return one. */
  readonly caseArn: string | null;
  /** Account that owns the case (from the case ARN, else the watched account). */
  readonly accountId: string | null;
  /** Region of the case (from the case ARN, else the Security IR region polled). */
  readonly region: string | null;
  /** The case title. */
  readonly title: string | null;
  /** Current status, e.g. `Acknowledged`, `Detection and Analysis`, `Closed`. */
  readonly caseStatus: string | null;
  /** Status recorded before this poll; null on `Created` events. */
  readonly previousCaseStatus: string | null;
  /** Who the case waits on now: `Customer` or `None`. */
  readonly pendingAction: string | null;
  /** Pending action recorded before this poll; null on `Created` events. */
  readonly previousPendingAction: string | null;
  /** `Security Incident` or `Investigation`. */
  readonly engagementType: string | null;
  /** `AWS` or `Self`. */
  readonly resolverType: string | null;
  /** ISO-8601 UTC creation time of the case. */
  readonly createdDate: string | null;
  /** ISO-8601 UTC time of the case's last update. */
  readonly lastUpdatedDate: string | null;
  /** ISO-8601 UTC time the case was closed. */
  readonly closedDate: string | null;
  /** ISO-8601 UTC time of the poll that published the event (equals the event's `time`). */
  readonly observedAt: string;
  /**
   * ISO-8601 UTC time the watcher first observed `previousCaseStatus` (the value before this event;
   * for an event that did not change the status, its current value): `observedAt` minus it is how
   * long that status held. Null when that value was already there at the watcher's baseline, and on
   * `Created` events.
   *
   * @format date-time
   */
  readonly previousCaseStatusSince: string | null;
  /**
   * ISO-8601 UTC time the watcher first observed `previousPendingAction` (for an event that did not
   * change the pending action, its current value): `observedAt` minus it is how long it held, e.g.
   * how long AWS waited on the customer. Null when that value was already there at the baseline,
   * and on `Created` events.
   *
   * @format date-time
   */
  readonly previousPendingActionSince: string | null;
}

/**
 * Detail of a `Security IR Case Created` event (`previous*` fields are null).
 *
 * @jsii ignore
 */
export interface CaseCreatedDetail extends CaseEventDetail {}

/**
 * Detail of a `Security IR Case Status Changed` event.
 *
 * @jsii ignore
 */
export interface CaseStatusChangedDetail extends CaseEventDetail {}

/**
 * Detail of a `Security IR Case Pending Action Changed` event.
 *
 * @jsii ignore
 */
export interface CasePendingActionChangedDetail extends CaseEventDetail {}

/**
 * Detail of a `Security IR Case Awaiting Customer` reminder: the case's fields (the `previous*`
 * values equal the current ones) and how long AWS has waited on the customer.
 *
 * @jsii ignore
 */
export interface CaseAwaitingCustomerDetail extends CaseEventDetail {
  /** ISO-8601 UTC time the watcher first saw `pendingAction: Customer` (its baseline time when the case was already waiting then). */
  readonly awaitingCustomerSince: string;
  /** Whole minutes from `awaitingCustomerSince` to `observedAt`. */
  readonly awaitingCustomerMinutes: number;
}
