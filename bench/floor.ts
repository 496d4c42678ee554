/**
 * The least wall time a poll can take when every request costs a fixed latency: the requests the
 * design must make one after another (docs/design.md, "One poll"), times that latency. Everything a
 * poll spends above it is CPU, the stand-ins' own work and scheduling.
 */

/** Maximum items of one ListCases page (the poller asks for the maximum). */
export const LIST_PAGE_SIZE = 25;
/** Maximum entries of one PutEvents call. */
export const PUT_EVENTS_BATCH = 10;
/** Maximum items of one BatchWriteItem call. */
export const BATCH_WRITE_SIZE = 25;
/** Conditional case writes the poller keeps in flight (its `writeConcurrency` default). */
export const WRITE_CONCURRENCY = 10;

export interface PollShape {
  /** Cases listed. */
  readonly cases: number;
  /** Whether the listing differed from the recorded one (false: the one-read short-cut). */
  readonly changed: boolean;
  /** Cases recorded without an event (every case at the baseline). */
  readonly silentWrites: number;
  /** Cases recorded after their events were accepted (one conditional PutItem each). */
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

export function pollFloor(shape: PollShape, latencyMs: number): Floor {
  const listPages = Math.max(1, Math.ceil(shape.cases / LIST_PAGE_SIZE));
  const dynamoDb = shape.changed
    ? 1 /* GetItem META */ + 1 /* lease */ + shape.queryPages
      + Math.ceil(shape.silentWrites / BATCH_WRITE_SIZE)
      + Math.ceil(shape.announcedWrites / WRITE_CONCURRENCY)
      + 1 /* release */
    : 1;
  const putEvents = Math.ceil(shape.events / PUT_EVENTS_BATCH);
  const sequentialRequests = listPages + dynamoDb + putEvents;
  return { sequentialRequests, ms: sequentialRequests * latencyMs };
}

/** The formula above, for the report. */
export const FLOOR_EXPLANATION = `Floor = L x (sequential requests), L the latency every stand-in adds to each request:
- ListCases: ceil(N/25) pages, one after another (each needs the previous page's token);
- unchanged listing: 1 GetItem (the digest short-cut), nothing else;
- changed listing: GetItem + lease UpdateItem + Query pages (sequential; DynamoDB's 1 MB page limit)
  + ceil(S/25) BatchWriteItem (S cases with nothing to publish, e.g. all N at the baseline; one after another)
  + ceil(E/10) PutEvents (the publisher sends its batches one after another)
  + ceil(K/10) waves of conditional PutItem (K cases recorded after publishing, 10 in flight)
  + the lease-release UpdateItem.
Minimums: ListCases ceil(N/25), PutEvents ceil(E/10).`;
