/**
 * The bench's report: the machine it ran on and its figures as Markdown tables, ready for
 * `bench/RESULTS.md` and the README's Performance section.
 */
import { availableParallelism, cpus, loadavg, release, totalmem } from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import { type RequestsSeen, totalOf } from '../local-aws/poller-harness';
import type { BundleStats } from './bundle-stats';
import { HINT_REQUESTS, HINT_REQUESTS_TO_ACCEPTED } from './floor';
import { DEFAULT_POLL_INTERVAL_MS, HintSample, LatencyResult, median, Percentiles, percentiles, POLLS_MEASURED } from './latency';
import type { NotifyResult } from './notifications';

export interface PollRow {
  readonly cases: number;
  /** `baseline`, or the share of cases changed since the previous poll, e.g. `1 %`. */
  readonly label: string;
  readonly listCasesCalls: number;
  readonly listCasesMin: number;
  readonly dynamoDbReads: number;
  readonly dynamoDbWrites: number;
  readonly writeUnits: number;
  readonly putEventsCalls: number;
  readonly putEventsMin: number;
  readonly events: number;
  readonly wallMs: number;
  readonly floorMs: number;
  readonly cpuMs: number;
  /** CPU time of the bench's own process (the stand-ins) during the poll. */
  readonly standInsCpuMs: number;
  readonly maxRssBytes: number;
  /** Set when the poll failed. */
  readonly error?: string;
}

export function machineLine(now = new Date()): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `${availableParallelism()} cores (nproc), ${cpu}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, `
    + `Linux ${release()}, Node.js ${process.version}, ${now.toISOString().slice(0, 10)}`;
}

/** The 1-minute load average now: other work on the machine shows in the latency tails. */
export function loadAverage(): number {
  return loadavg()[0];
}

/** `load average (1 min) 0.4 at the start, 0.9 at the end, on 2 cores` */
export function loadLine(atStart: number, atEnd: number): string {
  return `load average (1 min) ${atStart.toFixed(1)} at the start, ${atEnd.toFixed(1)} at the end, on ${availableParallelism()} cores`;
}

