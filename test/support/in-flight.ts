/**
 * A fake SDK client whose `send` takes a moment to answer and records how many requests were in
 * flight at once: enough to show a module keeps within its concurrency limit.
 */
export interface InFlightRecorder<C, R> {
  send(command: C): Promise<R>;
  /** The commands sent, in order. */
  readonly sent: C[];
  /** The most requests that were in flight at the same time. */
  readonly maxInFlight: number;
}

export function inFlightRecorder<C, R>(respond: (command: C) => R): InFlightRecorder<C, R> {
  let inFlight = 0;
  const recorder = {
    sent: [] as C[],
    maxInFlight: 0,
    async send(command: C): Promise<R> {
      recorder.sent.push(command);
      inFlight++;
      recorder.maxInFlight = Math.max(recorder.maxInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 1));
      inFlight--;
      return respond(command);
    },
  };
  return recorder;
}
