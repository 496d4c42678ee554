/**
 * Local stand-in for AWS Security Incident Response: `ListCases` and `GetCase` over restJson1, as
 * the service's API reference documents them, with SigV4 verification (signing name `security-ir`),
 * opaque pagination tokens, injectable faults, a log of every call, and the service's own
 * EventBridge events (`Case Created`, `Case Updated`, ...) as its cases change.
 */
import { randomInt } from 'node:crypto';
import { TEST_ACCOUNT_ID, TEST_CREDENTIALS, TEST_REGION } from './credentials';
import { FaultInjector } from './faults';
import { securityIrCaseEvent, SecurityIrNativeEvent } from './security-ir-events';
import { AccessKey, AwsServiceError, AwsSimServer, jsonResponse, parseJsonBody, RecordedCall, recordedCall, REST_JSON_1, SimRequest, SimResponse, startAwsSimServer } from './http-server';

export type { RecordedCall } from './http-server';

export interface SimCase {
  caseId: string;
  caseArn?: string;
  title?: string;
  caseStatus?: string;
  pendingAction?: string;
  engagementType?: string;
  resolverType?: string;
  /** Epoch seconds (may carry a fraction), as the API sends them. */
  createdDate?: number;
  lastUpdatedDate?: number;
  closedDate?: number;
  /** Returned by GetCase only. */
  description?: string;
}

export interface SecurityIrSimulator {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** The cases, in listing order; tests may edit it directly. */
  readonly cases: SimCase[];
  readonly faults: FaultInjector;
  readonly calls: RecordedCall[];
  /** Adds a case with realistic defaults for every field not given (an explicit `undefined` leaves a field out). */
  addCase(partial?: Partial<SimCase>): SimCase;
  /** Changes a case; also bumps `lastUpdatedDate` (unless the patch sets it) and sets `closedDate` on closing. */
  updateCase(caseId: string, patch: Partial<SimCase>): SimCase;
  removeCase(caseId: string): void;
  /** A comment on a case: no field of the listing changes, but the service announces it. */
  addComment(caseId: string): void;
  /** The service's own events, in the order the changes happened (`Case Created`, `Case Updated`, ...). */
  readonly nativeEvents: SecurityIrNativeEvent[];
  /** Called with each native event as it is emitted (the demo forwards them to the handler). */
  onNativeEvent?: (event: SecurityIrNativeEvent) => void;
  /**
   * Case IDs ListCases leaves out while GetCase still finds them: a listing that misses cases for a
   * while, as an eventually consistent one can.
   */
  readonly unlisted: Set<string>;
  /** What a read serves of the cases it found: by default the cases as they are; a test can answer as a lagging replica would. */
  servedAs?: (operation: 'ListCases' | 'GetCase', cases: SimCase[]) => SimCase[];
  /** Called with a copy of the cases each ListCases page or GetCase answer served: what a read observed. */
  onCasesServed?: (operation: 'ListCases' | 'GetCase', cases: SimCase[]) => void;
  /** Skew of the server's clock against the real one (signature expiry, `Date` header, case dates). */
  clockOffsetMs: number;
  close(): Promise<void>;
}

export interface SecurityIrSimulatorOptions {
  region?: string;
  accountId?: string;
  credentials?: AccessKey[];
}

/** Documented enum values (the API treats them as open). */
export const CASE_STATUSES = ['Submitted', 'Acknowledged', 'Detection and Analysis', 'Containment, Eradication and Recovery', 'Post-incident Activities', 'Ready to Close', 'Closed'] as const;
export const PENDING_ACTIONS = ['Customer', 'None'] as const;
export const ENGAGEMENT_TYPES = ['Security Incident', 'Investigation'] as const;
export const RESOLVER_TYPES = ['AWS', 'Self'] as const;

const MAX_RESULTS = 25;
const TITLES = [
  'Suspicious IAM activity',
  'Unusual API calls from unknown IP range',
  'Possible credential exfiltration',
  'Cryptomining instance detected',
  'Unauthorized S3 bucket policy change',
  'Malware detected on EC2 instance',
  'Phishing campaign targeting employees',
  'Root account login from new location',
];
const LIST_CASES_PATH = '/v1/list-cases';
const GET_CASE_PATH = /^\/v1\/cases\/([^/]+)\/get-case$/;

