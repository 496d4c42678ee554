/**
 * The randomized soak (scripts/soak/) within `npm test`: short histories of a few cases through the
 * real handler code against the stand-ins, each checked against the invariants of
 * scripts/soak/invariants.ts. A fixed seed (the same histories every time, as many as fit the
 * budget), then a fresh seed, printed with a reproduction when it fails. `npm run soak` runs longer.
 */
import { formatReport } from '../scripts/soak/report';
import { runSoak, type SoakOptions } from '../scripts/soak/run-soak';

const FIXED_SEED = 20261130;
/** Each soak stops starting histories after this long: the suite's wall time stays bounded on a slow machine. */
const BUDGET_MS = 7_000;
const SHAPE = { runs: 60, maxSteps: 8, timeLimitMs: BUDGET_MS } as const;

async function soak(options: SoakOptions): Promise<void> {
  const report = await runSoak(options);
  process.stdout.write(`${formatReport(report)}\n`);
  if (report.failure) throw new Error(formatReport(report));
  expect(report.lost).toBe(0);
  expect(report.histories).toBeGreaterThanOrEqual(10);
}

test(`soak: seed ${FIXED_SEED}`, () => soak({ ...SHAPE, seed: FIXED_SEED }), 60_000);

test('soak: a fresh seed', () => soak({ ...SHAPE, seed: Date.now() % 2 ** 31 }), 60_000);
