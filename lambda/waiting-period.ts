/**
 * The time a case waits on the customer and the reminder marks it reached: worked out from the
 * known state and the observation time. Pure.
 */
import type { CaseState } from './case-state';

/** The `pendingAction` that means AWS waits on the customer, and the status that ends every wait. */
const AWAITING_CUSTOMER = 'Customer';
const CLOSED = 'Closed';

/**
 * When the next reminder mark of the case's waiting period is due (epoch ms), or undefined when it
 * does not wait or every mark was announced: what the poll keeps so a quiet listing need not load
 * the cases to know that no reminder is due.
 */
export function nextReminderAt(state: CaseState, reminderMinutes: readonly number[]): number | undefined {
  const mark = reminderMinutes.find((minutes) => minutes > (state.remindedMinutes ?? 0));
  return state.awaitingCustomerSince === undefined || mark === undefined ? undefined : Date.parse(state.awaitingCustomerSince) + mark * 60_000;
}

/**
 * The waiting period of a case in `caseStatus`/`pendingAction` observed at `observedAt`: the known
 * one continued, or one starting now; and the latest mark due, announced by this state. Marks a
 * poll skipped (the function was down, a failed run) are not announced one by one: only the latest.
 */
export function waitingPeriod(
  caseStatus: string | null,
  pendingAction: string | null,
  known: CaseState | undefined,
  observedAt: Date,
  reminderMinutes: readonly number[],
): Pick<CaseState, 'awaitingCustomerSince' | 'remindedMinutes'> {
  if (pendingAction !== AWAITING_CUSTOMER || caseStatus === CLOSED) {
    return {};
  }
  const continued = known?.pendingAction === AWAITING_CUSTOMER && known.caseStatus !== CLOSED && known.awaitingCustomerSince !== undefined;
  const since = continued ? known.awaitingCustomerSince! : observedAt.toISOString();
  const reminded = continued ? known.remindedMinutes : undefined;
  const waited = (observedAt.getTime() - Date.parse(since)) / 60_000;
  const due = reminderMinutes.filter((minutes) => minutes > (reminded ?? 0) && minutes <= waited).at(-1) ?? reminded;
  return { awaitingCustomerSince: since, ...(due === undefined ? {} : { remindedMinutes: due }) };
}
