// Who else has this page open: a heartbeat every 15 s while the page screen is open (the
// server forgets an entry 40 s after its last one), a goodbye when it closes; both carry
// this tab's id (PRESENCE_TAB), so another tab of the same person stays present. Shown as one
// polite status line; the "someone saved" warning (useSavedElsewhere) stays separate.

import { useEffect, useState } from 'react';
import { useApp } from '../app-context';
import { PRESENCE_TAB, presencePath, presenceText, type Presence, type PresenceList } from '../lib/notifications';

export const PRESENCE_INTERVAL_MS = 15000;

export function PresenceBar({ pageId, editing }: { pageId: string; editing: boolean }) {
  const { api } = useApp();
  const [others, setOthers] = useState<Presence[]>([]);

  useEffect(() => {
    let stopped = false;
    const beat = async () => {
      try {
        const r = await api.post<PresenceList>(presencePath(pageId), { editing, tab: PRESENCE_TAB });
        if (!stopped) setOthers(r.data);
      } catch {
        // Presence is a courtesy: a failed beat is retried at the next tick.
      }
    };
    void beat();
    const timer = window.setInterval(beat, PRESENCE_INTERVAL_MS);
    return () => {
      stopped = true;
      window.clearInterval(timer);
    };
  }, [api, pageId, editing]);

  useEffect(() => {
    const leave = () => void api.delete(`${presencePath(pageId)}?tab=${encodeURIComponent(PRESENCE_TAB)}`).catch(() => undefined);
    window.addEventListener('pagehide', leave);
    return () => {
      window.removeEventListener('pagehide', leave);
      leave();
    };
  }, [api, pageId]);

  const text = presenceText(others);
  return (
    <div className="presence" aria-live="polite">
      {text && (
        <p className="presence-line">
          <span className="presence-dot" aria-hidden="true" />
          {text}
        </p>
      )}
    </div>
  );
}
