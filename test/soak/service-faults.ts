/**
 * A history's faults at the stand-ins (Security IR, EventBridge, the DynamoDB proxy): queued for
 * the runs of one step, cleared after it, and counted by kind only when a request actually met one.
 */
import type { Fault as SimFault, FaultInjector } from '../../local-aws/faults';
import type { PollerHarness } from '../../local-aws/poller-harness';
import type { DynamoDbTarget, Run } from './history';
import type { SoakWorld } from './world';

const SECURITY_IR_ERRORS: Record<'throttling' | 'server', SimFault> = {
  throttling: { kind: 'error', status: 429, type: 'ThrottlingException', retryAfterSeconds: 0 },
  server: { kind: 'error', status: 500, type: 'InternalServerException' },
};
/**
 * Bodies that break the documented shape. (Every member of a case is optional in the API model, so
 * a body that leaves fields out is no malformed answer: the watcher reads absent values as null.)
 */
const MALFORMED_BODIES: Record<'ListCases' | 'GetCase', SimFault> = {
  ListCases: { kind: 'malformed', body: '{"items": "not a list"}' },
  GetCase: { kind: 'malformed', body: '{"caseStatus": 42}' },
};
const PUT_EVENTS_ERRORS: Record<'throttling' | 'server', SimFault> = {
  throttling: { kind: 'error', status: 400, type: 'ThrottlingException' },
  server: { kind: 'error', status: 500, type: 'InternalException' },
};
const DYNAMODB_ERRORS: Record<'throttling' | 'server', SimFault> = {
  throttling: { kind: 'error', status: 400, type: 'ProvisionedThroughputExceededException' },
  server: { kind: 'error', status: 500, type: 'InternalServerError' },
};

/** The DynamoDB request a fault target names, for a poll (true) or a hint (false). */
const DYNAMODB_REQUESTS: Record<DynamoDbTarget, (poll: boolean) => { operation: string; skip: number }> = {
  meta: (poll) => ({ operation: poll ? 'GetItem' : 'BatchGetItem', skip: 0 }),
  read: (poll) => ({ operation: poll ? 'Query' : 'BatchGetItem', skip: 0 }),
  lease: () => ({ operation: 'UpdateItem', skip: 0 }),
  release: () => ({ operation: 'UpdateItem', skip: 1 }),
  intents: () => ({ operation: 'BatchWriteItem', skip: 0 }),
  record: () => ({ operation: 'PutItem', skip: 0 }),
};

export class ServiceFaults {
  /** Faults met, by kind. */
  readonly fired = new Map<string, number>();
  /** The kind of each queued fault (each queued object is a fresh copy, so its identity names it). */
  private readonly kinds = new Map<SimFault, string>();
  /** The world whose reads lag, until the step ends. */
  private lagging?: SoakWorld;
  private rejections: { caseId: string; remaining: number }[] = [];
  private readonly injectors: FaultInjector[];
  private unprocessedBefore = 0;

  constructor(private readonly h: PollerHarness) {
    this.injectors = [h.securityIr.faults, h.eventBridge.faults, h.dynamoDb.faults, h.dynamoDb.faultsAfterApplying];
    for (const injector of this.injectors) {
      injector.onTake = (fault) => this.count(this.kinds.get(fault) ?? 'unplanned fault');
    }
    // One standing rule for the partial failures: it rejects what the current step planned.
    h.eventBridge.failEntries((entry) => this.rejects(entry.Detail?.caseId), { times: Infinity, errorCode: 'InternalFailure', errorMessage: 'Injected by the soak' });
  }

  /**
   * Queues the stand-in faults among the faults of a run (its crashes and timeouts belong to the run
   * itself), a poll's or a hint's of `hintCaseId`.
   */
  queue(run: Run, hintCaseId: string | undefined, world: SoakWorld): void {
    const poll = hintCaseId === undefined;
    for (const fault of run.faults) {
      switch (fault.fault) {
        case 'read': {
          const operation = poll ? 'ListCases' : 'GetCase';
          this.add(this.h.securityIr.faults, fault.error === 'malformed' ? MALFORMED_BODIES[operation] : SECURITY_IR_ERRORS[fault.error], `${operation} ${fault.error}`, {
            operation,
            times: fault.times,
          });
          break;
        }
        case 'stale-read': {
          const operation = poll ? 'ListCases' : 'GetCase';
          world.lagNextRead(operation, () => this.count(`${operation} from a lagging replica`));
          this.lagging = world;
          break;
        }
        case 'putEvents':
          this.add(this.h.eventBridge.faults, PUT_EVENTS_ERRORS[fault.error], `PutEvents ${fault.error}`, { operation: 'PutEvents', times: fault.times });
          break;
        case 'dynamoDb': {
          const { operation, skip } = DYNAMODB_REQUESTS[fault.at](poll);
          const kind = `DynamoDB ${operation} (${fault.at}) ${fault.error}`;
          if (fault.applied) {
            // A server error, not throttling: a throttled request never takes effect.
            this.add(this.h.dynamoDb.faultsAfterApplying, DYNAMODB_ERRORS.server, `DynamoDB ${operation} (${fault.at}) answer lost after taking effect`, { operation, times: 1, skip });
          }
          const rest = fault.times - (fault.applied ? 1 : 0);
          if (rest > 0) this.add(this.h.dynamoDb.faults, DYNAMODB_ERRORS[fault.error], kind, { operation, times: rest, skip: skip + (fault.applied ? 1 : 0) });
          break;
        }
        case 'entries':
          this.rejections.push({ caseId: world.caseIdAt(fault.slot), remaining: fault.times });
          break;
        case 'unprocessed':
          this.h.dynamoDb.leaveUnprocessed({ times: fault.times });
          break;
        default:
          break;
      }
    }
  }

  /** Drops whatever the step's requests did not meet, and counts the UnprocessedItems answers given. */
  clear(): void {
    for (const injector of this.injectors) injector.clear();
    this.kinds.clear();
    this.lagging?.stopLagging();
    this.lagging = undefined;
    this.rejections = [];
    this.h.dynamoDb.leaveUnprocessed({ times: 0 });
    const answers = this.h.dynamoDb.unprocessedAnswers;
    if (answers > this.unprocessedBefore) this.count('BatchWriteItem UnprocessedItems', answers - this.unprocessedBefore);
    this.unprocessedBefore = answers;
  }

  count(kind: string, n = 1): void {
    this.fired.set(kind, (this.fired.get(kind) ?? 0) + n);
  }

  /** Starts counting afresh (one history). */
  resetCounts(): void {
    this.fired.clear();
  }

  private add(injector: FaultInjector, fault: SimFault, kind: string, opts: { operation: string; times: number; skip?: number }): void {
    const copy = { ...fault };
    this.kinds.set(copy, kind);
    injector.add(copy, opts);
  }

  private rejects(caseId: string | undefined): boolean {
    const rejection = this.rejections.find((r) => r.caseId === caseId && r.remaining > 0);
    if (!rejection) return false;
    rejection.remaining--;
    this.count('PutEvents entry rejected');
    return true;
  }
}
