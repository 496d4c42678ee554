/**
 * Private: the rules of the notifier's settings, each written once and checked twice: by the
 * construct at synth time (naming the prop) and by the notifier at cold start (naming the
 * environment variable). Each returns what is wrong with the value, or undefined. Imports nothing.
 */

/** The severities PagerDuty's Events API v2 accepts. */
export const PAGERDUTY_SEVERITIES: readonly string[] = ['critical', 'error', 'warning', 'info'];

/** The placeholders a case URL template may use; the notifier fills them in URL-encoded. */
export const CASE_URL_PLACEHOLDERS: readonly string[] = ['{region}', '{caseId}', '{accountId}'];

export function pagerDutySeverityProblem(severity: string): string | undefined {
  return PAGERDUTY_SEVERITIES.includes(severity) ? undefined : `must be one of ${PAGERDUTY_SEVERITIES.join(', ')}, got "${severity}"`;
}

export function caseUrlTemplateProblem(template: string): string | undefined {
  if (!/^https:\/\/[^\s/?#{}<>|`"]+(\/[^\s<>|`"]*)?$/.test(template)) {
    return `must be an https URL without white space, quotes, backticks, < > or |, got "${template.slice(0, 200)}"`;
  }
  const unknown = (template.match(/\{[^}]*\}/g) ?? []).filter((p) => !CASE_URL_PLACEHOLDERS.includes(p));
  if (unknown.length > 0) {
    return `uses ${unknown.join(', ')}: the placeholders are ${CASE_URL_PLACEHOLDERS.join(', ')}`;
  }
  if (!template.includes('{caseId}')) {
    return 'must contain {caseId}: a link that does not name the case would send everyone to the same page';
  }
  return undefined;
}

/** The Secrets Manager secret ARN form (the notifier is granted exactly this secret). */
export function secretArnProblem(arn: string): string | undefined {
  return /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+$/.test(arn) ? undefined : `must be a Secrets Manager secret ARN, got "${arn.slice(0, 200)}"`;
}
