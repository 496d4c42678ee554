/**
 * Change detection: the recorded state and a complete listing in, the events to publish and the
 * state to record out. Pure: no SDK, no I/O, so every rule of the event contract is unit-tested here.
 */
import { createHash } from 'crypto';
import {
  CASE_AWAITING_CUSTOMER_DETAIL_TYPE,
  CASE_CREATED_DETAIL_TYPE,
  CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE,
  CASE_STATUS_CHANGED_DETAIL_TYPE,
  CaseAwaitingCustomerDetail,
  CaseEventDetail,
  EVENT_SCHEMA_VERSION,
} from '../lib/events';
import type { CaseState, RecordedCase } from './case-state';
import type { SecurityIrCase } from './security-ir-case';
import { isOlder, isStale, supersededStamps } from './staleness';
import { waitingPeriod } from './waiting-period';

export interface DetectionOptions {
  /** True until a first complete listing has been recorded (the baseline run). */
  readonly baseline: boolean;
  /** Publish `Created` for a case that appears after the baseline. */
  readonly emitCreatedEvents: boolean;
  /** Publish `Created` for every case of the baseline listing (only together with `emitCreatedEvents`). */
  readonly emitExistingCasesOnFirstRun: boolean;
  /** When the listing (or the GetCase answer) was read: every event's `observedAt`. */
  readonly observedAt: Date;
  /** The watched account: every event's `accountId`, whatever a case's ARN says. */
  readonly accountId: string | null;
  /** The watched Security IR region: every event's `region`. */
  readonly region: string | null;
  /** The `Awaiting Customer` reminder marks in minutes, strictly increasing. @default none */
  readonly reminderMinutes?: readonly number[];
}

export interface CaseEvent {
  readonly detailType: string;
  readonly detail: CaseEventDetail;
}

/** One case whose state must be written: after publishing `events` (possibly none). */
export interface CaseChange {
  readonly caseId: string;
  readonly caseArn: string | null;
  readonly events: CaseEvent[];
  readonly state: CaseState;
  /** Version of the recorded item this write replaces; undefined when the case was never recorded. */
  readonly expectedVersion: number | undefined;
  /**
   * The write-ahead intent: the states `events` lead to, oldest first (empty when there are no
   * events). Written before publishing so a run that fails to record can be re-sent exactly.
   */
  readonly pending: readonly CaseState[];
  /** When `state` was observed (ISO): recorded with it, the staleness guard trusts no date beyond it. */
  readonly observedAt: string;
}

export interface Detection {
  /** Cases to write, in listing order. Unchanged and unlisted cases do not appear. */
  readonly changes: CaseChange[];
  /** Listed cases older than their recorded state (a listing taken before another run's): left alone. */
  readonly staleCaseIds: string[];
}

type ChangeField = 'created' | 'caseStatus' | 'pendingAction';

/**
 * Compares the listing with the recorded state. A case missing from the listing yields nothing.
 * A case with a write-ahead intent first gets the intent's events again, built as they were the
 * first time (same changeIds), then the events from the intent's last state to the listed one.
 */
