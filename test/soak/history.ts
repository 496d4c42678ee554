/**
 * What one soak history is made of, as plain data: printed as a reproduction when the soak fails,
 * and pasted back into a test to pin it. A history names cases by slot (0-3), never by ID.
 */

/** The statuses a history moves its cases between: few, so that cases often come back to a value. */
export const STATUSES = ['Submitted', 'Acknowledged', 'Detection and Analysis', 'Closed'] as const;
/**
 * Every case has a pending action: an answer without one reads as "unknown" (the recorded value
 * kept), which the handler tests check; it is no state a subscriber must see.
 */
export const PENDING_ACTIONS = ['Customer', 'None'] as const;
/**
 * Hostile or broken answers, none of which may cost a transition: a listing item whose `caseId` is
 * no case ID (an internal key's shape, or 2,000 characters); a case stamped 10 years ahead, or 5
 * minutes ahead (a skewed clock); a 300,000-character
 * title; an ARN that names another account. (A case's later changes are stamped after a forward-dated
 * one, as the judge's timeline orders states by date: a change stamped before it, observed later, is
 * test/handler/hostile.test.ts's.)
 */
export const HOSTILE_ANSWERS = ['badCaseId', 'forwardDated', 'skewed', 'oversizeTitle', 'foreignArn'] as const;
export type HostileAnswer = (typeof HOSTILE_ANSWERS)[number];
export const MAX_SLOTS = 4;

export type Status = (typeof STATUSES)[number];
export type PendingAction = (typeof PENDING_ACTIONS)[number];

/**
 * Something that happens to the cases in Security IR. `slot` names the slot-th case that exists
 * (modulo how many do); `create` fills the next free slot, if any.
 */
export type WorldChange =
  | { readonly change: 'create'; readonly caseStatus: Status; readonly pendingAction: PendingAction }
  | { readonly change: 'status'; readonly slot: number; readonly caseStatus: Status }
  | { readonly change: 'pendingAction'; readonly slot: number; readonly pendingAction: PendingAction }
  /** One update that moves both fields. */
  | { readonly change: 'both'; readonly slot: number; readonly caseStatus: Status; readonly pendingAction: PendingAction }
  /** `lastUpdatedDate` moves, nothing watched changes. */
  | { readonly change: 'title'; readonly slot: number }
  /** Security IR announces it; nothing of the case changes. */
  | { readonly change: 'comment'; readonly slot: number }
  /** The case drops out of ListCases (GetCase still finds it)... */
  | { readonly change: 'unlist'; readonly slot: number }
  /** ...and comes back. */
  | { readonly change: 'relist'; readonly slot: number }
  /** Security IR answers something hostile or broken about the slot's case (or beside it). */
  | { readonly change: 'hostile'; readonly slot: number; readonly answer: HostileAnswer };

/** What invokes the handler. */
export type Trigger =
  | { readonly trigger: 'poll' }
  /**
   * The `pick`-th Security IR event still undelivered (modulo how many there are: so delayed and
   * out of order); `keep` leaves it queued, to be delivered again (a duplicate). Events never picked
   * are the dropped ones. With none queued: a hint for the pick-th case.
   */
  | { readonly trigger: 'hint'; readonly pick: number; readonly keep: boolean };

/** Points of a run, each just before its request: where a run pauses, the world changes, or time runs out. */
export const HOOK_POINTS = ['lease', 'load', 'intents', 'publish', 'record', 'release'] as const;
export type HookPoint = (typeof HOOK_POINTS)[number];

/** Where a run's process dies: every later request of the run fails, nothing is released. */
export const CRASH_POINTS = ['after-lease', 'mid-intents', 'after-intents', 'after-publish', 'mid-record', 'before-release'] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

export type ServiceError = 'throttling' | 'server';
/**
 * Where a DynamoDB fault hits, whichever invocation it is: the meta read (a poll's GetItem, a hint's
 * BatchGetItem), the state read (a poll's Query, a hint's BatchGetItem), the lease and its release
 * (UpdateItem), the intents (BatchWriteItem), the case records (PutItem).
 */
