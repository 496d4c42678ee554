/** What the EventBridge stand-in accepted, as the tests compare it: the changeIds, in the order they came. */
import type { EventBridgeSimulator } from '../../local-aws/eventbridge-simulator';

export function acceptedChangeIds(eventBridge: Pick<EventBridgeSimulator, 'events'>): string[] {
  return eventBridge.events.map((e) => e.Detail.changeId as string);
}
