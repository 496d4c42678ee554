import { matchesEventPattern } from '../support/event-pattern';

const event = {
  source: 'security-ir.case-watcher',
  'detail-type': 'Security IR Case Status Changed',
  resources: ['arn:aws:security-ir:us-east-1:111122223333:case/1234567890', 'arn:aws:other'],
  detail: {
    caseId: '1234567890',
    caseStatus: 'Detection and Analysis',
    pendingAction: 'Customer',
    closedDate: null,
    schemaVersion: 1,
    nested: { level: 'deep' },
  },
};

describe('matchesEventPattern', () => {
  test('an exact value listed in the array matches; any listed value is enough', () => {
    expect(matchesEventPattern({ source: ['security-ir.case-watcher'] }, event)).toBe(true);
    expect(matchesEventPattern({ source: ['other', 'security-ir.case-watcher'] }, event)).toBe(true);
    expect(matchesEventPattern({ source: ['other'] }, event)).toBe(false);
  });

  test('matching is case-sensitive and typed', () => {
    expect(matchesEventPattern({ source: ['Security-IR.case-watcher'] }, event)).toBe(false);
    expect(matchesEventPattern({ detail: { schemaVersion: ['1'] } }, event)).toBe(false);
    expect(matchesEventPattern({ detail: { schemaVersion: [1] } }, event)).toBe(true);
  });

  test('every field of the pattern must match', () => {
    const pattern = { source: ['security-ir.case-watcher'], 'detail-type': ['Security IR Case Created'] };
    expect(matchesEventPattern(pattern, event)).toBe(false);
    expect(matchesEventPattern({ ...pattern, 'detail-type': ['Security IR Case Status Changed'] }, event)).toBe(true);
  });

  test('an array in the event matches if any of its elements matches', () => {
    expect(matchesEventPattern({ resources: ['arn:aws:other'] }, event)).toBe(true);
    expect(matchesEventPattern({ resources: ['arn:aws:absent'] }, event)).toBe(false);
  });

  test('a field missing from the event does not match, not even a null value', () => {
    expect(matchesEventPattern({ detail: { title: ['x'] } }, event)).toBe(false);
    expect(matchesEventPattern({ detail: { title: [null] } }, event)).toBe(false);
    expect(matchesEventPattern({ account: [{ prefix: '' }] }, event)).toBe(false);
    expect(matchesEventPattern({ account: [{ 'anything-but': 'x' }] }, event)).toBe(false);
  });

  test('null matches a null value only', () => {
    expect(matchesEventPattern({ detail: { closedDate: [null] } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { caseStatus: [null] } }, event)).toBe(false);
  });

  test('nested objects match level by level, and not against a scalar', () => {
    expect(matchesEventPattern({ detail: { nested: { level: ['deep'] } } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { nested: { level: ['shallow'] } } }, event)).toBe(false);
    expect(matchesEventPattern({ detail: { caseId: { level: ['deep'] } } }, event)).toBe(false);
    expect(matchesEventPattern({ detail: { missing: { level: ['deep'] } } }, event)).toBe(false);
  });

  test('numeric compares numbers only, every pair of the list', () => {
    const waited = { detail: { awaitingCustomerMinutes: 90 } };
    expect(matchesEventPattern({ detail: { awaitingCustomerMinutes: [{ numeric: ['>=', 60] }] } }, waited)).toBe(true);
    expect(matchesEventPattern({ detail: { awaitingCustomerMinutes: [{ numeric: ['>=', 91] }] } }, waited)).toBe(false);
    expect(matchesEventPattern({ detail: { awaitingCustomerMinutes: [{ numeric: ['>', 60, '<', 90] }] } }, waited)).toBe(false);
    expect(matchesEventPattern({ detail: { awaitingCustomerMinutes: [{ numeric: ['>', 60, '<=', 90] }] } }, waited)).toBe(true);
    expect(matchesEventPattern({ detail: { caseId: [{ numeric: ['>=', 0] }] } }, event)).toBe(false); // a string is no number
    expect(() => matchesEventPattern({ detail: { awaitingCustomerMinutes: [{ numeric: ['~', 1] }] } }, waited)).toThrow(/numeric/);
  });

  test('prefix matches the start of a string value only', () => {
    expect(matchesEventPattern({ source: [{ prefix: 'security-ir.' }] }, event)).toBe(true);
    expect(matchesEventPattern({ source: [{ prefix: 'case-watcher' }] }, event)).toBe(false);
    expect(matchesEventPattern({ detail: { schemaVersion: [{ prefix: '1' }] } }, event)).toBe(false);
  });

  test('anything-but excludes a value, a list of values, or a prefix', () => {
    expect(matchesEventPattern({ detail: { caseStatus: [{ 'anything-but': 'Closed' }] } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { caseStatus: [{ 'anything-but': 'Detection and Analysis' }] } }, event)).toBe(false);
    expect(matchesEventPattern({ detail: { caseStatus: [{ 'anything-but': ['Closed', 'Acknowledged'] }] } }, event)).toBe(true);
    expect(
      matchesEventPattern({ detail: { caseStatus: [{ 'anything-but': ['Closed', 'Detection and Analysis'] }] } }, event),
    ).toBe(false);
    expect(matchesEventPattern({ detail: { caseStatus: [{ 'anything-but': { prefix: 'Detection' } }] } }, event)).toBe(false);
    expect(matchesEventPattern({ detail: { caseStatus: [{ 'anything-but': { prefix: 'Closed' } }] } }, event)).toBe(true);
  });

  test('exists tells a present field from a missing one', () => {
    expect(matchesEventPattern({ detail: { caseId: [{ exists: true }] } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { caseId: [{ exists: false }] } }, event)).toBe(false);
    expect(matchesEventPattern({ detail: { title: [{ exists: false }] } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { title: [{ exists: true }] } }, event)).toBe(false);
  });

  test('operators and values in one array are alternatives', () => {
    expect(matchesEventPattern({ detail: { pendingAction: ['None', { prefix: 'Cust' }] } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { pendingAction: ['None', { prefix: 'AWS' }] } }, event)).toBe(false);
  });

  test('a pattern it cannot judge throws instead of answering', () => {
    expect(() => matchesEventPattern({ source: 'security-ir.case-watcher' }, event)).toThrow(/source/);
    expect(() => matchesEventPattern({ detail: { caseId: [{ suffix: '890' }] } }, event)).toThrow(/"suffix" is not supported/);
    expect(() => matchesEventPattern({ source: [{ prefix: 'a', suffix: 'b' }] }, event)).toThrow(/exactly one key/);
    expect(() => matchesEventPattern([], event)).toThrow(/JSON object/);
  });
});
