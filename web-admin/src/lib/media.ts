// The media library's client side: the asset as the API gives it, the upload form's checks,
// licence expiry, the Markdown that places an image, and which pictures changed between two
// revisions (so a reviewer sees the old and the new image side by side). Pure functions
// except the few API calls at the end.

import { ApiError, type ApiClient } from '../api/client';
import type { Content, ListResponse } from '../api/types';
import type { Edit } from './markdownEdit';

/** A page that uses an asset (the server's `usedBy` entries; member names read leniently). */
export interface MediaUse {
  id?: string;
  pageId?: string;
  slug?: string;
  title?: string;
  /** Where the page uses it: `live` (its live revision) or `working` (its working copy). */
  kind?: string;
  live?: boolean;
  working?: boolean;
  [k: string]: unknown;
}

export interface MediaAsset {
  id: string;
  sha256: string;
  type: string;
  width: number;
  height: number;
  bytes: number;
  alt?: string;
  decorative?: boolean;
  caption?: string;
  credit?: string;
  license?: string;
  sourceUrl?: string;
  licenseExpires?: string | null;
  createdAt?: string;
  createdBy?: unknown;
  usedBy?: (MediaUse | string)[] | null;
  [k: string]: unknown;
}

/** One entry of a page's `images` list. */
export interface ImageRef {
  asset: string;
  alt?: string;
  caption?: string;
  [k: string]: unknown;
}

/** What the upload and edit forms hold. */
export interface MediaMeta {
  alt: string;
  decorative: boolean;
  caption: string;
  credit: string;
  license: string;
  sourceUrl: string;
  /** `YYYY-MM-DD` from the date input, or ''. */
  licenseExpires: string;
}

export const emptyMeta = (): MediaMeta => ({ alt: '', decorative: false, caption: '', credit: '', license: '', sourceUrl: '', licenseExpires: '' });

export const MEDIA_PATH = '/api/v1/manage/media';
export const mediaPath = (id: string) => `${MEDIA_PATH}/${encodeURIComponent(id)}`;

/** The types the server accepts (it decides from the bytes; this only guides the picker). */
export const ACCEPTED_TYPES = ['image/jpeg', 'image/png', 'image/webp'];
/** The server's default upload limit: larger files are refused before they are sent. */
export const MAX_BYTES = 10 * 1024 * 1024;

/** The form's own checks, by field: the same rules the server applies, said before sending. */
export function validateMeta(m: MediaMeta, file?: { size: number } | null, requireFile = false): Record<string, string> {
  const errors: Record<string, string> = {};
  if (requireFile && !file) errors.file = 'Choose an image to upload.';
  if (file && file.size > MAX_BYTES) errors.file = `The file is ${formatBytes(file.size)}; the limit is ${formatBytes(MAX_BYTES)}.`;
  // WCAG 1.1.1: every image that carries meaning needs a text alternative.
  if (!m.decorative && !m.alt.trim()) errors.alt = 'Describe the image for people who cannot see it, or mark it as decorative.';
  const url = m.sourceUrl.trim();
  if (url && !/^https?:\/\/[^\s/]+\.[^\s]*$/i.test(url)) errors.sourceUrl = 'Give the full web address, starting with https://.';
  if (m.licenseExpires && !/^\d{4}-\d{2}-\d{2}$/.test(m.licenseExpires)) errors.licenseExpires = 'Give the date as YYYY-MM-DD.';
  return errors;
}

/** The metadata as the API takes it (PATCH body, and the upload's form fields). A decorative
 * image has no alt text: it is hidden from screen readers. */
export function metaBody(m: MediaMeta): Record<string, string | boolean> {
  return {
    alt: m.decorative ? '' : m.alt.trim(),
    decorative: m.decorative,
    caption: m.caption.trim(),
    credit: m.credit.trim(),
    license: m.license.trim(),
    sourceUrl: m.sourceUrl.trim(),
    licenseExpires: m.licenseExpires,
  };
}

export function uploadForm(file: Blob, name: string, m: MediaMeta): FormData {
  const f = new FormData();
  f.append('file', file, name);
  for (const [k, v] of Object.entries(metaBody(m))) {
    if (v === '') continue;
    f.append(k, String(v));
  }
  return f;
}