export function detectChanges(
  recorded: ReadonlyMap<string, RecordedCase>,
  listing: readonly SecurityIrCase[],
  options: DetectionOptions,
): Detection {
  const changes: CaseChange[] = [];
  const staleCaseIds: string[] = [];
  const announceNewCases = options.emitCreatedEvents && (!options.baseline || options.emitExistingCasesOnFirstRun);
  const observedAt = options.observedAt.toISOString();
  for (const listed of uniqueCases(listing)) {
    const item = recorded.get(listed.caseId);
    const before = item && item.version > 0 ? item : undefined;
    const pending = item?.pending ?? [];
    // A field the answer leaves out is unknown, not a change to null: the last known value stays.
    const known = pending.at(-1) ?? before;
    const caseStatus = listed.caseStatus ?? known?.caseStatus ?? null;
    const pendingAction = listed.pendingAction ?? known?.pendingAction ?? null;
    // A value's first observation: kept while it holds; unknown (absent) for what the baseline found.
    const firstSeen = known === undefined && options.baseline ? undefined : observedAt;
    const lastUpdatedDate = isoOrNull(listed.lastUpdatedDate) ?? known?.lastUpdatedDate ?? null;
    const state: CaseState = {
      caseStatus,
      pendingAction,
      lastUpdatedDate,
      caseStatusSince: known !== undefined && known.caseStatus === caseStatus ? known.caseStatusSince : firstSeen,
      pendingActionSince: known !== undefined && known.pendingAction === pendingAction ? known.pendingActionSince : firstSeen,
      ...waitingPeriod(caseStatus, pendingAction, known, options.observedAt, options.reminderMinutes ?? []),
      ...supersededStamps(known, lastUpdatedDate),
    };
    // The staleness guard: a read older than a recorded state (or an intent's) is left alone.
    const read = { lastUpdatedDate, observedAt };
    const stale = (before !== undefined && isStale(read, before, before.observedAt))
      || pending.some((step) => isStale(read, step, item?.pendingObservedAt));
    if (stale) {
      // One that repeats the recorded values is no news: nothing to publish, nothing left undone.
      const repeatsRecorded = before !== undefined && pending.length === 0
        && before.caseStatus === caseStatus && before.pendingAction === pendingAction;
      if (!repeatsRecorded) staleCaseIds.push(listed.caseId);
      continue;
    }
    // What an earlier run may have published without recording: re-sent step by step.
    const resent: CaseEvent[] = [];
    let last: CaseState | undefined = before;
    for (const step of pending) {
      resent.push(...transitionEvents(last, step, listed, options));
      last = step;
    }
    // A case never recorded nor announced is new: Created, or recorded silently.
    const onward = last || announceNewCases ? transitionEvents(last, state, listed, options) : [];
    const events = [...resent, ...onward];
    // A wait timed from now though the recorded state says nothing of it (recorded before waits were kept).
    const newWait = last !== undefined && last.awaitingCustomerSince !== state.awaitingCustomerSince;
    if (events.length > 0 || !last || newWait) {
      changes.push({
        caseId: listed.caseId,
        caseArn: listed.caseArn ?? null,
        events,
        state,
        expectedVersion: before?.version,
        pending: onward.length > 0 ? [...pending, state] : pending,
        observedAt,
      });
    }
  }
  return { changes, staleCaseIds };
}

/**
 * Hex SHA-256 of the listing's (caseId, caseStatus, pendingAction) triples sorted by caseId: the
 * only fields whose change can produce an event, so a title or date edit keeps the digest.
 */
export function listingDigest(listing: readonly SecurityIrCase[]): string {
  const lines = uniqueCases(listing)
    .map((c) => JSON.stringify([c.caseId, c.caseStatus ?? null, c.pendingAction ?? null]))
    .sort();
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

/**
 * Stable id of one transition: the same inputs (on a retry) give the same id, a later transition
 * between the same values differs by `lastUpdatedDate`. JSON keeps `null` (absent) apart from `""`.
 */
export function changeIdOf(
  caseId: string,
  field: ChangeField,
  previous: string | null,
  current: string | null,
  lastUpdatedDate: string | null,
): string {
  return hexId([caseId, field, previous, current, lastUpdatedDate]);
}

/** Stable id of one reminder: the case, the start of its waiting period and the mark. */
export function reminderIdOf(caseId: string, awaitingCustomerSince: string, minutes: number): string {
  return hexId([caseId, 'awaitingCustomer', awaitingCustomerSince, minutes]);
}

function hexId(parts: readonly unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);
}

/**
 * The events of one step from `from` to `to` (`Created` when there is no `from`). Values and
 * `lastUpdatedDate` come from the two states, the other detail fields from the listed case.
 */
