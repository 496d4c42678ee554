/**
 * `npm run demo` end to end: the script, run as a user runs it, drives the bundled handler against
 * the local stand-ins and prints every detail-type; then the fast-path scene, where Security IR's
 * own events reach the handler; `--json` prints events a subscriber could parse.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CASE_AWAITING_CUSTOMER_DETAIL_TYPE, CASE_WATCHER_DETAIL_TYPES } from '../../lib/events';
import { ensureBundle } from '../../local-aws/poller-harness';

interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const REPO_ROOT = join(__dirname, '..', '..');
const EVENT_LINE = /^\d\d:\d\d:\d\d {2}(Security IR Case [A-Za-z ]+?) +(\d{10,32}) {2}/;
const POLL_LINE = /^poll (\d+): (\d+) cases?, \d+ ListCases calls?, (\d+) events?/;
const FAST_PATH_SUFFIX = /\(fast path: (\d+) ms after the change\)$/;
const HINT_LINE = /^hint (Case [A-Za-z ]+?) (\d{10,32}): (\d+) events?(?: \(\d+ PutEvents calls?\))?, (\d+) GetCase calls?, DynamoDB (\d+) reads? \/ (\d+) writes?(.*)$/;

function runDemo(args: string[]): Promise<Finished> {
  return new Promise((resolve) => {
    // Colour must be off because stdout is a pipe, not because of NO_COLOR.
    const { NO_COLOR: _ignored, ...env } = process.env;
    execFile('npx', ['tsx', 'scripts/demo.ts', ...args], { cwd: REPO_ROOT, timeout: 50_000, env }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

const lines = (output: string) => output.split('\n');

describe('npm run demo', () => {
  let plain: Promise<Finished>;
  let json: Promise<Finished>;

  beforeAll(() => {
    ensureBundle(); // once, before two processes would race to build it
    plain = runDemo(['--polls', '6', '--interval-ms', '100']); // the default second between polls only makes it slower
    json = runDemo(['--polls', '4', '--interval-ms', '100', '--json']);
  });
  afterAll(async () => {
    await Promise.all([plain, json]);
  });

  test('the README\'s sample is what the demo prints (its poll and hint lines, timings aside)', async () => {
    const run = await plain;
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const sample = /```\n(poll 1:[\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const untimed = (line: string) => line.replace(/, \d+ ms\b/, ', <ms>');
    const printed = new Set(lines(run.stdout).map(untimed));
    const shown = lines(sample).filter((l) => HINT_LINE.test(l) || (POLL_LINE.test(l) && Number(POLL_LINE.exec(l)![1]) <= 6)).map(untimed);
    expect(shown.length).toBeGreaterThanOrEqual(4);
    expect(shown.filter((line) => !printed.has(line))).toEqual([]);
  });

  test('--polls 6 prints an event of each detail-type, one line per poll, and exits 0', async () => {
    const run = await plain;
    expect({ code: run.code, stderr: run.code === 0 ? '' : run.stderr }).toEqual({ code: 0, stderr: '' });

    const events = lines(run.stdout).filter((l) => !FAST_PATH_SUFFIX.test(l)).flatMap((l) => {
      const m = EVENT_LINE.exec(l);
      return m ? [{ detailType: m[1], caseId: m[2] }] : [];
    });
    // Every detail-type: the reminder after an hour of waiting (aged in the state), then how long the wait held.
    expect(new Set(events.map((e) => e.detailType))).toEqual(new Set(CASE_WATCHER_DETAIL_TYPES));
    const shown = lines(run.stdout).filter((l) => l.includes(`  1000000101  `)).map((l) => l.replace(/^\S+\s+/, '').replace(/\s{2,}/g, ' | '));
    expect(shown).toEqual(expect.arrayContaining([
      `${CASE_AWAITING_CUSTOMER_DETAIL_TYPE} | 1000000101 | Suspicious IAM activity | still waiting on the customer: 1 h 1 min`,
      'Security IR Case Pending Action Changed | 1000000101 | Suspicious IAM activity | Customer -> None (after 1 h 1 min)',
    ]));

    const polls = lines(run.stdout).flatMap((l) => {
      const m = POLL_LINE.exec(l);
      return m ? [{ poll: Number(m[1]), cases: Number(m[2]), events: Number(m[3]) }] : [];
    });
    expect(polls.map((p) => p.poll)).toEqual([1, 2, 3, 4, 5, 6]);
    // The baseline publishes nothing; the handler's own count agrees with the lines printed.
    expect(polls[0].events).toBe(0);
    expect(polls.reduce((sum, p) => sum + p.events, 0)).toBe(events.length);
    // Not a terminal: no colour codes.
    expect(run.stdout).not.toContain('\u001b[');
  });

  test('the fast-path scene: each Security IR event reaches the handler, events print their latency, a comment publishes nothing', async () => {
    const run = await plain;
    expect(run.code).toBe(0);
    expect(run.stderr).not.toMatch(/warn/i);

    const fastPathEvents = lines(run.stdout).flatMap((l) => {
      const event = EVENT_LINE.exec(l);
      const latency = FAST_PATH_SUFFIX.exec(l);
      return event && latency ? [{ detailType: event[1], caseId: event[2], latencyMs: Number(latency[1]) }] : [];
    });
    expect(fastPathEvents).toEqual([
      { detailType: 'Security IR Case Created', caseId: '1000000104', latencyMs: expect.any(Number) },
      { detailType: 'Security IR Case Status Changed', caseId: '1000000104', latencyMs: expect.any(Number) },
      { detailType: 'Security IR Case Pending Action Changed', caseId: '1000000104', latencyMs: expect.any(Number) },
    ]);

    const hints = lines(run.stdout).flatMap((l) => {
      const m = HINT_LINE.exec(l);
      return m ? [{ nativeDetailType: m[1], caseId: m[2], events: Number(m[3]), getCase: Number(m[4]), reads: Number(m[5]), writes: Number(m[6]), rest: m[7] }] : [];
    });
    const published = { caseId: '1000000104', events: 1, getCase: 1, reads: 2, writes: 4, rest: '' };
    expect(hints).toEqual([
      { nativeDetailType: 'Case Created', ...published },
      { nativeDetailType: 'Case Updated', ...published },
      { nativeDetailType: 'Case Updated', ...published },
      // The comment: one GetCase and one read, nothing written or published.
      { nativeDetailType: 'Case Comment Added', caseId: '1000000104', events: 0, getCase: 1, reads: 1, writes: 0, rest: ' (no status or pending action changed: nothing published)' },
    ]);
  });

  test('each event is told to people: what Slack, e-mail and PagerDuty show is printed under it', async () => {
    const run = await plain;
    const out = lines(run.stdout);
    const events = out.filter((l) => EVENT_LINE.test(l)).length;
    const told = (prefix: string) => out.filter((l) => l.startsWith(`    ${prefix}`));
    // One chat message and one e-mail per event (the first of each in full), PagerDuty for waits and their end.
    expect([told('Slack').length, told('e-mail').length]).toEqual([events, events]);
    expect(out).toContain('      Case 1000000101: `Suspicious IAM activity`');
    expect(told('PagerDuty').map((l) => l.replace(/\):.*$/, ')'))).toEqual([
      '    PagerDuty  trigger security-ir/1000000101/awaiting-customer (incident #1 triggered)',
      // the reminder: the same incident (its dedup key), not a second page
      '    PagerDuty  trigger security-ir/1000000101/awaiting-customer (incident #1 triggered, 2 triggers folded into it)',
      '    PagerDuty  resolve security-ir/1000000101/awaiting-customer (incident #1 resolved, 2 triggers folded into it)',
      '    PagerDuty  trigger security-ir/1000000104/awaiting-customer (incident #2 triggered)',
    ]);
    expect(out.filter((l) => l.includes('notification failed'))).toEqual([]);
  });

  test('--json prints every event as a parseable EventBridge event', async () => {
    const run = await json;
    expect(run.code).toBe(0);

    const eventLines = lines(run.stdout).filter((l) => EVENT_LINE.test(l));
    const parsed = lines(run.stdout).filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    expect(eventLines.length).toBeGreaterThan(0);
    expect(parsed).toHaveLength(eventLines.length);
    parsed.forEach((event, i) => {
      const [, detailType, caseId] = EVENT_LINE.exec(eventLines[i])!;
      expect(event).toMatchObject({
        'source': 'security-ir.case-watcher',
        'detail-type': detailType,
        'resources': [`arn:aws:security-ir:us-east-1:111122223333:case/${caseId}`],
        'detail': { schemaVersion: 1, caseId, observedAt: event.time },
      });
      expect(event.detail.changeId).toMatch(/^[0-9a-f]{16,}$/);
    });
  });
});