export function metaOf(a: MediaAsset): MediaMeta {
  return {
    alt: a.alt ?? '',
    decorative: !!a.decorative,
    caption: a.caption ?? '',
    credit: a.credit ?? '',
    license: a.license ?? '',
    sourceUrl: a.sourceUrl ?? '',
    licenseExpires: a.licenseExpires ? a.licenseExpires.slice(0, 10) : '',
  };
}

export type LicenceState = 'none' | 'valid' | 'expiring' | 'expired';

/** Days before expiry from which a licence is "expiring" (the pre-review check warns then). */
export const EXPIRING_DAYS = 30;

/** Where a licence stands on `now`: an expiry date (a day, or a time) counts to the end of
 * that day in UTC, as the server's pre-review check does. */
export function licenceState(expires: string | null | undefined, now: Date = new Date()): { state: LicenceState; days: number | null } {
  if (!expires) return { state: 'none', days: null };
  const day = /^(\d{4})-(\d{2})-(\d{2})/.exec(expires);
  if (!day) return { state: 'none', days: null };
  const end = Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3]) + 1);
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const days = Math.round((end - today) / 86_400_000) - 1; // 0 = expires at the end of today
  if (end <= now.getTime()) return { state: 'expired', days };
  return { state: days <= EXPIRING_DAYS ? 'expiring' : 'valid', days };
}

export function licenceText(expires: string | null | undefined, now: Date = new Date()): string {
  const { state, days } = licenceState(expires, now);
  switch (state) {
    case 'none':
      return 'No expiry';
    case 'expired':
      return `Expired ${expires!.slice(0, 10)}`;
    case 'expiring':
      return days === 0 ? 'Expires today' : `Expires in ${days} day${days === 1 ? '' : 's'} (${expires!.slice(0, 10)})`;
    default:
      return `Valid until ${expires!.slice(0, 10)}`;
  }
}

export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** The asset's label in lists and announcements. */
export function assetLabel(a: Pick<MediaAsset, 'alt' | 'decorative' | 'caption' | 'id'>): string {
  return a.alt?.trim() || a.caption?.trim() || (a.decorative ? 'Decorative image' : 'Image') + ` ${a.id.slice(0, 8)}`;
}

/** The pages that use an asset, one entry per page (the server may list a page once for its
 * live revision and once for its working copy): a title or slug to show, and where. */
export function usesOf(a: MediaAsset): { key: string; label: string; pageId: string | null; where: string }[] {
  const pages = new Map<string, { label: string; pageId: string | null; live: boolean; working: boolean }>();
  (a.usedBy ?? []).forEach((u, i) => {
    const o: MediaUse = typeof u === 'string' ? { pageId: u } : u ?? {};
    const pageId = (o.pageId ?? o.id ?? null) as string | null;
    const key = pageId ?? `#${i}`;
    const p = pages.get(key) ?? { label: '', pageId, live: false, working: false };
    p.label ||= String(o.title || o.slug || '');
    p.live ||= !!o.live || o.kind === 'live';
    p.working ||= !!o.working || o.kind === 'working';
    pages.set(key, p);
  });
  return [...pages.entries()].map(([key, p]) => ({
    key,
    label: p.label || (p.pageId ? `Page ${p.pageId.slice(0, 8)}` : 'A page'),
    pageId: p.pageId,
    where: [p.live ? 'live' : '', p.working ? 'working copy' : ''].filter(Boolean).join(', '),
  }));
}

// ---- Markdown ----

/** `![alt](asset:<id>)`, the alt text escaped so that it cannot end the image early. */
export function markdownImage(alt: string, id: string): string {
  const a = alt.replace(/\s+/g, ' ').trim().replace(/([\\[\]])/g, '\\$1');
  return `![${a}](asset:${id})`;
}

/** The edit that places an image at the selection: on a line of its own (a picture is a
 * block), the alt text selected afterwards so the writer can adapt it to this page. */
