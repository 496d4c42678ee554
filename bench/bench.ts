/**
 * `npm run bench`: what one poll costs (requests, write units) and how long it takes, for several
 * numbers of cases and shares of them changed; and the fast path's latency from a hint to PutEvents
 * accepted, with its requests per hint, beside the poll's latency; and the notifier's, from an
 * event delivered to SNS and PagerDuty accepting it, with both bundles' size and load time. Every
 * stand-in adds a fixed latency to each request. Prints figures, asserts nothing.
 *
 *   npm run bench -- [--latency-ms 20] [--sizes 25,1000,10000] [--hints 200] [--notifications 200] [--only poll|latency|notify] [--out bench/RESULTS.md]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ensureBundle, NOTIFIER_BUNDLE_PATH, PollerHarness } from '../local-aws/poller-harness';
import { describeLambdaNode, LAMBDA_NODE, LOCAL_PROCESS_ENV } from '../local-aws/lambda-process';
import { measureBundle } from './bundle-stats';
import { FLOOR_EXPLANATION, HINT_REQUESTS, HINT_REQUESTS_TO_ACCEPTED, LIST_PAGE_SIZE, pollFloor, PUT_EVENTS_BATCH } from './floor';
import { benchLatency, LATENCY_CASES, WARM_UP_HINTS } from './latency';
import { benchNotifications, NOTIFY_WARM_UP } from './notifications';
import { bundlesTable, bundleTable, hintLatencyTable, hintRequestsTable, loadAverage, loadLine, machineLine, notifyLatencyTable, pathComparisonFormula, pathComparisonTable, PollRow, pollTable } from './report';
import { BenchStandIns, moveToNextStatus, startBenchStandIns } from './stand-ins';

/** Shares of the cases changed between polls, after the baseline. */
const CHANGE_PERCENTS = [0, 1, 100];
/** The invocation's remaining time: Lambda's maximum, so that no row is cut short by the deadline. */
const REMAINING_MS = 900_000;
const PARTS = ['poll', 'latency', 'notify'] as const;

interface BenchOptions {
  readonly latencyMs: number;
  readonly sizes: number[];
  readonly hints: number;
  readonly notifications: number;
  readonly parts: readonly (typeof PARTS)[number][];
  readonly out?: string;
}

function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      'latency-ms': { type: 'string', default: '20' },
      'sizes': { type: 'string', default: '25,1000,10000' },
      'hints': { type: 'string', default: '200' },
      'notifications': { type: 'string', default: '200' },
      'only': { type: 'string' },
      'out': { type: 'string' },
    },
  });
  const latencyMs = Number(values['latency-ms']);
  const sizes = values.sizes!.split(',').map(Number);
  const hints = Number(values.hints);
  const notifications = Number(values.notifications);
  if (!(latencyMs > 0) || sizes.some((n) => !Number.isInteger(n) || n < 1) || [hints, notifications].some((n) => !Number.isInteger(n) || n < 1)) {
    throw new Error('--latency-ms must be positive, --sizes a comma-separated list of whole numbers, --hints and --notifications whole numbers');
  }
  const only = values.only as (typeof PARTS)[number] | undefined;
  if (only !== undefined && !PARTS.includes(only)) throw new Error(`--only must be one of ${PARTS.join(', ')}, got '${only}'`);
  return { latencyMs, sizes, hints, notifications, parts: only ? [only] : PARTS, out: values.out };
}

