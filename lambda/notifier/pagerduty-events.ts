/**
 * What a notice asks of PagerDuty (Events API v2), decided here and nowhere else: `trigger` when a
 * case starts waiting on the customer (a reminder triggers again: PagerDuty folds it into the open
 * incident), and on creation when chosen; `resolve` when it stops waiting or closes. One `dedup_key`
 * per case and reason, so a retry, a duplicate delivery or a reminder never opens a second incident,
 * while a new waiting period after a resolve opens a new one. Pure: the routing key is added by the
 * client that sends, so no event built here carries it.
 */
import type { CaseStory } from './story';
import { changeLine, headlineText } from './story';
import { cut } from './text';

export type PagerDutyReason = 'awaiting-customer' | 'created';

/** An Events API v2 event without its `routing_key`. */
export interface PagerDutyEventBody {
  readonly event_action: 'trigger' | 'resolve';
  readonly dedup_key: string;
  readonly payload?: {
    readonly summary: string;
    readonly source: string;
    readonly severity: string;
    readonly timestamp: string;
    readonly component: string;
    readonly group: string;
    readonly class: string;
    readonly custom_details: Record<string, string | string[]>;
  };
  readonly client?: string;
  readonly client_url?: string;
  readonly links?: { href: string; text: string }[];
}

export interface PagerDutySettings {
  readonly severity: string;
  /** Whether a new case triggers an incident of its own (resolved when the case closes). */
  readonly triggerOnCreated: boolean;
}

/** PagerDuty's limit on `payload.summary`. */
export const MAX_SUMMARY_LENGTH = 1024;

export function dedupKey(caseId: string, reason: PagerDutyReason): string {
  return `security-ir/${caseId}/${reason}`;
}

/** The events to send for `story`, in order (none for a change PagerDuty need not hear about). */
export function pagerDutyEvents(story: CaseStory, settings: PagerDutySettings, observedAt: string): PagerDutyEventBody[] {
  const trigger = (reason: PagerDutyReason) => triggerEvent(story, reason, settings.severity, observedAt);
  const resolve = (reason: PagerDutyReason): PagerDutyEventBody => ({ event_action: 'resolve', dedup_key: dedupKey(story.caseId, reason) });
  switch (story.tag) {
    case 'awaiting-customer':
    case 'reminder':
      return [trigger('awaiting-customer')];
    case 'no-longer-waiting':
      return [resolve('awaiting-customer')];
    case 'closed':
      return settings.triggerOnCreated ? [resolve('awaiting-customer'), resolve('created')] : [resolve('awaiting-customer')];
    case 'created':
      return [
        ...(settings.triggerOnCreated ? [trigger('created')] : []),
        ...(story.pendingAction === 'Customer' ? [trigger('awaiting-customer')] : []),
      ];
    default:
      return [];
  }
}

function triggerEvent(story: CaseStory, reason: PagerDutyReason, severity: string, observedAt: string): PagerDutyEventBody {
  const headline = reason === 'created' ? 'New Security IR case' : headlineText(story.headline);
  return {
    event_action: 'trigger',
    dedup_key: dedupKey(story.caseId, reason),
    payload: {
      summary: cut(`${headline}: Security IR case ${story.caseId} - ${story.title}`, MAX_SUMMARY_LENGTH),
      source: story.caseArn ?? `security-ir case ${story.caseId}`,
      severity,
      timestamp: observedAt,
      component: 'AWS Security Incident Response',
      group: `case ${story.caseId}`,
      class: story.engagementType,
      custom_details: {
        'case ID': story.caseId,
        'title': story.title,
        ...(story.change === undefined ? {} : { change: changeLine(story.change) }),
        ...(story.waited === undefined ? {} : { 'waiting on you for': story.waited }),
        'status': story.status,
        'pending action': story.pendingAction,
        'engagement type': story.engagementType,
        'resolver type': story.resolverType,
        'observed': story.observed,
        'next steps': [...story.nextSteps],
        'change ID': story.changeId,
      },
    },
    client: 'Security IR case watcher',
    client_url: story.link.url,
    links: [{ href: story.link.url, text: story.link.label }],
  };
}
