/**
 * One invocation of the real handler code, instrumented at its I/O points: its state store and its
 * EventBridge client are wrapped so the soak can pause it, change the world under it, end its time,
 * kill its process, and record what EventBridge accepted from it and which cases it recorded.
 */
import type { PutEventsCommand, PutEventsCommandOutput } from '@aws-sdk/client-eventbridge';
import type { CaseState } from '../../lambda/case-state';
import type { PutEventsSender } from '../../lambda/publisher';
import type { WatcherStore } from '../../local-aws/poller-harness';
import type { CaseEventDetail } from '../../lib/events';
import type { CrashPoint, HookPoint, Run, WorldChange } from './history';
import type { VirtualClock } from '../support/virtual-clock';

/** What an instrumented run reports to, and takes from, the history it is part of. */
export interface RunContext {
  readonly clock: VirtualClock;
  readonly eventBridge: PutEventsSender;
  applyChange(change: WorldChange): void;
  countFault(kind: string): void;
  /** EventBridge accepted this event from a run (called in the order the answers come). */
  delivered(delivery: Delivery): void;
  /** Right after a case write went through: the soak checks it against what EventBridge accepted. */
  caseRecorded(caseId: string, state: CaseState, runId: number): void;
  /** After every intent write, landed or not: the soak reads which intents are live. */
  intentsWritten(): Promise<void>;
  /** After every write of cases with nothing to announce, landed or not: the soak notes where their chains start. */
  silentlyRecorded(caseIds: readonly string[]): Promise<void>;
}

/** How a run takes part in an overlap. */
export interface OverlapRole {
  /** Stop just before this point, call `onPause`, and go on once `resume` resolves. */
  readonly pauseAt?: HookPoint;
  readonly onPause?: () => void;
  readonly resume?: Promise<void>;
  /** Called when this run finds the lease taken. */
  readonly onBusy?: () => void;
}

/** One event EventBridge accepted from a run. */
export interface Delivery {
  readonly runId: number;
  readonly detailType: string;
  readonly detail: CaseEventDetail;
}

/** What one invocation did, as far as the soak's checks need it. */
export interface RunRecord {
  readonly id: number;
  /** `poll`, or `hint <caseId>`; `(retry)` for Lambda's second invocation of the same event. */
  readonly label: string;
  /** Cases with an event this run sent that EventBridge did not accept from it. */
  readonly rejectedCases: Set<string>;
  /** Cases this run recorded (its conditional case write went through). */
  readonly recordedCases: Set<string>;
  crashed: boolean;
  timedOut: boolean;
  /** The invocation's error, when it failed. */
  error?: string;
}

/** The process of the run is gone: every later request of it fails. */
export class SimulatedCrash extends Error {
  constructor(at: CrashPoint | 'earlier') {
    super(`simulated crash ${at}`);
    this.name = 'SimulatedCrash';
  }
}

/** An invocation gets the function's timeout from its start. */
export const RUN_TIMEOUT_MS = 30_000;

export class InstrumentedRun {
  readonly record: RunRecord;
  readonly deadline: number;
  private readonly reached = new Set<HookPoint>();
  private caseWrites = 0;

  constructor(
    private readonly context: RunContext,
    private readonly run: Run,
    id: number,
    label: string,
    private readonly role: OverlapRole = {},
  ) {
    this.record = { id, label, rejectedCases: new Set(), recordedCases: new Set(), crashed: false, timedOut: false };
    this.deadline = context.clock.now() + RUN_TIMEOUT_MS;
  }

