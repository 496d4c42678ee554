/**
 * What a soak adds up (histories, steps, faults met by kind, transitions delivered, duplicates by
 * cause, lost states) and how it is printed, with the reproduction of a failing history.
 */
import type { History } from './history';
import type { Verdict } from './invariants';

export interface SoakFailure {
  /** The shrunk history, as data a test can pin. */
  readonly history: History;
  readonly violations: readonly string[];
  /** fast-check's path to it: with the seed, replays it exactly (`--seed S --path P`). */
  readonly path: string;
  readonly shrinks: number;
}

export interface SoakReport {
  readonly seed: number;
  readonly histories: number;
  readonly faultFreeHistories: number;
  readonly steps: number;
  readonly faults: ReadonlyMap<string, number>;
  readonly transitionsDelivered: number;
  readonly remindersDelivered: number;
  readonly duplicates: ReadonlyMap<string, number>;
  readonly lost: number;
  readonly elapsedMs: number;
  readonly failure?: SoakFailure;
}

export class SoakTally {
  histories = 0;
  faultFreeHistories = 0;
  steps = 0;
  transitionsDelivered = 0;
  remindersDelivered = 0;
  lost = 0;
  readonly faults = new Map<string, number>();
  readonly duplicates = new Map<string, number>();

  add(history: History, faultsFired: ReadonlyMap<string, number>, verdict: Verdict): void {
    this.histories++;
    this.steps += history.steps.length;
    this.transitionsDelivered += verdict.transitionsDelivered;
    this.remindersDelivered += verdict.remindersDelivered;
    this.lost += verdict.lost;
    if (verdict.faultFree) this.faultFreeHistories++;
    addAll(this.faults, faultsFired);
    addAll(this.duplicates, verdict.duplicates);
  }
}

function addAll(into: Map<string, number>, from: ReadonlyMap<string, number>): void {
  for (const [key, n] of from) into.set(key, (into.get(key) ?? 0) + n);
}

export function formatReport(report: SoakReport): string {
  const total = (m: ReadonlyMap<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  const lines = [
    `soak: seed ${report.seed}, ${report.histories} histories (${report.faultFreeHistories} met no fault), ${report.steps} steps, ${(report.elapsedMs / 1000).toFixed(1)} s`,
    `faults met: ${total(report.faults)}`,
    ...sorted(report.faults).map(([kind, n]) => `  ${String(n).padStart(6)}  ${kind}`),
    `transitions delivered: ${report.transitionsDelivered}`,
    `reminders delivered: ${report.remindersDelivered}`,
    `duplicates: ${total(report.duplicates)}`,
    ...sorted(report.duplicates).map(([cause, n]) => `  ${String(n).padStart(6)}  ${cause}`),
    `lost transitions: ${report.lost}`,
  ];
  if (report.failure) lines.push('', formatFailure(report.seed, report.failure));
  return lines.join('\n');
}

export function formatFailure(seed: number, failure: SoakFailure): string {
  return [
    `FAILED (seed ${seed}, path ${JSON.stringify(failure.path)}, after ${failure.shrinks} shrinks):`,
    ...failure.violations.map((v) => `  - ${v}`),
    'Replay: npm run soak -- --seed ' + seed + ` --path ${JSON.stringify(failure.path)}`,
    'Reproduction to pin in test/soak/soak.test.ts:',
    formatHistory(failure.history),
  ].join('\n');
}

/** A history as a literal, one step a line. */
export function formatHistory(history: History): string {
  return [
    '{',
    `  settings: ${JSON.stringify(history.settings)},`,
    `  initialCases: ${JSON.stringify(history.initialCases)},`,
    `  firstPoll: ${JSON.stringify(history.firstPoll)},`,
    '  steps: [',
    ...history.steps.map((step) => `    ${JSON.stringify(step)},`),
    '  ],',
    '}',
  ].join('\n');
}

function sorted(m: ReadonlyMap<string, number>): [string, number][] {
  return [...m.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}
