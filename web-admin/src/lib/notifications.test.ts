import { describe, expect, it } from 'vitest';
import { PRESENCE_TAB, presenceText, type Presence } from './notifications';

const p = (name: string, editing: boolean): Presence => ({ user: { id: name, name }, since: '', seen: '', editing });

describe('presenceText', () => {
  it('names who edits and who only looks', () => {
    expect(presenceText([])).toBe('');
    expect(presenceText([p('Rita Reviewer', true)])).toBe('Rita Reviewer is also editing this page.');
    expect(presenceText([p('A', true), p('B', true), p('C', false)])).toBe('A and B are also editing this page; C has it open.');
  });
});

describe('PRESENCE_TAB', () => {
  it('is a tab id the server accepts', () => {
    expect(PRESENCE_TAB).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
  });
});
