/**
 * The least wall time a poll can take when every request costs a fixed latency: the requests the
 * design must make one after another (docs/design.md, "One poll"), times that latency. Requests the
 * handler keeps in flight together count once per wave. Everything a poll spends above the floor is
 * CPU, the stand-ins' own work and scheduling.
 */
import { DEFAULT_WRITE_CONCURRENCY } from '../lambda/run';
import { DEFAULT_PUT_EVENTS_CONCURRENCY, MAX_ENTRIES_PER_REQUEST } from '../lambda/publisher';
import { DEFAULT_LIST_CASES_PAGE_SIZE } from '../lambda/security-ir-client';
import { BATCH_WRITE_LIMIT, DEFAULT_BATCH_WRITE_CONCURRENCY } from '../lambda/state-store';

export const LIST_PAGE_SIZE = DEFAULT_LIST_CASES_PAGE_SIZE;
export const PUT_EVENTS_BATCH = MAX_ENTRIES_PER_REQUEST;

export interface PollShape {
  /** Cases listed. */
  readonly cases: number;
  /** Whether the listing differed from the recorded one (false: the one-read short-cut). */
  readonly changed: boolean;
  /** Cases recorded without an event (every case at the baseline). */
  readonly silentWrites: number;
  /** Cases announced: one intent each before publishing, one conditional PutItem each after. */
  readonly announcedWrites: number;
  /** Events published. */
  readonly events: number;
  /** Query pages it took to read the recorded state (DynamoDB's 1 MB page limit decides). */
  readonly queryPages: number;
}

export interface Floor {
  /** Requests in the sequential chain. */
  readonly sequentialRequests: number;
  readonly ms: number;
}

/** Waves needed for `requests` requests with `concurrency` in flight. */
const waves = (requests: number, concurrency: number) => Math.ceil(requests / concurrency);

export function pollFloor(shape: PollShape, latencyMs: number): Floor {
  const listPages = Math.max(1, Math.ceil(shape.cases / LIST_PAGE_SIZE));
  const dynamoDb = shape.changed
    ? 1 /* GetItem META */ + 1 /* lease */ + shape.queryPages
      + waves(Math.ceil(shape.silentWrites / BATCH_WRITE_LIMIT), DEFAULT_BATCH_WRITE_CONCURRENCY)
      + waves(Math.ceil(shape.announcedWrites / BATCH_WRITE_LIMIT), DEFAULT_BATCH_WRITE_CONCURRENCY) /* intents */
      + waves(shape.announcedWrites, DEFAULT_WRITE_CONCURRENCY)
      + 1 /* release */
    : 1;
  const putEvents = waves(Math.ceil(shape.events / PUT_EVENTS_BATCH), DEFAULT_PUT_EVENTS_CONCURRENCY);
  const sequentialRequests = listPages + dynamoDb + putEvents;
  return { sequentialRequests, ms: sequentialRequests * latencyMs };
}

/** The formula above, for the report. */
export const FLOOR_EXPLANATION = `Floor = L x (sequential requests), L the latency every stand-in adds to each request;
requests the handler keeps in flight together count once per wave:
- ListCases: ceil(N/${LIST_PAGE_SIZE}) pages, one after another (each needs the previous page's token);
- unchanged listing: 1 GetItem (the digest short-cut), nothing else;
- changed listing: GetItem + lease UpdateItem + Query pages (sequential; DynamoDB's 1 MB page limit)
  + ceil(ceil(S/${BATCH_WRITE_LIMIT})/${DEFAULT_BATCH_WRITE_CONCURRENCY}) waves of BatchWriteItem (S cases with nothing to publish, e.g. all N at the baseline)
  + ceil(ceil(K/${BATCH_WRITE_LIMIT})/${DEFAULT_BATCH_WRITE_CONCURRENCY}) waves of BatchWriteItem for the write-ahead intents of the K announced cases
  + ceil(ceil(E/${PUT_EVENTS_BATCH})/${DEFAULT_PUT_EVENTS_CONCURRENCY}) waves of PutEvents (E events, ${DEFAULT_PUT_EVENTS_CONCURRENCY} requests in flight)
  + ceil(K/${DEFAULT_WRITE_CONCURRENCY}) waves of conditional PutItem (${DEFAULT_WRITE_CONCURRENCY} in flight)
  + the lease-release UpdateItem.
Minimums: ListCases ceil(N/${LIST_PAGE_SIZE}), PutEvents ceil(E/${PUT_EVENTS_BATCH}).`;

/**
 * A hint's requests (docs/design.md, "One hint"), in order: each waits for the one before, so they
 * are both the minimum a hint needs and its sequential chain.
 */
export const HINT_REQUESTS = {
  changed: [
    'GetCase', 'BatchGetItem', 'UpdateItem' /* lease */, 'BatchGetItem' /* the read under the lease */,
    'BatchWriteItem' /* intent */, 'PutEvents', 'PutItem' /* record */, 'UpdateItem' /* release */,
  ],
  unchanged: ['GetCase', 'BatchGetItem'],
} as const;

/** Requests in a hint's chain up to and including PutEvents: what stands between its arrival and the event accepted. */
export const HINT_REQUESTS_TO_ACCEPTED = HINT_REQUESTS.changed.indexOf('PutEvents') + 1;
