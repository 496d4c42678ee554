/**
 * Once per `npm test`, before any test file: the switches every process of the local tooling gets
 * (inherited by jest's workers and what they start), the bundled handler built and the library
 * compiled with jsii if their inputs are newer (once, rather than by several test files racing in
 * parallel workers), the event schemas generated if the contract is newer, and one line saying which Node.js the bundled handler runs on.
 */
import { describeLambdaNode, LOCAL_PROCESS_ENV } from '../../local-aws/lambda-process';
import { ensureBundle } from '../../local-aws/poller-harness';
import { ensureEventSchemas } from '../../scripts/event-schemas/files';
import { ensureLibraryCompiled } from './library-build';

export default function globalSetup(): void {
  Object.assign(process.env, LOCAL_PROCESS_ENV);
  ensureBundle();
  ensureEventSchemas();
  ensureLibraryCompiled();
  process.stdout.write(`\n${describeLambdaNode()}\n`);
}
