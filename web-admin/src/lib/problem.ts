// Maps a problem+json body's `errors: [{field, message}]` onto the form's fields.
// Server paths look like `content.sections[2].key` or `content.title`; the editor names its
// controls by the path inside the content (`sections[2].key`, `title`).

import { ApiError } from '../api/client';
import type { FieldError, Problem } from '../api/types';

export type FieldErrors = Record<string, string[]>;

/** Normalises a server field path: drops a leading `content.`/`/content/`, turns JSON-pointer
 * segments and `.2.` index segments into `[2]`. */
export function normalizeFieldPath(field: string, prefix = 'content'): string {
  let f = field.trim();
  if (f.startsWith('/')) {
    // JSON pointer: /content/sections/2/key
    f = f
      .slice(1)
      .split('/')
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
      .map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : (i === 0 ? '' : '.') + s))
      .join('');
  }
  f = f.replace(/\.(\d+)(?=\.|$|\[)/g, '[$1]');
  if (prefix && (f === prefix || f.startsWith(prefix + '.') || f.startsWith(prefix + '['))) {
    f = f.slice(prefix.length).replace(/^\./, '');
  }
  return f;
}

/** Groups the problem's field errors by normalised path. Errors without a field go under ''. */
export function fieldErrorsFrom(problemOrError: Problem | ApiError | unknown, prefix = 'content'): FieldErrors {
  let problem: Problem | undefined;
  if (problemOrError instanceof ApiError) problem = problemOrError.problem;
  else if (problemOrError && typeof problemOrError === 'object') problem = problemOrError as Problem;
  const out: FieldErrors = {};
  const list: FieldError[] = Array.isArray(problem?.errors) ? (problem!.errors as FieldError[]) : [];
  for (const e of list) {
    if (!e || typeof e !== 'object') continue;
    const key = e.field ? normalizeFieldPath(String(e.field), prefix) : '';
    (out[key] ??= []).push(String(e.message ?? 'invalid'));
  }
  return out;
}

/** Errors for `path` itself. */
export function errorsAt(errors: FieldErrors, path: string): string[] {
  return errors[path] ?? [];
}

/** True when any error lies at or below `path` (e.g. `sections[2]` holds `sections[2].key`). */
export function hasErrorsUnder(errors: FieldErrors, path: string): boolean {
  return Object.keys(errors).some((k) => k === path || k.startsWith(path + '.') || k.startsWith(path + '['));
}

/** Moves the errors of list items along when the list is reordered: `mapIndex(old)` gives
 * the new index of an item, or -1 when it was removed. */
export function remapListErrors(errors: FieldErrors, listPath: string, mapIndex: (old: number) => number): FieldErrors {
  const out: FieldErrors = {};
  const re = new RegExp('^' + listPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '\\[(\\d+)\\](.*)$');
  for (const [k, v] of Object.entries(errors)) {
    const m = re.exec(k);
    if (!m) {
      out[k] = v;
      continue;
    }
    const ni = mapIndex(Number(m[1]));
    if (ni < 0) continue;
    out[`${listPath}[${ni}]${m[2]}`] = v;
  }
  return out;
}

/** Human labels for field paths, for the error summary. */
export function describeField(path: string): string {
  if (!path) return 'Page';
  const labels: Record<string, string> = {
    title: 'Title',
    summary: 'Summary',
    slug: 'Slug',
    disclaimer: 'Disclaimer',
    'drug.name': 'Drug name',
    'drug.genericName': 'Generic name',
    'drug.brandNames': 'Brand names',
    'drug.drugClasses': 'Drug classes',
    'drug.controlledStatus': 'Controlled status',
    sections: 'Sections',
    clinicalUses: 'Clinical uses',
    routes: 'Routes',
    sideEffects: 'Side effects',
    'sideEffects.common': 'Common side effects',
    'sideEffects.serious': 'Serious side effects',
    patientGuidance: 'Patient guidance',
    references: 'References',
    tags: 'Tags',
  };
  if (labels[path]) return labels[path];
  const order = /^(.*)\.order$/.exec(path);
  if (order) return `${describeField(order[1])}: order`;
  const m = /^(.*?)\[(\d+)\](?:\.(.*))?$/.exec(path);
  if (m) {
    const base = describeField(m[1]);
    return `${base} #${Number(m[2]) + 1}${m[3] ? ' ' + m[3] : ''}`;
  }
  // Items named by key or name: sections[mechanism].body, clinicalUses[Acute pain].status
  const k = /^(.*?)\[([^\]]+)\](?:\.(.*))?$/.exec(path);
  if (k) {
    const base = describeField(k[1]);
    const key = k[2].replace(/#(\d+)$/, (_, n) => ` ${Number(n) + 1}`);
    return `${base} “${key}”${k[3] ? ' ' + k[3] : ''}`;
  }
  return path;
}
