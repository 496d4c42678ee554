/** A promise a test opens once, from outside: to force one order of events between concurrent runs. */
export interface Latch {
  open(): void;
  readonly opened: Promise<void>;
}

export function latch(): Latch {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}
