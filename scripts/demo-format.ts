/**
 * How the demo prints: one aligned line per published event and one line per poll or fast-path
 * hint. Colour only on a terminal.
 */
import {
  CASE_AWAITING_CUSTOMER_DETAIL_TYPE,
  CASE_CREATED_DETAIL_TYPE,
  CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE,
  CASE_WATCHER_DETAIL_TYPES,
  CaseAwaitingCustomerDetail,
  CaseEventDetail,
} from '../lib/events';
import type { AcceptedEvent } from '../local-aws/eventbridge-simulator';

export interface Palette {
  detailType(text: string, detailType: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

const plain: Palette = { detailType: (text) => text, dim: (text) => text, bold: (text) => text };

const sgr = (code: number) => (text: string) => `\u001b[${code}m${text}\u001b[0m`;
const DETAIL_TYPE_COLOURS: Record<string, (text: string) => string> = {
  [CASE_CREATED_DETAIL_TYPE]: sgr(32), // green
  [CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE]: sgr(33), // yellow
};
const coloured: Palette = {
  detailType: (text, detailType) => (DETAIL_TYPE_COLOURS[detailType] ?? sgr(36))(text),
  dim: sgr(2),
  bold: sgr(1),
};

/** ANSI colour only when writing to a terminal, and never with `NO_COLOR` set. */
export function paletteFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): Palette {
  return stream.isTTY && !env.NO_COLOR ? coloured : plain;
}

const DETAIL_TYPE_WIDTH = Math.max(...CASE_WATCHER_DETAIL_TYPES.map((t) => t.length));
const CASE_ID_WIDTH = 12;
const TITLE_WIDTH = 40;

/**
 * `09:13:00  Security IR Case Status Changed   1000000101  Suspicious IAM activity   Submitted -> Acknowledged`,
 * followed by `(fast path: 12 ms after the change)` when `latencyMs` is given.
 */
export function formatEventLine(event: AcceptedEvent, palette: Palette = plain, latencyMs?: number): string {
  const detail = event.Detail as CaseEventDetail;
  const time = (event.Time ?? detail.observedAt).slice(11, 19);
  const held = (since: string | null) => (since === null ? '' : ` (after ${duration(Date.parse(detail.observedAt) - Date.parse(since))})`);
  const transition = event.DetailType === CASE_CREATED_DETAIL_TYPE
    ? `(new) -> ${detail.caseStatus ?? '?'}`
    : event.DetailType === CASE_AWAITING_CUSTOMER_DETAIL_TYPE
      ? `still waiting on the customer: ${duration((detail as CaseAwaitingCustomerDetail).awaitingCustomerMinutes * 60_000)}`
      : event.DetailType === CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE
        ? `${detail.previousPendingAction ?? '?'} -> ${detail.pendingAction ?? '?'}${held(detail.previousPendingActionSince)}`
        : `${detail.previousCaseStatus ?? '?'} -> ${detail.caseStatus ?? '?'}${held(detail.previousCaseStatusSince)}`;
  return [
    palette.dim(time),
    palette.detailType(event.DetailType.padEnd(DETAIL_TYPE_WIDTH), event.DetailType),
    detail.caseId.padEnd(CASE_ID_WIDTH),
    truncate(detail.title ?? '', TITLE_WIDTH).padEnd(TITLE_WIDTH),
    transition,
    ...(latencyMs === undefined ? [] : [palette.dim(`(fast path: ${latencyMs} ms after the change)`)]),
  ].join('  ');
}

/** `1 h 1 min`, `4 min`, `0 min`: how long a value held, in whole minutes. */
function duration(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  return minutes >= 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${minutes} min`;
}

/** What the stand-ins counted during one invocation, and a word on it. */
export interface InvocationFigures {
  readonly eventsPublished: number;
  readonly putEventsCalls: number;
  readonly dynamoDbReads: number;
  readonly dynamoDbWrites: number;
  readonly note?: string;
}

/** What one poll did, from the handler's result and the stand-ins' call logs. */
export interface PollFigures extends InvocationFigures {
  readonly poll: number;
  readonly casesSeen: number;
  readonly listCasesCalls: number;
  readonly durationMs: number;
}

/** `poll 3: 4 cases, 1 ListCases call, 3 events (1 PutEvents call), DynamoDB 2 reads / 4 writes, 41 ms` */
export function formatPollLine(f: PollFigures, palette: Palette = plain): string {
  return summaryLine(`poll ${f.poll}`, [
    count(f.casesSeen, 'case'),
    count(f.listCasesCalls, 'ListCases call'),
    eventsPart(f.eventsPublished, f.putEventsCalls),
    dynamoDbPart(f.dynamoDbReads, f.dynamoDbWrites),
    `${f.durationMs} ms`,
  ], f.note, palette);
}

/** What one fast-path hint did, from the stand-ins' call logs. */
export interface HintFigures extends InvocationFigures {
  /** Security IR's own detail-type, e.g. `Case Updated`. */
  readonly nativeDetailType: string;
  readonly caseId: string;
  readonly getCaseCalls: number;
}

/** `hint Case Updated 1000000104: 1 event (1 PutEvents call), 1 GetCase call, DynamoDB 1 read / 4 writes` (the events' lines carry the latency) */
export function formatHintLine(f: HintFigures, palette: Palette = plain): string {
  return summaryLine(`hint ${f.nativeDetailType} ${f.caseId}`, [
    eventsPart(f.eventsPublished, f.putEventsCalls),
    count(f.getCaseCalls, 'GetCase call'),
    dynamoDbPart(f.dynamoDbReads, f.dynamoDbWrites),
  ], f.note, palette);
}

/** `<label>: <parts> (<note>)`, in bold: one line per invocation. */
function summaryLine(label: string, parts: string[], note: string | undefined, palette: Palette): string {
  return palette.bold(`${label}: ${parts.join(', ')}${note ? ` (${note})` : ''}`);
}

function eventsPart(events: number, putEventsCalls: number): string {
  return `${count(events, 'event')}${putEventsCalls > 0 ? ` (${count(putEventsCalls, 'PutEvents call')})` : ''}`;
}

function dynamoDbPart(reads: number, writes: number): string {
  return `DynamoDB ${count(reads, 'read')} / ${count(writes, 'write')}`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}
