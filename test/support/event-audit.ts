/**
 * The event contract checked on every event the watcher really publishes in the suite: a stand-in
 * under audit validates each entry it accepts, as it accepts it, against the shipped schema documents
 * (`dist/schemas`), and the test during which an invalid one was accepted fails (from `afterEach`,
 * naming the event and what is wrong with it).
 *
 * `event-audit-setup.ts` puts the EventBridge stand-in of every poller harness under audit (the
 * poll, the fast path, the bundled handler and the soak's histories all publish through one); a test
 * that starts a bare stand-in for the watcher calls `auditEventContract` itself. Tests that put
 * hand-made entries on a bare stand-in (the publisher's, the stand-in's own) are not audited.
 */
import { TEST_ACCOUNT_ID, TEST_REGION } from '../../local-aws/credentials';
import { AcceptedEvent, deliveredEvent, EventBridgeSimulator } from '../../local-aws/eventbridge-simulator';

const violations: string[] = [];
let audited = 0;

/** Validates every entry `eventBridge` accepts from now on, as delivered in `account` and `region`. */
export function auditEventContract(eventBridge: EventBridgeSimulator, account = TEST_ACCOUNT_ID, region = TEST_REGION): void {
  // Loaded here, not at the top: every test file loads this module (the jest setup), and ajv takes
  // about 0.3 s to load; only the files that start a stand-in under audit need it.
  const { shippedEventValidator } = require('./event-schemas') as typeof import('./event-schemas');
  const validator = shippedEventValidator();
  eventBridge.observeAccepted((event: AcceptedEvent) => {
    audited++;
    const delivered = deliveredEvent(event, account, region);
    const problems = validator.problems(delivered);
    if (problems.length > 0) violations.push(`${event.DetailType} ${JSON.stringify(event.Detail)}:\n    ${problems.join('\n    ')}`);
  });
}

/** How many accepted events this test file has validated so far. */
export function auditedEventCount(): number {
  return audited;
}

/** Throws the violations found since the last call (and forgets them). */
export function reportContractViolations(): void {
  if (violations.length === 0) return;
  const found = violations.splice(0);
  throw new Error(`${found.length} event(s) published against the event contract's schema:\n  ${found.join('\n  ')}`);
}
