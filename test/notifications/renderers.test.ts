/**
 * The renderers, pure: exact text for a few notices, and properties for every kind of notice and any
 * title (fast-check): each destination's message is valid where it lands (the stand-ins' own checks),
 * shows the title as text, pings nobody and stays within its limits without breaking a character.
 */
import fc from 'fast-check';
import { type CaseNotice, InvalidCaseEventError, readCaseEvent } from '../../lambda/notifier/case-event';
import { CHAT_LIMITS, renderChat } from '../../lambda/notifier/chat-message';
import { renderEmail } from '../../lambda/notifier/email-message';
import { pagerDutyEvents } from '../../lambda/notifier/pagerduty-events';
import { tell } from '../../lambda/notifier/story';
import { cut, formatDuration, oneLine } from '../../lambda/notifier/text';
import { problemsOf } from '../../local-aws/pagerduty-simulator';
import { chatNotificationProblems, subjectProblemOf } from '../../local-aws/sns-simulator';
import { AWAITING_CUSTOMER, BASE_DETAIL, CREATED, DETAILS, HOSTILE_TITLES, PENDING_ACTION_CHANGED, SOURCE, STATUS_CHANGED, watcherEvent } from './sample-events';

const ROUTING_KEY = 'R0123456789abcdef0123456789abcde';
const PD = { severity: 'critical', triggerOnCreated: true };
const notice = (name: string, overrides: Record<string, unknown> = {}): CaseNotice =>
  readCaseEvent(watcherEvent(DETAILS[name].detailType, { ...DETAILS[name].detail, ...overrides }), SOURCE);
const CONSOLE = 'https://us-east-1.console.aws.amazon.com/security-ir/home?region=us-east-1';

describe('exact text', () => {
  test('AWS is waiting on you, in chat', () => {
    expect(renderChat(tell(notice('awaiting customer')))).toEqual({
      version: '1.0',
      source: 'custom',
      id: BASE_DETAIL.changeId,
      content: {
        textType: 'client-markdown',
        title: '\u{1F514} AWS is waiting on you \u00b7 case 1234567890',
        description: [
          'Case 1234567890: `\u2068Suspicious IAM activity\u2069`',
          'Pending action: `\u2068None\u2069` \u2192 `\u2068Customer\u2069` (`\u2068None\u2069` for 2 h 10 min)',
          'Status: `\u2068Detection and Analysis\u2069` \u00b7 Pending action: `\u2068Customer\u2069`',
          'Engagement: `\u2068Security Incident\u2069` \u00b7 Resolver: `\u2068AWS\u2069`',
          'Observed: 2026-11-23 09:13 UTC',
          `Security IR console (us-east-1): find case 1234567890: ${CONSOLE}`,
        ].join('\n'),
        nextSteps: [
          'Open case 1234567890 in the Security IR console and answer what AWS responders ask for',
          'Reply in the case itself: the responders read the case, not this message',
        ],
        keywords: ['SecurityIR', 'awaiting-customer', 'case-1234567890'],
      },
      metadata: {
        threadId: BASE_DETAIL.caseArn,
        summary: 'AWS is waiting on you: case 1234567890',
        eventType: PENDING_ACTION_CHANGED,
        relatedResources: [BASE_DETAIL.caseArn],
        additionalContext: { caseId: '1234567890', changeId: BASE_DETAIL.changeId },
      },
    });
  });

  test('Case closed, by e-mail', () => {
    expect(renderEmail(tell(notice('closed')))).toEqual({
      subject: 'Security IR case 1234567890: Case closed - Suspicious IAM activity',
      body: [
        'Case closed',
        '',
        'Case 1234567890',
        'Suspicious IAM activity',
        '',
        'Status: Post-incident Activities -> Closed (Post-incident Activities for 16 h 32 min)',
        '',
        'Status: Closed',
        'Pending action: None',
        'Engagement: Security Incident',
        'Resolver: AWS',
        'Observed: 2026-11-23 09:13 UTC',
        '',
        'Next steps:',
        '- Open case 1234567890 in the Security IR console and review how it was closed',
        '- Record the lessons learned while they are fresh',
        '',
        'Security IR console (us-east-1): find case 1234567890',
        CONSOLE,
        '',
        `Change ID ${BASE_DETAIL.changeId}: a repeated delivery of this change carries the same ID.`,
      ].join('\n'),
    });
  });

  test('a reminder triggers the waiting incident again with the time waited; the page carries the facts', () => {
    const [event] = pagerDutyEvents(tell(notice('reminder')), PD, BASE_DETAIL.observedAt);
    expect(event).toEqual({
      event_action: 'trigger',
      dedup_key: 'security-ir/1234567890/awaiting-customer',
      payload: {
        summary: 'AWS is still waiting on you (4 h): Security IR case 1234567890 - Suspicious IAM activity',
        source: BASE_DETAIL.caseArn,
        severity: 'critical',
        timestamp: '2026-11-23T09:13:00.000Z',
        component: 'AWS Security Incident Response',
        group: 'case 1234567890',
        class: 'Security Incident',
        custom_details: {
          'case ID': '1234567890',
          'title': 'Suspicious IAM activity',
          'waiting on you for': '4 h',
          'status': 'Detection and Analysis',
          'pending action': 'Customer',
          'engagement type': 'Security Incident',
          'resolver type': 'AWS',
          'observed': '2026-11-23 09:13 UTC',
          'next steps': [
            'Open case 1234567890 in the Security IR console and answer what AWS responders ask for',
            'Reply in the case itself: the responders read the case, not this message',
          ],
          'change ID': BASE_DETAIL.changeId,
        },
      },
      client: 'Security IR case watcher',
      client_url: CONSOLE,
      links: [{ href: CONSOLE, text: 'Security IR console (us-east-1): find case 1234567890' }],
    });
  });

  test('the headline says what happened in words, for every kind', () => {
    const subjects = Object.keys(DETAILS).map((name) => renderEmail(tell(notice(name))).subject);
    expect(subjects).toEqual([
      'Security IR case 1234567890: New Security IR case - Suspicious IAM activity',
      'Security IR case 1234567890: AWS is waiting on you - Suspicious IAM activity',
      'Security IR case 1234567890: AWS is no longer waiting on you - Suspicious IAM activity',
      'Security IR case 1234567890: Case moved to Containment, Eradication and Recovery - Suspicious IA...',
      'Security IR case 1234567890: Case closed - Suspicious IAM activity',
      'Security IR case 1234567890: AWS is still waiting on you (4 h) - Suspicious IAM activity',
    ]);
  });

  test('unknown durations and values are said to be unknown; a URL template links the case itself', () => {
    const story = tell(notice('awaiting customer', { previousPendingActionSince: undefined, engagementType: null }), 'https://irc.example/cases/{caseId}?r={region}');
    const body = renderEmail(story).body;
    expect(body).toContain('Pending action: None -> Customer (how long None held is unknown)');
    expect(body).toContain('Engagement: unknown');
    expect(body).toContain('Open case 1234567890\nhttps://irc.example/cases/1234567890?r=us-east-1');
    expect(story.nextSteps[0]).toBe('Open case 1234567890 and answer what AWS responders ask for');
  });
});