async function main(): Promise<void> {
  Object.assign(process.env, LOCAL_PROCESS_ENV); // before the stand-ins' SDK clients are created
  const options = parseOptions(process.argv.slice(2));
  const { latencyMs } = options;
  const loadAtStart = loadAverage();

  progress(describeLambdaNode());
  const bundle = ensureBundle();
  const sections: string[] = [];
  if (options.parts.includes('poll')) {
    const rows: PollRow[] = [];
    for (const cases of options.sizes) {
      rows.push(...await benchSize(cases, latencyMs));
    }
    rows.push(...await benchReminders(latencyMs));
    progress('bundle size and cold start');
    sections.push(pollSection(rows), bundleTable(measureBundle(bundle)));
  }
  if (options.parts.includes('latency')) {
    sections.push(await latencySection(options.hints, latencyMs));
  }
  if (options.parts.includes('notify')) {
    sections.push(await notifySection(options.notifications, latencyMs, bundle));
  }

  const report = [
    '# Poll cost and speed, fast-path latency',
    '',
    `Machine: ${machineLine()}; ${loadLine(loadAtStart, loadAverage())}.`,
    '',
    `The bundled handler runs on Node.js ${LAMBDA_NODE.version} (${LAMBDA_NODE.source}); the bench and the stand-ins on ${process.version}.`,
    '',
    `Every stand-in (Security IR simulator, EventBridge simulator, DynamoDB proxy in front of dynalite) adds ${latencyMs} ms to each request.`,
    '',
    sections.join('\n\n'),
    '',
  ].join('\n');
  process.stdout.write(report);
  if (options.out) writeFileSync(options.out, report);
}

function pollSection(rows: PollRow[]): string {
  return [
    '## One poll',
    '',
    'The bundled handler runs in a Node.js process of its own, one warm container per N, invoked once per row: a baseline poll,',
    'then polls after 0 %, 1 % and 100 % of the cases changed status. Requests and write units are counted at the stand-ins;',
    'CPU time and peak RSS are those of the handler\'s process (peak RSS: the highest so far in that container); the stand-ins\'',
    'CPU time is that of the bench\'s own process during the poll. The baseline row is each container\'s first invocation, which',
    'also creates the SDK clients and runs their code for the first time.',
    `The last rows: ${REMINDER_CASES} cases, ${REMINDER_CASES / 5} of them waiting on the customer (reminders at the default marks):`,
    'a poll with no change and no mark due, then one after an hour of waiting (aged in the state), when every waiting case is due.',
    '',
    pollTable(rows),
    '',
    '```',
    FLOOR_EXPLANATION,
    '```',
  ].join('\n');
}

/** The fast path's latency and requests per hint, beside the poll's latency at the default interval. */
async function latencySection(hints: number, latencyMs: number): Promise<string> {
  const result = await benchLatency(hints, latencyMs, progress);
  return [
    '## Fast path: latency and requests per hint',
    '',
    `${LATENCY_CASES} cases, baselined by a poll, in one warm container of the bundled handler, invoked one hint at a time`,
    '(Lambda would run simultaneous hints in separate containers). Each hint is Security IR\'s own event as the simulator',
    'emitted it: `Case Updated` after a case moved to its next status (case changed), or `Case Comment Added` (case',
    'unchanged), alternating. Arrival: the bench invokes the handler with the event; PutEvents accepted: the EventBridge',
    `simulator accepts the entry; both on the bench's clock. The first ${WARM_UP_HINTS} hints of each kind warm the container and are left`,
    'out. Not simulated: the time Security IR takes to emit its event, EventBridge\'s delivery to the function, and cold',
    'starts (a cold container also loads the bundle and creates the SDK clients).',
    '',
    hintLatencyTable(result, latencyMs),
    '',
    'Floor: latency x the requests before the end point, each of which waits for the previous one. Changed case:',
    `${HINT_REQUESTS.changed.join(', ')} (PutEvents is the ${HINT_REQUESTS_TO_ACCEPTED}th);`,
    `unchanged case: ${HINT_REQUESTS.unchanged.join(', ')}.`,
    '',
    'Requests per hint, counted at the stand-ins; "at the minimum": the hints that made exactly the requests of the design',
    '(docs/design.md, "One hint").',
    '',
    hintRequestsTable(result),
    '',
    'Beside the poll path:',
    '',
    pathComparisonTable(result),
    '',
    pathComparisonFormula(result),
  ].join('\n');
}

