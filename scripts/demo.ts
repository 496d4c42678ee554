/**
 * `npm run demo`: the bundled handler at work against local stand-ins for Security IR, EventBridge
 * and DynamoDB. Seeds a few cases, polls on a short interval, moves the cases through their
 * lifecycle between polls and prints every event the handler publishes.
 *
 *   npm run demo -- [--polls N] [--interval-ms MS] [--json]
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { runCli, wholeNumber } from './cli';
import { relative } from 'node:path';
import { HandlerEnvironment } from '../lib/internal/handler-environment';
import { TEST_ACCOUNT_ID, TEST_REGION } from '../local-aws/credentials';
import { BUNDLE_PATH, BundledHandler, ensureBundle, PollerHarness, startPollerHarness } from '../local-aws/poller-harness';
import { deliveredEvent } from '../local-aws/eventbridge-simulator';
import { LAMBDA_NODE, LOCAL_PROCESS_ENV } from '../local-aws/lambda-process';
import { formatEventLine, formatPollLine, Palette, paletteFor, PollFigures } from './demo-format';
import { seedCases, STORY, STORY_POLLS } from './demo-story';

interface DemoOptions {
  readonly polls: number;
  readonly intervalMs: number;
  readonly json: boolean;
}

const USAGE = `usage: npm run demo -- [--polls N] [--interval-ms MS] [--json]
  --polls N         polls to run, then exit (default ${STORY_POLLS}: the whole story once)
  --interval-ms MS  pause between polls (default 1000)
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
  const print = (line = '') => process.stdout.write(`${line}\n`);

  // Ctrl-C ends the demo between (or during) polls; the stand-ins are closed either way.
  const interrupted = new AbortController();
  process.once('SIGINT', () => interrupted.abort());

  ensureBundle();
  const harness = await startPollerHarness();
  let failures = 0;
  try {
    seedCases(harness.securityIr);
    printHeader(print, palette.bold, harness, options);
    const handler = await harness.startBundledHandler({ [HandlerEnvironment.SERVICE_NAME]: 'case-watcher-demo' });

    for (let poll = 1; poll <= options.polls && !interrupted.signal.aborted; poll++) {
      if (poll > 1) {
        await sleep(options.intervalMs, undefined, { signal: interrupted.signal }).catch(() => undefined);
        if (interrupted.signal.aborted) break;
        for (const step of STORY[poll - 2] ?? []) {
          step.apply(harness.securityIr);
          print(palette.dim(`  · ${step.narration}`));
        }
      }
      if (!(await runPoll(poll, handler, harness, options, print, palette))) failures++;
    }
  } catch (error) {
    // The terminal's Ctrl-C also reaches the handler's process, which may then fail to start.
    if (!interrupted.signal.aborted) throw error;
  } finally {
    if (interrupted.signal.aborted) print('interrupted: stopping the stand-ins');
    await harness.close();
  }
  return failures === 0 ? 0 : 1;
}

function printHeader(print: (line?: string) => void, bold: (s: string) => string, harness: PollerHarness, options: DemoOptions): void {
  print(bold('Security IR case watcher: demo against local stand-ins for AWS'));
  print(`  handler      ${relative(process.cwd(), BUNDLE_PATH)} (the bundled Lambda handler, in its own Node.js process)`);
  print(`  Node.js      ${LAMBDA_NODE.version} (${LAMBDA_NODE.source}) for the handler`);
  print(`  Security IR  ${harness.securityIr.url}  simulator, ${harness.securityIr.cases.length} cases`);
  print(`  EventBridge  ${harness.eventBridge.url}  simulator, bus ${harness.busName}`);
  print(`  DynamoDB     ${harness.dynamoDb.url}  dynalite, table ${harness.tableName}`);
  print(`  ${options.polls} polls, ${options.intervalMs} ms apart; Ctrl-C stops`);
  print();
}

/** One invocation: prints its events and its figures; resolves false when the poll failed. */
async function runPoll(
  poll: number,
  handler: BundledHandler,
  harness: PollerHarness,
  options: DemoOptions,
  print: (line?: string) => void,
  palette: Palette,
): Promise<boolean> {
  harness.resetRecords();
  const run = await handler.invoke();
  for (const event of harness.eventBridge.events) {
    print(formatEventLine(event, palette));
    if (options.json) print(JSON.stringify(deliveredEvent(event, TEST_ACCOUNT_ID, TEST_REGION)));
  }
  if (run.error || !run.summary) {
    print(palette.bold(`poll ${poll} failed: ${run.error?.name}: ${run.error?.message}`));
    return false;
  }
  const dynamoDbCalls = harness.dynamoDb.calls;
  const figures: PollFigures = {
    poll,
    casesSeen: run.summary.casesSeen,
    listCasesCalls: harness.securityIr.calls.filter((c) => c.operation === 'ListCases').length,
    eventsPublished: run.summary.eventsPublished,
    putEventsCalls: harness.eventBridge.calls.length,
    dynamoDbReads: dynamoDbCalls.filter((c) => !c.isWrite).length,
    dynamoDbWrites: dynamoDbCalls.filter((c) => c.isWrite).length,
    durationMs: run.summary.durationMs,
    note: poll === 1
      ? 'baseline: every case recorded, no event'
      : dynamoDbCalls.length === 1 && run.summary.eventsPublished === 0 ? 'no status or pending action changed: one read, no write' : undefined,
  };
  print(formatPollLine(figures, palette));
  return true;
}

runCli(main, USAGE);
