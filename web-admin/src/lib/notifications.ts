// Notifications, work queues and presence: the shapes come from the generated schema (the
// server's OpenAPI document), the functions are the few calls the screens make.

import type { ApiClient } from '../api/client';
import type { components } from '../api/schema.gen';

type Schemas = components['schemas'];
export type Notification = Schemas['Notification'];
export type NotificationList = Schemas['NotificationList'];
export type WorkQueue = Schemas['WorkQueue'];
export type WorkQueues = Schemas['WorkQueues'];
export type QueueName = Schemas['QueueName'];
export type Presence = Schemas['Presence'];
export type PresenceList = Schemas['PresenceList'];
export type Notified = Schemas['Notified'];

export const NOTIFICATIONS_PATH = '/api/v1/manage/notifications';

/** Tells the bell to count again (after marking read anywhere). */
export const NOTIFICATIONS_CHANGED = 'monograph:notifications-changed';

export function notificationsChanged() {
  window.dispatchEvent(new Event(NOTIFICATIONS_CHANGED));
}

export function listNotifications(api: ApiClient, opts: { unread?: boolean; limit?: number; cursor?: string } = {}) {
  const p = new URLSearchParams();
  if (opts.unread) p.set('unread', 'true');
  p.set('limit', String(opts.limit ?? 50));
  if (opts.cursor) p.set('cursor', opts.cursor);
  return api.get<NotificationList>(`${NOTIFICATIONS_PATH}?${p}`);
}

export async function markRead(api: ApiClient, ids: string[] | 'all') {
  const r = await api.post<Schemas['MarkNotificationsReadResult']>(`${NOTIFICATIONS_PATH}/read`, ids === 'all' ? { all: true } : { ids });
  notificationsChanged();
  return r;
}

export function loadQueues(api: ApiClient) {
  return api.get<WorkQueues>('/api/v1/manage/queues');
}

export const QUEUE_TITLES: Record<QueueName, string> = {
  my_drafts: 'My drafts',
  changes_requested: 'Changes requested of me',
  awaiting_review: 'Awaiting my review',
  review_due: 'Due for periodic review',
  ready_to_publish: 'Ready to publish',
};

export const QUEUE_EMPTY: Record<QueueName, string> = {
  my_drafts: 'No drafts of yours since the last approval.',
  changes_requested: 'No page is waiting for changes from you.',
  awaiting_review: 'No page awaits your review.',
  review_due: 'No live page is due for its periodic review.',
  ready_to_publish: 'No approved page is waiting to be published.',
};

export const KIND_LABELS: Record<Notification['kind'], string> = {
  changes_requested: 'Changes requested',
  review_requested: 'Review requested',
  approved: 'Approved',
  published: 'Published',
  review_due: 'Review due',
  translation_outdated: 'Translation outdated',
};

/** How many people the caller's latest `action` on the page notified; 0 when none (yet):
 * asked a few times, since the notification job runs within about a second. */
export async function notifiedCount(api: ApiClient, pageId: string, action: 'request_changes' | 'approve' | 'submit' | 'publish'): Promise<number> {
  for (let i = 0; i < 4; i++) {
    try {
      const r = await api.get<Notified>(`/api/v1/manage/pages/${encodeURIComponent(pageId)}/notified?action=${action}`);
      if (r.recorded) return r.recipients;
    } catch {
      return 0;
    }
    await new Promise((res) => window.setTimeout(res, 500));
  }
  return 0;
}

export function presencePath(pageId: string) {
  return `/api/v1/manage/pages/${encodeURIComponent(pageId)}/presence`;
}

/** This browser tab's presence id, made once per page load: the server keeps each tab's
 * heartbeat apart, so closing one tab does not hide someone still editing in another. */
export const PRESENCE_TAB: string = (() => {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
})();

/** "Rita Reviewer is also editing", "A and B are also viewing this page". */
export function presenceText(others: Presence[]): string {
  if (others.length === 0) return '';
  const names = (list: Presence[]) => {
    const n = list.map((p) => p.user.name || 'Someone');
    return n.length === 1 ? n[0] : `${n.slice(0, -1).join(', ')} and ${n[n.length - 1]}`;
  };
  const editing = others.filter((p) => p.editing);
  const viewing = others.filter((p) => !p.editing);
  const parts: string[] = [];
  if (editing.length) parts.push(`${names(editing)} ${editing.length === 1 ? 'is' : 'are'} also editing this page`);
  if (viewing.length) parts.push(`${names(viewing)} ${viewing.length === 1 ? 'has' : 'have'} it open`);
  return parts.join('; ') + '.';
}
