// Content helpers: an empty page, filling in what the server left out so the form always has
// lists to edit, cleaning a draft before it is saved, and path access for merge and errors.

import type { ClinicalUse, Content, ControlledStatus, Reference, Section } from '../api/types';

export function emptyContent(): Content {
  return {
    title: '',
    summary: '',
    drug: { name: '', genericName: '', brandNames: [], drugClasses: [], controlledStatus: [] },
    sections: [],
    clinicalUses: [],
    routes: [],
    sideEffects: { common: [], serious: [] },
    patientGuidance: [],
    references: [],
    disclaimer: '',
    tags: [],
  };
}

export const emptySection = (key = 'overview'): Section => ({ key, title: '', body: '' });
export const emptyUse = (): ClinicalUse => ({ name: '', description: '', status: 'approved' });
export const emptyReference = (): Reference => ({ title: '', url: '', publisher: '', year: null });
export const emptyControlled = (): ControlledStatus => ({ jurisdiction: '', schedule: '' });

const str = (v: unknown) => (typeof v === 'string' ? v : v == null ? '' : String(v));
const strList = (v: unknown) => (Array.isArray(v) ? v.map(str) : []);
const objList = <T>(v: unknown, f: (o: Record<string, unknown>) => T): T[] =>
  Array.isArray(v) ? v.map((o) => f((o && typeof o === 'object' ? o : {}) as Record<string, unknown>)) : [];

/** Fills defaults for every member the form edits, keeping unknown members untouched. */
export function normalizeContent(raw: unknown): Content {
  const c = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const drug = (c.drug && typeof c.drug === 'object' ? c.drug : {}) as Record<string, unknown>;
  const se = (c.sideEffects && typeof c.sideEffects === 'object' ? c.sideEffects : {}) as Record<string, unknown>;
  return {
    ...(c as object),
    title: str(c.title),
    summary: str(c.summary),
    drug: {
      ...(drug as object),
      name: str(drug.name),
      genericName: str(drug.genericName),
      brandNames: strList(drug.brandNames),
      drugClasses: strList(drug.drugClasses),
      controlledStatus: objList(drug.controlledStatus, (o) => ({ ...o, jurisdiction: str(o.jurisdiction), schedule: str(o.schedule) })),
    },
    sections: objList(c.sections, (o) => ({ ...o, key: str(o.key) || 'other', title: str(o.title), body: str(o.body) })),
    clinicalUses: objList(c.clinicalUses, (o) => ({ ...o, name: str(o.name), description: str(o.description), status: str(o.status) || 'approved' })),
    routes: strList(c.routes),
    sideEffects: { ...(se as object), common: strList(se.common), serious: strList(se.serious) },
    patientGuidance: strList(c.patientGuidance),
    references: objList(c.references, (o) => ({
      ...o,
      title: str(o.title),
      url: str(o.url),
      publisher: str(o.publisher),
      year: typeof o.year === 'number' ? o.year : o.year ? Number(o.year) || null : null,
    })),
    disclaimer: str(c.disclaimer),
    tags: strList(c.tags),
  } as Content;
}

/** The body sent to PUT /content: blank list entries dropped, an empty reference year left out. */
export function contentForSave(c: Content): Content {
  const clean = (l: string[]) => l.map((s) => s.trim()).filter((s) => s !== '');
  const out = JSON.parse(JSON.stringify(c)) as Content;
  out.drug.brandNames = clean(out.drug.brandNames);
  out.drug.drugClasses = clean(out.drug.drugClasses);
  out.drug.controlledStatus = out.drug.controlledStatus.filter((s) => s.jurisdiction.trim() !== '' || s.schedule.trim() !== '');
  out.routes = clean(out.routes);
  out.sideEffects.common = clean(out.sideEffects.common);
  out.sideEffects.serious = clean(out.sideEffects.serious);
  out.patientGuidance = clean(out.patientGuidance);
  out.tags = clean(out.tags);
  out.references = out.references.map((r) => {
    const copy: Record<string, unknown> = { ...r };
    if (r.year === null || r.year === undefined || Number.isNaN(r.year)) delete copy.year;
    return copy as unknown as Reference;
  });
  return out;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
  for (const k of keys) {
    // A missing member and an undefined one are the same thing in JSON.
    if (!deepEqual(ao[k], bo[k])) return false;
  }
  return true;
}

/** Splits `drug.controlledStatus[1].schedule` into ['drug','controlledStatus',1,'schedule']. */
export function parsePath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const part of path.split('.')) {
    const re = /([^[\]]+)|\[(\d+)\]/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(part))) out.push(m[1] !== undefined ? m[1] : Number(m[2]));
  }
  return out;
}

export function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const seg of parsePath(path)) {
    if (cur == null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}

/** A copy of obj with `path` set to value (intermediate objects copied, never mutated). */
export function setPath<T>(obj: T, path: string, value: unknown): T {
  const segs = parsePath(path);
  const rec = (cur: unknown, i: number): unknown => {
    if (i === segs.length) return value;
    const seg = segs[i];
    if (typeof seg === 'number') {
      const arr = Array.isArray(cur) ? cur.slice() : [];
      arr[seg] = rec(arr[seg], i + 1);
      return arr;
    }
    const o = cur && typeof cur === 'object' ? { ...(cur as Record<string, unknown>) } : {};
    o[seg] = rec(o[seg], i + 1);
    return o;
  };
  return rec(obj, 0) as T;
}

export const SECTION_KEY_LABELS: Record<string, string> = {
  overview: 'Overview',
  mechanism: 'Mechanism',
  clinical_uses: 'Clinical uses',
  administration: 'Administration',
  benefits: 'Benefits',
  side_effects: 'Side effects',
  risks: 'Risks',
  contraindications: 'Contraindications',
  interactions: 'Interactions',
  legal: 'Legal',
  patient_guidance: 'Patient guidance',
  other: 'Other',
};

export const USE_STATUS_LABELS: Record<string, string> = {
  approved: 'Approved',
  off_label: 'Off-label',
  investigational: 'Investigational',
};

export const STATE_LABELS: Record<string, string> = {
  draft: 'Draft',
  in_review: 'In review',
  changes_requested: 'Changes requested',
  approved: 'Approved',
  scheduled: 'Scheduled',
  published: 'Published',
};
