// What the signed-in user may do on a page, as the server says in the page's `actions`
// (the policy and the workflow rules, evaluated there): the admin shows, hides and disables
// its controls from these alone, so no rule is written twice.

import type { ActionAvailability, Page, WorkflowAction } from '../api/types';
import { describeCode } from './messages';

/** The server's answer for one action; an action it did not mention is refused. */
export function actionOf(page: Pick<Page, 'actions'> | null | undefined, action: WorkflowAction): ActionAvailability {
  return (
    page?.actions?.find((a) => a.action === action) ?? {
      action,
      allowed: false,
      reason: 'unknown',
      message: 'The server did not say whether you may do this; reload the page.',
    }
  );
}

/** Whether a control for the action belongs on the screen at all: the user's roles allow it
 * and the page is in a state it applies to. Refused for any other reason (a missing
 * signature, a blocking check), the control is shown disabled with the reason. */
export function offered(a: ActionAvailability): boolean {
  return a.allowed || (a.reason !== 'forbidden' && a.reason !== 'invalid_state' && a.reason !== 'unknown');
}

/** Whether the user's roles allow the action at all, whatever the page's state. */
export function permitted(a: ActionAvailability): boolean {
  return a.allowed || (a.reason !== 'forbidden' && a.reason !== 'unknown');
}

/** Why the action is refused, in plain words; null when it is allowed. */
export function refusal(a: ActionAvailability): string | null {
  if (a.allowed) return null;
  return describeCode(a.reason ?? '', a.message ?? '') ?? a.message ?? 'Not allowed now.';
}
