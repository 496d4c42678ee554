/**
 * Local stand-in for Amazon EventBridge `PutEvents` (awsJson1_1, SigV4 signing name `events`). It
 * validates like EventBridge (whole-call errors for the entry count and total size, per-entry errors
 * for bad entries), records the accepted events, and can fail chosen entries or whole calls.
 */
import { randomUUID } from 'node:crypto';
import { TEST_CREDENTIALS } from './credentials';
import { FaultInjector } from './faults';
import { AccessKey, AwsServiceError, AwsSimServer, awsJsonProtocol, jsonResponse, parseJsonBody, RecordedCall, recordedCall, SimRequest, SimResponse, startAwsSimServer } from './http-server';

export interface AcceptedEvent {
  eventId: string;
  EventBusName: string;
  Source: string;
  DetailType: string;
  /** The entry's Detail, parsed. */
  Detail: any;
  Resources: string[];
  /** The entry's Time as ISO-8601 (the SDK sends epoch seconds), when it had one. */
  Time?: string;
  /**
   * When the simulator accepted the entry (`Date.now()`, after any added latency): the end of a
   * change's latency. `Time` cannot serve, it is the publisher's own clock in whole seconds.
   */
  acceptedAt: number;
}

/**
 * An accepted event as EventBridge hands it to a rule and its targets (the envelope of `account` and
 * `region` around the entry): what event patterns are matched against and a subscriber receives.
 */
export function deliveredEvent(event: AcceptedEvent, account: string, region: string): Record<string, unknown> {
  return {
    'version': '0',
    'id': event.eventId,
    'detail-type': event.DetailType,
    'source': event.Source,
    account,
    'time': event.Time,
    region,
    'resources': event.Resources,
    'detail': event.Detail,
  };
}

/** What `failEntries` matchers see of an entry. */
export interface EntryView {
  Source: string;
  DetailType: string;
  Detail: any;
  Resources: string[];
}

export interface EventBridgeSimulator {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Accepted entries, in order. */
  readonly events: AcceptedEvent[];
  /** Whole-call failures (operation 'PutEvents'). */
  readonly faults: FaultInjector;
  /** Action 'events:PutEvents'. */
  readonly calls: RecordedCall[];
  /** Fail entries matching `match` (per-entry failure, counted in FailedEntryCount) for the next `times` matches (default 1). */
  failEntries(match: (entry: EntryView) => boolean, opts?: { times?: number; errorCode?: string; errorMessage?: string }): void;
  /** Calls `listener` with every entry accepted from now on, as it is accepted (records may be reset, observers are not). */
  observeAccepted(listener: (event: AcceptedEvent) => void): void;
  close(): Promise<void>;
}

/** EventBridge's limits on one PutEvents call. */
export const MAX_ENTRIES_PER_CALL = 10;
export const MAX_ENTRIES_SIZE_BYTES = 256 * 1024;

const TARGET = 'AWSEvents.PutEvents';
const CONTENT_TYPE = 'application/x-amz-json-1.1';

/**
 * Size of an entry as EventBridge counts it towards the 256 KB limit: 14 bytes for a Time, plus the
 * UTF-8 bytes of Source, DetailType, Detail and each resource.
 */
export function putEventsEntrySize(entry: { Time?: unknown; Source?: unknown; DetailType?: unknown; Detail?: unknown; Resources?: unknown }): number {
  const bytes = (value: unknown) => (typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : 0);
  const resources = Array.isArray(entry.Resources) ? entry.Resources : [];
  return (entry.Time !== undefined ? 14 : 0) + bytes(entry.Source) + bytes(entry.DetailType) + bytes(entry.Detail) + resources.reduce((sum: number, r) => sum + bytes(r), 0);
}

export async function startEventBridgeSimulator(opts: { credentials?: AccessKey[] } = {}): Promise<EventBridgeSimulator> {
  const sim = new LocalEventBridge();
  sim.server = await startAwsSimServer({
    service: 'events',
    credentials: opts.credentials ?? [TEST_CREDENTIALS],
    protocol: awsJsonProtocol('1.1'),
    faults: sim.faults,
    operationOf: (req) => (req.method === 'POST' && req.path === '/' && req.headers['x-amz-target'] === TARGET ? 'PutEvents' : undefined),
    handle: (req) => sim.putEvents(req),
    record: (outcome) => sim.calls.push(recordedCall(outcome, 'events')),
  });
  return sim;
}