export function insertImageEdit(text: string, start: number, end: number, alt: string, id: string): Edit {
  const img = markdownImage(alt, id);
  const head = text.slice(0, start);
  const rest = text.slice(end);
  const before = start === 0 ? '' : head.endsWith('\n\n') ? '' : head.endsWith('\n') ? '\n' : '\n\n';
  const after = rest === '' ? '' : rest.startsWith('\n\n') ? '' : rest.startsWith('\n') ? '\n' : '\n\n';
  const insert = before + img + after;
  const altStart = start + before.length + 2;
  const altEnd = altStart + img.length - `![](asset:${id})`.length;
  return { from: start, to: end, insert, selStart: altStart, selEnd: altEnd };
}

const ASSET_REF = /!\[((?:\\.|[^\]\\])*)\]\(asset:([A-Za-z0-9_-]+)\)/g;

/** The assets a Markdown text places, in order. */
export function markdownAssets(md: string): { alt: string; asset: string }[] {
  const out: { alt: string; asset: string }[] = [];
  for (const m of md.matchAll(ASSET_REF)) out.push({ alt: m[1].replace(/\\([\\[\]])/g, '$1'), asset: m[2] });
  return out;
}

/** Every image a content places, by field path: the `images` list and each Markdown field. */
export function imagesOf(c: Partial<Content> & { images?: ImageRef[] }): { path: string; asset: string; alt: string }[] {
  const out: { path: string; asset: string; alt: string }[] = [];
  (c.images ?? []).forEach((im, i) => im?.asset && out.push({ path: `images[${i}]`, asset: im.asset, alt: im.alt ?? '' }));
  const md = (path: string, text: unknown) => {
    if (typeof text !== 'string') return;
    markdownAssets(text).forEach((r, j) => out.push({ path: `${path}#${j}`, asset: r.asset, alt: r.alt }));
  };
  (c.sections ?? []).forEach((s, i) => md(`sections[${i}].body`, s?.body));
  (c.clinicalUses ?? []).forEach((u, i) => md(`clinicalUses[${i}].description`, u?.description));
  md('disclaimer', c.disclaimer);
  return out;
}

export interface ImageChange {
  /** Where the picture is: `images[0]`, `sections[2].body#0` (the first image of that body). */
  path: string;
  before: string | null;
  after: string | null;
  alt: string;
}

/** The pictures that differ between two contents, place by place: a replaced picture is one
 * change with both sides; an added or removed one has one side. */
export function imageChanges(a: Parameters<typeof imagesOf>[0] | null, b: Parameters<typeof imagesOf>[0]): ImageChange[] {
  const before = new Map((a ? imagesOf(a) : []).map((x) => [x.path, x]));
  const after = new Map(imagesOf(b).map((x) => [x.path, x]));
  const out: ImageChange[] = [];
  for (const [path, x] of after) {
    const o = before.get(path);
    if (!o || o.asset !== x.asset) out.push({ path, before: o?.asset ?? null, after: x.asset, alt: x.alt || o?.alt || '' });
  }
  for (const [path, o] of before) {
    if (!after.has(path)) out.push({ path, before: o.asset, after: null, alt: o.alt });
  }
  return out;
}

/** "Section 2 body, image 1" for an ImageChange path. */
export function imagePlace(path: string): string {
  const list = /^images\[(\d+)\]$/.exec(path);
  if (list) return `Page image ${Number(list[1]) + 1}`;
  const m = /^(sections|clinicalUses)\[(\d+)\]\.(\w+)#(\d+)$/.exec(path);
  if (m) return `${m[1] === 'sections' ? 'Section' : 'Clinical use'} ${Number(m[2]) + 1} ${m[3]}, image ${Number(m[4]) + 1}`;
  const d = /^(\w+)#(\d+)$/.exec(path);
  if (d) return `${d[1].charAt(0).toUpperCase() + d[1].slice(1)}, image ${Number(d[2]) + 1}`;
  return path;
}

// ---- Errors ----

/** The sentence for a refused upload, edit or deletion. */
export function describeMediaError(e: unknown, fallback: (e: unknown) => string): string {
  if (!(e instanceof ApiError)) return fallback(e);
  switch (e.code) {
    case 'unsupported_media':
      return 'This file is not a JPEG, PNG or WebP image (the type is read from the file itself, not its name). SVG and other formats are not accepted.';
    case 'image_too_large':
      return 'This image has too many pixels to be processed safely. Resize it and upload it again.';
    case 'asset_in_use':
      // The pages are listed on the image's card: the sentence says what to do.
      return 'A live page or a page being edited uses this image. Remove it from those pages first (and publish them without it) before deleting it.';
  }
  if (e.status === 413) return `The file is larger than the upload limit (${formatBytes(MAX_BYTES)}).`;
  return fallback(e);
}

