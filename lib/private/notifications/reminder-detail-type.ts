/**
 * Private: the detail-type of the watcher's reminder that a case still waits on the customer, in one
 * place for the notifications construct and its notifier, until the public event contract
 * (`lib/events.ts`) exports it: then this file re-exports that constant instead. Imports nothing.
 */
export const AWAITING_CUSTOMER_DETAIL_TYPE = 'Security IR Case Awaiting Customer';
