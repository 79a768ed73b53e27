// Local copies of unsaved drafts, so that nothing typed is lost to a closed tab, an expired
// session or a version conflict. Kept in localStorage until the server has the content.

import type { Content } from '../api/types';

export interface StoredDraft {
  /** The page id, or "new" for a page not yet created. */
  pageId: string;
  /** The version the draft was based on (the If-Match to send). */
  baseVersion: number | null;
  /** The content the draft started from, for a three-way merge on conflict. */
  baseContent: Content | null;
  content: Content;
  slug?: string;
  savedAt: number;
}

export interface KeyValueStore {
  getItem(k: string): string | null;
  setItem(k: string, v: string): void;
  removeItem(k: string): void;
}

const key = (userId: string, pageId: string) => `monograph.draft.${userId}.${pageId}`;

export function loadDraft(store: KeyValueStore, userId: string, pageId: string): StoredDraft | null {
  try {
    const raw = store.getItem(key(userId, pageId));
    if (!raw) return null;
    const d = JSON.parse(raw) as StoredDraft;
    return d && d.content ? d : null;
  } catch {
    return null;
  }
}

export function saveDraft(store: KeyValueStore, userId: string, draft: StoredDraft): void {
  try {
    store.setItem(key(userId, draft.pageId), JSON.stringify(draft));
  } catch {
    // Storage full or unavailable: the in-memory draft still exists.
  }
}

export function clearDraft(store: KeyValueStore, userId: string, pageId: string): void {
  try {
    store.removeItem(key(userId, pageId));
  } catch {
    /* ignore */
  }
}

/** Storage that works when the browser's is unavailable (tests, privacy modes). */
export function safeStorage(get: () => Storage): KeyValueStore {
  const mem = new Map<string, string>();
  const s = (() => {
    try {
      const st = get();
      const probe = '__monograph_probe__';
      st.setItem(probe, '1');
      st.removeItem(probe);
      return st;
    } catch {
      return null;
    }
  })();
  if (s) return s;
  return {
    getItem: (k) => mem.get(k) ?? null,
    setItem: (k, v) => void mem.set(k, v),
    removeItem: (k) => void mem.delete(k),
  };
}
