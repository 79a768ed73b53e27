// Reads the server's GET /pages/:id/diff answer into the admin's FieldChange list. The
// contract says "field-by-field and line-by-line differences" without fixing member names, so
// this accepts the common spellings; `null` means "not understood" and the caller falls back
// to diffing the two revisions' contents itself.

import { describeField, normalizeFieldPath } from './problem';
import { diffValues, diffWords, type DiffOp, type DiffPart, type FieldChange } from './diff';

const OPS: Record<string, DiffOp> = {
  equal: 'equal',
  eq: 'equal',
  same: 'equal',
  context: 'equal',
  unchanged: 'equal',
  ' ': 'equal',
  '=': 'equal',
  insert: 'insert',
  insertion: 'insert',
  add: 'insert',
  added: 'insert',
  ins: 'insert',
  '+': 'insert',
  delete: 'delete',
  deletion: 'delete',
  remove: 'delete',
  removed: 'delete',
  del: 'delete',
  '-': 'delete',
};

function toParts(lines: unknown): DiffPart[] | null {
  if (!Array.isArray(lines)) return null;
  const parts: DiffPart[] = [];
  for (const l of lines) {
    if (typeof l === 'string') {
      const op = OPS[l.charAt(0)];
      if (!op) return null;
      parts.push({ op, text: l.slice(1).replace(/^ /, '') });
      continue;
    }
    if (!l || typeof l !== 'object') return null;
    const o = l as Record<string, unknown>;
    const op = OPS[String(o.op ?? o.type ?? o.kind ?? o.operation ?? '').toLowerCase()];
    const text = o.text ?? o.line ?? o.value ?? o.content;
    if (!op || text === undefined) return null;
    parts.push({ op, text: String(text) });
  }
  // Show lines as lines.
  const merged: DiffPart[] = [];
  for (const p of parts) {
    const last = merged[merged.length - 1];
    if (last && last.op === p.op) last.text += '\n' + p.text;
    else merged.push({ ...p });
  }
  // Separate runs so that they read as lines when rendered with white-space: pre-wrap.
  const lined = merged.map((p, i) => (i < merged.length - 1 ? { ...p, text: p.text + '\n' } : p));
  // A rewritten paragraph is one deleted and one inserted line: show which words changed.
  const out: DiffPart[] = [];
  for (let i = 0; i < lined.length; i++) {
    const p = lined[i];
    const next = lined[i + 1];
    if (p.op === 'delete' && next?.op === 'insert') {
      out.push(...diffWords(p.text.replace(/\n$/, ''), next.text.replace(/\n$/, '')));
      if (next.text.endsWith('\n')) out.push({ op: 'equal', text: '\n' });
      i++;
    } else out.push(p);
  }
  return out;
}

export function normalizeServerDiff(raw: unknown): FieldChange[] | null {
  if (!raw || typeof raw !== 'object') return null;
  const r = raw as Record<string, unknown>;
  const list = [r.fields, r.changes, r.data, r.diff, r.differences].find((x) => Array.isArray(x)) as unknown[] | undefined;
  if (!list) {
    if (Array.isArray(raw)) return normalizeServerDiff({ fields: raw });
    return null;
  }
  const out: FieldChange[] = [];
  for (const item of list) {
    if (!item || typeof item !== 'object') return null;
    const o = item as Record<string, unknown>;
    const rawPath = o.path ?? o.field ?? o.name;
    if (typeof rawPath !== 'string') return null;
    const path = normalizeFieldPath(rawPath);
    const from = o.from ?? o.old ?? o.before ?? o.a;
    const to = o.to ?? o.new ?? o.after ?? o.b;
    const parts = toParts(o.lines ?? o.diff ?? o.hunks ?? o.parts) ?? (from !== undefined || to !== undefined ? diffValues(from, to) : null);
    if (!parts) return null;
    if (parts.every((p) => p.op === 'equal')) continue;
    const last = out[out.length - 1];
    if (last && last.path === path) {
      // Several items added to or removed from one list: one entry, one line each.
      last.parts = [...last.parts, { op: 'equal', text: '\n' }, ...parts];
      continue;
    }
    out.push({ path, label: typeof o.label === 'string' ? o.label : describeField(path), from, to, parts });
  }
  return out;
}
