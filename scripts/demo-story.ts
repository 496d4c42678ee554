/**
 * The demo's script: the cases it starts with and what happens to them between polls, told the way
 * a Security IR user would see it (AWS acknowledges, asks the customer for action, ...).
 */
import type { SecurityIrSimulator, SimCase } from '../local-aws/security-ir-simulator';

const DAY_SECONDS = 86_400;

/** What happens before one poll: a sentence for the reader, and the change to the simulator. */
export interface StoryStep {
  readonly narration: string;
  apply(securityIr: SecurityIrSimulator): void;
  /** Minutes that pass for the cases waiting on the customer (the demo ages their recorded waits). */
  readonly elapseMinutes?: number;
}

/** The cases the watcher finds on its first (baseline) poll. */
export function seedCases(securityIr: SecurityIrSimulator): void {
  const now = Math.floor(Date.now() / 1000);
  securityIr.addCase({
    caseId: '1000000101',
    title: 'Suspicious IAM activity',
    engagementType: 'Security Incident',
    resolverType: 'AWS',
    caseStatus: 'Submitted',
    pendingAction: 'None',
    createdDate: now - 600,
    lastUpdatedDate: now - 600,
  });
  securityIr.addCase({
    caseId: '1000000102',
    title: 'Unusual API calls from unknown IP range',
    engagementType: 'Investigation',
    resolverType: 'Self',
    caseStatus: 'Detection and Analysis',
    pendingAction: 'None',
    createdDate: now - 2 * DAY_SECONDS,
    lastUpdatedDate: now - DAY_SECONDS,
  });
  securityIr.addCase({
    caseId: '1000000087',
    title: 'Phishing campaign targeting employees',
    engagementType: 'Security Incident',
    resolverType: 'AWS',
    caseStatus: 'Closed',
    pendingAction: 'None',
    createdDate: now - 45 * DAY_SECONDS,
    lastUpdatedDate: now - 30 * DAY_SECONDS,
    closedDate: now - 30 * DAY_SECONDS,
  });
}

const update = (caseId: string, patch: Partial<SimCase>) => (securityIr: SecurityIrSimulator) => {
  securityIr.updateCase(caseId, patch);
};

/** A security incident for AWS to resolve, submitted now. */
const openCase = (caseId: string, title: string) => (securityIr: SecurityIrSimulator) => {
  const now = Math.floor(Date.now() / 1000);
  securityIr.addCase({
    caseId,
    title,
    engagementType: 'Security Incident',
    resolverType: 'AWS',
    caseStatus: 'Submitted',
    pendingAction: 'None',
    createdDate: now,
    lastUpdatedDate: now,
  });
};

/**
 * Steps before polls 2, 3, ...: by poll 3 every change detail-type has been published once, by poll
 * 4 a reminder (an hour of waiting, aged in the state); the last poll finds nothing new (the
 * one-read short-cut).
 */
export const STORY: readonly (readonly StoryStep[])[] = [
  [{ narration: 'AWS acknowledges case 1000000101', apply: update('1000000101', { caseStatus: 'Acknowledged' }) }],
  [
    {
      narration: 'AWS starts the analysis of 1000000101 and asks the customer for logs',
      apply: update('1000000101', { caseStatus: 'Detection and Analysis', pendingAction: 'Customer' }),
    },
    { narration: 'a new case is opened: 1000000103', apply: openCase('1000000103', 'Root account login from new location') },
  ],
  [{ narration: 'an hour passes: AWS still waits on the customer for 1000000101', apply: () => undefined, elapseMinutes: 61 }],
  [
    { narration: 'the customer uploads the logs to 1000000101', apply: update('1000000101', { pendingAction: 'None' }) },
    { narration: 'the security team contains 1000000102', apply: update('1000000102', { caseStatus: 'Containment, Eradication and Recovery' }) },
  ],
  [
    { narration: 'AWS contains 1000000101', apply: update('1000000101', { caseStatus: 'Containment, Eradication and Recovery' }) },
    { narration: 'AWS acknowledges case 1000000103', apply: update('1000000103', { caseStatus: 'Acknowledged' }) },
  ],
  [
    { narration: '1000000101 moves to post-incident activities', apply: update('1000000101', { caseStatus: 'Post-incident Activities' }) },
    { narration: 'the security team closes 1000000102', apply: update('1000000102', { caseStatus: 'Closed' }) },
  ],
  [{ narration: 'AWS closes case 1000000101', apply: update('1000000101', { caseStatus: 'Closed' }) }],
  [{ narration: 'only a title is edited: nothing the watcher reports on', apply: update('1000000103', { title: 'Root account console login from new location' }) }],
];

/** Polls in one telling of the story: the baseline, then one per step. */
export const STORY_POLLS = STORY.length + 1;

/**
 * The fast-path scene, after the polls: each change is announced by Security IR's own event, which
 * reaches the handler at once. It uses a case of its own, so it reads the same whatever the number
 * of polls before it; the comment changes nothing the watcher reports on.
 */
export const FAST_PATH_SCENE: readonly StoryStep[] = [
  { narration: 'a new case is opened: 1000000104', apply: openCase('1000000104', 'Access keys used from two countries') },
  { narration: 'AWS acknowledges case 1000000104', apply: update('1000000104', { caseStatus: 'Acknowledged' }) },
  { narration: 'AWS asks the customer which of the keys are theirs', apply: update('1000000104', { pendingAction: 'Customer' }) },
  { narration: 'AWS adds a comment to 1000000104', apply: (securityIr) => securityIr.addComment('1000000104') },
];
