/**
 * What every part of the bench starts from: fresh stand-ins adding a fixed latency to each request,
 * an account of `cases` cases, and one warm container of the bundled handler.
 */
import { HandlerEnvironment } from '../lib/internal/handler-environment';
import { BundledHandler, PollerHarness, startPollerHarness } from '../local-aws/poller-harness';
import { CASE_STATUSES, SimCase } from '../local-aws/security-ir-simulator';

const OPEN_STATUSES = CASE_STATUSES.filter((s) => s !== 'Closed');

export interface BenchStandIns {
  readonly harness: PollerHarness;
  readonly handler: BundledHandler;
  close(): Promise<void>;
}

export async function startBenchStandIns(cases: number, latencyMs: number): Promise<BenchStandIns> {
  const harness = await startPollerHarness();
  try {
    for (const faults of [harness.securityIr.faults, harness.eventBridge.faults, harness.dynamoDb.faults]) {
      faults.fixedLatencyMs = latencyMs;
    }
    for (let i = 0; i < cases; i++) {
      harness.securityIr.addCase({ caseId: String(1_000_000_000 + i) });
    }
    const handler = await harness.startBundledHandler({ [HandlerEnvironment.SERVICE_NAME]: 'case-watcher-bench' });
    return {
      harness,
      handler,
      close: async () => {
        await handler.stop();
        await harness.close();
      },
    };
  } catch (error) {
    await harness.close();
    throw error;
  }
}

/** Moves a case to the next open status (a change the watcher reports). */
export function moveToNextStatus(harness: PollerHarness, target: SimCase): void {
  const next = OPEN_STATUSES[(OPEN_STATUSES.indexOf(target.caseStatus as (typeof OPEN_STATUSES)[number]) + 1) % OPEN_STATUSES.length];
  harness.securityIr.updateCase(target.caseId, { caseStatus: next });
}
