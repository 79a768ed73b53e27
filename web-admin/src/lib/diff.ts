// Small, dependency-free diffs for showing changes: a longest-common-subsequence diff over
// tokens (words for prose, lines for lists), and a field-by-field diff of two contents.

import type { Content } from '../api/types';
import { deepEqual, getPath } from './content';

export type DiffOp = 'equal' | 'insert' | 'delete';
export interface DiffPart {
  op: DiffOp;
  text: string;
}

/** LCS diff of two token sequences, adjacent parts of one kind merged. */
export function diffTokens(a: readonly string[], b: readonly string[], joiner = ''): DiffPart[] {
  // Trim the common head and tail first: the usual edit touches a small part.
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const parts: DiffPart[] = [];
  const push = (op: DiffOp, text: string) => {
    const last = parts[parts.length - 1];
    if (last && last.op === op) last.text += joiner + text;
    else parts.push({ op, text });
  };
  for (let i = 0; i < start; i++) push('equal', a[i]);
  const ma = a.slice(start, endA);
  const mb = b.slice(start, endB);
  const n = ma.length;
  const m = mb.length;
  if (n * m > 4_000_000) {
    for (const t of ma) push('delete', t);
    for (const t of mb) push('insert', t);
  } else {
    // dp[i][j] = LCS length of ma[i..], mb[j..]
    const dp: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        dp[i][j] = ma[i] === mb[j] ? dp[i + 1][j + 1] + 1 : Math.max(dp[i + 1][j], dp[i][j + 1]);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n && j < m) {
      if (ma[i] === mb[j]) {
        push('equal', ma[i]);
        i++;
        j++;
      } else if (dp[i + 1][j] >= dp[i][j + 1]) {
        push('delete', ma[i++]);
      } else {
        push('insert', mb[j++]);
      }
    }
    while (i < n) push('delete', ma[i++]);
    while (j < m) push('insert', mb[j++]);
  }
  for (let i = endA; i < a.length; i++) push('equal', a[i]);
  return parts;
}

/** Word-level diff of two texts (whitespace kept as tokens so the text reads back whole). */
export function diffWords(a: string, b: string): DiffPart[] {
  const tok = (s: string) => s.match(/\s+|[^\s]+/g) ?? [];
  return cleanupSemantic(diffTokens(tok(a), tok(b)));
}

/** Makes a diff read like a person's edit: whitespace-only equal runs between changes are
 * folded into them, and each run of changes becomes one deletion followed by one insertion
 * ("[removed: the old phrase][added: the new phrase]" instead of word-by-word confetti). */
export function cleanupSemantic(parts: DiffPart[]): DiffPart[] {
  const out: DiffPart[] = [];
  let del = '';
  let ins = '';
  const flush = () => {
    if (del) out.push({ op: 'delete', text: del });
    if (ins) out.push({ op: 'insert', text: ins });
    del = '';
    ins = '';
  };
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (p.op === 'delete') del += p.text;
    else if (p.op === 'insert') ins += p.text;
    else {
      const between = i > 0 && i < parts.length - 1 && parts[i - 1].op !== 'equal' && parts[i + 1].op !== 'equal';
      if (between && /^\s+$/.test(p.text)) {
        del += p.text;
        ins += p.text;
        continue;
      }
      flush();
      const last = out[out.length - 1];
      if (last && last.op === 'equal') last.text += p.text;
      else out.push({ ...p });
    }
  }
  flush();
  return out;
}

/** Line-level diff of two texts or line lists. */
export function diffLines(a: string | readonly string[], b: string | readonly string[]): DiffPart[] {
  const la = typeof a === 'string' ? (a === '' ? [] : a.split('\n')) : a;
  const lb = typeof b === 'string' ? (b === '' ? [] : b.split('\n')) : b;
  return diffTokens(la, lb, '\n');
}

/** A value shown as lines of text: strings as they are, lists one item a line. */
export function valueToLines(v: unknown): string[] {
  if (v === undefined || v === null || v === '') return [];
  if (typeof v === 'string') return v.split('\n');
  if (typeof v === 'number' || typeof v === 'boolean') return [String(v)];
  if (Array.isArray(v)) return v.flatMap((item, i) => itemLines(item, i));
  if (typeof v === 'object') return objectLines(v as Record<string, unknown>);
  return [String(v)];
}

