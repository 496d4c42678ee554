/**
 * Which case an answer is about: the watched scope (the account and Security IR region whose cases
 * the watcher lists, and whose state it keeps) and what a case ARN says about it. Pure.
 */
import { CASE_ID_PATTERN } from '../lib/internal/security-ir-events';

export { CASE_ID_PATTERN };

/** The account and Security IR region whose cases are watched. */
export interface WatchedScope {
  readonly accountId: string;
  readonly region: string;
}

/** `arn:<partition>:security-ir:<region>:<account>:case/<caseId>`, bounded like every part of it. */
const CASE_ARN = /^arn:aws[a-z-]{0,20}:security-ir:([a-z0-9-]{1,32}):(\d{12}):case\/(.{1,32})$/u;

export interface CaseArnParts {
  readonly region: string;
  readonly accountId: string;
  readonly caseId: string;
}

export function parseCaseArn(arn: string): CaseArnParts | undefined {
  const match = CASE_ARN.exec(arn);
  return match ? { region: match[1], accountId: match[2], caseId: match[3] } : undefined;
}

/** How the ARN `arn` of the answer for `caseId` disagrees with the scope, or undefined when it does not. */
export function arnMismatch(arn: string | undefined, caseId: string, scope: WatchedScope): 'malformed' | 'case' | 'scope' | undefined {
  if (arn === undefined) {
    return undefined; // optional in the model: the case is then the one asked for, in the scope
  }
  const parts = parseCaseArn(arn);
  if (!parts) {
    return 'malformed';
  }
  if (parts.caseId !== caseId) {
    return 'case';
  }
  return parts.accountId === scope.accountId && parts.region === scope.region ? undefined : 'scope';
}
