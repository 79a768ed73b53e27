import { describe, expect, it } from 'vitest';
import { emptyContent, contentForSave, getPath, normalizeContent, setPath } from './content';
import { diffContent, diffLines, diffWords } from './diff';

describe('diff', () => {
  it('diffs words and keeps the text whole', () => {
    const parts = diffWords('the quick brown fox', 'the slow brown fox jumps');
    expect(parts).toEqual([
      { op: 'equal', text: 'the ' },
      { op: 'delete', text: 'quick' },
      { op: 'insert', text: 'slow' },
      { op: 'equal', text: ' brown fox' },
      { op: 'insert', text: ' jumps' },
    ]);
    expect(parts.filter((p) => p.op !== 'insert').map((p) => p.text).join('')).toBe('the quick brown fox');
    expect(parts.filter((p) => p.op !== 'delete').map((p) => p.text).join('')).toBe('the slow brown fox jumps');
  });
  it('diffs lines', () => {
    expect(diffLines('a\nb\nc', 'a\nc\nd')).toEqual([
      { op: 'equal', text: 'a' },
      { op: 'delete', text: 'b' },
      { op: 'equal', text: 'c' },
      { op: 'insert', text: 'd' },
    ]);
  });
  it('lists the changed content fields in form order', () => {
    const a = emptyContent();
    let b = setPath(a, 'summary', 'x');
    b = setPath(b, 'title', 'T');
    expect(diffContent(a, b).map((c) => c.path)).toEqual(['title', 'summary']);
  });
});

describe('content helpers', () => {
  it('fills in what the server left out', () => {
    const c = normalizeContent({ title: 'T', drug: { name: 'D' } });
    expect(c.sections).toEqual([]);
    expect(c.drug.brandNames).toEqual([]);
    expect(c.sideEffects.common).toEqual([]);
  });
  it('cleans a draft before saving', () => {
    const c = normalizeContent({ title: 'T', drug: { name: 'D', brandNames: ['', ' Ketalar '] }, references: [{ title: 'R', url: 'https://x', publisher: '', year: null }] });
    const out = contentForSave(c);
    expect(out.drug.brandNames).toEqual(['Ketalar']);
    expect('year' in out.references[0]).toBe(false);
  });
  it('gets and sets paths immutably', () => {
    const a = normalizeContent({ sections: [{ key: 'overview', title: 'a', body: '' }] });
    const b = setPath(a, 'sections[0].title', 'b');
    expect(getPath(a, 'sections[0].title')).toBe('a');
    expect(getPath(b, 'sections[0].title')).toBe('b');
  });
});

describe('semantic cleanup', () => {
  it('shows a rewritten phrase as one deletion and one insertion', () => {
    const parts = diffWords('Ketamine – clinical uses and safety', 'Ketamine – Medical Uses, Mechanism & Safety');
    expect(parts).toEqual([
      { op: 'equal', text: 'Ketamine – ' },
      { op: 'delete', text: 'clinical uses and safety' },
      { op: 'insert', text: 'Medical Uses, Mechanism & Safety' },
    ]);
  });
});
