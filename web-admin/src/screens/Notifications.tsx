// The caller's notifications: what colleagues did that concerns them, each linking to its
// page. Opening one marks it read; "Mark all read" clears the count.

import { useState } from 'react';
import { errorMessage } from '../api/client';
import { useApp } from '../app-context';
import { ErrorBox, Loading, Time } from '../components/ui';
import { useLoad } from '../components/useLoad';
import { KIND_LABELS, listNotifications, markRead, type Notification } from '../lib/notifications';
import { href, Link, navigate, useLocation } from '../router';

const EMAIL_TEXT: Record<string, string> = {
  pending: 'E-mail not sent yet',
  sent: 'E-mailed',
  failed: 'E-mail failed',
};

export function Notifications() {
  const { api, announce } = useApp();
  const { query } = useLocation();
  const unreadOnly = query.get('show') !== 'all';
  const { data, setData, error, reload } = useLoad(() => listNotifications(api, { unread: unreadOnly }), [api, unreadOnly]);
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);

  const markAll = async () => {
    setBusy(true);
    setActionError(null);
    try {
      const r = await markRead(api, 'all');
      announce(r.marked === 1 ? 'One notification marked read.' : `${r.marked} notifications marked read.`);
      await reload();
    } catch (e) {
      setActionError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const markOne = async (n: Notification) => {
    setActionError(null);
    try {
      const r = await markRead(api, [n.id]);
      setData((cur) => (cur ? { ...cur, unread: r.unread, data: cur.data.map((x) => (x.id === n.id ? { ...x, readAt: new Date().toISOString() } : x)) } : cur));
    } catch (e) {
      setActionError(errorMessage(e));
    }
  };

  const open = async (n: Notification) => {
    if (!n.readAt) {
      try {
        await markRead(api, [n.id]);
      } catch {
        // Opening the page matters more than the mark; it stays unread.
      }
    }
    await navigate(`/pages/${encodeURIComponent(n.pageId)}${n.kind === 'review_requested' || n.kind === 'review_due' ? '/review' : ''}`);
  };

  return (
    <>
      <h1>Notifications</h1>
      <div className="toolbar notifications-toolbar">
        <nav aria-label="Which notifications" className="segmented">
          <Link to="/notifications" aria-current={unreadOnly ? 'page' : undefined} className={unreadOnly ? 'active' : undefined}>
            Unread{data && unreadOnly ? ` (${data.unread})` : ''}
          </Link>
          <Link to="/notifications?show=all" aria-current={!unreadOnly ? 'page' : undefined} className={!unreadOnly ? 'active' : undefined}>
            All
          </Link>
        </nav>
        <button type="button" className="btn-secondary" onClick={() => void markAll()} disabled={busy || !data || data.unread === 0}>
          Mark all read
        </button>
      </div>
      <ErrorBox error={error ?? actionError} />
      {!data && !error && <Loading what="Loading notifications" />}
      {data && data.data.length === 0 && <p className="muted">{unreadOnly ? 'Nothing unread. ' : 'No notifications yet. '}<Link to="/my-work">See my work</Link>.</p>}
      {data && data.data.length > 0 && (
        <ul className="notification-list">
          {data.data.map((n) => (
            <li key={n.id} className={n.readAt ? 'notification read' : 'notification unread'}>
              <div className="notification-head">
                <span className={`badge kind-${n.kind}`}>{KIND_LABELS[n.kind] ?? n.kind}</span>
                {!n.readAt && <span className="visually-hidden">Unread: </span>}
                <a
                  href={href(`/pages/${encodeURIComponent(n.pageId)}`)}
                  onClick={(e) => {
                    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
                    e.preventDefault();
                    void open(n);
                  }}
                >
                  {n.text}
                </a>
              </div>
              {n.comment && <blockquote className="notification-comment">{n.comment}</blockquote>}
              <p className="small muted">
                <Time iso={n.at} /> · revision {n.revision}
                {n.email !== 'off' && (
                  <>
                    {' · '}
                    <span title={n.emailError || undefined}>{EMAIL_TEXT[n.email] ?? n.email}</span>
                  </>
                )}
                {!n.readAt && (
                  <>
                    {' · '}
                    <button type="button" className="link-button" onClick={() => void markOne(n)}>
                      Mark read<span className="visually-hidden">: {n.text}</span>
                    </button>
                  </>
                )}
              </p>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