function transitionEvents(from: CaseState | undefined, to: CaseState, listed: SecurityIrCase, options: DetectionOptions): CaseEvent[] {
  if (!from) {
    return [caseEvent(CASE_CREATED_DETAIL_TYPE, 'created', listed, undefined, to, options)];
  }
  const events: CaseEvent[] = [];
  if (to.caseStatus !== from.caseStatus) {
    events.push(caseEvent(CASE_STATUS_CHANGED_DETAIL_TYPE, 'caseStatus', listed, from, to, options));
  }
  if (to.pendingAction !== from.pendingAction) {
    events.push(caseEvent(CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE, 'pendingAction', listed, from, to, options));
  }
  const announced = to.awaitingCustomerSince === from.awaitingCustomerSince ? from.remindedMinutes : undefined;
  if (to.remindedMinutes !== undefined && to.remindedMinutes !== announced) {
    events.push(reminderEvent(listed, to, options));
  }
  return events;
}

/** The reminder that `state` announces: the case as it is (previous values equal to the current ones) and how long it has waited. */
function reminderEvent(listed: SecurityIrCase, state: CaseState, options: DetectionOptions): CaseEvent {
  const since = state.awaitingCustomerSince!;
  const { detail } = caseEvent(CASE_AWAITING_CUSTOMER_DETAIL_TYPE, 'awaitingCustomer', listed, state, state, options);
  const reminder: CaseAwaitingCustomerDetail = {
    ...detail,
    awaitingCustomerSince: since,
    awaitingCustomerMinutes: Math.floor((options.observedAt.getTime() - Date.parse(since)) / 60_000),
  };
  return { detailType: CASE_AWAITING_CUSTOMER_DETAIL_TYPE, detail: reminder };
}

function caseEvent(
  detailType: string,
  field: ChangeField | 'awaitingCustomer',
  listed: SecurityIrCase,
  before: CaseState | undefined,
  after: CaseState,
  options: DetectionOptions,
): CaseEvent {
  const { caseStatus, pendingAction, lastUpdatedDate } = after;
  const previousCaseStatus = before ? before.caseStatus : null;
  const previousPendingAction = before ? before.pendingAction : null;
  const [previous, current] = field === 'pendingAction'
    ? [previousPendingAction, pendingAction]
    : [previousCaseStatus, caseStatus];
  const detail: CaseEventDetail = {
    schemaVersion: EVENT_SCHEMA_VERSION,
    changeId: field === 'awaitingCustomer'
      ? reminderIdOf(listed.caseId, after.awaitingCustomerSince!, after.remindedMinutes!)
      : changeIdOf(listed.caseId, field, previous, current, lastUpdatedDate),
    caseId: listed.caseId,
    caseArn: listed.caseArn ?? null,
    accountId: options.accountId,
    region: options.region,
    title: listed.title ?? null,
    caseStatus,
    previousCaseStatus,
    pendingAction,
    previousPendingAction,
    engagementType: listed.engagementType ?? null,
    resolverType: listed.resolverType ?? null,
    createdDate: isoOrNull(listed.createdDate),
    lastUpdatedDate,
    closedDate: isoOrNull(listed.closedDate),
    observedAt: options.observedAt.toISOString(),
    previousCaseStatusSince: before?.caseStatusSince ?? null,
    previousPendingActionSince: before?.pendingActionSince ?? null,
  };
  return { detailType, detail };
}

/**
 * One entry per caseId. A listing whose order shifts between pages can repeat a case: the most
 * recently updated copy wins (the first one on a tie).
 */
function uniqueCases(listing: readonly SecurityIrCase[]): SecurityIrCase[] {
  const byId = new Map<string, SecurityIrCase>();
  for (const c of listing) {
    const seen = byId.get(c.caseId);
    if (!seen || isOlder(isoOrNull(seen.lastUpdatedDate), isoOrNull(c.lastUpdatedDate))) {
      byId.set(c.caseId, c);
    }
  }
  return [...byId.values()];
}

function isoOrNull(date: Date | undefined): string | null {
  return date && !Number.isNaN(date.getTime()) ? date.toISOString() : null;
}
