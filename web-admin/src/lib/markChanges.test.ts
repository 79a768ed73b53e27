// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { markChanges } from './markChanges';

describe('markChanges', () => {
  it.each([
    { name: 'nothing changed', old: '<p>Take with <strong>food</strong>.</p>', now: '<p>Take with <strong>food</strong>.</p>', want: '<p>Take with <strong>food</strong>.</p>', changed: false },
    {
      name: 'a changed sentence is marked in place, the formatting kept',
      old: '<p>Take with <strong>food</strong>. Avoid alcohol.</p>',
      now: '<p>Take with <strong>food</strong>. Never drive after a dose.</p>',
      want: '<p>Take with <strong>food</strong>. <del class="chg">Avoid alcohol</del><ins class="chg">Never drive after a dose</ins>.</p>',
      changed: true,
    },
    {
      name: 'a change inside bold text',
      old: '<p>Take with <strong>food</strong>.</p>',
      now: '<p>Take with <strong>water</strong>.</p>',
      want: '<p>Take with <strong><del class="chg">food</del><ins class="chg">water</ins></strong>.</p>',
      changed: true,
    },
    {
      name: 'a new paragraph',
      old: '<p>One.</p>',
      now: '<p>One.</p><p>Two.</p>',
      want: '<p>One.</p><p class="chg-new">Two.</p>',
      changed: true,
    },
    {
      name: 'a removed list item comes back struck through where it was',
      old: '<ul><li>nausea</li><li>headache</li><li>rash</li></ul>',
      now: '<ul><li>nausea</li><li>rash</li></ul>',
      want: '<ul><li>nausea</li><li class="chg-removed"><del class="chg">headache</del></li><li>rash</li></ul>',
      changed: true,
    },
    { name: 'everything new', old: null, now: '<p>New.</p><ul><li>a</li></ul>', want: '<p class="chg-new">New.</p><ul><li class="chg-new">a</li></ul>', changed: true },
  ])('$name', ({ old, now, want, changed }) => {
    const got = markChanges(old, now);
    expect(got.html).toBe(want);
    expect(got.changed).toBe(changed);
  });

  it('never runs what it parses', () => {
    const got = markChanges('<p>a</p>', '<p>a</p><img src="x" onerror="globalThis.pwned=1">');
    expect((globalThis as { pwned?: number }).pwned).toBeUndefined();
    expect(got.changed).toBe(true);
  });
});
