/**
 * The fast path's latency: from a hint's arrival (the invoke of the bundled handler with Security
 * IR's own event) to PutEvents accepted at the EventBridge simulator, and the requests each hint
 * costs, for hints whose case changed and hints whose case did not (a comment). Beside it, the
 * poll path's: a change waits for the next poll, then for that poll to publish it.
 */
import { BundledHandler, PollerHarness, requestsSeen, RequestsSeen } from '../local-aws/poller-harness';
import type { SimCase } from '../local-aws/security-ir-simulator';
import { BenchStandIns, moveToNextStatus, startBenchStandIns } from './stand-ins';

/** A small account: one ListCases page. */
export const LATENCY_CASES = 25;
/** The construct's default `pollInterval` (lib/security-ir-case-watcher.ts). */
export const DEFAULT_POLL_INTERVAL_MS = 60_000;
/** Hints of each kind handled first and left out: the container's first GetCase and BatchGetItem load code. */
export const WARM_UP_HINTS = 5;
/** Polls, each after one case changed, whose time to PutEvents accepted gives the poll path's latency. */
export const POLLS_MEASURED = 10;

/** One hint, measured in the bench's process (the stand-ins' clock). */
export interface HintSample {
  readonly changed: boolean;
  /** Hint arrival to the last of its events accepted; absent when nothing was published. */
  readonly toAcceptedMs?: number;
  /** Hint arrival to the invoke's return (the case recorded and the lease released). */
  readonly toReturnedMs: number;
  readonly events: number;
  readonly requests: RequestsSeen;
  readonly error?: string;
}

/** One poll after one case changed. */
export interface PollSample {
  /** The poll's invoke to its event accepted. */
  readonly toAcceptedMs: number;
  readonly wallMs: number;
}

export interface LatencyResult {
  readonly cases: number;
  readonly hints: readonly HintSample[];
  readonly polls: readonly PollSample[];
}

/**
 * `hints` changed hints and as many unchanged ones, alternating, after the baseline poll and the
 * warm-up; then the polls. One warm container throughout, one invocation at a time.
 */
export async function benchLatency(hints: number, latencyMs: number, progress: (message: string) => void): Promise<LatencyResult> {
  const standIns = await startBenchStandIns(LATENCY_CASES, latencyMs);
  try {
    const { harness, handler } = standIns;
    const baseline = await handler.invoke();
    if (baseline.error) throw new Error(`baseline poll failed: ${baseline.error.name}: ${baseline.error.message}`);
    const cases = harness.securityIr.cases;
    const target = (i: number) => cases[i % cases.length];

    progress(`latency: ${WARM_UP_HINTS} warm-up hints of each kind, then ${hints} of each`);
    for (let i = 0; i < WARM_UP_HINTS; i++) {
      await measureHint(standIns, true, target(i));
      await measureHint(standIns, false, target(i));
    }
    const samples: HintSample[] = [];
    for (let i = 0; i < hints; i++) {
      samples.push(await measureHint(standIns, true, target(i)));
      samples.push(await measureHint(standIns, false, target(i)));
    }

    progress(`latency: ${POLLS_MEASURED} polls of ${LATENCY_CASES} cases, one changed before each`);
    const polls: PollSample[] = [];
    for (let i = 0; i < POLLS_MEASURED; i++) {
      moveToNextStatus(harness, target(i));
      polls.push(await measurePoll(harness, handler));
    }
    return { cases: cases.length, hints: samples, polls };
  } finally {
    await standIns.close();
  }
}

/** Changes the case (or comments on it), then hands the event Security IR emitted to the handler. */
async function measureHint({ harness, handler }: BenchStandIns, changed: boolean, target: SimCase): Promise<HintSample> {
  if (changed) moveToNextStatus(harness, target);
  else harness.securityIr.addComment(target.caseId);
  const event = harness.securityIr.nativeEvents.at(-1);
  harness.resetRecords();
  const arrivedAt = Date.now();
  const run = await handler.invoke({ event });
  const returnedAt = Date.now();
  const lastAccepted = lastAcceptedAt(harness);
  return {
    changed,
    ...(lastAccepted === undefined ? {} : { toAcceptedMs: lastAccepted - arrivedAt }),
    toReturnedMs: returnedAt - arrivedAt,
    events: harness.eventBridge.events.length,
    requests: requestsSeen(harness),
    ...(run.error ? { error: `${run.error.name}: ${run.error.message}` } : {}),
  };
}

async function measurePoll(harness: PollerHarness, handler: BundledHandler): Promise<PollSample> {
  harness.resetRecords();
  const startedAt = Date.now();
  const run = await handler.invoke();
  const lastAccepted = lastAcceptedAt(harness);
  if (run.error || lastAccepted === undefined) throw new Error(`a poll published nothing: ${run.error?.name ?? 'no event'}: ${run.error?.message ?? ''}`);
  return { toAcceptedMs: lastAccepted - startedAt, wallMs: run.wallMs };
}

function lastAcceptedAt(harness: PollerHarness): number | undefined {
  const accepted = harness.eventBridge.events.map((e) => e.acceptedAt);
  return accepted.length > 0 ? Math.max(...accepted) : undefined;
}

export interface Percentiles {
  readonly n: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

/** Nearest-rank percentiles: p99 of 200 samples is the 198th smallest. */
export function percentiles(samples: readonly number[]): Percentiles {
  if (samples.length === 0) throw new Error('no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.ceil((p / 100) * sorted.length) - 1];
  return { n: sorted.length, p50: rank(50), p95: rank(95), p99: rank(99), max: sorted[sorted.length - 1] };
}

export function median(samples: readonly number[]): number {
  return percentiles(samples).p50;
}