function itemLines(item: unknown, i: number): string[] {
  if (item && typeof item === 'object' && !Array.isArray(item)) {
    const lines = objectLines(item as Record<string, unknown>);
    return lines.map((l, k) => (k === 0 ? `${i + 1}. ${l}` : `   ${l}`));
  }
  return [`• ${typeof item === 'string' ? item : JSON.stringify(item)}`];
}

function objectLines(o: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const [k, val] of Object.entries(o)) {
    if (val === undefined || val === null) continue;
    const s = typeof val === 'string' ? val : JSON.stringify(val);
    const [first, ...rest] = s.split('\n');
    out.push(`${k}: ${first}`);
    for (const r of rest) out.push(`  ${r}`);
  }
  return out;
}

/** Diff of two values as shown to people: words for a single text, lines otherwise. */
export function diffValues(a: unknown, b: unknown): DiffPart[] {
  if ((typeof a === 'string' || a == null) && (typeof b === 'string' || b == null)) {
    const sa = (a as string | null) ?? '';
    const sb = (b as string | null) ?? '';
    if (!sa.includes('\n') && !sb.includes('\n')) return diffWords(sa, sb);
    return diffLines(sa, sb);
  }
  return diffLines(valueToLines(a), valueToLines(b));
}

/** The content fields people think in, in form order, with their labels. */
export const CONTENT_FIELDS: { path: string; label: string }[] = [
  { path: 'title', label: 'Title' },
  { path: 'summary', label: 'Summary' },
  { path: 'drug.name', label: 'Drug name' },
  { path: 'drug.genericName', label: 'Generic name' },
  { path: 'drug.brandNames', label: 'Brand names' },
  { path: 'drug.drugClasses', label: 'Drug classes' },
  { path: 'drug.controlledStatus', label: 'Controlled status' },
  { path: 'sections', label: 'Sections' },
  { path: 'clinicalUses', label: 'Clinical uses' },
  { path: 'routes', label: 'Routes' },
  { path: 'sideEffects.common', label: 'Common side effects' },
  { path: 'sideEffects.serious', label: 'Serious side effects' },
  { path: 'patientGuidance', label: 'Patient guidance' },
  { path: 'references', label: 'References' },
  { path: 'disclaimer', label: 'Disclaimer' },
  { path: 'tags', label: 'Tags' },
];

/** Lists whose items are records edited as a unit: diffed and merged item by item when both
 * sides have the same number of items. */
export const ITEM_LISTS = new Set(['sections', 'clinicalUses', 'references', 'drug.controlledStatus']);

export interface FieldChange {
  path: string;
  label: string;
  from: unknown;
  to: unknown;
  parts: DiffPart[];
}

function itemLabel(listPath: string, label: string, i: number, ...items: unknown[]): string {
  const it = items.find((x) => x && typeof x === 'object') as Record<string, unknown> | undefined;
  const name = it ? (it.title ?? it.name ?? it.jurisdiction) : undefined;
  const base = listPath === 'sections' ? 'Section' : listPath === 'clinicalUses' ? 'Clinical use' : listPath === 'references' ? 'Reference' : label;
  return `${base} ${i + 1}${name ? ` — “${String(name)}”` : ''}`;
}

/** Field paths to compare for the given contents: item paths (`sections[2]`) for record lists
 * of equal length, the whole list otherwise. */
export function comparablePaths(...contents: unknown[]): { path: string; label: string }[] {
  const out: { path: string; label: string }[] = [];
  for (const f of CONTENT_FIELDS) {
    if (ITEM_LISTS.has(f.path)) {
      const lists = contents.map((c) => getPath(c, f.path));
      const lens = lists.map((l) => (Array.isArray(l) ? l.length : -1));
      if (lens.every((n) => n >= 0 && n === lens[0])) {
        for (let i = 0; i < lens[0]; i++) {
          out.push({ path: `${f.path}[${i}]`, label: itemLabel(f.path, f.label, i, ...lists.map((l) => (l as unknown[])[i])) });
        }
        continue;
      }
    }
    out.push(f);
  }
  return out;
}

/** The changed fields between two contents, in form order. */
export function diffContent(a: Content | unknown, b: Content | unknown): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const f of comparablePaths(a, b)) {
    const from = getPath(a, f.path);
    const to = getPath(b, f.path);
    if (deepEqual(from ?? null, to ?? null)) continue;
    changes.push({ ...f, from, to, parts: diffValues(from, to) });
  }
  return changes;
}
