/**
 * `npm run schemas`: generates the EventBridge schema-registry documents of every detail-type from
 * the event contract (`lib/events.ts`) into `dist/schemas/`. Part of `npm run build`.
 */
import { relative } from 'node:path';
import { runCli } from './cli';
import { CONTRACT_FILE, SCHEMAS_DIR, writeEventSchemas } from './event-schemas/files';

runCli(async () => {
  const files = writeEventSchemas();
  console.log(`${relative(process.cwd(), CONTRACT_FILE)} -> ${relative(process.cwd(), SCHEMAS_DIR)}/{${files.join(',')}}`);
  return 0;
}, 'usage: npm run schemas');
