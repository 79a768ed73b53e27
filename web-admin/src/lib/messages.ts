// What a refused workflow action means, in words a writer, reviewer or editor understands:
// the same words whether the server refused an attempt (an ApiError) or said beforehand, in
// the page's `actions`, that it would refuse.

import { ApiError, errorMessage } from '../api/client';

/** Explains a refusal code; detail is the server's own message, used where no better words
 * exist. Returns null for a code without its own explanation. */
export function describeCode(code: string, detail = ''): string | null {
  switch (code) {
    case 'self_approval':
      return 'You cannot approve this page: you wrote or edited part of it since it was last approved or published. Separation of duties requires that a different medical reviewer signs it. Ask another reviewer to approve it.';
    case 'approval_stale':
      return 'The approval no longer matches the content: the page was edited after the reviewed revision. It must be reviewed and approved again before it can be published.';
    case 'approval_missing':
      return 'No medical reviewer has approved the latest revision. A reviewer must approve it before it can be published.';
    case 'approval_expired':
      return 'The approval is past its next medical review date. Submit the page for review again before publishing it.';
    case 'check_failed':
      return 'A blocking pre-review check failed. Fix the page before it goes further.';
    case 'no_changes':
      return 'Changes were requested on this revision and nothing was saved since. Save the changes the reviewer asked for, then submit.';
    case 'revision_not_latest':
      return 'The page changed while you were looking at it: the revision you saw is no longer the latest. Reload and look at the latest revision.';
    case 'password_change_required':
      return 'Nothing can be signed yet: your password was set by an administrator, and a signature needs a password only you know. Change your password first.';
    case 'invalid_state':
      return `This cannot be done in the page's current state. ${detail}`.trim();
    case 'forbidden':
      return 'Your role does not allow this action.';
  }
  return null;
}

export function describeActionError(e: unknown): string {
  if (!(e instanceof ApiError)) return errorMessage(e);
  const known = describeCode(e.code, e.problem.detail ?? '');
  if (known && e.code !== 'forbidden') return known;
  if (e.status === 409) return `The page changed while you were looking at it, or it is no longer in a state that allows this. Reload to see its current state. (${e.problem.detail ?? e.code})`;
  if (e.status === 403) return 'Your role does not allow this action.';
  return errorMessage(e);
}
