/**
 * Security IR's own EventBridge events, as the service puts them on the default bus of the
 * membership account: `source` `aws.security-ir`, the case ARN in `resources`, and a `detail` with
 * only the case ID and who made the change. The simulator emits them as its cases change; tests,
 * the demo and the bench hand them to the handler as the fast path's hints.
 */
import { randomUUID } from 'node:crypto';
import { TEST_ACCOUNT_ID, TEST_REGION } from './credentials';

export type SecurityIrCaseDetailType =
  | 'Case Created'
  | 'Case Updated'
  | 'Case Closed'
  | 'Case Comment Added'
  | 'Case Comment Created'
  | 'Case Comment Updated';

export interface SecurityIrNativeEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: 'aws.security-ir';
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: string[];
  readonly detail: { readonly caseId: string; readonly createdBy?: string; readonly updatedBy?: string };
}

export function securityIrCaseEvent(
  detailType: SecurityIrCaseDetailType,
  caseId: string,
  opts: { account?: string; region?: string; time?: Date; by?: string } = {},
): SecurityIrNativeEvent {
  const account = opts.account ?? TEST_ACCOUNT_ID;
  const region = opts.region ?? TEST_REGION;
  const by = opts.by ?? 'AWS Responder';
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': detailType,
    source: 'aws.security-ir',
    account,
    time: (opts.time ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region,
    resources: [`arn:aws:security-ir:${region}:${account}:case/${caseId}`],
    // `Case Closed` may carry only the case ID.
    detail: detailType === 'Case Created'
      ? { caseId, createdBy: by }
      : detailType === 'Case Closed' ? { caseId } : { caseId, updatedBy: by },
  };
}
