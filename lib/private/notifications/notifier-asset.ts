import * as path from 'node:path';
import { locateHandlerAsset } from '../handler-asset';

/**
 * Where the notifier's bundle may be, relative to this file: `lib/private/notifications/` in the
 * repository (`../../../dist/notifier`), `dist/lib/private/notifications/` in the published package
 * (`../../../notifier`).
 */
const NOTIFIER_ASSET_CANDIDATES: readonly string[] = [
  path.join(__dirname, '..', '..', '..', 'dist', 'notifier'),
  path.join(__dirname, '..', '..', '..', 'notifier'),
];

/** The folder holding the notifier's one-file bundle; throws how to build it if there is none. */
export function locateNotifierAsset(): string {
  return locateHandlerAsset(NOTIFIER_ASSET_CANDIDATES);
}