// ---- API ----

export function listMedia(api: ApiClient, q: string, cursor?: string): Promise<ListResponse<MediaAsset>> {
  const p = new URLSearchParams();
  if (q.trim()) p.set('q', q.trim());
  if (cursor) p.set('cursor', cursor);
  const s = p.toString();
  return api.get<ListResponse<MediaAsset>>(MEDIA_PATH + (s ? '?' + s : '')).then((r) => {
    const data = r?.data ?? [];
    data.forEach(rememberAsset);
    return { data, nextCursor: r?.nextCursor };
  });
}

/** Uploads an image. `created` is false when the library had these exact bytes already
 * (identical files are one asset): the server answers 200 with that asset. */
export function uploadMedia(api: ApiClient, file: File, m: MediaMeta): Promise<MediaAsset & { created: boolean }> {
  return api.request<MediaAsset>('POST', MEDIA_PATH, { body: uploadForm(file, file.name, m) }).then((r) => {
    rememberAsset(r.data);
    return { ...r.data, created: r.status === 201 };
  });
}

export function updateMedia(api: ApiClient, id: string, m: MediaMeta): Promise<MediaAsset> {
  return api.patch<MediaAsset>(mediaPath(id), metaBody(m));
}

/** One stored rendition of an asset (`original.png`, `640.webp`…). */
export interface MediaFile {
  name: string;
  type?: string;
  width: number;
  height?: number;
  bytes?: number;
}

/** The rendition to show at `width` CSS pixels: the smallest at least that wide (sharp on a
 * standard screen), else the widest there is. */
export function fileFor(a: Pick<MediaAsset, 'type'> & { files?: MediaFile[] | null }, width: number): string {
  const files = (a.files ?? []).filter((f) => f && typeof f.name === 'string' && f.width > 0);
  const wide = files.filter((f) => f.width >= width).sort((x, y) => x.width - y.width || Number(x.name.startsWith('original')) - Number(y.name.startsWith('original')));
  if (wide.length) return wide[0].name;
  const widest = files.sort((x, y) => y.width - x.width)[0];
  if (widest) return widest.name;
  return `original.${a.type === 'image/jpeg' ? 'jpg' : a.type === 'image/webp' ? 'webp' : 'png'}`;
}

const known = new Map<string, Promise<MediaAsset | null>>();

/** An asset's record, asked once per id for pictures (its files never change: a different
 * picture is a different asset). */
export function assetOnce(api: ApiClient, id: string): Promise<MediaAsset | null> {
  let p = known.get(id);
  if (!p) {
    p = api.get<MediaAsset>(mediaPath(id)).catch(() => {
      known.delete(id);
      return null;
    });
    known.set(id, p);
  }
  return p;
}

/** Remembers an asset the screen already has (the library's list), so its pictures need no
 * further request for the record. */
export function rememberAsset(a: MediaAsset) {
  if (Array.isArray(a.files)) known.set(a.id, Promise.resolve(a));
}

/** The bytes of an asset for the admin, as an object URL for an <img>, or null. The admin
 * shows assets that are not live (a draft's new diagram), which public delivery refuses on
 * purpose: so the management route is asked first, with the signed-in user's token; the
 * public URL serves assets that are live. */
export async function fetchImage(api: ApiClient, id: string, width = 320): Promise<string | null> {
  const a = await assetOnce(api, id);
  if (!a) return null;
  const name = fileFor(a as MediaAsset & { files?: MediaFile[] }, width);
  const managed = `${mediaPath(id)}/files/${encodeURIComponent(name)}`;
  const authed = () => fetch(managed, { headers: api.tokens ? { Authorization: `Bearer ${api.tokens.accessToken}` } : {} });
  let res = await authed();
  if (res.status === 401 && (await api.refresh())) res = await authed();
  if (!res.ok) res = await fetch(`/media/${encodeURIComponent(a.sha256)}/${encodeURIComponent(name)}`);
  if (!res.ok) return null;
  return URL.createObjectURL(await res.blob());
}
