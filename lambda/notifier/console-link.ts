/**
 * Where a person acts on a case. AWS documents no deep link to one case, so by default the link is
 * the Security IR console of the case's region, and the case ID travels in the text beside it; a
 * team that knows its console's path gives a URL template (`{region}`, `{caseId}`, `{accountId}`).
 */
import { regionProblem } from '../../lib/internal/rules';
import type { CaseNotice } from './case-event';

export interface ConsoleLink {
  readonly url: string;
  /** Words for the link, naming the case (a link alone may not show it). */
  readonly label: string;
  /** Whether `url` opens the case itself (a template was given) or the console it is in. */
  readonly opensCase: boolean;
}

/** The console root: used when the event names no valid region. */
const CONSOLE_ROOT = 'https://console.aws.amazon.com/security-ir/';

export function consoleLink(notice: CaseNotice, caseUrlTemplate?: string): ConsoleLink {
  const region = notice.region !== null && regionProblem(notice.region) === undefined ? notice.region : undefined;
  if (caseUrlTemplate !== undefined) {
    const url = caseUrlTemplate
      .replaceAll('{caseId}', encodeURIComponent(notice.caseId))
      .replaceAll('{region}', encodeURIComponent(region ?? ''))
      .replaceAll('{accountId}', encodeURIComponent(/^\d{12}$/.test(notice.accountId ?? '') ? notice.accountId! : ''));
    return { url, label: `Open case ${notice.caseId}`, opensCase: true };
  }
  if (region === undefined) {
    return { url: CONSOLE_ROOT, label: `Security IR console: find case ${notice.caseId}`, opensCase: false };
  }
  return {
    url: `https://${region}.console.aws.amazon.com/security-ir/home?region=${region}`,
    label: `Security IR console (${region}): find case ${notice.caseId}`,
    opensCase: false,
  };
}
