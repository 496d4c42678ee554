/**
 * One event to every destination: read and check it, tell its story once, render it per
 * destination and send each (concurrently: a slow PagerDuty does not hold the chat message back).
 * A destination that fails after its retries fails the invocation, so Lambda retries the event and
 * at last puts it in the dead-letter queue; the destinations that succeeded are not rolled back (a
 * retry repeats them: see "Duplicates" in docs/design.md).
 */
import type { Clock } from '../clock';
import { describeError } from '../strings';
import { readCaseEvent } from './case-event';
import { renderChat } from './chat-message';
import type { NotifierConfig } from './config';
import { renderEmail } from './email-message';
import type { PagerDutyClient } from './pagerduty-client';
import { pagerDutyEvents } from './pagerduty-events';
import { DELIVERY_RETRY_POLICY, type RetryContext } from './requests';
import type { RoutingKeyReader } from './secret-reader';
import type { SnsPublisher } from './sns-publisher';
import { tell } from './story';

export type Destination = 'chat' | 'email' | 'pagerduty';

export interface Delivery {
  readonly destination: Destination;
  /** `skipped`: nothing to send there for this change (PagerDuty hears only of waits, closures and, if chosen, new cases). */
  readonly outcome: 'sent' | 'skipped' | 'failed';
  /** Requests made, retries included. */
  readonly requests: number;
  readonly error?: string;
}

export interface NotificationSummary {
  readonly outcome: 'delivered' | 'failed';
  readonly caseId: string;
  readonly changeId: string;
  readonly detailType: string;
  readonly deliveries: readonly Delivery[];
  readonly durationMs: number;
}

/** Some destination could not be told after its retries: the invocation fails so that Lambda retries it. */
export class NotificationFailedError extends Error {
  constructor(readonly summary: NotificationSummary) {
    const failed = summary.deliveries.filter((d) => d.outcome === 'failed');
    super(`Case ${summary.caseId} change ${summary.changeId}: ${failed.map((d) => `${d.destination} failed (${d.error})`).join('; ')}`);
    this.name = 'NotificationFailedError';
  }
}

export interface NotifierDependencies {
  readonly sns: SnsPublisher;
  readonly pagerDuty?: { readonly client: PagerDutyClient; readonly routingKeys: RoutingKeyReader };
  readonly clock: Clock;
}

export class Notifier {
  constructor(private readonly config: NotifierConfig, private readonly deps: NotifierDependencies) {}

  /** Tells every destination about `event`; throws `InvalidCaseEventError` for garbage, `NotificationFailedError` when a destination failed. */
  async notify(event: unknown, deadline: number): Promise<NotificationSummary> {
    const started = this.deps.clock.now();
    const notice = readCaseEvent(event, this.config.eventSource);
    const story = tell(notice, this.config.caseUrlTemplate);
    const context: RetryContext = { clock: this.deps.clock, deadline, policy: DELIVERY_RETRY_POLICY };
    const sends: Promise<Delivery>[] = [];
    const { chatTopicArn, emailTopicArn, pagerDuty } = this.config;
    if (chatTopicArn !== undefined) {
      sends.push(this.deliver('chat', async () => [(await this.deps.sns.publish({ topicArn: chatTopicArn, message: JSON.stringify(renderChat(story)) }, context)).attempts]));
    }
    if (emailTopicArn !== undefined) {
      const { subject, body } = renderEmail(story);
      sends.push(this.deliver('email', async () => [(await this.deps.sns.publish({ topicArn: emailTopicArn, subject, message: body }, context)).attempts]));
    }
    if (pagerDuty !== undefined && this.deps.pagerDuty !== undefined) {
      const { client, routingKeys } = this.deps.pagerDuty;
      const events = pagerDutyEvents(story, pagerDuty, notice.observedAt);
      sends.push(this.deliver('pagerduty', async () => {
        if (events.length === 0) return [];
        const key = await routingKeys.routingKey(context);
        const attempts: number[] = [];
        for (const pagerDutyEvent of events) attempts.push((await client.send(pagerDutyEvent, key, context)).attempts);
        return attempts;
      }));
    }
    const deliveries = await Promise.all(sends);
    const summary: NotificationSummary = {
      outcome: deliveries.some((d) => d.outcome === 'failed') ? 'failed' : 'delivered',
      caseId: notice.caseId,
      changeId: notice.changeId,
      detailType: notice.detailType,
      deliveries,
      durationMs: this.deps.clock.now() - started,
    };
    if (summary.outcome === 'failed') throw new NotificationFailedError(summary);
    return summary;
  }

  /** Runs one destination's sends; resolves (never rejects) with how it went. */
  private async deliver(destination: Destination, send: () => Promise<number[]>): Promise<Delivery> {
    try {
      const attempts = await send();
      return { destination, outcome: attempts.length === 0 ? 'skipped' : 'sent', requests: attempts.reduce((a, b) => a + b, 0) };
    } catch (error) {
      return { destination, outcome: 'failed', requests: 0, error: describeError(error) };
    }
  }
}
