/**
 * The soak as a fast-check property: each generated history runs through the real handler code and
 * must satisfy every invariant. Shared by `npm test` (a few histories) and `npm run soak`.
 */
import fc from 'fast-check';
import { historyArbitrary } from './arbitraries';
import type { History } from './history';
import { judge } from './invariants';
import { type SoakReport, SoakTally } from './report';
import { SoakRunner } from './runner';

export interface SoakOptions {
  readonly runs: number;
  readonly seed: number;
  /** Replays one history of the seed's sequence (fast-check's counterexample path). */
  readonly path?: string;
  /** Steps of a history after its baseline, at most. @default 10 */
  readonly maxSteps?: number;
  /** Shrink a failing history to a smaller one that still fails. @default true */
  readonly shrink?: boolean;
  /** Called after each history. */
  readonly onHistory?: (tally: SoakTally) => void;
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const started = Date.now();
  const runner = await SoakRunner.start();
  const tally = new SoakTally();
  const violationsOf = new WeakMap<History, string[]>();
  let failing = false;
  try {
    const property = fc.asyncProperty(historyArbitrary({ maxSteps: options.maxSteps ?? 10 }), async (history) => {
      const trace = await runner.run(history);
      const verdict = judge(trace);
      if (!failing) {
        tally.add(history, trace.faultsFired, verdict);
        options.onHistory?.(tally);
      }
      if (verdict.violations.length === 0) return true;
      failing = true; // what follows is shrinking: not counted
      violationsOf.set(history, verdict.violations);
      return false;
    });
    const details = await fc.check(property, {
      seed: options.seed,
      numRuns: options.runs,
      ...(options.path === undefined ? {} : { path: options.path }),
      endOnFailure: options.shrink === false,
    });
    const report = { seed: options.seed, ...tally, elapsedMs: Date.now() - started };
    if (!details.failed) return report;
    const history = details.counterexample![0];
    const violations = violationsOf.get(history) ?? [details.errorInstance ? String(details.errorInstance) : 'the property failed'];
    return { ...report, failure: { history, violations, path: details.counterexamplePath ?? '', shrinks: details.numShrinks } };
  } finally {
    await runner.close();
  }
}
