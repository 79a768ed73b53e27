// What a refused workflow action means, in words a writer, reviewer or editor understands.

import { ApiError, errorMessage } from '../api/client';

export function describeActionError(e: unknown): string {
  if (!(e instanceof ApiError)) return errorMessage(e);
  switch (e.code) {
    case 'self_approval':
      return 'You cannot approve this page: you wrote or edited part of it since it was last approved or published. Separation of duties requires that a different medical reviewer signs it. Ask another reviewer to approve it.';
    case 'approval_stale':
      return 'The approval no longer matches the content: the page was edited after the reviewed revision. It must be reviewed and approved again before it can be published.';
    case 'approval_missing':
      return 'No medical reviewer has approved the latest revision. A reviewer must approve it before it can be published.';
    case 'check_failed':
      return 'A blocking pre-review check failed. Fix the page before it goes further.';
    case 'revision_not_latest':
      return 'The page changed while you were looking at it: the revision you saw is no longer the latest. Reload and look at the latest revision.';
    case 'invalid_state':
      return `This cannot be done in the page's current state. ${e.problem.detail ?? ''}`.trim();
  }
  if (e.status === 409) return `The page changed while you were looking at it, or it is no longer in a state that allows this. Reload to see its current state. (${e.problem.detail ?? e.code})`;
  if (e.status === 403) return 'Your role does not allow this action.';
  return errorMessage(e);
}
