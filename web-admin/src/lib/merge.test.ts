import { describe, expect, it } from 'vitest';
import type { Content } from '../api/types';
import { emptyContent, setPath } from './content';
import { applyMerge, autoMerge, defaultChoices, mergeFields, unresolved } from './merge';

function base(): Content {
  const c = emptyContent();
  c.title = 'Ketamine';
  c.summary = 'Old summary';
  c.drug.name = 'Ketamine';
  c.sections = [
    { key: 'overview', title: 'What is ketamine?', body: 'Body one.' },
    { key: 'mechanism', title: 'How it works', body: 'Body two.' },
  ];
  c.tags = ['anesthesia'];
  return c;
}

describe('conflict merge', () => {
  it('takes each side’s change when they edited different fields', () => {
    const b = base();
    const mine = setPath(b, 'title', 'Ketamine – uses');
    const theirs = setPath(b, 'summary', 'New summary');
    const fields = mergeFields(b, mine, theirs);
    expect(fields.map((f) => [f.path, f.status])).toEqual([
      ['title', 'mine'],
      ['summary', 'theirs'],
    ]);
    const merged = autoMerge(b, mine, theirs)!;
    expect(merged.title).toBe('Ketamine – uses');
    expect(merged.summary).toBe('New summary');
  });

  it('merges list items one by one when the lists keep their length', () => {
    const b = base();
    const mine = setPath(b, 'sections[0].body', 'Mine.');
    const theirs = setPath(b, 'sections[1].body', 'Theirs.');
    const merged = autoMerge(b, mine, theirs)!;
    expect(merged.sections.map((s) => s.body)).toEqual(['Mine.', 'Theirs.']);
  });

  it('reports a conflict when both changed the same field differently, and never picks silently', () => {
    const b = base();
    const mine = setPath(b, 'title', 'Mine');
    const theirs = setPath(b, 'title', 'Theirs');
    const fields = mergeFields(b, mine, theirs);
    expect(fields).toHaveLength(1);
    expect(fields[0].status).toBe('conflict');
    const choices = defaultChoices(fields);
    expect(unresolved(fields, choices)).toHaveLength(1);
    expect(() => applyMerge(mine, theirs, fields, choices)).toThrow();
    expect(autoMerge(b, mine, theirs)).toBeNull();
    expect(applyMerge(mine, theirs, fields, { title: 'mine' }).title).toBe('Mine');
    expect(applyMerge(mine, theirs, fields, { title: 'theirs' }).title).toBe('Theirs');
  });

  it('treats the same change on both sides as agreed', () => {
    const b = base();
    const mine = setPath(b, 'tags', ['anesthesia', 'psychiatry']);
    const theirs = setPath(b, 'tags', ['anesthesia', 'psychiatry']);
    const fields = mergeFields(b, mine, theirs);
    expect(fields[0].status).toBe('both-same');
    expect(autoMerge(b, mine, theirs)!.tags).toEqual(['anesthesia', 'psychiatry']);
  });

  it('compares whole lists when an item was added on one side', () => {
    const b = base();
    const mine = { ...b, sections: [...b.sections, { key: 'legal', title: 'Legal', body: 'x' }] };
    const theirs = setPath(b, 'summary', 'S');
    const fields = mergeFields(b, mine, theirs);
    expect(fields.map((f) => [f.path, f.status])).toEqual([
      ['summary', 'theirs'],
      ['sections', 'mine'],
    ]);
    const merged = autoMerge(b, mine, theirs)!;
    expect(merged.sections).toHaveLength(3);
    expect(merged.summary).toBe('S');
  });

  it('without a base every difference is a conflict', () => {
    const b = base();
    const fields = mergeFields(null, setPath(b, 'title', 'A'), setPath(b, 'summary', 'B'));
    expect(fields.every((f) => f.status === 'conflict')).toBe(true);
  });

  it('keeps members the form does not know from the server copy', () => {
    const b = base();
    const theirs = { ...b, extra: 1 } as unknown as Content;
    const mine = setPath(b, 'title', 'T');
    const merged = autoMerge(b, mine, theirs) as unknown as Record<string, unknown>;
    expect(merged.extra).toBe(1);
    expect(merged.title).toBe('T');
  });
});

describe('whose words are whose', () => {
  it('shows each side’s change against the common base: their new words are theirs, never “removed”', () => {
    const b = base();
    const theirs = setPath(b, 'summary', 'Old summary, now longer');
    const mine = setPath(b, 'title', 'Ketamine – uses');
    const [title, summary] = mergeFields(b, mine, theirs);
    expect(summary.theirChange.some((p) => p.op === 'insert' && p.text.includes('now longer'))).toBe(true);
    expect(summary.myChange).toEqual([{ op: 'equal', text: 'Old summary' }]);
    expect(title.myChange.some((p) => p.op === 'insert' && p.text.includes('uses'))).toBe(true);
    expect(title.theirChange.every((p) => p.op === 'equal')).toBe(true);
    // Keeping the colleague's change is what is suggested; nothing suggested drops it.
    expect(defaultChoices([title, summary])).toEqual({ title: 'mine', summary: 'theirs' });
  });
});
