/**
 * SNS `Publish` (awsQuery) to the notifier's topics, retried while SNS throttles or fails.
 */
import { resolveEndpoint } from '../endpoints';
import { arnRegion, AwsRequester } from './aws-request';
import { REQUEST_TIMEOUT_MS, type RetryContext, withRetries } from './requests';

export interface SnsMessage {
  readonly topicArn: string;
  readonly message: string;
  /** For e-mail subscribers; omitted for chat. */
  readonly subject?: string;
}

export class SnsPublisher {
  constructor(private readonly requester: AwsRequester) {}

  /** Publishes; resolves with SNS's MessageId and the attempts made. */
  async publish(message: SnsMessage, context: RetryContext): Promise<{ messageId: string; attempts: number }> {
    const region = arnRegion(message.topicArn);
    const target = { service: 'sns', region, endpoint: resolveEndpoint('SNS', `https://sns.${region}.amazonaws.com`) };
    const form = new URLSearchParams({ Action: 'Publish', Version: '2010-03-31', TopicArn: message.topicArn, Message: message.message });
    if (message.subject !== undefined) form.set('Subject', message.subject);
    const { value, attempts } = await withRetries('sns Publish', context, async (attempt) => {
      const answer = await this.requester.post(target, 'Publish', { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, form.toString(),
        Math.min(REQUEST_TIMEOUT_MS, attempt.timeLeftMs()), (failed) => ({ code: xmlText(failed.body, 'Code') ?? 'UnknownError', message: xmlText(failed.body, 'Message') ?? '' }));
      return xmlText(answer.body, 'MessageId') ?? '';
    });
    return { messageId: value, attempts };
  }
}

function xmlText(xml: string, element: string): string | undefined {
  return new RegExp(`<${element}>([^<]*)</${element}>`).exec(xml)?.[1];
}
