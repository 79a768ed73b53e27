// Watches the page while it is open in the editor, so a writer learns the moment someone else
// saves it, before their own save is refused: the page is asked for again every few seconds
// and when the window regains focus, with If-None-Match (304 while nothing changed).

import { useEffect, useRef, useState } from 'react';
import { ApiError, type ApiClient } from '../../api/client';
import type { Page } from '../../api/types';
import { pagePath } from './paths';

export const WATCH_INTERVAL_MS = 4000;

/** The newer page someone saved, or null; `dismiss` forgets it (after a merge or a reload). */
export function useSavedElsewhere(api: ApiClient, page: Page | null, active: boolean) {
  const [newer, setNewer] = useState<Page | null>(null);
  const known = useRef(page?.version ?? 0);
  known.current = Math.max(known.current, page?.version ?? 0, newer?.version ?? 0);
  const id = page?.id;

  useEffect(() => {
    if (!id || !active) return;
    let stopped = false;
    const check = async () => {
      if (document.hidden) return;
      try {
        const r = await api.request<Page>('GET', pagePath(id), { headers: { 'If-None-Match': `"${known.current}"` } });
        if (!stopped && r.data && r.data.version > known.current) setNewer(r.data);
      } catch (e) {
        if (!(e instanceof ApiError) || e.status !== 304) return; // a failed look is retried next time
      }
    };
    const timer = window.setInterval(check, WATCH_INTERVAL_MS);
    window.addEventListener('focus', check);
    return () => {
      stopped = true;
      window.clearInterval(timer);
      window.removeEventListener('focus', check);
    };
  }, [api, id, active]);

  return { newer, dismiss: () => setNewer(null) };
}
