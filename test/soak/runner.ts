/**
 * Drives soak histories through the real handler code (in process, the harness's poller and fast
 * path) against the Security IR and EventBridge simulators and dynalite: a first poll, the
 * history's steps, then two clean polls. Returns the trace the invariants judge; what can only
 * be checked while it happens (a case recorded ahead of EventBridge) is checked on the way.
 */
import { DeleteItemCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { CaseState } from '../../lambda/case-state';
import { TEST_CREDENTIALS, TEST_REGION } from '../../local-aws/credentials';
import { type HintRun, type PollerHarness, type PollRun, startPollerHarness } from '../../local-aws/poller-harness';
import { type History, MAX_SLOTS, type Run, type Settings, type Step, type WorldChange } from './history';
import { type Delivery, InstrumentedRun, type OverlapRole, type RunContext, type RunRecord, RUN_TIMEOUT_MS } from './instrumented-run';
import { recordedAheadProblems } from './invariants';
import { describeState, isReminder, transitionOf, type Transition, type Values } from './model';
import { ServiceFaults } from './service-faults';
import { VirtualClock } from '../support/virtual-clock';
import type { Trace } from './trace';

export type { Trace } from './trace';
import { caseIdOfSlot, SoakWorld, StatesByCase } from './world';



export class SoakRunner {
  private constructor(
    private readonly h: PollerHarness,
    private readonly clock: VirtualClock,
    private readonly eventBridge: EventBridgeClient,
    private readonly dynamoDb: DynamoDBClient,
    private readonly faults: ServiceFaults,
  ) {}

  static async start(): Promise<SoakRunner> {
    const h = await startPollerHarness();
    const clock = new VirtualClock();
    // Security IR on the same timeline as the watcher (its stamps, and the signatures it checks):
    // one clock for the whole soak, as one real clock serves both in production.
    Object.defineProperty(h.securityIr, 'clockOffsetMs', { get: () => clock.now() - Date.now(), set: () => undefined, configurable: true });
    const clientConfig = { region: TEST_REGION, credentials: TEST_CREDENTIALS };
    return new SoakRunner(
      h,
      clock,
      new EventBridgeClient({ ...clientConfig, endpoint: h.eventBridge.url, maxAttempts: 1 /* as the handler's client: the retries are the publisher's */ }),
      new DynamoDBClient({ ...clientConfig, endpoint: h.dynamoDb.url }),
      new ServiceFaults(h),
    );
  }

  async run(history: History): Promise<Trace> {
    await this.reset();
    return new HistoryExecution(this.h, this.clock, this.eventBridge, this.faults).execute(history);
  }

  async close(): Promise<void> {
    this.eventBridge.destroy();
    this.dynamoDb.destroy();
    await this.h.close();
  }

  /** A history starts with no case, no event, no fault and an empty table. */
  private async reset(): Promise<void> {
    this.faults.clear();
    this.faults.resetCounts();
    const { securityIr } = this.h;
    securityIr.cases.length = 0;
    securityIr.unlisted.clear();
    securityIr.nativeEvents.length = 0;
    const { Items = [] } = await this.dynamoDb.send(new ScanCommand({ TableName: this.h.tableName }));
    await Promise.all(Items.map((item) => this.dynamoDb.send(new DeleteItemCommand({ TableName: this.h.tableName, Key: { pk: item.pk, sk: item.sk } }))));
    this.h.resetRecords();
  }
}

type Target = { readonly kind: 'poll' } | { readonly kind: 'hint'; readonly caseId: string };

/** One history's run: the RunContext its instrumented runs report to. */
class HistoryExecution implements RunContext {
  private readonly world: SoakWorld;
  private readonly announced = new StatesByCase();
  private readonly starts = new Map<string, Values>();
  private settings!: Settings;
  private finalPollAt = 0;
  private finalRecorded: ReadonlyMap<string, CaseState> = new Map();
  private readonly runs: RunRecord[] = [];
  private readonly deliveries: Delivery[] = [];
  private readonly problems: string[] = [];

  constructor(
    private readonly h: PollerHarness,
    readonly clock: VirtualClock,
    readonly eventBridge: EventBridgeClient,
    private readonly faults: ServiceFaults,
  ) {
    this.world = new SoakWorld(h.securityIr);
  }

  async execute(history: History): Promise<Trace> {
    this.settings = history.settings;
    history.initialCases.slice(0, MAX_SLOTS).forEach((c, slot) => this.world.create(caseIdOfSlot(slot), c.caseStatus, c.pendingAction));
    const steps: Step[] = [{ step: 'run', run: history.firstPoll }, ...history.steps];
    for (const [index, step] of steps.entries()) {
      await this.step(step);
      this.faults.clear();
      await this.checkRecordedState(index === 0 ? 'after the first poll' : `after step ${index} (${step.step})`);
    }
    await this.finish();
    return {
      starts: this.starts,
      finalStates: new Map(this.world.caseIds().map((caseId) => [caseId, this.world.current(caseId)!])),
      observed: this.world.observed,
      announced: this.announced,
      deliveries: this.deliveries,
      acceptedAtEventBridge: this.h.eventBridge.events.length,
      runs: this.runs,
      problems: this.problems,
      faultsFired: new Map(this.faults.fired),
      reminderMinutes: this.settings.awaitingCustomerReminderMinutes ?? [],
      finalPollAt: this.finalPollAt,
      finalRecorded: this.finalRecorded,
    };
  }

  // RunContext

  applyChange(change: WorldChange): void {
    this.world.apply(change);
  }

  countFault(kind: string): void {
    this.faults.count(kind);
  }

  delivered(delivery: Delivery): void {
    this.deliveries.push(delivery);
  }

  caseRecorded(caseId: string, state: CaseState, runId: number): void {
    for (const problem of recordedAheadProblems(caseId, this.starts.get(caseId), this.acceptedTransitions(), state)) {
      this.problems.push(`run ${runId} recorded ${describeState(state)}: ${problem}`);
    }
  }

  async intentsWritten(): Promise<void> {
    const { cases } = await this.h.readState();
    for (const [caseId, recorded] of cases) {
      recorded.pending?.forEach((state) => this.announced.add(caseId, state));
    }
  }

  async silentlyRecorded(caseIds: readonly string[]): Promise<void> {
    const { cases } = await this.h.readState();
    for (const caseId of caseIds.filter((id) => !this.starts.has(id))) {
      const recorded = cases.get(caseId);
      if (recorded && recorded.version > 0) this.starts.set(caseId, { caseStatus: recorded.caseStatus, pendingAction: recorded.pendingAction });
    }
  }

  // Steps

  private async step(step: Step): Promise<void> {
    switch (step.step) {
      case 'world':
        step.changes.forEach((change) => this.world.apply(change));
        return;
      case 'time':
        this.clock.advance(step.advanceMs);
        return;
      case 'run':
        await this.invoke(step.run);
        return;
      case 'together':
        await Promise.all(step.runs.map((run) => this.invoke(run)));
        return;
      case 'overlap': {
        const [firstStopped, firstGo, secondStopped, secondGo] = [latch(), latch(), latch(), latch()];
        const first = this.invoke(step.first, { pauseAt: step.pauseAt, onPause: firstStopped.open, resume: firstGo.opened, onBusy: secondGo.open })
          .finally(() => {
            firstStopped.open();
            secondGo.open();
          });
        await firstStopped.opened;
        const second = this.invoke(step.second, { pauseAt: step.secondPauseAt, onPause: secondStopped.open, resume: secondGo.opened, onBusy: firstGo.open })
          .finally(() => {
            secondStopped.open();
            firstGo.open();
          });
        await secondStopped.opened;
        firstGo.open();
        await first;
        secondGo.open();
        await second;
        return;
      }
    }
  }

  /** One invocation for the run's trigger, and Lambda's second one with the same event when it fails. */
  private async invoke(run: Run, role?: OverlapRole): Promise<void> {
    const target = this.targetOf(run);
    // Faults at the stand-ins stay queued until the step ends: Lambda's retry may meet them too.
    this.faults.queue(run, target.kind === 'hint' ? target.caseId : undefined, this.world);
    const { error } = await this.invokeOnce(target, run, role);
    if (error && run.retried) {
      await this.invokeOnce(target, { trigger: run.trigger, faults: [], retried: false }, undefined, ' (retry)');
    }
  }

  private targetOf(run: Run): Target {
    if (run.trigger.trigger === 'poll') return { kind: 'poll' };
    return { kind: 'hint', caseId: this.world.takeHint(run.trigger.pick, run.trigger.keep) };
  }

  private async invokeOnce(target: Target, run: Run, role?: OverlapRole, suffix = ''): Promise<PollRun | HintRun> {
    const label = (target.kind === 'poll' ? 'poll' : `hint ${target.caseId}`) + suffix;
    const probe = new InstrumentedRun(this, run, this.runs.length + 1, label, role);
    this.runs.push(probe.record);
    const invocation = this.h.createPoller({
      clock: this.clock,
      settings: this.settings,
      wrapStore: (store) => probe.wrapStore(store),
      publisher: { client: probe.eventBridgeClient() },
    });
    const result = target.kind === 'poll' ? await invocation.poll(probe.deadline) : await invocation.hint(target.caseId, probe.deadline);
    probe.finish(result.error);
    return result;
  }

  /** Every recorded case must be one whose events EventBridge accepted. */
  private async checkRecordedState(when: string): Promise<void> {
    const { cases } = await this.h.readState();
    const accepted = this.acceptedTransitions();
    for (const [caseId, recorded] of cases) {
      if (recorded.version === 0) continue; // only an intent
      for (const problem of recordedAheadProblems(caseId, this.starts.get(caseId), accepted, recorded)) {
        this.problems.push(`${when}: ${problem}`);
      }
    }
  }

  /** Everything back in the listing, no fault, every lease expired: one poll must finish the work, a second find none. */
  private async finish(): Promise<void> {
    this.world.relistAll();
    this.clock.advance(RUN_TIMEOUT_MS + 1_000);
    this.finalPollAt = this.clock.now();
    const final = await this.cleanPoll('final poll');
    const quiet = await this.cleanPoll('second final poll');
    if (final.summary?.outcome !== 'succeeded') this.problems.push(`the final clean poll did not succeed: ${final.summary?.outcome ?? final.error?.message}`);
    if (quiet.summary?.eventsPublished !== 0) this.problems.push(`the poll after the final one published ${quiet.summary?.eventsPublished} events`);
    const { meta, cases } = await this.h.readState();
    if (!meta?.digest) this.problems.push('no digest after two clean polls');
    this.finalRecorded = cases;
    for (const caseId of this.world.caseIds()) {
      const current = this.world.current(caseId)!;
      const recorded = cases.get(caseId);
      if (!recorded || recorded.caseStatus !== current.caseStatus || recorded.pendingAction !== current.pendingAction) {
        this.problems.push(`case ${caseId} recorded as ${recorded ? describeState(recorded) : 'nothing'} at the end, but is ${describeState(current)}`);
      }
    }
  }

  private async cleanPoll(label: string): Promise<PollRun> {
    return (await this.invokeOnce({ kind: 'poll' }, { trigger: { trigger: 'poll' }, faults: [], retried: false }, undefined, ` [${label}]`)) as PollRun;
  }

  private acceptedTransitions(): Transition[] {
    return this.h.eventBridge.events.filter((e) => !isReminder(e.DetailType)).map((e) => transitionOf(e.DetailType, e.Detail));
  }
}

/** A promise opened once, from outside. */
function latch(): { open: () => void; opened: Promise<void> } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}
