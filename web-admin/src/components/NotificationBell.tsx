// The header's bell: a link to the notifications with the unread count, counted again every
// 20 s, when the window regains focus and when any screen marks notifications read.

import { useEffect, useState } from 'react';
import { useApp } from '../app-context';
import { listNotifications, NOTIFICATIONS_CHANGED } from '../lib/notifications';
import { Link, useLocation } from '../router';

export const BELL_INTERVAL_MS = 20000;

export function NotificationBell() {
  const { api } = useApp();
  const { path } = useLocation();
  const [unread, setUnread] = useState<number | null>(null);

  useEffect(() => {
    let stopped = false;
    const count = async () => {
      if (document.hidden) return;
      try {
        const r = await listNotifications(api, { limit: 1 });
        if (!stopped) setUnread(r.unread);
      } catch {
        // A failed count is retried at the next tick; the old number stays.
      }
    };
    void count();
    const timer = window.setInterval(count, BELL_INTERVAL_MS);
    window.addEventListener('focus', count);
    window.addEventListener(NOTIFICATIONS_CHANGED, count);
    return () => {
      stopped = true;
      window.clearInterval(timer);
      window.removeEventListener('focus', count);
      window.removeEventListener(NOTIFICATIONS_CHANGED, count);
    };
  }, [api]);

  const n = unread ?? 0;
  const label = n === 0 ? 'Notifications, none unread' : `Notifications, ${n} unread`;
  return (
    <Link to="/notifications" className="bell" aria-label={label} aria-current={path === '/notifications' ? 'page' : undefined} data-testid="bell">
      <svg aria-hidden="true" focusable="false" width="18" height="18" viewBox="0 0 24 24">
        <path fill="currentColor" d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1Z" />
      </svg>
      {n > 0 && (
        <span className="bell-count" aria-hidden="true">
          {n > 99 ? '99+' : n}
        </span>
      )}
    </Link>
  );
}
