/**
 * A notice as an Amazon Q Developer in chat applications custom notification (the JSON its SNS topic
 * carries to Slack or Microsoft Teams): one thread per case (`metadata.threadId`), the headline in
 * words, the change and the case's facts in the description, next steps and keywords.
 *
 * `client-markdown` is the chat platform's own Markdown, so every value from the event is shown as
 * a code span (Slack and Teams show its text as typed: no bold, no link, no mention), with `&`, `<`
 * and `>` written as entities (Slack's escaping: without it `<!channel>` or `<@U123>` would ping, and
 * `<https://evil|click>` would be a link), backticks as a look-alike (so a title cannot end the span)
 * and the value isolated for bidi (a right-to-left title cannot reorder the text after it).
 *
 * Field limits: the AWS page "Custom notifications using Amazon Q Developer in chat applications"
 * (https://docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html) states limits for the
 * fields, but none of the copies we could read showed them. These are conservative picks, not
 * AWS's figures: title 250 characters, description 3,000 (Slack shows at most 3,000 characters of a
 * section's text), 5 next steps of 300, 10 keywords of 50, summary 250.
 */
import { type CaseStory, changeLine, headlineText } from './story';
import { cut } from './text';

export const CHAT_LIMITS = { title: 250, description: 3000, nextStep: 300, keyword: 50, summary: 250 } as const;

/** The custom-notification JSON (what is published as the SNS message). */
export interface ChatNotification {
  readonly version: '1.0';
  readonly source: 'custom';
  readonly id: string;
  readonly content: {
    readonly textType: 'client-markdown';
    readonly title: string;
    readonly description: string;
    readonly nextSteps: string[];
    readonly keywords: string[];
  };
  readonly metadata: {
    readonly threadId: string;
    readonly summary: string;
    readonly eventType: string;
    readonly relatedResources: string[];
    readonly additionalContext: Record<string, string>;
  };
}

const EMOJI: Readonly<Record<string, string>> = {
  'awaiting-customer': '\u{1F514}', // bell
  'reminder': '\u23F0', // alarm clock
  'no-longer-waiting': '\u2705', // check mark
  'created': '\u{1F195}', // NEW
  'closed': '\u{1F3C1}', // chequered flag
  'status-changed': '\u{1F504}', // arrows
  'pending-action-changed': '\u{1F504}',
};

const CASE_ARN = /^arn:aws[a-z-]*:security-ir:[a-z0-9-]+:\d{12}:case\/\d{10,32}$/;

/** Shrinking budgets (title, other values) tried in turn until the description fits: escaping can lengthen a value fivefold. */
const BUDGETS: readonly [number, number][] = [[300, 60], [150, 60], [80, 30], [40, 20]];

export function renderChat(story: CaseStory): ChatNotification {
  const threadId = story.caseArn !== null && CASE_ARN.test(story.caseArn) ? story.caseArn : `security-ir-case/${story.caseId}`;
  const headline = headlineText(story.headline, (v) => literal(cut(v, 60)));
  return {
    version: '1.0',
    source: 'custom',
    id: story.changeId,
    content: {
      textType: 'client-markdown',
      title: cut(`${EMOJI[story.tag] ?? ''} ${headline} \u00b7 case ${story.caseId}`.trim(), CHAT_LIMITS.title),
      description: fittingDescription(story),
      nextSteps: story.nextSteps.map((step) => cut(step, CHAT_LIMITS.nextStep)),
      keywords: ['SecurityIR', story.tag, `case-${story.caseId}`].map((k) => cut(k, CHAT_LIMITS.keyword)),
    },
    metadata: {
      threadId,
      summary: cut(`${headlineText(story.headline, (v) => escapeEntities(v).replace(/@/g, '@\u2060'))}: case ${story.caseId}`, CHAT_LIMITS.summary),
      eventType: story.detailType,
      relatedResources: story.caseArn !== null && CASE_ARN.test(story.caseArn) ? [story.caseArn] : [],
      additionalContext: { caseId: story.caseId, changeId: story.changeId },
    },
  };
}

function fittingDescription(story: CaseStory): string {
  for (const [titleMax, valueMax] of BUDGETS) {
    const text = description(story, titleMax, valueMax);
    if (text.length <= CHAT_LIMITS.description) return text;
  }
  // Unreachable with the budgets above (40 + 6 x 20 characters, each at most 5 when escaped, plus the fixed text).
  return cut(description(story, 40, 20), CHAT_LIMITS.description);
}

function description(story: CaseStory, titleMax: number, valueMax: number): string {
  const show = (value: string) => literal(cut(value, valueMax));
  const lines = [`Case ${story.caseId}: ${literal(cut(story.title, titleMax))}`];
  if (story.change !== undefined) lines.push(changeLine(story.change, show, '\u2192'));
  if (story.waited !== undefined) lines.push(`Waiting on you for ${story.waited}`);
  lines.push(
    `Status: ${show(story.status)} \u00b7 Pending action: ${show(story.pendingAction)}`,
    `Engagement: ${show(story.engagementType)} \u00b7 Resolver: ${show(story.resolverType)}`,
    `Observed: ${story.observed}`,
    `${story.link.label}: ${story.link.url}`,
  );
  return lines.join('\n');
}

/** A value from the event as inert text in the chat platform's Markdown (see the file's comment). */
export function literal(value: string): string {
  return `\`\u2068${escapeEntities(value.replace(/`/g, '\u02cb'))}\u2069\``;
}

function escapeEntities(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
