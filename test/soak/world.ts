/**
 * The soak's cases in the Security IR simulator: history changes applied by slot, each case's
 * versions (what a lagging read serves), and a record of what each read (ListCases, GetCase)
 * observed and of the Security IR events waiting to be delivered as hints.
 */
import { CASE_ID_PATTERN } from '../../lambda/case-identity';
import type { CaseState } from '../../lambda/case-state';
import type { SecurityIrSimulator, SimCase } from '../../local-aws/security-ir-simulator';
import { type HostileAnswer, MAX_SLOTS, type WorldChange } from './history';

/** The IDs of the slots' cases (a fresh table per history, so the same IDs every time). */
export const caseIdOfSlot = (slot: number) => `10000000${slot + 10}`;

/** A case's state as the watcher reads it from Security IR (dates as the client parses them). */
export function stateOf(c: SimCase): CaseState {
  return {
    caseStatus: c.caseStatus ?? null,
    pendingAction: c.pendingAction ?? null,
    lastUpdatedDate: c.lastUpdatedDate === undefined ? null : new Date(Math.round(c.lastUpdatedDate * 1000)).toISOString(),
  };
}

const keyOf = (s: CaseState) => `${s.lastUpdatedDate}|${s.caseStatus}|${s.pendingAction}`;

/** States by case, each state once. */
export class StatesByCase {
  private readonly byCase = new Map<string, Map<string, CaseState>>();

  add(caseId: string, state: CaseState): void {
    const states = this.byCase.get(caseId) ?? new Map<string, CaseState>();
    states.set(keyOf(state), state);
    this.byCase.set(caseId, states);
  }

  has(caseId: string, state: CaseState): boolean {
    return this.byCase.get(caseId)?.has(keyOf(state)) ?? false;
  }

  of(caseId: string): CaseState[] {
    return [...(this.byCase.get(caseId)?.values() ?? [])];
  }
}

export class SoakWorld {
  /** Every state a ListCases page or a GetCase answer served. */
  readonly observed = new StatesByCase();
  /** Case IDs of the Security IR events not yet delivered, oldest first. */
  readonly inbox: string[] = [];
  /** Each case as it was after each change, oldest first. */
  private readonly versions = new Map<string, SimCase[]>();
  /** Reads still to answer as a lagging replica. */
  private readonly lags: { operation: 'ListCases' | 'GetCase'; onLag: () => void }[] = [];
  private titleEdits = 0;
  private hostileItems = 0;

  constructor(private readonly securityIr: SecurityIrSimulator) {
    securityIr.onNativeEvent = (event) => this.inbox.push(event.detail.caseId);
    securityIr.servedAs = (operation, cases) => this.serve(operation, cases);
    securityIr.onCasesServed = (_operation, cases) => cases.forEach((c) => this.observed.add(c.caseId, stateOf(c)));
  }

  /** Cases that exist now, by ID (not the hostile items beside them, which are no cases). */
  caseIds(): string[] {
    return this.securityIr.cases.map((c) => c.caseId).filter((caseId) => CASE_ID_PATTERN.test(caseId));
  }

  current(caseId: string): CaseState | undefined {
    const found = this.securityIr.cases.find((c) => c.caseId === caseId);
    return found && stateOf(found);
  }

  /** The slot-th case that exists (modulo their number). */
  caseIdAt(slot: number): string {
    const ids = this.caseIds();
    return ids[slot % ids.length];
  }

  apply(change: WorldChange): void {
    if (change.change === 'create') {
      const slot = this.caseIds().length;
      if (slot < MAX_SLOTS) this.create(caseIdOfSlot(slot), change.caseStatus, change.pendingAction);
      return;
    }
    const caseId = this.caseIdAt(change.slot);
    switch (change.change) {
      case 'status':
        this.update(caseId, { caseStatus: change.caseStatus });
        break;
      case 'pendingAction':
        this.update(caseId, { pendingAction: change.pendingAction ?? undefined });
        break;
      case 'both':
        this.update(caseId, { caseStatus: change.caseStatus, pendingAction: change.pendingAction ?? undefined });
        break;
      case 'title':
        this.update(caseId, { title: `Edited title ${++this.titleEdits}` });
        break;
      case 'comment':
        this.securityIr.addComment(caseId);
        break;
      case 'unlist':
        this.securityIr.unlisted.add(caseId);
        break;
      case 'relist':
        this.securityIr.unlisted.delete(caseId);
        break;
      case 'hostile':
        this.hostile(caseId, change.answer);
        break;
    }
  }

