/**
 * Local stand-in for Amazon SNS `Publish` (awsQuery protocol, SigV4 signing name `sns`). It checks a
 * publish the way SNS does (the topic exists, `Message` is present and at most 256 KB, `Subject`
 * follows the e-mail rules) and records what each subscriber of the topic would receive:
 * - an e-mail subscriber: the subject and the plain-text body;
 * - Amazon Q Developer in chat applications (a topic marked `chat`): the message parsed as its
 *   custom-notification JSON, or why the chat application would drop it. SNS itself accepts such
 *   a message (it does not read it), so a bad one is not an SNS error: it is recorded as dropped.
 */
import { randomUUID } from 'node:crypto';
import { TEST_ACCOUNT_ID, TEST_CREDENTIALS, TEST_REGION } from './credentials';
import { FaultInjector } from './faults';
import {
  AccessKey,
  AwsServiceError,
  AwsSimServer,
  awsQueryProtocol,
  escapeXml,
  queryFormOf,
  RecordedCall,
  recordedCall,
  SimResponse,
  startAwsSimServer,
} from './http-server';

/** Who reads a topic: an e-mail (any text) subscriber, or a chat channel through Amazon Q Developer. */
export type TopicSubscriber = 'email' | 'chat';

/** One message as the topic's subscriber would receive it. */
export interface SnsDelivery {
  readonly topicArn: string;
  readonly messageId: string;
  readonly subscriber: TopicSubscriber;
  readonly subject?: string;
  readonly message: string;
  /** For a chat topic: the custom notification, when the chat application would show it. */
  readonly chat?: ChatNotification;
  /** For a chat topic: why the chat application would drop the message (nothing shown). */
  readonly chatProblems?: string[];
  /** `Date.now()` when SNS accepted it (after any added latency): the end of a delivery's latency. */
  readonly acceptedAt: number;
}

/** The Amazon Q Developer custom-notification fields the stand-in reads. */
export interface ChatNotification {
  readonly version: string;
  readonly source: string;
  readonly id?: string;
  readonly content: {
    readonly textType?: string;
    readonly title?: string;
    readonly description?: string;
    readonly nextSteps?: string[];
    readonly keywords?: string[];
  };
  readonly metadata?: {
    readonly threadId?: string;
    readonly summary?: string;
    readonly eventType?: string;
    readonly relatedResources?: string[];
    readonly additionalContext?: Record<string, string>;
  };
}

export interface SnsSimulator {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Action 'sns:Publish'. */
  readonly calls: RecordedCall[];
  readonly faults: FaultInjector;
  /** Every accepted message, in order, as its subscriber would receive it. */
  readonly deliveries: SnsDelivery[];
  /** Creates a topic (not on the wire: the stand-in is set up by its test) and returns its ARN. */
  createTopic(name: string, subscriber: TopicSubscriber): string;
  close(): Promise<void>;
}

/** SNS's own limits on `Publish`. */
export const MAX_MESSAGE_BYTES = 256 * 1024;
/** An e-mail subject must be shorter than 100 characters. */
export const MAX_SUBJECT_LENGTH = 99;

/**
 * The custom-notification limits the stand-in holds a chat message to. The AWS page ("Custom
 * notifications using Amazon Q Developer in chat applications",
 * https://docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html) states field limits,
 * but none of the copies available to us showed them: these are conservative picks (Slack shows at
 * most 3,000 characters of a section's text), the same the notifier renders within.
 */
export const CHAT_LIMITS = {
  title: 250,
  description: 3000,
  nextSteps: 5,
  nextStep: 300,
  keywords: 10,
  keyword: 50,
  summary: 250,
  threadId: 256,
} as const;

const XML_NS = 'http://sns.amazonaws.com/doc/2010-03-31/';
const TOPIC_ARN = /^arn:aws:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;

export async function startSnsSimulator(opts: { credentials?: AccessKey[] } = {}): Promise<SnsSimulator> {
  const calls: RecordedCall[] = [];
  const deliveries: SnsDelivery[] = [];
  const topics = new Map<string, TopicSubscriber>();
  const faults = new FaultInjector();
  const server: AwsSimServer = await startAwsSimServer({
    service: 'sns',
    credentials: opts.credentials ?? [TEST_CREDENTIALS],
    protocol: awsQueryProtocol(XML_NS),
    faults,
    operationOf: (req) => (req.method === 'POST' && req.path === '/' ? queryFormOf(req).get('Action') ?? undefined : undefined),
    handle: (req, operation) => {
      if (operation !== 'Publish') {
        throw new AwsServiceError(400, 'InvalidAction', `Could not find operation ${operation}`);
      }
      const form = queryFormOf(req);
      if (form.get('Version') !== '2010-03-31') {
        throw new AwsServiceError(400, 'InvalidParameterValue', 'Version must be 2010-03-31');
      }
      return publish(form);
    },
    record: (outcome) => calls.push(recordedCall(outcome, 'sns')),
  });

  function publish(form: URLSearchParams): SimResponse {
    const topicArn = form.get('TopicArn') ?? '';
    if (!TOPIC_ARN.test(topicArn)) {
      throw new AwsServiceError(400, 'InvalidParameter', 'Invalid parameter: TopicArn');
    }
    const subscriber = topics.get(topicArn);
    if (subscriber === undefined) {
      throw new AwsServiceError(404, 'NotFound', 'Topic does not exist');
    }
    const message = form.get('Message');
    if (message === null || message === '') {
      throw new AwsServiceError(400, 'InvalidParameter', 'Invalid parameter: Empty message');
    }
    if (Buffer.byteLength(message, 'utf8') > MAX_MESSAGE_BYTES) {
      throw new AwsServiceError(400, 'InvalidParameter', 'Invalid parameter: Message too long');
    }
    const subject = form.get('Subject') ?? undefined;
    const subjectProblem = subject === undefined ? undefined : subjectProblemOf(subject);
    if (subjectProblem !== undefined) {
      throw new AwsServiceError(400, 'InvalidParameter', `Invalid parameter: Subject (${subjectProblem})`);
    }
    const messageId = randomUUID();
    const delivery: SnsDelivery = subscriber === 'chat'
      ? { ...chatDelivery(message), topicArn, messageId, subscriber, subject, message, acceptedAt: Date.now() }
      : { topicArn, messageId, subscriber, subject, message, acceptedAt: Date.now() };
    deliveries.push(delivery);
    return {
      status: 200,
      headers: { 'content-type': 'text/xml' },
      body: `<PublishResponse xmlns="${XML_NS}"><PublishResult><MessageId>${escapeXml(messageId)}</MessageId></PublishResult>`
        + `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`,
    };
  }

  return {
    url: server.url,
    calls,
    faults,
    deliveries,
    createTopic(name, subscriber) {
      const arn = `arn:aws:sns:${TEST_REGION}:${TEST_ACCOUNT_ID}:${name}`;
      topics.set(arn, subscriber);
      return arn;
    },
    close: () => server.close(),
  };
}