export function pollTable(rows: readonly PollRow[]): string {
  const header = ['N', 'changed', 'ListCases (min)', 'DynamoDB reads / writes', 'write units', 'events', 'PutEvents (min)',
    'wall ms', 'floor ms', 'wall / floor', 'handler CPU ms', 'peak RSS MiB', 'stand-ins CPU ms'];
  const body = rows.map((r) => [
    r.cases.toLocaleString('en-US'),
    r.label,
    `${r.listCasesCalls} (${r.listCasesMin})`,
    `${r.dynamoDbReads} / ${r.dynamoDbWrites}`,
    String(r.writeUnits),
    r.events.toLocaleString('en-US'),
    `${r.putEventsCalls} (${r.putEventsMin})`,
    r.wallMs.toFixed(0),
    r.floorMs.toFixed(0),
    r.error ? `failed: ${r.error}` : `${(r.wallMs / r.floorMs).toFixed(2)}x`,
    r.cpuMs.toFixed(0),
    (r.maxRssBytes / 2 ** 20).toFixed(0),
    r.standInsCpuMs.toFixed(0),
  ]);
  return markdownTable(header, body, [0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
}

export function bundleTable(stats: BundleStats): string {
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
  return markdownTable(
    ['bundle', 'gzip', `node -e "require(bundle)" (median of ${stats.runs})`, `node -e '' (median of ${stats.runs})`, 'import cost'],
    [[kib(stats.rawBytes), kib(stats.gzipBytes), `${stats.importMedianMs.toFixed(0)} ms`, `${stats.bareMedianMs.toFixed(0)} ms`,
      `${(stats.importMedianMs - stats.bareMedianMs).toFixed(0)} ms`]],
    [0, 1, 2, 3, 4],
  );
}

/** The watcher's and the notifier's bundles side by side. */
export function bundlesTable(bundles: readonly { name: string; stats: BundleStats }[]): string {
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
  const runs = bundles[0]?.stats.runs ?? 0;
  return markdownTable(
    ['bundle', 'size', 'gzip', `node -e "require(bundle)" (median of ${runs})`, `node -e '' (median of ${runs})`, 'import cost', `require() timed in the process (median of ${runs})`],
    bundles.map(({ name, stats }) => [name, kib(stats.rawBytes), kib(stats.gzipBytes), `${stats.importMedianMs.toFixed(0)} ms`, `${stats.bareMedianMs.toFixed(0)} ms`,
      `${(stats.importMedianMs - stats.bareMedianMs).toFixed(0)} ms`, `${stats.requireMedianMs.toFixed(0)} ms`]),
    [1, 2, 3, 4, 5, 6],
  );
}

/** Event delivered to the notifier to each destination accepting it, beside the floor (one request each, concurrently). */
export function notifyLatencyTable(result: NotifyResult, latencyMs: number): string {
  const row = (until: string, p: Percentiles) => [until, String(p.n), ...[p.p50, p.p95, p.p99, p.max].map((ms) => ms.toFixed(0)), `${latencyMs} (1 x ${latencyMs})`];
  const failed = result.samples.filter((s) => s.error !== undefined).length;
  return [
    markdownTable(
      ['from the event delivered to', 'events', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'floor ms'],
      [
        row('SNS accepted the chat message', result.chat),
        row('SNS accepted the e-mail', result.email),
        row('PagerDuty accepted (202)', result.pagerDuty),
        row('the invoke returned', result.returned),
      ],
      [1, 2, 3, 4, 5, 6],
    ),
    '',
    `Requests per event: ${result.requestsMin === result.requestsMax ? result.requestsMin : `${result.requestsMin}-${result.requestsMax}`} (the minimum: 2 SNS Publish + 1 PagerDuty); failed: ${failed}.`,
  ].join('\n');
}

/** Hint arrival to PutEvents accepted and to the invoke's return, by kind of hint, beside the floor. */
export function hintLatencyTable(result: LatencyResult, latencyMs: number): string {
  const changed = result.hints.filter((h) => h.changed);
  const unchanged = result.hints.filter((h) => !h.changed);
  const row = (hint: string, until: string, samples: number[], floorRequests: number) => {
    const p = percentiles(samples);
    return [hint, until, String(p.n), ...[p.p50, p.p95, p.p99, p.max].map((ms) => ms.toFixed(0)), `${floorRequests * latencyMs} (${floorRequests} x ${latencyMs})`];
  };
  return markdownTable(
    ['hint', 'from its arrival to', 'hints', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'floor ms'],
    [
      row('case changed', 'PutEvents accepted', changed.flatMap((h) => (h.toAcceptedMs === undefined ? [] : [h.toAcceptedMs])), HINT_REQUESTS_TO_ACCEPTED),
      row('case changed', 'invoke returned', changed.map((h) => h.toReturnedMs), HINT_REQUESTS.changed.length),
      row('case unchanged (a comment)', 'invoke returned', unchanged.map((h) => h.toReturnedMs), HINT_REQUESTS.unchanged.length),
    ],
    [2, 3, 4, 5, 6, 7],
  );
}

/** Requests per hint as counted at the stand-ins (a range where hints differed), against the design's minimum. */
export function hintRequestsTable(result: LatencyResult): string {
  const row = (hint: string, samples: HintSample[], minimum: readonly string[]) => {
    const expected = requestsOf(minimum);
    const failed = samples.filter((s) => s.error).length;
    const atMinimum = samples.filter((s) => isDeepStrictEqual(s.requests, expected)).length;
    return [
      hint,
      String(samples.length),
      rangeOf(samples.map((s) => s.requests.securityIr.GetCase ?? 0)),
      byOperation(samples.map((s) => s.requests.dynamoDbReads)),
      byOperation(samples.map((s) => s.requests.dynamoDbWrites)),
      rangeOf(samples.map((s) => s.requests.putEvents)),
      rangeOf(samples.map((s) => s.events)),
      `${atMinimum} of ${samples.length}`,
      String(failed),
    ];
  };
  return markdownTable(
    ['hint', 'hints', 'GetCase', 'DynamoDB reads', 'DynamoDB writes', 'PutEvents', 'events', 'at the minimum', 'failed'],
    [
      row('case changed', result.hints.filter((h) => h.changed), HINT_REQUESTS.changed),
      row('case unchanged (a comment)', result.hints.filter((h) => !h.changed), HINT_REQUESTS.unchanged),
    ],
    [1, 2, 5, 6, 7, 8],
  );
}

/** The fast path's latency beside the poll's at the default interval, computed from the measured poll. */
export function pathComparisonTable(result: LatencyResult): string {
  const hint = fastPathPercentiles(result);
  const pollMs = pollDurationMs(result);
  const interval = DEFAULT_POLL_INTERVAL_MS;
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  return markdownTable(
    ['path', 'change to PutEvents accepted: typical', 'worst'],
    [
      ['fast path (one hint)', `${hint.p50.toFixed(0)} ms (p50)`, `${hint.p99.toFixed(0)} ms (p99), ${hint.max.toFixed(0)} ms (max)`],
      [`poll every ${interval / 60_000} minute, ${result.cases} cases`, `${seconds(interval / 2 + pollMs)} (I/2 + D, mean)`, `${seconds(interval + pollMs)} (I + D)`],
    ],
    [],
  );
}

/** How the comparison is computed, with the measured D. */
export function pathComparisonFormula(result: LatencyResult): string {
  const pollWall = median(result.polls.map((p) => p.wallMs));
  return [
    `A change waits for the next poll, then for that poll to publish it: I = ${DEFAULT_POLL_INTERVAL_MS / 1000} s (the construct's default`,
    'pollInterval); the wait for the next poll is anywhere from 0 to I, I/2 on average for changes at random times, and I at worst',
    '(a change just after the poll read its case). D = the poll\'s own time from its start to PutEvents accepted: the median of',
    `${POLLS_MEASURED} polls of ${result.cases} cases with one changed before each, ${pollDurationMs(result).toFixed(0)} ms (their median handler wall time: ${pollWall.toFixed(0)} ms).`,
  ].join('\n');
}

export function fastPathPercentiles(result: LatencyResult): Percentiles {
  return percentiles(result.hints.flatMap((h) => (h.toAcceptedMs === undefined ? [] : [h.toAcceptedMs])));
}

export function pollDurationMs(result: LatencyResult): number {
  return median(result.polls.map((p) => p.toAcceptedMs));
}

/** The stand-ins' count of a request sequence such as `HINT_REQUESTS.changed`. */
function requestsOf(operations: readonly string[]): RequestsSeen {
  const add = (counts: Record<string, number>, op: string) => ({ ...counts, [op]: (counts[op] ?? 0) + 1 });
  let seen: RequestsSeen = { securityIr: {}, dynamoDbReads: {}, dynamoDbWrites: {}, putEvents: 0 };
  for (const op of operations) {
    if (op === 'PutEvents') seen = { ...seen, putEvents: seen.putEvents + 1 };
    else if (op === 'GetCase') seen = { ...seen, securityIr: add(seen.securityIr, op) };
    else if (op === 'BatchGetItem') seen = { ...seen, dynamoDbReads: add(seen.dynamoDbReads, op) };
    else seen = { ...seen, dynamoDbWrites: add(seen.dynamoDbWrites, op) };
  }
  return seen;
}

/** `4 (UpdateItem 2, BatchWriteItem 1, PutItem 1)`; ranges where the hints differed. */
function byOperation(counts: readonly Readonly<Record<string, number>>[]): string {
  const operations = [...new Set(counts.flatMap((c) => Object.keys(c)))];
  const total = rangeOf(counts.map(totalOf));
  return operations.length === 0 ? total : `${total} (${operations.map((op) => `${op} ${rangeOf(counts.map((c) => c[op] ?? 0))}`).join(', ')})`;
}

/** `1`, or `1-2` when the values differ. */
function rangeOf(values: readonly number[]): string {
  const low = Math.min(...values);
  const high = Math.max(...values);
  return low === high ? String(low) : `${low}-${high}`;
}

/** A Markdown table whose columns line up in plain text too. */
function markdownTable(header: string[], rows: string[][], rightAligned: number[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const cell = (text: string, i: number) => (rightAligned.includes(i) ? text.padStart(widths[i]) : text.padEnd(widths[i]));
  const line = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (rightAligned.includes(i) ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}
