// Three-way merge for a version conflict. `base` is the content the writer started from,
// `mine` the local draft, `theirs` what the server holds now. A field changed on one side only
// takes that side; a field both changed differently is a conflict the writer must decide.
// Nothing is ever taken silently: the UI lists every field either side changed.

import type { Content } from '../api/types';
import { deepEqual, getPath, setPath } from './content';
import { comparablePaths, diffValues, type DiffPart } from './diff';

export type MergeStatus = 'mine' | 'theirs' | 'both-same' | 'conflict';
export type Choice = 'mine' | 'theirs';

export interface MergeField {
  path: string;
  label: string;
  base: unknown;
  mine: unknown;
  theirs: unknown;
  status: MergeStatus;
  /** What the merge takes unless the writer chooses otherwise; undefined for conflicts. */
  suggested?: Choice;
  /** Their change against the common base (what the other person did). */
  theirChange: DiffPart[];
  /** My change against the common base (what I did); against theirs without a base. */
  myChange: DiffPart[];
  /** My draft against theirs. */
  mineVsTheirs: DiffPart[];
}

const same = (a: unknown, b: unknown) => deepEqual(a ?? null, b ?? null);

/** The fields that differ between mine and theirs, or that either side changed. Fields
 * identical everywhere are left out. */
export function mergeFields(base: Content | null | undefined, mine: Content, theirs: Content): MergeField[] {
  const out: MergeField[] = [];
  const paths = base ? comparablePaths(base, mine, theirs) : comparablePaths(mine, theirs);
  for (const f of paths) {
    const b = base ? getPath(base, f.path) : undefined;
    const m = getPath(mine, f.path);
    const t = getPath(theirs, f.path);
    let status: MergeStatus;
    let suggested: Choice | undefined;
    if (same(m, t)) {
      if (!base || same(b, m)) continue; // nobody changed it, or nothing to tell
      status = 'both-same';
      suggested = 'theirs';
    } else if (base && same(b, m)) {
      status = 'theirs';
      suggested = 'theirs';
    } else if (base && same(b, t)) {
      status = 'mine';
      suggested = 'mine';
    } else {
      status = 'conflict';
    }
    out.push({
      path: f.path,
      label: f.label,
      base: b,
      mine: m,
      theirs: t,
      status,
      suggested,
      theirChange: diffValues(base ? b : m, t),
      myChange: diffValues(base ? b : t, m),
      mineVsTheirs: diffValues(t, m),
    });
  }
  return out;
}

/** Default choices: the suggestion where there is one; conflicts stay undecided. */
export function defaultChoices(fields: MergeField[]): Record<string, Choice | undefined> {
  const out: Record<string, Choice | undefined> = {};
  for (const f of fields) out[f.path] = f.suggested;
  return out;
}

export function unresolved(fields: MergeField[], choices: Record<string, Choice | undefined>): MergeField[] {
  return fields.filter((f) => choices[f.path] === undefined);
}

/** The merged content: theirs (so anything the form does not know is kept), with every field
 * chosen as "mine" taken from the draft. */
export function applyMerge(mine: Content, theirs: Content, fields: MergeField[], choices: Record<string, Choice | undefined>): Content {
  let out: Content = JSON.parse(JSON.stringify(theirs));
  for (const f of fields) {
    const c = choices[f.path];
    if (c === undefined) throw new Error(`unresolved field ${f.path}`);
    if (c === 'mine') out = setPath(out, f.path, clone(getPath(mine, f.path)));
  }
  return out;
}

const clone = (v: unknown) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));

/** A three-way merge that needs no decision, or null when some field conflicts. */
export function autoMerge(base: Content, mine: Content, theirs: Content): Content | null {
  const fields = mergeFields(base, mine, theirs);
  const choices = defaultChoices(fields);
  if (unresolved(fields, choices).length) return null;
  return applyMerge(mine, theirs, fields, choices);
}
