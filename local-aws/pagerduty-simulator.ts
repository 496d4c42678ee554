/**
 * Local stand-in for the PagerDuty Events API v2 (`POST /v2/enqueue`). It checks each event the way
 * PagerDuty's published schema does (routing key of 32 characters, `event_action`, `dedup_key`
 * required to acknowledge or resolve, a trigger's `payload` with `summary` up to 1,024 characters,
 * `source` and `severity`), answers 202 / 400 (with the reasons in `errors`) / 429 / 5xx, and keeps
 * the incidents by `dedup_key`: a trigger on an open incident is deduplicated into it, a trigger
 * after it was resolved opens a new one, a resolve closes the open one (and is accepted, changing
 * nothing, when none is open). Stricter than PagerDuty in two ways, to catch a sender's mistakes: a
 * routing key it was not given, and top-level members the schema does not define, are refused.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { FaultInjector } from './faults';
import { listenOnLoopback, readBody } from './http-server';

export type PagerDutyAction = 'trigger' | 'acknowledge' | 'resolve';

/** An event PagerDuty accepted (202). */
export interface PagerDutyEvent {
  readonly routing_key: string;
  readonly event_action: PagerDutyAction;
  readonly dedup_key?: string;
  readonly payload?: {
    readonly summary: string;
    readonly source: string;
    readonly severity: string;
    readonly timestamp?: string;
    readonly component?: string;
    readonly group?: string;
    readonly class?: string;
    readonly custom_details?: Record<string, unknown>;
  };
  readonly client?: string;
  readonly client_url?: string;
  readonly links?: { href: string; text?: string }[];
}

export interface PagerDutyIncident {
  /** 1, 2, ... in the order opened. */
  readonly number: number;
  readonly dedupKey: string;
  status: 'triggered' | 'acknowledged' | 'resolved';
  /** The summary of the trigger that opened it. */
  readonly summary: string;
  readonly severity: string;
  /** Triggers received while it was open, the first included (the rest were deduplicated). */
  triggers: number;
}

/** One request and how it was answered. */
export interface PagerDutyCall {
  readonly status: number;
  readonly body: unknown;
  /** The reasons of a 400. */
  readonly errors?: string[];
}

export interface PagerDutySimulator {
  /** The enqueue URL: `http://127.0.0.1:<port>/v2/enqueue`. */
  readonly enqueueUrl: string;
  readonly calls: PagerDutyCall[];
  /** Accepted events, in order, with `Date.now()` at acceptance (after any added latency). */
  readonly accepted: (PagerDutyEvent & { acceptedAt: number })[];
  /** Every incident ever opened, in order. */
  readonly incidents: PagerDutyIncident[];
  /** Operation name 'Enqueue'; an `error` fault answers its status with PagerDuty's error body. */
  readonly faults: FaultInjector;
  /** The incident open under `dedupKey`, if any. */
  openIncident(dedupKey: string): PagerDutyIncident | undefined;
  close(): Promise<void>;
}

const SEVERITIES = ['critical', 'error', 'warning', 'info'];
const ACTIONS: readonly string[] = ['trigger', 'acknowledge', 'resolve'];
const TOP_LEVEL = new Set(['routing_key', 'event_action', 'dedup_key', 'payload', 'client', 'client_url', 'links', 'images']);
const PAYLOAD = new Set(['summary', 'source', 'severity', 'timestamp', 'component', 'group', 'class', 'custom_details']);
const MAX_BODY_BYTES = 512 * 1024;

