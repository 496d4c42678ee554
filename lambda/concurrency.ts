/**
 * Runs `task` over `items` with at most `concurrency` tasks in flight, in input order. Every task
 * runs (or is skipped by its own check) even when another fails; the first error is thrown once all
 * have settled, so no write or request is left half-observed.
 */
export async function forEachConcurrently<T>(items: readonly T[], concurrency: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      try {
        await task(item);
      } catch (error) {
        errors.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  if (errors.length > 0) {
    throw errors[0];
  }
}