interface EntryFailure {
  match: (entry: EntryView) => boolean;
  remaining: number;
  errorCode: string;
  errorMessage: string;
}

type EntryResult = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

class LocalEventBridge implements EventBridgeSimulator {
  public readonly events: AcceptedEvent[] = [];
  public readonly faults = new FaultInjector();
  public readonly calls: RecordedCall[] = [];
  public server!: AwsSimServer;
  private readonly entryFailures: EntryFailure[] = [];
  private readonly acceptedListeners: ((event: AcceptedEvent) => void)[] = [];

  public get url(): string {
    return this.server.url;
  }

  public close(): Promise<void> {
    return this.server.close();
  }

  public failEntries(match: (entry: EntryView) => boolean, opts: { times?: number; errorCode?: string; errorMessage?: string } = {}): void {
    this.entryFailures.push({
      match,
      remaining: opts.times ?? 1,
      errorCode: opts.errorCode ?? 'InternalFailure',
      errorMessage: opts.errorMessage ?? 'Injected entry failure',
    });
  }

  public observeAccepted(listener: (event: AcceptedEvent) => void): void {
    this.acceptedListeners.push(listener);
  }

  public putEvents(req: SimRequest): SimResponse {
    if (!String(req.headers['content-type'] ?? '').startsWith(CONTENT_TYPE)) {
      throw new AwsServiceError(400, 'SerializationException', `Content-Type must be ${CONTENT_TYPE}`);
    }
    const body = parseJsonBody(req) as { Entries?: unknown };
    const entries = body?.Entries;
    if (!Array.isArray(entries) || entries.length < 1 || entries.length > MAX_ENTRIES_PER_CALL) {
      const count = Array.isArray(entries) ? entries.length : 0;
      throw new AwsServiceError(400, 'ValidationException', `1 validation error detected: Value with ${count} entries at 'entries' failed to satisfy constraint: Member must have length between 1 and ${MAX_ENTRIES_PER_CALL}`);
    }
    const total = entries.reduce((sum: number, entry) => sum + putEventsEntrySize(entry ?? {}), 0);
    if (total > MAX_ENTRIES_SIZE_BYTES) {
      throw new AwsServiceError(400, 'ValidationException', 'Total size of the entries in the request is over the limit.');
    }
    const results = entries.map((entry) => this.putEntry(entry ?? {}));
    const failed = results.filter((r) => 'ErrorCode' in r).length;
    return jsonResponse(200, { FailedEntryCount: failed, Entries: results }, CONTENT_TYPE);
  }

  private putEntry(entry: Record<string, unknown>): EntryResult {
    const invalid = (message: string): EntryResult => ({ ErrorCode: 'InvalidArgument', ErrorMessage: message });
    for (const field of ['Source', 'DetailType', 'Detail']) {
      if (typeof entry[field] !== 'string' || entry[field] === '') {
        return invalid(`Parameter ${field} is not valid. Reason: ${field} is a required argument.`);
      }
    }
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail as string);
    } catch {
      return invalid('Detail is malformed.');
    }
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) return invalid('Detail is malformed.');
    const resources = entry.Resources ?? [];
    if (!Array.isArray(resources) || resources.some((r) => typeof r !== 'string')) {
      return invalid('Parameter Resources is not valid. Reason: Resources must be a list of strings.');
    }
    const time = entry.Time === undefined ? undefined : new Date(typeof entry.Time === 'number' ? entry.Time * 1000 : String(entry.Time));
    if (time !== undefined && Number.isNaN(time.getTime())) return invalid('Parameter Time is not valid.');

    const view: EntryView = { Source: entry.Source as string, DetailType: entry.DetailType as string, Detail: detail, Resources: resources };
    const failure = this.entryFailures.find((f) => f.remaining > 0 && f.match(view));
    if (failure) {
      failure.remaining--;
      return { ErrorCode: failure.errorCode, ErrorMessage: failure.errorMessage };
    }
    const eventId = randomUUID();
    const accepted: AcceptedEvent = {
      eventId,
      EventBusName: typeof entry.EventBusName === 'string' && entry.EventBusName !== '' ? entry.EventBusName : 'default',
      ...view,
      ...(time ? { Time: time.toISOString() } : {}),
      acceptedAt: Date.now(),
    };
    this.events.push(accepted);
    this.acceptedListeners.forEach((listener) => listener(accepted));
    return { EventId: eventId };
  }
}
