/**
 * `npm run soak`: the randomized soak for as long as asked. Generates histories of a few cases
 * (changes, polls, hints, overlaps, faults, crashes), drives the real handler code through each
 * against the local stand-ins, checks the invariants of test/soak/invariants.ts, and prints
 * what it did. A failing history is shrunk and printed as a reproduction to pin in a test.
 *
 *   npm run soak -- [--runs N] [--seed S] [--path P] [--max-steps N] [--no-shrink]
 */
import { parseArgs } from 'node:util';
import { LOCAL_PROCESS_ENV } from '../../local-aws/lambda-process';
import { runCli, UsageError, wholeNumber } from '../../scripts/cli';
import { formatReport } from './report';
import { runSoak } from './run-soak';

const USAGE = `usage: npm run soak -- [--runs N] [--seed S] [--path P] [--max-steps N] [--no-shrink]
  --runs N       histories to run (default 100)
  --seed S       fast-check seed (default: a fresh one, printed)
  --path P       replay one history of the seed's sequence (from a failure's output)
  --max-steps N  steps per history after the baseline, at most (default 10)
  --no-shrink    report a failing history as generated, without shrinking it`;

async function main(): Promise<number> {
  Object.assign(process.env, LOCAL_PROCESS_ENV);
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      'runs': { type: 'string' },
      'seed': { type: 'string' },
      'path': { type: 'string' },
      'max-steps': { type: 'string' },
      'no-shrink': { type: 'boolean', default: false },
      'help': { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const seed = values.seed === undefined ? Date.now() ^ (Math.random() * 0x100000000) : Number(values.seed);
  if (!Number.isSafeInteger(seed)) throw new UsageError(`--seed must be a whole number, got '${values.seed}'`);
  const runs = wholeNumber('--runs', values.runs, 100, 1);
  process.stdout.write(`soak: ${runs} histories from seed ${seed}\n`);
  const report = await runSoak({
    runs,
    seed,
    path: values.path,
    maxSteps: wholeNumber('--max-steps', values['max-steps'], 10, 1),
    shrink: !values['no-shrink'],
    onHistory: (tally) => {
      if (tally.histories % 100 === 0) process.stdout.write(`  ${tally.histories} histories, ${tally.steps} steps\n`);
    },
  });
  process.stdout.write(`${formatReport(report)}\n`);
  return report.failure || report.lost > 0 ? 1 : 0;
}

runCli(main, USAGE);
