/**
 * The bench's report: the machine it ran on and its figures as Markdown tables, ready for
 * `bench/RESULTS.md` and the README's Performance section.
 */
import { availableParallelism, cpus, release, totalmem } from 'node:os';
import type { BundleStats } from './bundle-stats';

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

/** A Markdown table whose columns line up in plain text too. */
function markdownTable(header: string[], rows: string[][], rightAligned: number[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const cell = (text: string, i: number) => (rightAligned.includes(i) ? text.padStart(widths[i]) : text.padEnd(widths[i]));
  const line = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (rightAligned.includes(i) ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}