/**
 * Why SNS refuses a subject, or undefined. The stricter of AWS's two wordings: ASCII only (older
 * pages), no line breaks or control characters, not empty, fewer than 100 characters.
 */
export function subjectProblemOf(subject: string): string | undefined {
  if (subject.length === 0) return 'empty';
  if (subject.length > MAX_SUBJECT_LENGTH) return `${subject.length} characters, at most ${MAX_SUBJECT_LENGTH}`;
  if (/[^\x20-\x7e]/.test(subject)) return 'characters other than printable ASCII';
  if (/^\s/.test(subject)) return 'starts with white space';
  return undefined;
}

function chatDelivery(message: string): { chat?: ChatNotification; chatProblems?: string[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return { chatProblems: ['the message is not JSON'] };
  }
  const problems = chatNotificationProblems(parsed);
  return problems.length === 0 ? { chat: parsed as ChatNotification } : { chatProblems: problems };
}

/** Why Amazon Q Developer would not show `value` as a custom notification (empty: it would). */
export function chatNotificationProblems(value: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(value)) return ['the message is not a JSON object'];
  if (value.version !== '1.0') problems.push('version must be "1.0"');
  if (value.source !== 'custom') problems.push('source must be "custom"');
  if (value.id !== undefined && typeof value.id !== 'string') problems.push('id must be a string');
  const content = value.content;
  if (!isObject(content)) {
    problems.push('content must be an object');
  } else {
    if (content.textType !== undefined && content.textType !== 'client-markdown') problems.push('content.textType must be "client-markdown"');
    text(content, 'title', CHAT_LIMITS.title, 'content', problems);
    text(content, 'description', CHAT_LIMITS.description, 'content', problems);
    if (content.title === undefined && content.description === undefined) problems.push('content needs a title or a description');
    list(content, 'nextSteps', CHAT_LIMITS.nextSteps, CHAT_LIMITS.nextStep, 'content', problems);
    list(content, 'keywords', CHAT_LIMITS.keywords, CHAT_LIMITS.keyword, 'content', problems);
  }
  const metadata = value.metadata;
  if (metadata !== undefined) {
    if (!isObject(metadata)) {
      problems.push('metadata must be an object');
    } else {
      text(metadata, 'threadId', CHAT_LIMITS.threadId, 'metadata', problems);
      text(metadata, 'summary', CHAT_LIMITS.summary, 'metadata', problems);
      text(metadata, 'eventType', CHAT_LIMITS.summary, 'metadata', problems);
      list(metadata, 'relatedResources', 20, 2048, 'metadata', problems);
      const context = metadata.additionalContext;
      if (context !== undefined && (!isObject(context) || Object.values(context).some((v) => typeof v !== 'string'))) {
        problems.push('metadata.additionalContext must map keys to strings');
      }
    }
  }
  return problems;
}

function text(object: Record<string, unknown>, key: string, max: number, where: string, problems: string[]): void {
  const value = object[key];
  if (value === undefined) return;
  if (typeof value !== 'string') problems.push(`${where}.${key} must be a string`);
  else if ([...value].length > max) problems.push(`${where}.${key} has ${[...value].length} characters, at most ${max}`);
  else if (/\p{Cs}/u.test(value) || /[\u0000-\u0008\u000b-\u001f\u007f]/.test(value)) problems.push(`${where}.${key} has a lone surrogate or a control character`);
}

function list(object: Record<string, unknown>, key: string, maxItems: number, maxItem: number, where: string, problems: string[]): void {
  const value = object[key];
  if (value === undefined) return;
  if (!Array.isArray(value)) {
    problems.push(`${where}.${key} must be an array`);
    return;
  }
  if (value.length > maxItems) problems.push(`${where}.${key} has ${value.length} items, at most ${maxItems}`);
  value.forEach((_, index) => text(value as unknown as Record<string, unknown>, String(index), maxItem, `${where}.${key}`, problems));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
