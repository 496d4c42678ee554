import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Where the bundled handler may be, relative to this file: `lib/private/` in the repository during
 * development (`../../dist/handler`), `dist/lib/private/` in the published package (`../../handler`).
 */
export const HANDLER_ASSET_CANDIDATES: readonly string[] = [
  path.join(__dirname, '..', '..', 'dist', 'handler'),
  path.join(__dirname, '..', '..', 'handler'),
];

/** The file every candidate directory must hold: the one-file bundle whose `handler` export Lambda runs. */
export const HANDLER_ENTRY_FILE = 'index.js';

/** The first candidate directory that holds the bundled handler; throws how to build it if none does. */
export function locateHandlerAsset(candidates: readonly string[] = HANDLER_ASSET_CANDIDATES): string {
  const found = candidates.find((dir) => fs.existsSync(path.join(dir, HANDLER_ENTRY_FILE)));
  if (found === undefined) {
    throw new Error(
      `The bundled Lambda handler (${HANDLER_ENTRY_FILE}) was not found in ` +
        `${candidates.join(' or ')}. Run \`npm run bundle\` (or \`npm run build\`) first.`,
    );
  }
  return found;
}