export async function startSecurityIrSimulator(opts: SecurityIrSimulatorOptions = {}): Promise<SecurityIrSimulator> {
  const sim = new LocalSecurityIr(opts.region ?? TEST_REGION, opts.accountId ?? TEST_ACCOUNT_ID);
  sim.server = await startAwsSimServer({
    service: 'security-ir',
    credentials: opts.credentials ?? [TEST_CREDENTIALS],
    protocol: REST_JSON_1,
    faults: sim.faults,
    now: () => new Date(Date.now() + sim.clockOffsetMs),
    operationOf: operationOf,
    handle: (req, operation) => (operation === 'ListCases' ? sim.listCases(req) : sim.getCase(req)),
    record: (outcome) => sim.calls.push(recordedCall(outcome, 'security-ir')),
  });
  return sim;
}

function operationOf(req: SimRequest): string | undefined {
  if (req.method === 'POST' && req.path === LIST_CASES_PATH) return 'ListCases';
  if (req.method === 'GET' && GET_CASE_PATH.test(req.path)) return 'GetCase';
  return undefined;
}

class LocalSecurityIr implements SecurityIrSimulator {
  public readonly cases: SimCase[] = [];
  public readonly faults = new FaultInjector();
  public readonly calls: RecordedCall[] = [];
  public clockOffsetMs = 0;
  public server!: AwsSimServer;
  public readonly nativeEvents: SecurityIrNativeEvent[] = [];
  public onNativeEvent?: (event: SecurityIrNativeEvent) => void;
  public readonly unlisted = new Set<string>();
  public servedAs?: (operation: 'ListCases' | 'GetCase', cases: SimCase[]) => SimCase[];
  public onCasesServed?: (operation: 'ListCases' | 'GetCase', cases: SimCase[]) => void;

  /** Page tokens handed out, to their offsets; anything else is an unknown token. */
  private readonly issuedTokens = new Map<string, number>();
  /** Bumped on every change of the listing; part of each token so tokens stay opaque and unique. */
  private generation = 0;
  private added = 0;

  constructor(private readonly region: string, private readonly accountId: string) {}

  public get url(): string {
    return this.server.url;
  }

  public close(): Promise<void> {
    return this.server.close();
  }

  public addCase(partial: Partial<SimCase> = {}): SimCase {
    const caseId = partial.caseId ?? this.newCaseId();
    if (this.cases.some((c) => c.caseId === caseId)) throw new Error(`case ${caseId} already exists`);
    const n = this.added++;
    const now = this.nowSeconds();
    // Dates an hour or more in the past; every other case carries a fraction, as the API's do.
    const createdDate = Math.floor(now) - 3600 * (n + 1) + (n % 2 === 1 ? 0.25 : 0);
    const defaults: SimCase = {
      caseId,
      caseArn: `arn:aws:security-ir:${this.region}:${this.accountId}:case/${caseId}`,
      title: TITLES[n % TITLES.length],
      caseStatus: CASE_STATUSES[n % (CASE_STATUSES.length - 1)], // open statuses; pass 'Closed' explicitly
      pendingAction: n % 3 === 0 ? 'Customer' : 'None',
      engagementType: ENGAGEMENT_TYPES[n % ENGAGEMENT_TYPES.length],
      resolverType: RESOLVER_TYPES[n % RESOLVER_TYPES.length],
      createdDate,
      lastUpdatedDate: createdDate + 600.5,
      description: `Simulated case ${caseId} for local tests.`,
    };
    const created: SimCase = { ...defaults, ...partial, caseId };
    if (created.caseStatus === 'Closed' && !('closedDate' in partial)) created.closedDate = created.lastUpdatedDate;
    this.cases.push(created);
    this.generation++;
    this.emit(securityIrCaseEvent('Case Created', caseId, { region: this.region, account: this.accountId }));
    return created;
  }

  public updateCase(caseId: string, patch: Partial<SimCase>): SimCase {
    const target = this.find(caseId);
    if (!target) throw new Error(`no case ${caseId}`);
    const previousUpdate = target.lastUpdatedDate ?? 0;
    Object.assign(target, patch, { caseId });
    if (!('lastUpdatedDate' in patch)) {
      // Strictly later than before, so two quick updates stay distinguishable.
      target.lastUpdatedDate = Math.max(this.nowSeconds(), Math.round(previousUpdate * 1000 + 1) / 1000);
    }
    if (patch.caseStatus === 'Closed' && target.closedDate === undefined && !('closedDate' in patch)) {
      target.closedDate = target.lastUpdatedDate;
    }
    this.generation++;
    this.emit(securityIrCaseEvent(patch.caseStatus === 'Closed' ? 'Case Closed' : 'Case Updated', caseId, { region: this.region, account: this.accountId }));
    return target;
  }

