/**
 * What a notice tells a person, whatever the destination: a headline in words, the change (previous
 * -> new) and how long the previous value held, the case's facts, the next steps and where to act.
 * Every value from the event is already one line and cut here; each renderer only adds the escaping
 * its destination needs. Pure, no I/O.
 */
import type { CaseNotice, NoticeKind } from './case-event';
import { type ConsoleLink, consoleLink } from './console-link';
import { cut, elapsedMs, formatDuration, formatTime, oneLine } from './text';

/** The longest title the contract sends; a longer one (an older or hostile sender) is cut here. */
const MAX_TITLE = 300;
/** Enum values are short words; a long one is a hostile answer and is cut. */
const MAX_VALUE = 60;
const UNKNOWN = 'unknown';

export interface CaseChange {
  readonly field: 'Status' | 'Pending action';
  readonly from: string;
  readonly to: string;
  /** How long `from` held, in words, or undefined when the watcher could not know. */
  readonly held?: string;
}

export interface Headline {
  readonly words: string;
  /** A value from the event (already one line and cut), which a destination may need to escape. */
  readonly value?: string;
}

export interface CaseStory {
  readonly kind: NoticeKind;
  readonly caseId: string;
  /** What happened, in words: `words` then, for some, the value it came to (`Case moved to` `Containment`). */
  readonly headline: Headline;
  /** A word a channel can filter on: `awaiting-customer`, `reminder`, `no-longer-waiting`, `created`, `closed`, `status-changed`, `pending-action-changed`. */
  readonly tag: string;
  /** One line, cut; `(no title)` when the case has none. */
  readonly title: string;
  readonly change?: CaseChange;
  /** For a reminder: how long the case has waited on the customer. */
  readonly waited?: string;
  readonly status: string;
  readonly pendingAction: string;
  readonly engagementType: string;
  readonly resolverType: string;
  readonly observed: string;
  readonly nextSteps: readonly string[];
  readonly link: ConsoleLink;
  readonly caseArn: string | null;
  readonly changeId: string;
  readonly detailType: string;
}

export function tell(notice: CaseNotice, caseUrlTemplate?: string): CaseStory {
  const value = (v: string | null) => (v === null ? UNKNOWN : cut(oneLine(v), MAX_VALUE) || UNKNOWN);
  const status = value(notice.caseStatus);
  const pendingAction = value(notice.pendingAction);
  const held = (since: string | null) => {
    const ms = elapsedMs(since, notice.observedAt);
    return ms === undefined ? undefined : formatDuration(ms);
  };
  const link = consoleLink(notice, caseUrlTemplate);
  const base = {
    kind: notice.kind,
    caseId: notice.caseId,
    title: notice.title === null ? '(no title)' : cut(oneLine(notice.title), MAX_TITLE) || '(no title)',
    status,
    pendingAction,
    engagementType: value(notice.engagementType),
    resolverType: value(notice.resolverType),
    observed: formatTime(notice.observedAt),
    link,
    caseArn: notice.caseArn,
    changeId: notice.changeId,
    detailType: notice.detailType,
  };
  const where = link.opensCase ? `case ${notice.caseId}` : `case ${notice.caseId} in the Security IR console`;
  switch (notice.kind) {
    case 'created':
      return {
        ...base,
        headline: { words: 'New Security IR case' },
        tag: 'created',
        nextSteps: [`Open ${where} and check its engagement type and resolver`, 'Add the people who should follow it as watchers'],
      };
    case 'awaitingCustomer': {
      const waitedMs = notice.awaitingCustomerMinutes !== null
        ? notice.awaitingCustomerMinutes * 60_000
        : elapsedMs(notice.awaitingCustomerSince, notice.observedAt);
      const waited = waitedMs === undefined ? undefined : formatDuration(waitedMs);
      return {
        ...base,
        headline: { words: waited === undefined ? 'AWS is still waiting on you' : `AWS is still waiting on you (${waited})` },
        tag: 'reminder',
        waited,
        nextSteps: awaitingSteps(where),
      };
    }
    case 'pendingActionChanged': {
      const change: CaseChange = { field: 'Pending action', from: value(notice.previousPendingAction), to: pendingAction, held: held(notice.previousPendingActionSince) };
      if (notice.pendingAction === 'Customer') {
        return { ...base, change, headline: { words: 'AWS is waiting on you' }, tag: 'awaiting-customer', nextSteps: awaitingSteps(where) };
      }
      if (notice.previousPendingAction === 'Customer') {
        return {
          ...base,
          change,
          headline: { words: 'AWS is no longer waiting on you' },
          tag: 'no-longer-waiting',
          nextSteps: [`Nothing to do for now: follow ${where}`],
        };
      }
      return { ...base, change, headline: { words: 'Pending action is now', value: pendingAction }, tag: 'pending-action-changed', nextSteps: [`Follow ${where}`] };
    }
    case 'statusChanged': {
      const change: CaseChange = { field: 'Status', from: value(notice.previousCaseStatus), to: status, held: held(notice.previousCaseStatusSince) };
      if (notice.caseStatus === 'Closed') {
        return {
          ...base,
          change,
          headline: { words: 'Case closed' },
          tag: 'closed',
          nextSteps: [`Open ${where} and review how it was closed`, 'Record the lessons learned while they are fresh'],
        };
      }
      return { ...base, change, headline: { words: 'Case moved to', value: status }, tag: 'status-changed', nextSteps: [`Follow ${where}`] };
    }
  }
}

function awaitingSteps(where: string): string[] {
  return [`Open ${where} and answer what AWS responders ask for`, 'Reply in the case itself: the responders read the case, not this message'];
}

/** The headline as plain text, its value shown by `show` (as is by default). */
export function headlineText(headline: Headline, show: (value: string) => string = (v) => v): string {
  return headline.value === undefined ? headline.words : `${headline.words} ${show(headline.value)}`;
}

/** The change in one line, its values shown by `show`: `Pending action: None -> Customer (None for 2 h 10 min)`. */
export function changeLine(change: CaseChange, show: (value: string) => string = (v) => v, arrow = '->'): string {
  const held = change.held === undefined ? `how long ${show(change.from)} held is unknown` : `${show(change.from)} for ${change.held}`;
  return `${change.field}: ${show(change.from)} ${arrow} ${show(change.to)} (${held})`;
}