describe('PagerDuty lifecycle decisions', () => {
  const actions = (name: string, settings = PD, overrides: Record<string, unknown> = {}) =>
    pagerDutyEvents(tell(notice(name, overrides)), settings, BASE_DETAIL.observedAt).map((e) => `${e.event_action} ${e.dedup_key}`);

  test.each([
    ['awaiting customer', ['trigger security-ir/1234567890/awaiting-customer']],
    ['reminder', ['trigger security-ir/1234567890/awaiting-customer']],
    ['no longer waiting', ['resolve security-ir/1234567890/awaiting-customer']],
    ['closed', ['resolve security-ir/1234567890/awaiting-customer', 'resolve security-ir/1234567890/created']],
    ['created', ['trigger security-ir/1234567890/created']],
    ['status changed', []],
  ])('%s -> %j', (name, expected) => {
    expect(actions(name)).toEqual(expected);
  });

  test('without triggerOnCreated a new case pages only when it already waits on you, and closing resolves the wait only', () => {
    const off = { severity: 'warning', triggerOnCreated: false };
    expect(actions('created', off)).toEqual([]);
    expect(actions('created', off, { pendingAction: 'Customer' })).toEqual(['trigger security-ir/1234567890/awaiting-customer']);
    expect(actions('closed', off)).toEqual(['resolve security-ir/1234567890/awaiting-customer']);
  });
});

describe('the incoming event is checked like input from anyone', () => {
  test.each([
    ['another source', watcherEvent(CREATED, BASE_DETAIL, 'evil.source'), 'source "evil.source" is not "security-ir.case-watcher"'],
    ['an unknown detail-type', watcherEvent('Case Exploded', BASE_DETAIL), 'detail-type "Case Exploded" is not one the watcher publishes'],
    ['no detail', { ...watcherEvent(CREATED, BASE_DETAIL), detail: 'x' }, 'detail is not a JSON object'],
    ['another schema', watcherEvent(CREATED, { ...BASE_DETAIL, schemaVersion: 2 }), 'detail.schemaVersion 2 is not 1'],
    ['a bad case ID', watcherEvent(CREATED, { ...BASE_DETAIL, caseId: '12<script>' }), 'detail.caseId is not a Security IR case ID'],
    ['a bad changeId', watcherEvent(CREATED, { ...BASE_DETAIL, changeId: 'XYZ' }), 'detail.changeId is not a lowercase hex id'],
    ['a title that is not text', watcherEvent(CREATED, { ...BASE_DETAIL, title: { html: 1 } }), 'detail.title is not a string or null'],
    ['no observedAt', watcherEvent(CREATED, { ...BASE_DETAIL, observedAt: 'yesterday' }), 'detail.observedAt is not an ISO time'],
    ['not an object', 'garbage', 'the event is not a JSON object'],
  ])('%s fails clearly', (_name, event, problem) => {
    expect(() => readCaseEvent(event, SOURCE)).toThrow(new InvalidCaseEventError(problem));
  });

  test('fields newer than the watcher are read when present and unknown when absent or not a time', () => {
    const { previousCaseStatusSince: _a, previousPendingActionSince: _b, ...older } = BASE_DETAIL;
    expect(readCaseEvent(watcherEvent(STATUS_CHANGED, older), SOURCE)).toMatchObject({ previousCaseStatusSince: null, previousPendingActionSince: null });
    expect(readCaseEvent(watcherEvent(AWAITING_CUSTOMER, { ...BASE_DETAIL, awaitingCustomerSince: 'soon', awaitingCustomerMinutes: -3 }), SOURCE))
      .toMatchObject({ kind: 'awaitingCustomer', awaitingCustomerSince: null, awaitingCustomerMinutes: null });
  });
});

