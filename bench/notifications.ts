/**
 * The notifier's latency: from an event's delivery to the bundled notifier (its invoke) to SNS
 * accepting the chat and the e-mail message and PagerDuty accepting its event, against the floor of
 * one request each (the destinations are told concurrently, and the routing key is cached after the
 * container's first read). Events alternate between a case starting to wait on the customer (chat,
 * e-mail, a PagerDuty trigger) and one no longer waiting (chat, e-mail, a resolve).
 */
import { CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE, DEFAULT_EVENT_SOURCE } from '../lib/events';
import { notifierEnvironment, startBundledNotifier, startNotificationStandIns } from '../local-aws/notifier-harness';
import { type Percentiles, percentiles } from './latency';

/** Events handled first and left out: the first loads code and reads the routing key. */
export const NOTIFY_WARM_UP = 5;

export interface NotifySample {
  readonly chatMs: number;
  readonly emailMs: number;
  readonly pagerDutyMs: number;
  readonly returnedMs: number;
  readonly requests: number;
  readonly error?: string;
}

export interface NotifyResult {
  readonly samples: readonly NotifySample[];
  readonly chat: Percentiles;
  readonly email: Percentiles;
  readonly pagerDuty: Percentiles;
  readonly returned: Percentiles;
  /** Requests per event (SNS and PagerDuty, the warm secret read excluded): the minimum is 3. */
  readonly requestsMin: number;
  readonly requestsMax: number;
}

export async function benchNotifications(events: number, latencyMs: number, progress: (message: string) => void): Promise<NotifyResult> {
  const standIns = await startNotificationStandIns();
  const notifier = await startBundledNotifier(notifierEnvironment(standIns));
  try {
    for (const faults of [standIns.sns.faults, standIns.secrets.faults, standIns.pagerDuty.faults]) faults.fixedLatencyMs = latencyMs;
    progress(`notify: ${NOTIFY_WARM_UP} warm-up events, then ${events}`);
    const samples: NotifySample[] = [];
    for (let i = 0; i < NOTIFY_WARM_UP + events; i++) {
      const sample = await measureEvent(i);
      if (i >= NOTIFY_WARM_UP) samples.push(sample);
    }
    const ok = samples.filter((s) => s.error === undefined);
    const requests = ok.map((s) => s.requests);
    return {
      samples,
      chat: percentiles(ok.map((s) => s.chatMs)),
      email: percentiles(ok.map((s) => s.emailMs)),
      pagerDuty: percentiles(ok.map((s) => s.pagerDutyMs)),
      returned: percentiles(ok.map((s) => s.returnedMs)),
      requestsMin: Math.min(...requests),
      requestsMax: Math.max(...requests),
    };
  } finally {
    await notifier.stop();
    await standIns.close();
  }

  async function measureEvent(i: number): Promise<NotifySample> {
    const waiting = i % 2 === 0;
    const caseId = String(1_000_000_000 + Math.floor(i / 2));
    const event = watcherEvent(caseId, waiting, i);
    const [sns, pagerDuty, calls] = [standIns.sns.deliveries.length, standIns.pagerDuty.accepted.length, standIns.sns.calls.length + standIns.pagerDuty.calls.length];
    const arrivedAt = Date.now();
    const run = await notifier.invoke(event);
    const returnedAt = Date.now();
    const delivered = standIns.sns.deliveries.slice(sns);
    const at = (subscriber: string) => (delivered.find((d) => d.subscriber === subscriber)?.acceptedAt ?? NaN) - arrivedAt;
    return {
      chatMs: at('chat'),
      emailMs: at('email'),
      pagerDutyMs: (standIns.pagerDuty.accepted[pagerDuty]?.acceptedAt ?? NaN) - arrivedAt,
      returnedMs: returnedAt - arrivedAt,
      requests: standIns.sns.calls.length + standIns.pagerDuty.calls.length - calls,
      ...(run.error ? { error: `${run.error.name}: ${run.error.message}` } : {}),
    };
  }
}

/** A watcher event as the notification rule delivers it. */
function watcherEvent(caseId: string, waiting: boolean, n: number): Record<string, unknown> {
  const observedAt = new Date(Date.UTC(2026, 10, 23, 9, 0, n)).toISOString();
  return {
    'version': '0',
    'id': `bench-${n}`,
    'detail-type': CASE_PENDING_ACTION_CHANGED_DETAIL_TYPE,
    'source': DEFAULT_EVENT_SOURCE,
    'account': '111122223333',
    'time': observedAt,
    'region': 'us-east-1',
    'resources': [`arn:aws:security-ir:us-east-1:111122223333:case/${caseId}`],
    'detail': {
      schemaVersion: 1,
      changeId: n.toString(16).padStart(32, '0'),
      caseId,
      caseArn: `arn:aws:security-ir:us-east-1:111122223333:case/${caseId}`,
      accountId: '111122223333',
      region: 'us-east-1',
      title: 'Suspicious IAM activity',
      caseStatus: 'Detection and Analysis',
      previousCaseStatus: 'Detection and Analysis',
      pendingAction: waiting ? 'Customer' : 'None',
      previousPendingAction: waiting ? 'None' : 'Customer',
      engagementType: 'Security Incident',
      resolverType: 'AWS',
      createdDate: '2026-11-20T10:00:00.000Z',
      lastUpdatedDate: observedAt,
      closedDate: null,
      observedAt,
      previousCaseStatusSince: null,
      previousPendingActionSince: null,
    },
  };
}