/** The notifier: event delivered to each destination accepting it, and its bundle beside the watcher's. */
async function notifySection(events: number, latencyMs: number, watcherBundle: string): Promise<string> {
  const result = await benchNotifications(events, latencyMs, progress);
  progress('notify: both bundles\' size and load time');
  const bundles = [
    { name: 'watcher (dist/handler)', stats: measureBundle(watcherBundle) },
    { name: 'notifier (dist/notifier)', stats: measureBundle(ensureBundle(NOTIFIER_BUNDLE_PATH)) },
  ];
  return [
    '## Notifications: event delivered to SNS and PagerDuty accepted',
    '',
    'The bundled notifier in one warm container of its own, configured for chat, e-mail and PagerDuty, invoked one event at a',
    'time: a case starting to wait on the customer (chat, e-mail, PagerDuty trigger) and a case no longer waiting (chat,',
    'e-mail, PagerDuty resolve), alternating. The SNS, Secrets Manager and PagerDuty stand-ins add the same latency to each',
    `request. Delivered: the bench invokes the notifier with the event; accepted: the stand-in accepts the message; the first`,
    `${NOTIFY_WARM_UP} events warm the container (the first also reads the routing key from Secrets Manager: one more request) and are`,
    'left out. Floor: one request to each destination, all three told concurrently.',
    '',
    notifyLatencyTable(result, latencyMs),
    '',
    'Both bundles, loaded by a fresh Node.js:',
    '',
    bundlesTable(bundles),
  ].join('\n');
}

/** Baseline, then one poll per change share, against a fresh set of stand-ins holding `cases` cases. */
async function benchSize(cases: number, latencyMs: number): Promise<PollRow[]> {
  progress(`N = ${cases}: seeding`);
  const standIns = await startBenchStandIns(cases, latencyMs);
  try {
    const rows = [await measurePoll(standIns, cases, 'baseline', latencyMs, { baseline: true, changedCases: 0 })];
    for (const percent of CHANGE_PERCENTS) {
      const changedCases = changeCases(standIns.harness, percent);
      rows.push(await measurePoll(standIns, cases, `${percent} %`, latencyMs, { baseline: false, changedCases }));
    }
    return rows;
  } finally {
    await standIns.close();
  }
}

/** Cases of the reminder rows: the service's most active cases per region; every fifth waits on the customer. */
const REMINDER_CASES = 60;

/** A quiet poll with waiting cases (1 read, 0 writes), then one at which a mark is due for each of them. */
async function benchReminders(latencyMs: number): Promise<PollRow[]> {
  progress(`N = ${REMINDER_CASES}: seeding, every fifth case waiting on the customer`);
  const standIns = await startBenchStandIns(REMINDER_CASES, latencyMs);
  try {
    const { securityIr } = standIns.harness;
    securityIr.cases.forEach((c, i) => securityIr.updateCase(c.caseId, { pendingAction: i % 5 === 0 ? 'Customer' : 'None' }));
    const waiting = securityIr.cases.filter((c) => c.pendingAction === 'Customer');
    await measurePoll(standIns, REMINDER_CASES, 'baseline', latencyMs, { baseline: true, changedCases: 0 });
    const quiet = await measurePoll(standIns, REMINDER_CASES, `${waiting.length} waiting`, latencyMs, { baseline: false, changedCases: 0 });
    await standIns.harness.ageWaits(61);
    const due = await measurePoll(standIns, REMINDER_CASES, `${waiting.length} marks due`, latencyMs, { baseline: false, changedCases: waiting.length });
    return [quiet, due];
  } finally {
    await standIns.close();
  }
}

/** Moves `percent` % of the cases (evenly spread, at least one unless 0) to their next status. */
function changeCases(harness: PollerHarness, percent: number): number {
  const all = harness.securityIr.cases;
  const count = Math.ceil((all.length * percent) / 100);
  const step = count > 0 ? all.length / count : 0;
  for (let k = 0; k < count; k++) {
    moveToNextStatus(harness, all[Math.floor(k * step)]);
  }
  return count;
}

async function measurePoll(
  { harness, handler }: BenchStandIns,
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