describe('text helpers', () => {
  test('durations in words', () => {
    expect([0, 45_000, 12 * 60_000, 130 * 60_000, 180 * 60_000, 76 * 3600_000, 48 * 3600_000].map(formatDuration))
      .toEqual(['0 s', '45 s', '12 min', '2 h 10 min', '3 h', '3 d 4 h', '2 d']);
  });

  test('a cut never splits a grapheme and ends with an ellipsis', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), fc.integer({ min: 2, max: 60 }), (value, max) => {
      const out = cut(value, max);
      expect(out.length).toBeLessThanOrEqual(Math.max(max, value.length <= max ? value.length : 0));
      expect(out).not.toMatch(/\p{Cs}/u);
      if (out !== value) expect(value.startsWith(out.slice(0, -1).trimEnd())).toBe(true);
    }), { numRuns: 200 });
  });
});

/** Titles: anything, or pieces of the hostile matrix glued together. */
const titles = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc.array(fc.constantFrom(...Object.values(HOSTILE_TITLES)), { minLength: 1, maxLength: 4 }).map((parts) => parts.join(' ').slice(0, 300)),
);
const kinds = fc.constantFrom(...Object.keys(DETAILS));
/** Enum values a hostile answer could carry. */
const values = fc.oneof(fc.constantFrom('Acknowledged', 'Customer', 'None', 'Closed'), fc.string({ unit: 'binary', maxLength: 200 }));

describe('properties, for every kind and any title', () => {
  test('chat: a notification Amazon Q Developer shows, one thread per case, nothing that pings or formats', () => {
    fc.assert(fc.property(kinds, titles, values, (kind, title, status) => {
      const message = renderChat(tell(notice(kind, { title, caseStatus: status })));
      expect(chatNotificationProblems(JSON.parse(JSON.stringify(message)))).toEqual([]);
      expect(message.metadata.threadId).toBe(BASE_DETAIL.caseArn);
      const { title: chatTitle, description } = message.content;
      for (const text of [chatTitle, description, message.metadata.summary]) {
        expect(text).not.toMatch(/[<>]/);
        expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
      }
      expect(message.metadata.summary).not.toMatch(/@(here|channel|everyone)/);
      // Every value is a whole code span with no backtick inside: nothing can close it early.
      expect((description.match(/`/g) ?? []).length % 2).toBe(0);
      expect(description.length).toBeLessThanOrEqual(CHAT_LIMITS.description);
    }), { numRuns: 300 });
  });

  test('chat: the title is shown as typed (on one line, backticks as their look-alike) when it fits', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (title) => {
      const shown = renderChat(tell(notice('awaiting customer', { title }))).content.description.split('\n')[0];
      const span = /^Case 1234567890: `\u2068(.*)\u2069`$/s.exec(shown)![1];
      const decoded = span.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
      expect(decoded).toBe((oneLine(title) || '(no title)').replace(/`/g, '\u02cb'));
    }), { numRuns: 200 });
  });

  test('e-mail: a subject SNS accepts that names the case and what happened, a body without control characters', () => {
    fc.assert(fc.property(kinds, titles, (kind, title) => {
      const story = tell(notice(kind, { title }));
      const { subject, body } = renderEmail(story);
      expect(subjectProblemOf(subject)).toBeUndefined();
      expect(subject.startsWith(`Security IR case 1234567890: ${story.headline.words}`)).toBe(true);
      expect(body).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|\p{Cs}/u);
      expect(body.split('\n')).toContain(story.title);
    }), { numRuns: 300 });
  });

  test('PagerDuty: every event is one its schema accepts, with a summary that names the case', () => {
    fc.assert(fc.property(kinds, titles, fc.constantFrom('critical', 'error', 'warning', 'info'), (kind, title, severity) => {
      for (const event of pagerDutyEvents(tell(notice(kind, { title })), { severity, triggerOnCreated: true }, BASE_DETAIL.observedAt)) {
        expect(problemsOf({ routing_key: ROUTING_KEY, ...event }, [ROUTING_KEY])).toEqual([]);
        if (event.payload) expect(event.payload.summary).toContain('Security IR case 1234567890');
      }
    }), { numRuns: 300 });
  });
});
