import type { CaseEventDetail } from '../../lib/events';

/** The example detail of docs/events.md section 1: what test events are built from, with their own overrides. */
export const CONTRACT_EXAMPLE_DETAIL: CaseEventDetail = {
  schemaVersion: 1,
  changeId: '0f1e2d3c4b5a69788796a5b4c3d2e1f0',
  caseId: '1234567890',
  caseArn: 'arn:aws:security-ir:us-east-1:111122223333:case/1234567890',
  accountId: '111122223333',
  region: 'us-east-1',
  title: 'Suspicious IAM activity',
  caseStatus: 'Detection and Analysis',
  previousCaseStatus: 'Acknowledged',
  pendingAction: 'Customer',
  previousPendingAction: 'None',
  engagementType: 'Security Incident',
  resolverType: 'AWS',
  createdDate: '2026-11-20T10:00:00.000Z',
  lastUpdatedDate: '2026-11-23T09:12:44.000Z',
  closedDate: null,
  observedAt: '2026-11-23T09:13:00.000Z',
  previousCaseStatusSince: '2026-11-22T16:40:03.000Z',
  previousPendingActionSince: null,
};