export const DYNAMODB_TARGETS = ['meta', 'read', 'lease', 'release', 'intents', 'record'] as const;
export type DynamoDbTarget = (typeof DYNAMODB_TARGETS)[number];

/** A fault at an I/O point of the run it belongs to (or of the runs started with it). */
export type Fault =
  /** `times` answers of the run's read (a poll's ListCases, a hint's GetCase) fail; the client makes 5 attempts. */
  | { readonly fault: 'read'; readonly error: ServiceError | 'malformed'; readonly times: number }
  /** The run's read answers as a lagging replica would: each case as it was one change ago. */
  | { readonly fault: 'stale-read' }
  /** Whole PutEvents requests fail (the SDK makes 3 attempts per request, the publisher 5 rounds). */
  | { readonly fault: 'putEvents'; readonly error: ServiceError; readonly times: number }
  /** EventBridge rejects `times` entries of the slot-th case (a partial failure). */
  | { readonly fault: 'entries'; readonly slot: number; readonly times: number }
  /**
   * `times` DynamoDB requests at that point fail (the SDK makes 3 attempts); `applied`: the first
   * one takes effect, then fails with a server error (its answer lost), and the SDK's retry meets
   * what it did.
   */
  | { readonly fault: 'dynamoDb'; readonly at: DynamoDbTarget; readonly error: ServiceError; readonly times: number; readonly applied: boolean }
  /** `times` BatchWriteItem requests get half their items back as UnprocessedItems. */
  | { readonly fault: 'unprocessed'; readonly times: number }
  /** The run's process dies there; for `mid-record`, after `after` cases were recorded. */
  | { readonly fault: 'crash'; readonly at: CrashPoint; readonly after: number }
  /** The invocation's time runs out there: `leftMs` before its deadline (the publish stops 3 s before, records 1 s before). */
  | { readonly fault: 'timeout'; readonly at: HookPoint; readonly leftMs: number };

export interface Run {
  readonly trigger: Trigger;
  readonly faults: readonly Fault[];
  /** A change to the cases while the run is at that point: after its read, before its publish, ... */
  readonly during?: { readonly at: HookPoint; readonly change: WorldChange };
  /** When the invocation fails, Lambda (or the schedule) invokes it again with the same event, at once. */
  readonly retried: boolean;
}

export type Step =
  | { readonly step: 'world'; readonly changes: readonly WorldChange[] }
  | { readonly step: 'run'; readonly run: Run }
  /** Invocations started at the same moment. */
  | { readonly step: 'together'; readonly runs: readonly Run[] }
  /**
   * `first` stops just before `pauseAt` while `second` runs, up to just before `secondPauseAt` (or
   * its end); then `first` goes on to its end, then `second`. A run that finds the lease taken lets
   * the other go on at once.
   */
  | { readonly step: 'overlap'; readonly first: Run; readonly pauseAt: HookPoint; readonly second: Run; readonly secondPauseAt?: HookPoint }
  /** Time passes with no invocation: leases left by crashed runs expire. */
  | { readonly step: 'time'; readonly advanceMs: number };

/** The handler's options that change what it publishes. */
export interface Settings {
  readonly emitCreatedEvents: boolean;
  readonly emitExistingCasesOnFirstRun: boolean;
  /** The reminder marks, shortened to minutes so that a history's time steps cross them; absent or empty: off. */
  readonly awaitingCustomerReminderMinutes?: readonly number[];
}

export interface History {
  readonly settings: Settings;
  /** The cases that exist before the first poll, in slots 0.. */
  readonly initialCases: readonly { readonly caseStatus: Status; readonly pendingAction: PendingAction }[];
  /** The first poll, which takes the baseline unless it fails (then a later poll does). */
  readonly firstPoll: Run;
  readonly steps: readonly Step[];
}

/** The runs of a step, in the order they start. */
export function runsOf(step: Step): readonly Run[] {
  switch (step.step) {
    case 'run':
      return [step.run];
    case 'together':
      return step.runs;
    case 'overlap':
      return [step.first, step.second];
    default:
      return [];
  }
}
