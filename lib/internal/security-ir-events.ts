/**
 * Internal: Security IR's own EventBridge events, the hints of the fast path. The construct's rule
 * matches them and the handler recognises them with these same values. Imports nothing.
 */

/** The source of the events Security IR puts on the default bus of the membership account. */
export const SECURITY_IR_EVENT_SOURCE = 'aws.security-ir';

/**
 * The case events, each a hint to read that case now. `Case Comment Created` is what some older
 * pages call `Case Comment Added`: both are matched.
 */
export const SECURITY_IR_CASE_DETAIL_TYPES: readonly string[] = [
  'Case Created',
  'Case Updated',
  'Case Closed',
  'Case Comment Added',
  'Case Comment Created',
  'Case Comment Updated',
];

/**
 * A Security IR case ID as the API model defines it: 10 to 32 characters starting with 10 digits
 * (the service hands out digits only; no control characters are accepted after them).
 */
export const CASE_ID_PATTERN = /^\d{10}[^\u0000-\u001f\u007f]{0,22}$/u;
