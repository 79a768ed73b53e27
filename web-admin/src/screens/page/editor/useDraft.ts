// The editor's draft: the content being edited, the version and content it started from
// (for If-Match and the merge), and its copy on this device, restored on the next visit and
// kept until the server has it.

import { useEffect, useMemo, useRef, useState } from 'react';
import type { Content, Page } from '../../../api/types';
import { useApp } from '../../../app-context';
import { deepEqual, emptyContent, normalizeContent } from '../../../lib/content';
import { clearDraft, loadDraft, saveDraft } from '../../../lib/drafts';

export interface Base {
  version: number | null;
  content: Content;
}

/** onStale is told when the restored draft was started from a version someone has since
 * saved over: the writer must merge. */
export function useDraft(page: Page | null, onStale: (p: Page) => void) {
  const { user, drafts } = useApp();
  const pageId = page?.id ?? 'new';
  const initial = useMemo<Base>(() => ({ version: page?.version ?? null, content: page ? normalizeContent(page.content) : emptyContent() }), [pageId]); // eslint-disable-line react-hooks/exhaustive-deps
  const [base, setBase] = useState<Base>(initial);
  const [content, setContent] = useState<Content>(initial.content);
  const [slug, setSlug] = useState('');
  const [restored, setRestored] = useState<number | null>(null);
  const dirty = !deepEqual(content, base.content) || (page === null && slug !== '');

  // Offer the local draft kept from an earlier visit (or a lost session).
  useEffect(() => {
    const d = loadDraft(drafts, user.id, pageId);
    if (!d) return;
    if (page === null) {
      setContent(normalizeContent(d.content));
      setSlug(d.slug ?? '');
      setRestored(d.savedAt);
      return;
    }
    const server = normalizeContent(page.content);
    if (deepEqual(normalizeContent(d.content), server)) {
      clearDraft(drafts, user.id, pageId);
      return;
    }
    setContent(normalizeContent(d.content));
    setRestored(d.savedAt);
    if (d.baseVersion !== page.version && d.baseContent && !deepEqual(normalizeContent(d.baseContent), server)) {
      // Someone saved since this draft was started: merge.
      setBase({ version: d.baseVersion, content: normalizeContent(d.baseContent) });
      onStale(page);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [pageId]);

  // Keep the draft on this device until the server has it: written once typing pauses (a
  // long page is a large JSON, not to be written at every keystroke), and at once when the
  // page is left or hidden.
  const keepDraft = useRef<() => void>(() => {});
  // Set by a save the server accepted, until the next edit: the form may be left before it
  // shows the saved page, and must not keep the saved text as a draft.
  const justSaved = useRef(false);
  const lastSaved = useRef<Content | null>(null);
  keepDraft.current = () => {
    if (justSaved.current) clearDraft(drafts, user.id, pageId);
    else if (dirty) saveDraft(drafts, user.id, { pageId, baseVersion: base.version, baseContent: base.content, content, slug, savedAt: Date.now() });
    else clearDraft(drafts, user.id, pageId);
  };
  useEffect(() => {
    if (dirty && justSaved.current && !deepEqual(content, lastSaved.current)) justSaved.current = false;
    const t = window.setTimeout(() => keepDraft.current(), dirty ? 400 : 0);
    return () => window.clearTimeout(t);
  }, [content, slug, base, dirty, drafts, user.id, pageId]);
  useEffect(() => {
    const now = () => keepDraft.current();
    window.addEventListener('pagehide', now);
    document.addEventListener('visibilitychange', now);
    return () => {
      window.removeEventListener('pagehide', now);
      document.removeEventListener('visibilitychange', now);
      now();
    };
  }, []);

  /** After the server accepted saved: the draft on this device goes. */
  const markSaved = (saved: Content) => {
    justSaved.current = true;
    lastSaved.current = saved;
  };

  return { base, setBase, content, setContent, slug, setSlug, restored, setRestored, dirty, markSaved };
}