  public removeCase(caseId: string): void {
    const index = this.cases.findIndex((c) => c.caseId === caseId);
    if (index < 0) throw new Error(`no case ${caseId}`);
    this.cases.splice(index, 1);
    this.generation++;
  }

  public addComment(caseId: string): void {
    if (!this.find(caseId)) throw new Error(`no case ${caseId}`);
    this.emit(securityIrCaseEvent('Case Comment Added', caseId, { region: this.region, account: this.accountId }));
  }

  private emit(event: SecurityIrNativeEvent): void {
    this.nativeEvents.push(event);
    this.onNativeEvent?.(event);
  }

  public listCases(req: SimRequest): SimResponse {
    const body = parseJsonBody(req);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new AwsServiceError(400, 'SerializationException', 'The request body must be a JSON object');
    }
    const { maxResults = MAX_RESULTS, nextToken } = body as { maxResults?: unknown; nextToken?: unknown };
    if (typeof maxResults !== 'number' || !Number.isInteger(maxResults) || maxResults < 1 || maxResults > MAX_RESULTS) {
      throw validationError('maxResults', `Value '${JSON.stringify(maxResults)}' at 'maxResults' failed to satisfy constraint: Member must be an integer between 1 and ${MAX_RESULTS}`);
    }
    const listed = this.cases.filter((c) => !this.unlisted.has(c.caseId));
    let offset = 0;
    if (nextToken !== undefined) {
      const known = typeof nextToken === 'string' ? this.issuedTokens.get(nextToken) : undefined;
      if (known === undefined) throw validationError('nextToken', 'Invalid pagination token');
      offset = known;
    }
    const end = offset + maxResults;
    const served = this.serve('ListCases', listed.slice(offset, end));
    const response: Record<string, unknown> = { items: served.map(listItem), total: listed.length };
    if (end < listed.length) response.nextToken = this.issueToken(end);
    return jsonResponse(200, response);
  }

  public getCase(req: SimRequest): SimResponse {
    const caseId = decodeURIComponent(GET_CASE_PATH.exec(req.path)![1]);
    const found = this.find(caseId);
    if (!found) throw new AwsServiceError(404, 'ResourceNotFoundException', `Case ${caseId} not found`);
    const { caseId: _omitted, ...rest } = this.serve('GetCase', [found])[0];
    return jsonResponse(200, withoutUndefined(rest));
  }

  private serve(operation: 'ListCases' | 'GetCase', found: SimCase[]): SimCase[] {
    const served = this.servedAs ? this.servedAs(operation, found) : found;
    this.onCasesServed?.(operation, served.map((c) => ({ ...c })));
    return served;
  }

  private find(caseId: string): SimCase | undefined {
    return this.cases.find((c) => c.caseId === caseId);
  }

  private issueToken(offset: number): string {
    const token = Buffer.from(JSON.stringify({ offset, generation: this.generation, n: this.issuedTokens.size })).toString('base64');
    this.issuedTokens.set(token, offset);
    return token;
  }

  private nowSeconds(): number {
    return Math.round(Date.now() + this.clockOffsetMs) / 1000;
  }

  private newCaseId(): string {
    for (;;) {
      const length = randomInt(10, 13);
      let id = String(randomInt(1, 10));
      while (id.length < length) id += String(randomInt(0, 10));
      if (!this.find(id)) return id;
    }
  }
}

const LIST_ITEM_FIELDS = ['caseId', 'caseArn', 'title', 'caseStatus', 'pendingAction', 'engagementType', 'resolverType', 'createdDate', 'lastUpdatedDate', 'closedDate'] as const;

function listItem(c: SimCase): Record<string, unknown> {
  return withoutUndefined(Object.fromEntries(LIST_ITEM_FIELDS.map((field) => [field, c[field]])));
}

function withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

function validationError(field: string, message: string): AwsServiceError {
  return new AwsServiceError(400, 'ValidationException', `1 validation error detected: ${message}`, {
    reason: 'FIELD_VALIDATION_FAILED',
    fieldList: [{ name: field, message }],
  });
}
