/**
 * `npm run demo`: the bundled handler at work against local stand-ins for Security IR, EventBridge
 * and DynamoDB. Seeds a few cases, polls on a short interval, moves the cases through their
 * lifecycle between polls and prints every event the handler publishes. Then the fast path: with no
 * poll due, Security IR's own events reach the handler as a case changes, and each published event
 * is printed with its latency from the change. Every event also goes to the bundled notifier of
 * SecurityIrCaseNotifications, and what Slack, e-mail and PagerDuty would show is printed under it.
 *
 *   npm run demo -- [--polls N] [--interval-ms MS] [--json]
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { runCli, wholeNumber } from './cli';
import { relative } from 'node:path';
import { HandlerEnvironment } from '../lib/internal/handler-environment';
import { TEST_ACCOUNT_ID, TEST_REGION } from '../local-aws/credentials';
import { BUNDLE_PATH, BundledHandler, ensureBundle, PollerHarness, requestsSeen, RequestsSeen, startPollerHarness, totalOf } from '../local-aws/poller-harness';
import { deliveredEvent } from '../local-aws/eventbridge-simulator';
import { LAMBDA_NODE, LOCAL_PROCESS_ENV } from '../local-aws/lambda-process';
import type { HintSummary } from '../lambda/telemetry';
import type { SecurityIrNativeEvent } from '../local-aws/security-ir-events';
import { formatEventLine, formatHintLine, formatPollLine, HintFigures, InvocationFigures, Palette, paletteFor, PollFigures } from './demo-format';
import { type DemoNotifications, startDemoNotifications } from './demo-notifications';
import { FAST_PATH_SCENE, seedCases, STORY, STORY_POLLS } from './demo-story';

interface DemoOptions {
  readonly polls: number;
  readonly intervalMs: number;
  readonly json: boolean;
}

const USAGE = `usage: npm run demo -- [--polls N] [--interval-ms MS] [--json]
  --polls N         polls to run, then exit (default ${STORY_POLLS}: the whole story once)
  --interval-ms MS  pause between polls, and between the fast-path scene's changes (default 1000)
  --json            also print each event as a subscriber receives it, one JSON object a line`;

function parseOptions(argv: string[]): DemoOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      'polls': { type: 'string' },
      'interval-ms': { type: 'string' },
      'json': { type: 'boolean', default: false },
      'help': { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  return {
    polls: wholeNumber('--polls', values.polls, STORY_POLLS, 1),
    intervalMs: wholeNumber('--interval-ms', values['interval-ms'], 1_000, 0),
    json: values.json ?? false,
  };
}

async function main(): Promise<number> {
  Object.assign(process.env, LOCAL_PROCESS_ENV); // before the stand-ins' SDK clients are created
  const options = parseOptions(process.argv.slice(2));
  const palette = paletteFor(process.stdout);
  const print: Print = (line = '') => process.stdout.write(`${line}\n`);

  // Ctrl-C ends the demo between (or during) polls; the stand-ins are closed either way.
  const interrupted = new AbortController();
  process.once('SIGINT', () => interrupted.abort());

  ensureBundle();
  const harness = await startPollerHarness();
  const notifications = await startDemoNotifications();
  let failures = 0;
  try {
    seedCases(harness.securityIr);
    printHeader(print, palette.bold, harness, options);
    const handler = await harness.startBundledHandler({ [HandlerEnvironment.SERVICE_NAME]: 'case-watcher-demo' });

    for (let poll = 1; poll <= options.polls && !interrupted.signal.aborted; poll++) {
      if (poll > 1) {
        if (!(await pause(options.intervalMs, interrupted.signal))) break;
        for (const step of STORY[poll - 2] ?? []) {
          step.apply(harness.securityIr);
          if (step.elapseMinutes !== undefined) await harness.ageWaits(step.elapseMinutes);
          print(palette.dim(`  · ${step.narration}`));
        }
      }
      if (!(await runPoll(poll, handler, harness, notifications, options, print, palette))) failures++;
    }
    if (!interrupted.signal.aborted) failures += await runFastPathScene(handler, harness, notifications, options, print, palette, interrupted.signal);
  } catch (error) {
    // The terminal's Ctrl-C also reaches the handler's process, which may then fail to start.
    if (!interrupted.signal.aborted) throw error;
  } finally {
    if (interrupted.signal.aborted) print('interrupted: stopping the stand-ins');
    await notifications.close();
    await harness.close();
  }
  return failures === 0 ? 0 : 1;
}

type Print = (line?: string) => void;

/** Waits `ms`; resolves false when Ctrl-C came first. */
async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  await sleep(ms, undefined, { signal }).catch(() => undefined);
  return !signal.aborted;
}

function printHeader(print: Print, bold: (s: string) => string, harness: PollerHarness, options: DemoOptions): void {
  print(bold('Security IR case watcher: demo against local stand-ins for AWS'));
  print(`  handler      ${relative(process.cwd(), BUNDLE_PATH)} (the bundled Lambda handler, in its own Node.js process)`);
  print(`  Node.js      ${LAMBDA_NODE.version} (${LAMBDA_NODE.source}) for the handler`);
  print(`  Security IR  ${harness.securityIr.url}  simulator, ${harness.securityIr.cases.length} cases`);
  print(`  EventBridge  ${harness.eventBridge.url}  simulator, bus ${harness.busName}`);
  print(`  DynamoDB     ${harness.dynamoDb.url}  dynalite, table ${harness.tableName}`);
  print('  Tell people  dist/notifier/index.js (SecurityIrCaseNotifications\' notifier) with SNS, Secrets Manager and PagerDuty stand-ins');
  print(`  ${options.polls} polls, ${options.intervalMs} ms apart, then the fast path; Ctrl-C stops`);
  print();
}

