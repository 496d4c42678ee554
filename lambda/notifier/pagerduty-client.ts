/**
 * PagerDuty Events API v2: sends the events `pagerduty-events.ts` decided, adding the routing key.
 * 202 is accepted; 429 and 5xx (and the network) are retried; 400 fails with PagerDuty's reasons; any
 * text PagerDuty answers is cleared of the routing key before it reaches an error or a log line.
 */
import type { Clock } from '../clock';
import { parseRetryAfterSeconds } from '../retry';
import type { PagerDutyEventBody } from './pagerduty-events';
import { exchange, NotifierRequestError, REQUEST_TIMEOUT_MS, type RetryContext, withRetries } from './requests';

export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

export class PagerDutyClient {
  constructor(private readonly eventsUrl: string, private readonly clock: Clock) {}

  /** Sends one event; resolves with the attempts made. */
  async send(event: PagerDutyEventBody, routingKey: string, context: RetryContext): Promise<{ attempts: number }> {
    const body = JSON.stringify({ routing_key: routingKey, ...event });
    const target = `pagerduty ${event.event_action}`;
    const { attempts } = await withRetries(target, context, async (attempt) => {
      const answer = await exchange(target, this.eventsUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body }, Math.min(REQUEST_TIMEOUT_MS, attempt.timeLeftMs()), this.clock);
      if (answer.status >= 200 && answer.status < 300) return;
      const reason = reasonOf(answer.body).replaceAll(routingKey, '[routing key]').slice(0, 500);
      throw new NotifierRequestError(target, `${answer.status} ${reason}`, {
        retryable: answer.status === 429 || answer.status >= 500,
        status: answer.status,
        retryAfterSeconds: parseRetryAfterSeconds(answer.headers.get('retry-after'), this.clock.now()),
      });
    });
    return { attempts };
  }
}

/** PagerDuty's `message` and `errors` (`Event object is invalid: Length of 'routing_key' is incorrect`). */
function reasonOf(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown; errors?: unknown };
    const errors = Array.isArray(parsed.errors) ? parsed.errors.filter((e) => typeof e === 'string') : [];
    const message = typeof parsed.message === 'string' ? parsed.message : 'no message';
    return errors.length > 0 ? `${message}: ${errors.join('; ')}` : message;
  } catch {
    return body.length === 0 ? 'no body' : 'a body that is not JSON';
  }
}