export async function startPagerDutySimulator(opts: { routingKeys: readonly string[] }): Promise<PagerDutySimulator> {
  const calls: PagerDutyCall[] = [];
  const accepted: (PagerDutyEvent & { acceptedAt: number })[] = [];
  const incidents: PagerDutyIncident[] = [];
  const faults = new FaultInjector();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const open = (dedupKey: string) => incidents.find((i) => i.dedupKey === dedupKey && i.status !== 'resolved');
  const delay = (ms: number) => new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      resolve();
    }, ms);
    timers.add(timer);
  });

  const answer = (res: ServerResponse, status: number, body: Record<string, unknown>, record: PagerDutyCall) => {
    calls.push(record);
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  const server = createServer((req, res) => {
    void readBody(req).then(async (raw) => {
      if (faults.fixedLatencyMs > 0) await delay(faults.fixedLatencyMs);
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        body = raw.toString('utf8');
      }
      if (req.method !== 'POST' || req.url !== '/v2/enqueue') {
        answer(res, 404, { status: 'not found', message: 'Not found' }, { status: 404, body });
        return;
      }
      const fault = faults.take('Enqueue');
      if (fault?.kind === 'hang') return;
      if (fault?.kind === 'latency') await delay(fault.ms);
      if (fault?.kind === 'error') {
        const headers = fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) };
        calls.push({ status: fault.status, body });
        res.writeHead(fault.status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify({ status: fault.type, message: fault.message ?? `Injected ${fault.status}` }));
        return;
      }
      const errors = raw.length > MAX_BODY_BYTES ? ['Event is larger than 512 KB'] : problemsOf(body, opts.routingKeys);
      if (errors.length > 0) {
        answer(res, 400, { status: 'invalid event', message: 'Event object is invalid', errors }, { status: 400, body, errors });
        return;
      }
      const event = body as PagerDutyEvent;
      const dedupKey = event.dedup_key ?? `generated-${accepted.length + 1}`;
      const current = open(dedupKey);
      if (event.event_action === 'trigger') {
        if (current) current.triggers++;
        else incidents.push({ number: incidents.length + 1, dedupKey, status: 'triggered', summary: event.payload!.summary, severity: event.payload!.severity, triggers: 1 });
      } else if (current) {
        current.status = event.event_action === 'resolve' ? 'resolved' : 'acknowledged';
      }
      accepted.push({ ...event, acceptedAt: Date.now() });
      answer(res, 202, { status: 'success', message: 'Event processed', dedup_key: dedupKey }, { status: 202, body });
    }, () => undefined);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await listenOnLoopback(server);

  return {
    enqueueUrl: `http://127.0.0.1:${port}/v2/enqueue`,
    calls,
    accepted,
    incidents,
    faults,
    openIncident: open,
    close: () => {
      for (const timer of timers) clearTimeout(timer);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      return closed;
    },
  };
}

/** Why PagerDuty would refuse `body` (empty: it accepts it). */
export function problemsOf(body: unknown, routingKeys: readonly string[]): string[] {
  if (!isObject(body)) return ['Event must be a JSON object'];
  const errors: string[] = [];
  for (const key of Object.keys(body)) {
    if (!TOP_LEVEL.has(key)) errors.push(`'${key}' is not a field of an event`);
  }
  const routingKey = body.routing_key;
  if (typeof routingKey !== 'string') errors.push("'routing_key' is missing or not a string");
  else if (routingKey.length !== 32) errors.push("Length of 'routing_key' is incorrect (should be 32 characters)");
  else if (!routingKeys.includes(routingKey)) errors.push("'routing_key' is not an integration key of this service");
  const action = body.event_action;
  if (typeof action !== 'string' || !ACTIONS.includes(action)) errors.push("'event_action' must be one of trigger, acknowledge, resolve");
  const dedupKey = body.dedup_key;
  if (dedupKey !== undefined && (typeof dedupKey !== 'string' || dedupKey.length === 0 || dedupKey.length > 255)) {
    errors.push("'dedup_key' must be a string of 1 to 255 characters");
  }
  if ((action === 'acknowledge' || action === 'resolve') && dedupKey === undefined) errors.push(`'dedup_key' is required to ${action}`);
  if (action === 'trigger') errors.push(...payloadProblems(body.payload));
  for (const key of ['client', 'client_url']) {
    if (body[key] !== undefined && typeof body[key] !== 'string') errors.push(`'${key}' must be a string`);
  }
  if (body.links !== undefined && (!Array.isArray(body.links) || body.links.some((l) => !isObject(l) || typeof l.href !== 'string' || (l.text !== undefined && typeof l.text !== 'string')))) {
    errors.push("'links' must be a list of { href, text }");
  }
  return errors;
}

function payloadProblems(payload: unknown): string[] {
  if (!isObject(payload)) return ["'payload' is required to trigger"];
  const errors: string[] = [];
  for (const key of Object.keys(payload)) {
    if (!PAYLOAD.has(key)) errors.push(`'payload.${key}' is not a field of a payload`);
  }
  const summary = payload.summary;
  if (typeof summary !== 'string' || summary.length === 0) errors.push("'payload.summary' is missing");
  else if (summary.length > 1024) errors.push("'payload.summary' is longer than 1024 characters");
  if (typeof payload.source !== 'string' || payload.source.length === 0) errors.push("'payload.source' is missing");
  if (typeof payload.severity !== 'string' || !SEVERITIES.includes(payload.severity)) errors.push("'payload.severity' must be one of critical, error, warning, info");
  if (payload.timestamp !== undefined && (typeof payload.timestamp !== 'string' || Number.isNaN(Date.parse(payload.timestamp)))) {
    errors.push("'payload.timestamp' must be an ISO 8601 date");
  }
  for (const key of ['component', 'group', 'class']) {
    if (payload[key] !== undefined && typeof payload[key] !== 'string') errors.push(`'payload.${key}' must be a string`);
  }
  if (payload.custom_details !== undefined && !isObject(payload.custom_details)) errors.push("'payload.custom_details' must be an object");
  return errors;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
