// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { emptyContent } from './content';
import { blockKeyOf, markBlocks, readerBlocks, readerSourceOf } from './reader';

const render = async (md: string) => (md ? `<p>${md}</p>` : '');

async function blocksOf(edit: (c: ReturnType<typeof emptyContent>) => void) {
  const c = emptyContent();
  c.title = 'Ketamine';
  c.summary = 'An <anaesthetic> & more';
  c.drug.name = 'Ketamine';
  c.sections = [
    { key: 'overview', title: 'What is it?', body: 'A medicine.' },
    { key: 'other', title: 'Notes', body: 'One.' },
    { key: 'other', title: 'More notes', body: 'Two.' },
  ];
  c.sideEffects.common = ['nausea'];
  edit(c);
  return readerBlocks(await readerSourceOf(c, render));
}

describe('reader blocks', () => {
  it('lists the page in reading order with stable keys, plain text escaped', async () => {
    const b = await blocksOf(() => {});
    expect(b.map((x) => x.key)).toEqual(['summary', 'section:overview', 'section:other', 'section:other#1', 'sideEffects']);
    expect(b[0].html).toBe('<p>An &lt;anaesthetic&gt; &amp; more</p>');
  });

  it('marks what changed since an older revision, block by block', async () => {
    const old = await blocksOf(() => {});
    const now = await blocksOf((c) => {
      c.sections[0].body = 'A safe medicine.';
      c.sections.splice(1, 1); // the first "other" goes: the second becomes other#0
      c.patientGuidance = ['Ask a clinician.'];
    });
    const m = markBlocks(old, now);
    const by = Object.fromEntries(m.map((x) => [x.key + (x.change === 'removed' ? '-' : ''), x]));
    expect(by['section:overview'].change).toBe('changed');
    expect(by['section:overview'].html).toBe('<p>A <ins class="chg">safe </ins>medicine.</p>');
    expect(by['summary'].change).toBeUndefined();
    expect(by['patientGuidance'].change).toBe('new');
    expect(by['section:other#1-'].change).toBe('removed');
    expect(by['section:other#1-'].html).toContain('<del class="chg">');
  });

  it('without an older revision everything is new', async () => {
    const now = await blocksOf(() => {});
    expect(markBlocks(null, now).every((b) => b.change === 'new')).toBe(true);
  });
});

describe('blockKeyOf', () => {
  it.each([
    { path: 'sections[2].body', want: 'section:other#1' },
    { path: 'sections[1].title', want: 'section:other' },
    { path: 'sections[0]', want: 'section:overview' },
    { path: 'drug.brandNames[0]', want: 'drug' },
    { path: 'sideEffects.common[0]', want: 'sideEffects' },
    { path: 'title', want: null },
    { path: 'sections[9].body', want: null },
  ])('$path', ({ path, want }) => {
    const c = emptyContent();
    c.sections = [
      { key: 'overview', title: '', body: '' },
      { key: 'other', title: '', body: '' },
      { key: 'other', title: '', body: '' },
    ];
    expect(blockKeyOf(path, c)).toBe(want);
  });
});