  /** Security IR's time: the soak's one clock (the simulator follows it). */
  private nowSeconds(): number {
    return Math.round(Date.now() + this.securityIr.clockOffsetMs) / 1000;
  }

  private hostile(caseId: string, answer: HostileAnswer): void {
    const now = this.nowSeconds();
    switch (answer) {
      case 'badCaseId': {
        const id = this.hostileItems++ % 2 === 0 ? `INTENT#${caseId}` : '9'.repeat(2_000);
        if (!this.securityIr.cases.some((c) => c.caseId === id)) this.securityIr.addCase({ caseId: id });
        break;
      }
      case 'forwardDated':
      case 'skewed': {
        // Never before the case's current stamp, and the case's later changes are stamped after it
        // (the simulator keeps a case's dates increasing, which the judge's timeline relies on): a
        // stamp that goes back (5 minutes ahead after 10 years ahead) is the handler tests' case.
        const current = this.securityIr.cases.find((c) => c.caseId === caseId)?.lastUpdatedDate ?? 0;
        this.update(caseId, { lastUpdatedDate: Math.max(now + (answer === 'skewed' ? 300 : 10 * 365 * 86_400), current + 0.001) });
        break;
      }
      case 'oversizeTitle':
        this.update(caseId, { title: 'T'.repeat(300_000) });
        break;
      case 'foreignArn':
        this.update(caseId, { caseArn: `arn:aws:security-ir:us-east-1:999988887777:case/${caseId}` });
        break;
    }
  }

  create(caseId: string, caseStatus: string, pendingAction: string | null): void {
    const now = this.nowSeconds();
    this.changed(this.securityIr.addCase({ caseId, caseStatus, pendingAction: pendingAction ?? undefined, createdDate: now, lastUpdatedDate: now }));
  }

  /**
   * The next read of `operation` answers as a lagging replica would: each case as it was one change
   * ago (as it is, when it has not changed since it was created). `onLag` is called when it does.
   */
  lagNextRead(operation: 'ListCases' | 'GetCase', onLag: () => void): void {
    this.lags.push({ operation, onLag });
  }

  /** Reads serve the cases as they are. */
  stopLagging(): void {
    this.lags.length = 0;
  }

  private serve(operation: 'ListCases' | 'GetCase', cases: SimCase[]): SimCase[] {
    const lag = this.lags.findIndex((l) => l.operation === operation);
    if (lag < 0) return cases;
    this.lags.splice(lag, 1)[0].onLag();
    return cases.map((c) => {
      const versions = this.versions.get(c.caseId) ?? [c];
      return versions[Math.max(0, versions.length - 2)];
    });
  }

  /** Every case back in the listing. */
  relistAll(): void {
    this.securityIr.unlisted.clear();
  }

  /** The next hint to deliver: the `pick`-th queued event's case, or with none queued the pick-th case. */
  takeHint(pick: number, keep: boolean): string {
    if (this.inbox.length === 0) return this.caseIdAt(pick);
    const index = pick % this.inbox.length;
    const caseId = this.inbox[index];
    if (!keep) this.inbox.splice(index, 1);
    return caseId;
  }

  private update(caseId: string, patch: Partial<SimCase>): void {
    this.changed(this.securityIr.updateCase(caseId, patch));
  }

  private changed(c: SimCase): void {
    this.versions.set(c.caseId, [...(this.versions.get(c.caseId) ?? []), { ...c }]);
  }
}
