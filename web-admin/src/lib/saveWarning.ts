// What a content save undoes. The server's rule (a content save after submit or approval
// returns the page to draft and voids the approval for publishing) is not decided here: the question before a save is read from the page as the server last sent it, and the
// notice after it from the page the server answered with.

import type { Page, PageState } from '../api/types';

export interface SaveWarning {
  title: string;
  message: string;
}

function signer(page: Pick<Page, 'approval'>): string {
  const r = page.approval?.reviewer;
  if (!r?.name) return 'a medical reviewer';
  return r.name + (r.credentials ? `, ${r.credentials}` : '');
}

function liveNote(page: Pick<Page, 'live'>): string {
  return page.live ? ` The live revision ${page.live.revision} stays live until another one is published.` : '';
}

/** The question to ask before saving new content over `page`, or null when a save undoes
 * nothing (a draft, or a page sent back with changes requested). */
export function saveWarning(
  page: Pick<Page, 'state' | 'revision' | 'approval' | 'scheduledAt' | 'live'> | null,
  formatTime: (iso?: string | null) => string = (iso) => iso ?? 'later',
): SaveWarning | null {
  if (!page) return null;
  const title = 'Save and return this page to draft?';
  switch (page.state) {
    case 'in_review':
      return {
        title,
        message:
          `Revision ${page.revision} is awaiting medical review. Saving makes a new revision: the review request is withdrawn, the page returns to draft, and it must be submitted for review again.` +
          liveNote(page),
      };
    case 'approved':
    case 'scheduled':
      return {
        title,
        message:
          `Revision ${page.approval?.revision ?? page.revision} carries the approval signed by ${signer(page)}. Saving makes a new revision that this approval does not cover: the approval is void for publishing, the page returns to draft, and it must be reviewed and signed again before it can be published.` +
          (page.state === 'scheduled' ? ` The publication scheduled for ${formatTime(page.scheduledAt)} will not happen.` : '') +
          liveNote(page),
      };
    default:
      return null;
  }
}

const UNDONE: Partial<Record<PageState, (before: Pick<Page, 'approval'>) => string>> = {
  in_review: () => 'the review request was withdrawn',
  approved: (b) => `the approval signed by ${signer(b)} no longer applies`,
  scheduled: (b) => `the approval signed by ${signer(b)} no longer applies and the scheduled publication is cancelled`,
};

/** The notice to keep on screen after a save that took the page from `before` to `after`,
 * or null when the save undid nothing. */
export function savedNotice(before: Pick<Page, 'state' | 'approval'>, after: Pick<Page, 'state' | 'revision'>): string | null {
  const undone = UNDONE[before.state];
  if (!undone || after.state === before.state) return null;
  return `Saved as revision ${after.revision}. The page returned to draft: ${undone(before)}. Submit it for review again when it is ready.`;
}
