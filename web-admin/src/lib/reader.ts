// The page as readers see it, as a list of blocks of HTML in reading order: from the delivery
// JSON of a preview (the server's own HTML), or from a content and the server's Markdown
// renderer (an older revision, or what is being typed). Review marks changes block by block;
// the editor's preview pane follows the section being edited.

import type { components } from '../api/schema.gen';
import type { Content } from '../api/types';
import { SECTION_KEY_LABELS, USE_STATUS_LABELS } from './content';
import { markChanges } from './markChanges';

type PreviewPage = components['schemas']['PreviewPage'];

/** What a reader's page is made of (the delivery JSON's fields that are shown). */
export type ReaderSource = Pick<PreviewPage, 'title' | 'summary' | 'drug' | 'sections' | 'clinicalUses' | 'routes' | 'sideEffects' | 'patientGuidance' | 'references' | 'disclaimerHtml' | 'tags'> & {
  medicalReview?: PreviewPage['medicalReview'];
};

export interface ReaderBlock {
  /** Stable across revisions: "summary", "section:mechanism", "section:other#1", … */
  key: string;
  heading: string;
  html: string;
  /** Whether and how the block changed, once marked. */
  change?: 'changed' | 'new' | 'removed';
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const list = (items: string[]) => (items.length ? `<ul>${items.map((i) => `<li>${esc(i)}</li>`).join('')}</ul>` : '');

/** The blocks of a page in reading order; empty parts are left out. */
export function readerBlocks(p: ReaderSource): ReaderBlock[] {
  const out: ReaderBlock[] = [];
  const add = (key: string, heading: string, html: string) => {
    if (html.trim()) out.push({ key, heading, html });
  };
  add('summary', '', p.summary ? `<p>${esc(p.summary)}</p>` : '');
  const d = p.drug;
  const facts: [string, string][] = [
    ['Generic name', d.genericName],
    ['Brand names', (d.brandNames ?? []).join(', ')],
    ['Drug class', (d.drugClasses ?? []).join(', ')],
    ['Controlled status', (d.controlledStatus ?? []).map((c) => `${c.jurisdiction}: ${c.schedule}`).join('; ')],
  ];
  add('drug', 'At a glance', facts.filter(([, v]) => v).map(([k, v]) => `<p><strong>${esc(k)}:</strong> ${esc(v)}</p>`).join(''));
  const seen: Record<string, number> = {};
  for (const s of p.sections ?? []) {
    const n = (seen[s.key] = (seen[s.key] ?? -1) + 1);
    add(`section:${s.key}${n ? '#' + n : ''}`, s.title || SECTION_KEY_LABELS[s.key] || s.key, s.html);
  }
  add(
    'clinicalUses',
    'Clinical uses',
    (p.clinicalUses ?? []).map((u) => `<p class="reader-subhead"><strong>${esc(u.name)}</strong> · <em>${esc(USE_STATUS_LABELS[u.status] ?? u.status)}</em></p>${u.descriptionHtml}`).join(''),
  );
  add('routes', 'Routes', list(p.routes ?? []));
  const se = p.sideEffects ?? { common: [], serious: [] };
  add('sideEffects', 'Side effects', (se.common.length ? `<p class="reader-subhead"><strong>Common</strong></p>${list(se.common)}` : '') + (se.serious.length ? `<p class="reader-subhead"><strong>Serious</strong></p>${list(se.serious)}` : ''));
  add('patientGuidance', 'For patients', list(p.patientGuidance ?? []));
  add(
    'references',
    'References',
    (p.references ?? []).length
      ? `<ol>${p.references.map((r) => `<li>${r.url ? `<a href="${esc(r.url)}" rel="noopener noreferrer">${esc(r.title)}</a>` : esc(r.title)}${r.publisher ? `. ${esc(r.publisher)}` : ''}${r.year ? ` (${r.year})` : ''}</li>`).join('')}</ol>`
      : '',
  );
  add('disclaimer', 'Disclaimer', p.disclaimerHtml ?? '');
  return out;
}

/** The reader's page of a content, with its Markdown rendered by render (the server's
 * renderer, so the HTML is delivery's). */
export async function readerSourceOf(c: Content, render: (markdown: string) => Promise<string>): Promise<ReaderSource> {
  const [sections, uses, disclaimerHtml] = await Promise.all([
    Promise.all(c.sections.map(async (s) => ({ ...s, html: await render(s.body) }))),
    Promise.all(c.clinicalUses.map(async (u) => ({ ...u, descriptionHtml: await render(u.description) }))),
    render(c.disclaimer),
  ]);
  return {
    title: c.title,
    summary: c.summary,
    drug: c.drug,
    sections: sections as ReaderSource['sections'],
    clinicalUses: uses as ReaderSource['clinicalUses'],
    routes: c.routes,
    sideEffects: c.sideEffects,
    patientGuidance: c.patientGuidance,
    references: c.references.map((r) => ({ ...r, year: r.year ?? 0 })),
    disclaimerHtml,
    tags: c.tags,
  };
}

/** The blocks of now with what changed since old marked in place (old null: all is new);
 * removed blocks come back struck through where they were. */
export function markBlocks(old: ReaderBlock[] | null, now: ReaderBlock[], doc?: Document): ReaderBlock[] {
  if (old === null) return now.map((b) => ({ ...b, html: markChanges(null, b.html, doc).html, change: 'new' }));
  const before = new Map(old.map((b) => [b.key, b]));
  const keys = new Set(now.map((b) => b.key));
  const out: ReaderBlock[] = [];
  let oi = 0;
  for (const b of now) {
    // Blocks gone from the new text, in their old place.
    while (oi < old.length && !keys.has(old[oi].key)) {
      const gone = old[oi++];
      out.push({ ...gone, html: `<del class="chg">${gone.html}</del>`, change: 'removed' });
    }
    if (oi < old.length && old[oi].key === b.key) oi++;
    const prev = before.get(b.key);
    if (!prev) {
      out.push({ ...b, html: markChanges(null, b.html, doc).html, change: 'new' });
      continue;
    }
    const m = markChanges(prev.html, b.html, doc);
    out.push({ ...b, html: m.html, change: m.changed || prev.heading !== b.heading ? 'changed' : undefined });
  }
  for (; oi < old.length; oi++) {
    if (!keys.has(old[oi].key)) out.push({ ...old[oi], html: `<del class="chg">${old[oi].html}</del>`, change: 'removed' });
  }
  return out;
}

/** The block of the reader's page that shows the field at path (a form path such as
 * `sections[3].body`), or null when no block does (the title, the tags). */
export function blockKeyOf(path: string | null, c: Content): string | null {
  if (!path) return null;
  const sec = /^sections\[(\d+)\]/.exec(path);
  if (sec) {
    const i = Number(sec[1]);
    const s = c.sections[i];
    if (!s) return null;
    const n = c.sections.slice(0, i).filter((x) => x.key === s.key).length;
    return `section:${s.key}${n ? '#' + n : ''}`;
  }
  const head = path.split(/[.[]/)[0];
  if (head === 'drug') return 'drug';
  return ['summary', 'clinicalUses', 'routes', 'sideEffects', 'patientGuidance', 'references', 'disclaimer'].includes(head) ? head : null;
}

/** Seeds a renderer with the Markdown → HTML pairs of a delivery-shaped page, so previews of
 * unchanged text need no request. */
export function seedRenderer(seed: (markdown: string, html: string) => void, p: Pick<PreviewPage, 'sections' | 'clinicalUses' | 'disclaimer' | 'disclaimerHtml'>) {
  for (const s of p.sections ?? []) seed(s.body, s.html);
  for (const u of p.clinicalUses ?? []) seed(u.description, u.descriptionHtml);
  seed(p.disclaimer, p.disclaimerHtml);
}