/** One invocation: prints its events and its figures; resolves false when the poll failed. */
async function runPoll(
  poll: number,
  handler: BundledHandler,
  harness: PollerHarness,
  notifications: DemoNotifications,
  options: DemoOptions,
  print: Print,
  palette: Palette,
): Promise<boolean> {
  harness.resetRecords();
  const run = await handler.invoke();
  const notFailed = await printEvents(harness, notifications, options, print, palette) === 0;
  if (run.error || !run.summary) {
    print(palette.bold(`poll ${poll} failed: ${run.error?.name}: ${run.error?.message}`));
    return false;
  }
  const seen = requestsSeen(harness);
  const counted = invocationFigures(run.summary.eventsPublished, seen);
  const figures: PollFigures = {
    ...counted,
    poll,
    casesSeen: run.summary.casesSeen,
    listCasesCalls: seen.securityIr.ListCases ?? 0,
    durationMs: run.summary.durationMs,
    note: poll === 1
      ? 'baseline: every case recorded, no event'
      : counted.dynamoDbReads + counted.dynamoDbWrites === 1 && counted.eventsPublished === 0
        ? 'no status or pending action changed: one read, no write'
        : undefined,
  };
  print(formatPollLine(figures, palette));
  return notFailed;
}

/** The handler's own count of events published, beside the requests the stand-ins counted. */
function invocationFigures(eventsPublished: number, seen: RequestsSeen): InvocationFigures {
  return {
    eventsPublished,
    putEventsCalls: seen.putEvents,
    dynamoDbReads: totalOf(seen.dynamoDbReads),
    dynamoDbWrites: totalOf(seen.dynamoDbWrites),
  };
}

/**
 * The events EventBridge accepted since the last reset, with their latency from `changedAt` when
 * given, each followed by what people are told of it; resolves to the notifications that failed.
 */
async function printEvents(harness: PollerHarness, notifications: DemoNotifications, options: DemoOptions, print: Print, palette: Palette, changedAt?: number): Promise<number> {
  let failed = 0;
  for (const event of harness.eventBridge.events) {
    print(formatEventLine(event, palette, changedAt === undefined ? undefined : event.acceptedAt - changedAt));
    if (options.json) print(JSON.stringify(deliveredEvent(event, TEST_ACCOUNT_ID, TEST_REGION)));
    failed += await notifications.tell([event], print, palette);
  }
  return failed;
}

/** A Security IR event and when its case changed (Date.now() as the simulator emitted it, inside updateCase). */
interface Hint {
  readonly event: SecurityIrNativeEvent;
  readonly changedAt: number;
}

/**
 * The fast-path scene: the poll interval is long and no poll runs; every Security IR event goes to
 * the handler as it is emitted, as the fast-path rule delivers it. Resolves to the failed hints.
 */
async function runFastPathScene(
  handler: BundledHandler,
  harness: PollerHarness,
  notifications: DemoNotifications,
  options: DemoOptions,
  print: Print,
  palette: Palette,
  signal: AbortSignal,
): Promise<number> {
  print();
  print(palette.bold('fast path: no poll for the next minute; Security IR\'s own events reach the handler as the case changes'));
  print(palette.dim('  latency: from the change (updateCase) to the EventBridge simulator accepting the entry; no latency added to the stand-ins'));
  let failures = 0;
  // One container, like one warm Lambda: hints are handled one after another, in the order emitted.
  let delivered = Promise.resolve();
  harness.securityIr.onNativeEvent = (event) => {
    const hint: Hint = { event, changedAt: Date.now() };
    delivered = delivered.then(async () => {
      if (!(await deliverHint(hint, handler, harness, notifications, options, print, palette))) failures++;
    });
  };
  try {
    for (const [index, step] of FAST_PATH_SCENE.entries()) {
      if (index > 0 && !(await pause(options.intervalMs, signal))) break;
      step.apply(harness.securityIr);
      print(palette.dim(`  · ${step.narration}`));
      await delivered;
    }
  } finally {
    harness.securityIr.onNativeEvent = undefined;
  }
  return failures;
}

/** One hint through the bundled handler: prints its events and its figures; resolves false when it failed. */
async function deliverHint(hint: Hint, handler: BundledHandler, harness: PollerHarness, notifications: DemoNotifications, options: DemoOptions, print: Print, palette: Palette): Promise<boolean> {
  harness.resetRecords();
  const run = await handler.invoke({ event: hint.event });
  const notFailed = await printEvents(harness, notifications, options, print, palette, hint.changedAt) === 0;
  const detailType = hint.event['detail-type'];
  const { caseId } = hint.event.detail;
  if (run.error) {
    print(palette.bold(`hint ${detailType} ${caseId} failed: ${run.error.name}: ${run.error.message}`));
    return false;
  }
  const seen = requestsSeen(harness);
  const counted = invocationFigures((run.result as HintSummary).eventsPublished, seen);
  const figures: HintFigures = {
    ...counted,
    nativeDetailType: detailType,
    caseId,
    getCaseCalls: seen.securityIr.GetCase ?? 0,
    note: counted.eventsPublished === 0 ? 'no status or pending action changed: nothing published' : undefined,
  };
  print(formatHintLine(figures, palette));
  return notFailed;
}

runCli(main, USAGE);
