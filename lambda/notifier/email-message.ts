/**
 * A notice as an e-mail (any SNS text subscriber): a subject SNS accepts that still names the case
 * and what happened, and a plain-text body of short lines that reads well on a phone.
 */
import { type CaseStory, changeLine, headlineText } from './story';
import { asciiOnly } from './text';

/** SNS: an e-mail subject must be shorter than 100 characters. */
export const MAX_SUBJECT_LENGTH = 99;

export interface EmailMessage {
  readonly subject: string;
  readonly body: string;
}

export function renderEmail(story: CaseStory): EmailMessage {
  return { subject: subject(story), body: body(story) };
}

/**
 * `Security IR case 1234567890: AWS is waiting on you - <title>`, printable ASCII only (the stricter
 * of SNS's two wordings), cut with `...` to fit: the case and what happened come first, so a cut
 * only ever shortens the title.
 */
function subject(story: CaseStory): string {
  const head = `Security IR case ${story.caseId}: ${asciiOnly(headlineText(story.headline))}`;
  const title = asciiOnly(story.title);
  const full = title === '' ? head : `${head} - ${title}`;
  return full.length <= MAX_SUBJECT_LENGTH ? full : `${full.slice(0, MAX_SUBJECT_LENGTH - 3).trimEnd()}...`;
}

function body(story: CaseStory): string {
  const facts = [
    `Status: ${story.status}`,
    `Pending action: ${story.pendingAction}`,
    `Engagement: ${story.engagementType}`,
    `Resolver: ${story.resolverType}`,
    `Observed: ${story.observed}`,
  ];
  return [
    headlineText(story.headline),
    '',
    `Case ${story.caseId}`,
    story.title,
    '',
    ...(story.change === undefined ? [] : [changeLine(story.change), '']),
    ...(story.waited === undefined ? [] : [`Waiting on you for ${story.waited}`, '']),
    ...facts,
    '',
    'Next steps:',
    ...story.nextSteps.map((step) => `- ${step}`),
    '',
    story.link.label,
    story.link.url,
    '',
    `Change ID ${story.changeId}: a repeated delivery of this change carries the same ID.`,
  ].join('\n');
}
