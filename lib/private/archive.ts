import { Annotations, Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { busElsewhere } from './event-bus';
import { ValidationError } from './validation-error';

export const DEFAULT_ARCHIVE_RETENTION = Duration.days(30);

/**
 * The archive of the watcher's own events (its source only) on its bus, from which a subscriber that
 * failed replays a time window back to the same bus. A bus of another account or region cannot get
 * an archive from this stack: by default the watcher skips it with a warning; `archive: true` is
 * refused there.
 */
export function createArchive(scope: Construct, eventBus: events.IEventBus, eventSource: string, requested: boolean | undefined, retention: Duration): events.Archive | undefined {
  if (requested === false) return undefined;
  const elsewhere = busElsewhere(scope, eventBus);
  if (elsewhere !== undefined) {
    const why = `the eventBus is in ${elsewhere}, where this stack cannot create an archive: its owner creates one there (README, "Replay")`;
    if (requested === true) throw new ValidationError(`archive: ${why}; leave archive out or set it to false`, scope);
    Annotations.of(scope).addWarningV2('cdk-security-ir-case-watcher:noArchiveOnBusElsewhere', `No archive of the case events: ${why}.`);
    return undefined;
  }
  return new events.Archive(scope, 'Archive', {
    sourceEventBus: eventBus,
    eventPattern: { source: [eventSource] },
    retention,
    description: 'The Security IR case watcher\'s events, for replaying a time window to a subscriber that failed',
  });
}

export function validateArchiveRetention(scope: Construct, retention: Duration): void {
  if (retention.isUnresolved()) return;
  const days = retention.toMilliseconds() / Duration.days(1).toMilliseconds();
  if (!Number.isInteger(days) || days < 1) {
    throw new ValidationError(`archiveRetention must be a whole number of days, at least 1, got ${retention.toHumanString()}`, scope);
  }
}
