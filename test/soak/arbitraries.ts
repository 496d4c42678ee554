/**
 * fast-check generators of soak histories: a handful of cases, what happens to them, what invokes
 * the handler, and the faults at its I/O points. Weighted so that most steps change something or
 * invoke the handler, and about half the runs meet a fault.
 */
import fc from 'fast-check';
import {
  CRASH_POINTS,
  DYNAMODB_TARGETS,
  type Fault,
  type History,
  HOOK_POINTS,
  MAX_SLOTS,
  PENDING_ACTIONS,
  type Run,
  STATUSES,
  type Step,
  type Trigger,
  type WorldChange,
  HOSTILE_ANSWERS,
} from './history';

export interface HistoryShape {
  /** Steps after the first poll, at most. */
  readonly maxSteps: number;
}

const slot = fc.integer({ min: 0, max: MAX_SLOTS - 1 });
const status = fc.constantFrom(...STATUSES);
const pendingAction = fc.constantFrom(...PENDING_ACTIONS);
const serviceError = fc.constantFrom('throttling' as const, 'server' as const);

const worldChange: fc.Arbitrary<WorldChange> = fc.oneof(
  { arbitrary: fc.record({ change: fc.constant('status' as const), slot, caseStatus: status }), weight: 6 },
  { arbitrary: fc.record({ change: fc.constant('pendingAction' as const), slot, pendingAction }), weight: 4 },
  { arbitrary: fc.record({ change: fc.constant('both' as const), slot, caseStatus: status, pendingAction }), weight: 2 },
  { arbitrary: fc.record({ change: fc.constant('create' as const), caseStatus: status, pendingAction }), weight: 2 },
  { arbitrary: fc.record({ change: fc.constant('title' as const), slot }), weight: 2 },
  { arbitrary: fc.record({ change: fc.constant('comment' as const), slot }), weight: 1 },
  { arbitrary: fc.record({ change: fc.constant('unlist' as const), slot }), weight: 1 },
  { arbitrary: fc.record({ change: fc.constant('relist' as const), slot }), weight: 1 },
  { arbitrary: fc.record({ change: fc.constant('hostile' as const), slot, answer: fc.constantFrom(...HOSTILE_ANSWERS) }), weight: 2 },
);

const trigger: fc.Arbitrary<Trigger> = fc.oneof(
  { arbitrary: fc.constant({ trigger: 'poll' as const }), weight: 1 },
  { arbitrary: fc.record({ trigger: fc.constant('hint' as const), pick: fc.nat({ max: 7 }), keep: fc.boolean() }), weight: 1 },
);

const fault: fc.Arbitrary<Fault> = fc.oneof(
  fc.record({ fault: fc.constant('read' as const), error: fc.constantFrom('throttling' as const, 'server' as const, 'malformed' as const), times: fc.integer({ min: 1, max: 6 }) }),
  fc.constant({ fault: 'stale-read' as const }),
  fc.record({ fault: fc.constant('putEvents' as const), error: serviceError, times: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ fault: fc.constant('entries' as const), slot, times: fc.integer({ min: 1, max: 6 }) }),
  fc.record({ fault: fc.constant('dynamoDb' as const), at: fc.constantFrom(...DYNAMODB_TARGETS), error: serviceError, times: fc.integer({ min: 1, max: 4 }), applied: fc.boolean() }),
  fc.record({ fault: fc.constant('unprocessed' as const), times: fc.integer({ min: 1, max: 2 }) }),
  fc.record({ fault: fc.constant('crash' as const), at: fc.constantFrom(...CRASH_POINTS), after: fc.nat({ max: 2 }) }),
  fc.record({ fault: fc.constant('crash' as const), at: fc.constantFrom(...CRASH_POINTS), after: fc.nat({ max: 2 }) }),
  fc.record({ fault: fc.constant('timeout' as const), at: fc.constantFrom(...HOOK_POINTS), leftMs: fc.constantFrom(2_000, 500, 0) }),
);

const run: fc.Arbitrary<Run> = fc.record({
  trigger,
  faults: fc.oneof({ arbitrary: fc.constant([]), weight: 1 }, { arbitrary: fc.array(fault, { minLength: 1, maxLength: 2 }), weight: 1 }),
  during: fc.option(fc.record({ at: fc.constantFrom(...HOOK_POINTS), change: worldChange }), { freq: 4, nil: undefined }),
  retried: fc.boolean(),
}, { requiredKeys: ['trigger', 'faults', 'retried'] });

/** Runs that overlap with another: no timeout among their faults (its jump of time would end the other's lease under it). */
const overlappingRun: fc.Arbitrary<Run> = run.map((r) => ({ ...r, faults: r.faults.filter((f) => f.fault !== 'timeout') }));

/** What invokes the handler (or lets time pass). */
const invocation: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.record({ step: fc.constant('run' as const), run }), weight: 6 },
  { arbitrary: fc.record({ step: fc.constant('together' as const), runs: fc.array(overlappingRun, { minLength: 2, maxLength: 3 }) }), weight: 1 },
  {
    arbitrary: fc.record({
      step: fc.constant('overlap' as const),
      first: overlappingRun,
      pauseAt: fc.constantFrom(...HOOK_POINTS),
      second: overlappingRun,
      secondPauseAt: fc.option(fc.constantFrom(...HOOK_POINTS), { nil: undefined }),
    }, { requiredKeys: ['step', 'first', 'pauseAt', 'second'] }),
    weight: 1,
  },
  // 150 s: past a shortened reminder mark or two
  { arbitrary: fc.record({ step: fc.constant('time' as const), advanceMs: fc.constantFrom(5_000, 60_000, 150_000) }), weight: 2 },
);

/** Mostly some changes to the cases, then an invocation: so that most invocations have work to do. */
const episode: fc.Arbitrary<Step[]> = fc.tuple(fc.array(worldChange, { maxLength: 3 }), invocation)
  .map(([changes, then]) => (changes.length > 0 ? [{ step: 'world' as const, changes }, then] : [then]));

export function historyArbitrary(shape: HistoryShape): fc.Arbitrary<History> {
  return fc.record({
    settings: fc.record({ emitCreatedEvents: fc.boolean(), emitExistingCasesOnFirstRun: fc.boolean(), awaitingCustomerReminderMinutes: fc.constantFrom([], [1, 3]) }),
    firstPoll: run.map((r): Run => ({ ...r, trigger: { trigger: 'poll' } })),
    initialCases: fc.array(fc.record({ caseStatus: status, pendingAction }), { minLength: 1, maxLength: 3 }),
    steps: fc.array(episode, { minLength: 1, maxLength: Math.max(1, Math.floor(shape.maxSteps / 2)) }).map((episodes) => episodes.flat()),
  });
}
