/**
 * The demo's "tell people" part: every event the watcher publishes goes to the bundled notifier (as
 * SecurityIrCaseNotifications' rules deliver it with their defaults), against the SNS, Secrets
 * Manager and PagerDuty stand-ins, and the demo prints what Slack, the mailbox and PagerDuty show:
 * the first message of each destination in full, then one line per message.
 */
import { TEST_ACCOUNT_ID, TEST_REGION } from '../local-aws/credentials';
import { type AcceptedEvent, deliveredEvent } from '../local-aws/eventbridge-simulator';
import { type BundledNotifier, type NotificationStandIns, notifierEnvironment, startBundledNotifier, startNotificationStandIns } from '../local-aws/notifier-harness';
import type { SnsDelivery } from '../local-aws/sns-simulator';
import type { Palette } from './demo-format';

type Print = (line?: string) => void;

export interface DemoNotifications {
  /** Tells `events` to people and prints what each destination shows; resolves to the failed notifications. */
  tell(events: readonly AcceptedEvent[], print: Print, palette: Palette): Promise<number>;
  close(): Promise<void>;
}

export async function startDemoNotifications(): Promise<DemoNotifications> {
  const standIns: NotificationStandIns = await startNotificationStandIns();
  const notifier: BundledNotifier = await startBundledNotifier(notifierEnvironment(standIns, { PAGERDUTY_TRIGGER_ON_CREATED: 'false' }));
  const shownInFull = new Set<string>();
  return {
    async tell(events, print, palette) {
      let failures = 0;
      for (const event of events) {
        const [snsBefore, pagerDutyBefore] = [standIns.sns.deliveries.length, standIns.pagerDuty.accepted.length];
        const run = await notifier.invoke(deliveredEvent(event, TEST_ACCOUNT_ID, TEST_REGION));
        if (run.error) {
          failures++;
          print(palette.bold(`    notification failed: ${run.error.message}`));
          continue;
        }
        for (const delivery of standIns.sns.deliveries.slice(snsBefore)) {
          const full = !shownInFull.has(delivery.subscriber);
          shownInFull.add(delivery.subscriber);
          for (const line of delivery.subscriber === 'chat' ? slackLines(delivery, full) : emailLines(delivery, full)) print(palette.dim(line));
        }
        for (const sent of standIns.pagerDuty.accepted.slice(pagerDutyBefore)) {
          const incident = standIns.pagerDuty.incidents.filter((i) => i.dedupKey === sent.dedup_key).at(-1);
          const state = incident === undefined ? 'no incident' : `incident #${incident.number} ${incident.status}${incident.triggers > 1 ? `, ${incident.triggers} triggers folded into it` : ''}`;
          const summary = sent.payload === undefined ? '' : `: ${sent.payload.summary}`;
          print(palette.dim(`    PagerDuty  ${sent.event_action} ${sent.dedup_key} (${state})${summary}`));
        }
      }
      return failures;
    },
    async close() {
      await notifier.stop();
      await standIns.close();
    },
  };
}

/** What Slack shows: Slack's own escapes undone, the bidi isolation marks left out. */
function slackText(text: string): string {
  return text.replace(/[\u2068\u2069]/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function slackLines(delivery: SnsDelivery, full: boolean): string[] {
  const chat = delivery.chat;
  if (chat === undefined) return [`    Slack      (dropped by Amazon Q Developer: ${delivery.chatProblems?.join('; ')})`];
  const title = slackText(chat.content.title ?? '');
  if (!full) return [`    Slack      ${title}`];
  return [
    `    Slack      thread ${chat.metadata?.threadId}`,
    `      ${title}`,
    ...slackText(chat.content.description ?? '').split('\n').map((line) => `      ${line}`),
    ...(chat.content.nextSteps ?? []).map((step) => `      - ${step}`),
    `      keywords: ${(chat.content.keywords ?? []).join(', ')}`,
  ];
}

function emailLines(delivery: SnsDelivery, full: boolean): string[] {
  if (!full) return [`    e-mail     ${delivery.subject}`];
  return [`    e-mail     Subject: ${delivery.subject}`, ...delivery.message.split('\n').map((line) => (line === '' ? '' : `      ${line}`))];
}
