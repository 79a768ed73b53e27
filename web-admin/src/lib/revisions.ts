import type { ApiClient } from '../api/client';
import { ApiError } from '../api/client';
import type { Revision } from '../api/types';
import { emptyContent, normalizeContent } from './content';
import { diffContent, type FieldChange } from './diff';
import { normalizeServerDiff } from './serverDiff';

const pagePath = (id: string) => `/api/v1/manage/pages/${encodeURIComponent(id)}`;

export function getRevision(api: ApiClient, pageId: string, n: number): Promise<Revision> {
  return api.get<Revision>(`${pagePath(pageId)}/revisions/${n}`);
}

/** Field-by-field changes from revision `from` to `to` (from 0 = an empty page), asking the
 * server's diff and computing it from the two revisions only when its answer is not understood. */
export async function loadDiff(api: ApiClient, pageId: string, from: number, to: number): Promise<FieldChange[]> {
  if (from <= 0) {
    const rev = await getRevision(api, pageId, to);
    return diffContent(emptyContent(), normalizeContent(rev.content));
  }
  try {
    const raw = await api.get<unknown>(`${pagePath(pageId)}/diff?from=${from}&to=${to}`);
    const n = normalizeServerDiff(raw);
    if (n) return n;
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 404) throw e;
  }
  const [a, b] = await Promise.all([getRevision(api, pageId, from), getRevision(api, pageId, to)]);
  return diffContent(normalizeContent(a.content), normalizeContent(b.content));
}
