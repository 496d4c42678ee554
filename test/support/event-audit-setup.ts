/**
 * Jest setup (`setupFilesAfterEnv`): every poller harness's EventBridge stand-in is put under the
 * event-contract audit of `event-audit.ts`, and each test fails on an event published against the
 * schema while it ran (events published in a `beforeAll` fail the file's first test).
 */
import { reportContractViolations } from './event-audit';

jest.mock('../../local-aws/poller-harness', () => {
  const actual = jest.requireActual('../../local-aws/poller-harness');
  const { auditEventContract } = jest.requireActual('./event-audit');
  return {
    ...actual,
    startPollerHarness: async (...args: unknown[]) => {
      const harness = await actual.startPollerHarness(...args);
      auditEventContract(harness.eventBridge);
      return harness;
    },
  };
});

afterEach(reportContractViolations);
afterAll(reportContractViolations);
