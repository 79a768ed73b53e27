import { describe, expect, it } from 'vitest';
import type { Check } from '../api/types';
import { checksNamed } from './checks';

const disclaimer: Check = { id: 'disclaimer_missing', severity: 'blocker', message: 'The page has no disclaimer.', field: 'content.disclaimer' };
const summary: Check = { id: 'summary_missing', severity: 'warning', message: 'The page has no summary.', field: 'content.summary' };

describe('checksNamed', () => {
  it.each([
    { name: 'ids the page knows get their words and field', ids: ['disclaimer_missing'], want: [disclaimer] },
    {
      name: 'an id the page does not know yet is still named, never an empty badge',
      ids: ['legal_section_missing'],
      want: [{ id: 'legal_section_missing', severity: 'blocker', message: 'The check “legal section missing” failed.', field: '' }],
    },
    { name: 'no ids: the blockers the page knows', ids: undefined, want: [disclaimer] },
    { name: 'anything but strings is dropped', ids: [{ id: 'x' }, 'disclaimer_missing'], want: [disclaimer] },
  ])('$name', ({ ids, want }) => {
    expect(checksNamed(ids, [disclaimer, summary])).toEqual(want);
  });
});
