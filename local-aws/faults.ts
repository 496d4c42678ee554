/**
 * One fault-injection mechanism shared by every local stand-in: a test queues faults, the server asks
 * for the fault to apply to each request it receives.
 */

export type Fault =
  /** Answer with this AWS error (encoded in the server's protocol). */
  | { kind: 'error'; status: number; type: string; message?: string; retryAfterSeconds?: number; fields?: Record<string, unknown> }
  /** Delay, then serve normally. */
  | { kind: 'latency'; ms: number }
  /** Never answer (until the server closes). */
  | { kind: 'hang' }
  /** Answer with this raw body (default status 200). */
  | { kind: 'malformed'; status?: number; body: string };

export interface FaultOptions {
  /** Operation the fault applies to, e.g. 'ListCases', 'PutEvents', 'PutItem'; omitted = any. */
  operation?: string;
  /** How many matching requests get the fault (default 1; `Infinity` for every one). */
  times?: number;
  /** Let this many matching requests pass before the fault applies (default 0). */
  skip?: number;
}

interface QueuedFault {
  fault: Fault;
  operation?: string;
  remaining: number;
  skip: number;
}

export class FaultInjector {
  /** Latency added to every request (the bench uses it). */
  public fixedLatencyMs = 0;
  /** Called with each fault as a request takes it (the soak counts the faults that fired). */
  public onTake?: (fault: Fault, operation: string) => void;

  private readonly queue: QueuedFault[] = [];

  /** Queue a fault for the next matching request(s). */
  public add(fault: Fault, opts: FaultOptions = {}): this {
    const times = opts.times ?? 1;
    if (!(times >= 1)) throw new Error(`times must be at least 1, got ${times}`);
    this.queue.push({ fault, operation: opts.operation, remaining: times, skip: opts.skip ?? 0 });
    return this;
  }

  /**
   * The fault to apply to a request for `operation`, if any; consumes one use. Queued faults are
   * considered in the order added; one still skipping counts this request as passed and lets the
   * next queued fault decide.
   */
  public take(operation: string): Fault | undefined {
    for (let i = 0; i < this.queue.length; i++) {
      const queued = this.queue[i];
      if (queued.operation !== undefined && queued.operation !== operation) continue;
      if (queued.skip > 0) {
        queued.skip--;
        continue;
      }
      queued.remaining--;
      if (queued.remaining <= 0) this.queue.splice(i, 1);
      this.onTake?.(queued.fault, operation);
      return queued.fault;
    }
    return undefined;
  }

  /** Faults still queued (not yet consumed). */
  public get pending(): number {
    return this.queue.length;
  }

  /** Drop every queued fault (`fixedLatencyMs` is configuration and stays). */
  public clear(): void {
    this.queue.length = 0;
  }
}
