// Loads the page as readers see it: the latest revision exactly as delivery renders it (the
// preview of the working copy), an older revision through the same Markdown renderer.

import type { ApiClient } from '../../api/client';
import type { components } from '../../api/schema.gen';
import type { Page } from '../../api/types';
import { normalizeContent } from '../../lib/content';
import { readerBlocks, readerSourceOf, type ReaderBlock, type ReaderSource } from '../../lib/reader';
import { rendererFor } from '../../lib/renderer';
import { getRevision } from '../../lib/revisions';
import { pagePath } from './paths';

type PreviewToken = components['schemas']['PreviewToken'];
type PreviewPage = components['schemas']['PreviewPage'];

/** A preview link of the page's working copy: `/admin/preview/<id>#token=…` shows it as a
 * website would, to anyone who has the link, for the token's lifetime (30 minutes). */
export async function previewLink(api: ApiClient, pageId: string): Promise<{ href: string; expiresAt: string; token: string }> {
  const t = await api.post<PreviewToken>(`${pagePath(pageId)}/preview-token`, {});
  return { href: `/admin/preview/${encodeURIComponent(pageId)}#token=${encodeURIComponent(t.token)}`, expiresAt: t.expiresAt, token: t.token };
}

/** The delivery JSON of the page's working copy, through a preview token. */
export async function previewOf(api: ApiClient, pageId: string, token?: string): Promise<PreviewPage> {
  const tok = token ?? (await previewLink(api, pageId)).token;
  return api.request<PreviewPage>('GET', `/api/v1/preview/pages/${encodeURIComponent(pageId)}?token=${encodeURIComponent(tok)}`, { auth: false }).then((r) => r.data);
}

export interface Rendered {
  title: string;
  blocks: ReaderBlock[];
  reviewedBy: string | null;
}

function rendered(src: ReaderSource): Rendered {
  const r = src.medicalReview?.reviewer;
  return { title: src.title, blocks: readerBlocks(src), reviewedBy: r ? r.name + (r.credentials ? `, ${r.credentials}` : '') : null };
}

/** The latest revision as delivery renders it; from the content and the renderer when the
 * preview cannot be had. */
export async function renderLatest(api: ApiClient, page: Page): Promise<Rendered> {
  try {
    return rendered(await previewOf(api, page.id));
  } catch {
    return rendered(await readerSourceOf(normalizeContent(page.content), (md) => rendererFor(api).render(md)));
  }
}

/** Revision n of the page, rendered by the server's Markdown renderer. */
export async function renderRevision(api: ApiClient, pageId: string, n: number): Promise<Rendered> {
  const rev = await getRevision(api, pageId, n);
  return rendered(await readerSourceOf(normalizeContent(rev.content), (md) => rendererFor(api).render(md)));
}
