import { ensureBundle, PollerHarness, startPollerHarness } from '../../local-aws/poller-harness';

/**
 * One harness (stand-ins, dynalite, the bundle built if stale) for every test of the calling file:
 * started before the first test, closed after the last. Returns the accessor the tests use.
 */
export function harnessPerFile(): () => PollerHarness {
  let harness: PollerHarness | undefined;
  beforeAll(async () => {
    ensureBundle();
    harness = await startPollerHarness();
  });
  afterAll(async () => {
    await harness?.close();
  });
  return () => harness!;
}
