import { describe, expect, it } from 'vitest';
import type { Approval, Page, PageState } from '../api/types';
import { savedNotice, saveWarning } from './saveWarning';

const approval: Approval = {
  revision: 3,
  contentHash: 'sha256:ab',
  reviewer: { id: 'r', name: 'Ravi Reviewer', credentials: 'PharmD' },
  signedAt: '2026-01-01T00:00:00Z',
  meaning: 'medically reviewed and approved',
  comment: '',
  nextReviewDue: '2027-01-01T00:00:00Z',
};

const page = (state: PageState, extra: Partial<Page> = {}) => ({ state, revision: 3, approval: null, scheduledAt: null, live: null, ...extra });

describe('saveWarning', () => {
  it.each([
    { state: 'draft', want: null },
    { state: 'changes_requested', want: null },
    { state: 'published', want: null },
    { state: 'in_review', want: ['Revision 3 is awaiting medical review', 'review request is withdrawn', 'returns to draft'] },
    { state: 'approved', extra: { approval }, want: ['signed by Ravi Reviewer, PharmD', 'approval is void', 'returns to draft'] },
    { state: 'approved', want: ['signed by a medical reviewer'] },
    { state: 'scheduled', extra: { approval, scheduledAt: '2031-03-01T09:30:00Z' }, want: ['Ravi Reviewer', 'scheduled for 2031-03-01T09:30:00Z will not happen'] },
    { state: 'in_review', extra: { live: { revision: 2, publishedAt: '2026-01-01T00:00:00Z' } }, want: ['live revision 2 stays live'] },
  ] as { state: PageState; extra?: Partial<Page>; want: string[] | null }[])('$state $extra', ({ state, extra, want }) => {
    const w = saveWarning(page(state, extra));
    if (want === null) {
      expect(w).toBeNull();
      return;
    }
    expect(w?.title).toBe('Save and return this page to draft?');
    for (const s of want) expect(w?.message).toContain(s);
  });

  it('has nothing to say about a new page', () => {
    expect(saveWarning(null)).toBeNull();
  });
});

describe('savedNotice', () => {
  it.each([
    { before: 'in_review', after: 'draft', want: 'the review request was withdrawn' },
    { before: 'approved', after: 'draft', want: 'the approval signed by Ravi Reviewer, PharmD no longer applies' },
    { before: 'scheduled', after: 'draft', want: 'scheduled publication is cancelled' },
    { before: 'draft', after: 'draft', want: null },
    { before: 'changes_requested', after: 'draft', want: null },
    { before: 'published', after: 'draft', want: null },
    // The server decides: when it kept the state, there is nothing to report.
    { before: 'in_review', after: 'in_review', want: null },
  ] as { before: PageState; after: PageState; want: string | null }[])('$before → $after', ({ before, after, want }) => {
    const n = savedNotice({ state: before, approval }, { state: after, revision: 4 });
    if (want === null) expect(n).toBeNull();
    else {
      expect(n).toContain('Saved as revision 4. The page returned to draft');
      expect(n).toContain(want);
    }
  });
});