  wrapStore(store: WatcherStore): WatcherStore {
    const leased = async (take: () => Promise<boolean>) => {
      await this.before('lease');
      const taken = await take();
      if (!taken) this.role.onBusy?.();
      if (taken) this.crashIf('after-lease');
      return taken;
    };
    return {
      getMeta: () => this.alive(() => store.getMeta()),
      acquireLease: (owner, opts) => leased(() => store.acquireLease(owner, opts)),
      acquireLeaseAtGeneration: (owner, opts) => leased(() => store.acquireLeaseAtGeneration(owner, opts)),
      loadCases: async () => {
        await this.before('load');
        return store.loadCases();
      },
      readCase: async (caseId, deadline) => {
        await this.before('load');
        return store.readCase(caseId, deadline);
      },
      putCasesInBatches: async (writes, deadline) => {
        try {
          await this.alive(() => store.putCasesInBatches(writes, deadline));
        } finally {
          await this.context.silentlyRecorded(writes.map((w) => w.caseId));
        }
      },
      putIntents: async (intents, deadline) => {
        await this.before('intents');
        try {
          if (this.crashes('mid-intents')) {
            await store.putIntents(intents.slice(0, Math.floor(intents.length / 2)), deadline);
            this.crashIf('mid-intents');
          }
          await store.putIntents(intents, deadline);
        } finally {
          await this.context.intentsWritten();
        }
        this.crashIf('after-intents');
      },
      putCase: async (write) => {
        await this.before('record');
        if (this.caseWrites++ === this.crashAfterRecords()) this.crashIf('mid-record');
        const written = await store.putCase(write);
        if (written) {
          this.record.recordedCases.add(write.caseId);
          this.context.caseRecorded(write.caseId, write.state, this.record.id);
        }
        return written;
      },
      releaseLease: async (owner: string, opts?: { listedAt?: number; digest?: string }) => {
        await this.before('release');
        this.crashIf('before-release');
        return store.releaseLease(owner, opts);
      },
    };
  }

  /** The run's EventBridge client: records what each PutEvents request got accepted. */
  eventBridgeClient(): PutEventsSender {
    return {
      send: async (command: PutEventsCommand, options?: { abortSignal?: AbortSignal }): Promise<PutEventsCommandOutput> => {
        await this.before('publish');
        const entries = (command.input.Entries ?? []).map((entry) => ({ detailType: entry.DetailType!, detail: JSON.parse(entry.Detail!) as CaseEventDetail }));
        let output: PutEventsCommandOutput;
        try {
          output = await this.context.eventBridge.send(command, options);
        } catch (error) {
          entries.forEach((entry) => this.record.rejectedCases.add(entry.detail.caseId));
          throw error;
        }
        entries.forEach((entry, index) => {
          const result = output.Entries?.[index];
          if (result?.EventId && !result.ErrorCode) {
            this.context.delivered({ runId: this.record.id, ...entry });
          } else {
            this.record.rejectedCases.add(entry.detail.caseId);
          }
        });
        this.crashIf('after-publish');
        return output;
      },
    };
  }

  /** Notes how the invocation ended. */
  finish(error: { name: string; message: string } | undefined): void {
    if (error) this.record.error = `${error.name}: ${error.message}`;
  }

  /**
   * Just before a request at `point`: fails if the process is gone; the first time there, pauses
   * (overlap), applies the change planned for that moment, and ends the invocation's time.
   */
  private async before(point: HookPoint): Promise<void> {
    this.assertAlive();
    if (this.reached.has(point)) return;
    this.reached.add(point);
    if (this.role.pauseAt === point) {
      this.role.onPause?.();
      await this.role.resume;
    }
    if (this.run.during?.at === point) this.context.applyChange(this.run.during.change);
    for (const fault of this.run.faults) {
      if (fault.fault === 'timeout' && fault.at === point) {
        this.context.clock.advanceTo(this.deadline - fault.leftMs);
        this.record.timedOut = true;
        this.context.countFault(`timeout at ${point}, ${fault.leftMs} ms left`);
      }
    }
    this.assertAlive();
  }

  private async alive<T>(request: () => Promise<T>): Promise<T> {
    this.assertAlive();
    return request();
  }

  private assertAlive(): void {
    if (this.record.crashed) throw new SimulatedCrash('earlier');
  }

  private crashes(at: CrashPoint): boolean {
    return this.run.faults.some((f) => f.fault === 'crash' && f.at === at);
  }

  /** How many case writes go through before a `mid-record` crash (none planned: never). */
  private crashAfterRecords(): number {
    const fault = this.run.faults.find((f) => f.fault === 'crash' && f.at === 'mid-record');
    return fault?.fault === 'crash' ? fault.after : -1;
  }

  private crashIf(at: CrashPoint): void {
    if (this.record.crashed || !this.crashes(at)) return;
    this.record.crashed = true;
    this.context.countFault(`crash ${at}`);
    throw new SimulatedCrash(at);
  }
}
