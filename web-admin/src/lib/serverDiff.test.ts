import { describe, expect, it } from 'vitest';
import { normalizeServerDiff } from './serverDiff';

describe('server diff reading', () => {
  it('reads field changes with line ops', () => {
    const out = normalizeServerDiff({
      from: 1,
      to: 2,
      fields: [{ path: 'content.title', from: 'A', to: 'B', lines: [{ op: 'delete', text: 'A' }, { op: 'insert', text: 'B' }] }],
    })!;
    expect(out).toHaveLength(1);
    expect(out[0].path).toBe('title');
    expect(out[0].label).toBe('Title');
    expect(out[0].parts.map((p) => p.op)).toEqual(['delete', 'insert']);
  });
  it('computes parts from before/after when no lines are given', () => {
    const out = normalizeServerDiff({ changes: [{ field: 'summary', old: 'a b', new: 'a c' }] })!;
    expect(out[0].parts).toEqual([
      { op: 'equal', text: 'a ' },
      { op: 'delete', text: 'b' },
      { op: 'insert', text: 'c' },
    ]);
  });
  it('reads unified-style string lines', () => {
    const out = normalizeServerDiff({ fields: [{ path: 'disclaimer', lines: [' same', '-old', '+new'] }] })!;
    expect(out[0].parts.map((p) => p.op)).toEqual(['equal', 'delete', 'insert']);
  });
  it('returns null for shapes it does not know', () => {
    expect(normalizeServerDiff({ something: 1 })).toBeNull();
    expect(normalizeServerDiff('x')).toBeNull();
  });
});

describe('the Monograph server diff', () => {
  it('reads {from,to,changes:[{field,kind,from,to,lines}]}', () => {
    const out = normalizeServerDiff({
      from: 1,
      to: 2,
      changes: [
        { field: 'title', kind: 'changed', from: 'Ketamine', to: 'Ketamine – uses' },
        { field: 'drug.brandNames', kind: 'added', to: 'Ketalar' },
        { field: 'drug.brandNames', kind: 'added', to: 'Spravato' },
        { field: 'sections[mechanism].body', kind: 'changed', lines: [{ op: 'equal', text: 'a' }, { op: 'delete', text: 'b' }, { op: 'insert', text: 'c' }] },
        { field: 'sections[other#1].title', kind: 'added', to: 'X' },
      ],
    })!;
    expect(out.map((c) => c.label)).toEqual(['Title', 'Brand names', 'Sections “mechanism” body', 'Sections “other 2” title']);
    expect(out[1].parts.filter((p) => p.op === 'insert').map((p) => p.text)).toEqual(['Ketalar', 'Spravato']);
    expect(out[2].parts).toEqual([
      { op: 'equal', text: 'a\n' },
      { op: 'delete', text: 'b' },
      { op: 'insert', text: 'c' },
    ]);
  });
});

describe('rewritten paragraphs', () => {
  it('show the changed words, not the whole paragraph', () => {
    const out = normalizeServerDiff({
      changes: [{ field: 'sections[overview].body', kind: 'changed', lines: [{ op: 'delete', text: 'developed primarily as a dissociative anesthetic.' }, { op: 'insert', text: 'developed as a general anesthetic.' }] }],
    })!;
    expect(out[0].parts).toEqual([
      { op: 'equal', text: 'developed ' },
      { op: 'delete', text: 'primarily ' },
      { op: 'equal', text: 'as a ' },
      { op: 'delete', text: 'dissociative' },
      { op: 'insert', text: 'general' },
      { op: 'equal', text: ' anesthetic.' },
    ]);
  });
});
