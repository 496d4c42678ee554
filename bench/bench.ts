/**
 * `npm run bench`: what one poll costs (requests, write units) and how long it takes, for several
 * numbers of cases and shares of them changed, with every stand-in adding a fixed latency to each
 * request. Prints figures, asserts nothing.
 *
 *   npm run bench -- [--latency-ms 20] [--sizes 25,1000,10000] [--out bench/RESULTS.md]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CASE_STATUSES } from '../local-aws/security-ir-simulator';
import { HandlerEnvironment } from '../lib/internal/handler-environment';
import { BundledHandler, ensureBundle, PollerHarness, startPollerHarness } from '../local-aws/poller-harness';
import { describeLambdaNode, LAMBDA_NODE, LOCAL_PROCESS_ENV } from '../local-aws/lambda-process';
import { measureBundle } from './bundle-stats';
import { FLOOR_EXPLANATION, LIST_PAGE_SIZE, pollFloor, PUT_EVENTS_BATCH } from './floor';
import { bundleTable, machineLine, PollRow, pollTable } from './report';

/** Shares of the cases changed between polls, after the baseline. */
const CHANGE_PERCENTS = [0, 1, 100];
/** The invocation's remaining time: Lambda's maximum, so that no row is cut short by the deadline. */
const REMAINING_MS = 900_000;
const OPEN_STATUSES = CASE_STATUSES.filter((s) => s !== 'Closed');

async function main(): Promise<void> {
  Object.assign(process.env, LOCAL_PROCESS_ENV); // before the stand-ins' SDK clients are created
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      'latency-ms': { type: 'string', default: '20' },
      'sizes': { type: 'string', default: '25,1000,10000' },
      'out': { type: 'string' },
    },
  });
  const latencyMs = Number(values['latency-ms']);
  const sizes = values.sizes!.split(',').map(Number);
  if (!(latencyMs > 0) || sizes.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new Error('--latency-ms must be positive and --sizes a comma-separated list of whole numbers');
  }

  progress(describeLambdaNode());
  const bundle = ensureBundle();
  const rows: PollRow[] = [];
  for (const cases of sizes) {
    rows.push(...await benchSize(cases, latencyMs));
  }
  progress('bundle size and cold start');
  const bundleStats = measureBundle(bundle);

  const report = [
    '# Poll cost and speed',
    '',
    `Machine: ${machineLine()}.`,
    '',
    `The bundled handler runs on Node.js ${LAMBDA_NODE.version} (${LAMBDA_NODE.source}); the bench and the stand-ins on ${process.version}.`,
    '',
    `Every stand-in (Security IR simulator, EventBridge simulator, DynamoDB proxy in front of dynalite) adds ${latencyMs} ms to each request.`,
    'The bundled handler runs in a Node.js process of its own, one warm container per N, invoked once per row: a baseline poll,',
    'then polls after 0 %, 1 % and 100 % of the cases changed status. Requests and write units are counted at the stand-ins;',
    'CPU time and peak RSS are those of the handler\'s process (peak RSS: the highest so far in that container); the stand-ins\'',
    'CPU time is that of the bench\'s own process during the poll. The baseline row is each container\'s first invocation, which',
    'also creates the SDK clients and runs their code for the first time.',
    '',
    pollTable(rows),
    '',
    '```',
    FLOOR_EXPLANATION,
    '```',
    '',
    bundleTable(bundleStats),
    '',
  ].join('\n');
  process.stdout.write(report);
  if (values.out) writeFileSync(values.out, report);
}

/** Baseline, then one poll per change share, against a fresh set of stand-ins holding `cases` cases. */
async function benchSize(cases: number, latencyMs: number): Promise<PollRow[]> {
  progress(`N = ${cases}: seeding`);
  const harness = await startPollerHarness();
  let handler: BundledHandler | undefined;
  try {
    for (const faults of [harness.securityIr.faults, harness.eventBridge.faults, harness.dynamoDb.faults]) {
      faults.fixedLatencyMs = latencyMs;
    }
    for (let i = 0; i < cases; i++) {
      harness.securityIr.addCase({ caseId: String(1_000_000_000 + i) });
    }
    handler = await harness.startBundledHandler({ [HandlerEnvironment.SERVICE_NAME]: 'case-watcher-bench' });

    const rows = [await measurePoll(harness, handler, cases, 'baseline', latencyMs, { baseline: true, changedCases: 0 })];
    for (const percent of CHANGE_PERCENTS) {
      const changedCases = changeCases(harness, percent);
      rows.push(await measurePoll(harness, handler, cases, `${percent} %`, latencyMs, { baseline: false, changedCases }));
    }
    return rows;
  } finally {
    await handler?.stop();
    await harness.close();
  }
}

/** Moves `percent` % of the cases (evenly spread, at least one unless 0) to their next status. */
function changeCases(harness: PollerHarness, percent: number): number {
  const all = harness.securityIr.cases;
  const count = Math.ceil((all.length * percent) / 100);
  const step = count > 0 ? all.length / count : 0;
  for (let k = 0; k < count; k++) {
    const target = all[Math.floor(k * step)];
    const next = OPEN_STATUSES[(OPEN_STATUSES.indexOf(target.caseStatus as (typeof OPEN_STATUSES)[number]) + 1) % OPEN_STATUSES.length];
    harness.securityIr.updateCase(target.caseId, { caseStatus: next });
  }
  return count;
}

async function measurePoll(
  harness: PollerHarness,
  handler: BundledHandler,
  cases: number,
  label: string,
  latencyMs: number,
  shape: { baseline: boolean; changedCases: number },
): Promise<PollRow> {
  progress(`N = ${cases}: ${label} poll`);
  harness.resetRecords();
  const standInsCpu = process.cpuUsage();
  const run = await handler.invoke({ remainingMs: REMAINING_MS });
  const standInsUsed = process.cpuUsage(standInsCpu);

  const dynamoDbCalls = harness.dynamoDb.calls;
  const events = harness.eventBridge.events.length;
  const floor = pollFloor({
    cases,
    changed: shape.baseline || shape.changedCases > 0,
    silentWrites: shape.baseline ? cases : 0,
    announcedWrites: shape.changedCases,
    events,
    queryPages: dynamoDbCalls.filter((c) => c.operation === 'Query').length,
  }, latencyMs);
  return {
    cases,
    label,
    listCasesCalls: harness.securityIr.calls.filter((c) => c.operation === 'ListCases').length,
    listCasesMin: Math.ceil(cases / LIST_PAGE_SIZE),
    dynamoDbReads: dynamoDbCalls.filter((c) => !c.isWrite).length,
    dynamoDbWrites: dynamoDbCalls.filter((c) => c.isWrite).length,
    writeUnits: dynamoDbCalls.reduce((sum, c) => sum + c.writeUnits, 0),
    putEventsCalls: harness.eventBridge.calls.length,
    putEventsMin: Math.ceil(events / PUT_EVENTS_BATCH),
    events,
    wallMs: run.wallMs,
    floorMs: floor.ms,
    cpuMs: run.cpuMs,
    standInsCpuMs: (standInsUsed.user + standInsUsed.system) / 1000,
    maxRssBytes: run.maxRssBytes,
    ...(run.error ? { error: `${run.error.name}: ${run.error.message}` } : {}),
  };
}

function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exitCode = 1;
});
