/**
 * What the scripts' command lines share: the usage error, whole-number options, and the exit codes
 * (2 for a usage error, printed with the usage; 1 for any other error, printed with its stack).
 */
export class UsageError extends Error {}

/** The option's value as a whole number of at least `min`, or `fallback` when it was not given. */
export function wholeNumber(flag: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`${flag} must be a whole number of at least ${min}, got '${value}'`);
  return n;
}

/** Runs `main` and sets the process's exit code from what it returns or throws. */
export function runCli(main: () => Promise<number>, usage: string): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      process.stderr.write(`${error instanceof UsageError ? `${error.message}\n${usage}` : error?.stack ?? error}\n`);
      process.exitCode = error instanceof UsageError ? 2 : 1;
    },
  );
}
