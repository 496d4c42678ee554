import { Stack, Token } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { CaseEventStream } from './case-event-rules';

/** What a watcher's events look like to a rule: bus, source, watched account and region. */
const published = new WeakMap<IConstruct, string>();

/**
 * Two watchers of one app that watch the same account and region and publish with the same source
 * on the same bus would publish every transition twice, and their rules could not tell them apart.
 * Checked when the app is complete (`node.addValidation`), so each of the two names the other,
 * whichever was created first. Stacks whose environment is only known at deploy time may be deployed
 * to different accounts: watchers in two such stacks are not judged.
 */
export function requireDistinguishable(watcher: Construct, stream: CaseEventStream): void {
  const stack = Stack.of(watcher);
  published.set(watcher, JSON.stringify(stack.resolve([stream.eventBus.eventBusArn, stream.eventSource, stream.watched.account, stream.watched.region])));
  watcher.node.addValidation({
    validate: () => watcher.node.root.node.findAll()
      .filter((other) => other !== watcher && published.get(other) === published.get(watcher) && comparable(stack, Stack.of(other)))
      .map((twin) =>
        `This watcher and ${twin.node.path} watch the same account and region and publish with the same eventSource on the same ` +
          'bus: every transition would be published twice and their rules could not tell them apart. Give one of them ' +
          'another eventSource or eventBus, or remove one.'),
  });
}

function comparable(a: Stack, b: Stack): boolean {
  const known = (s: Stack) => !Token.isUnresolved(s.account) && !Token.isUnresolved(s.region);
  return a === b || (known(a) && known(b));
}
