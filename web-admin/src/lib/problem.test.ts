import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client';
import { describeField, fieldErrorsFrom, hasErrorsUnder, normalizeFieldPath, remapListErrors } from './problem';

describe('problem → field errors', () => {
  it('normalises server paths to form paths', () => {
    expect(normalizeFieldPath('content.sections[2].key')).toBe('sections[2].key');
    expect(normalizeFieldPath('content.title')).toBe('title');
    expect(normalizeFieldPath('/content/sections/2/key')).toBe('sections[2].key');
    expect(normalizeFieldPath('content.drug.controlledStatus.0.schedule')).toBe('drug.controlledStatus[0].schedule');
    expect(normalizeFieldPath('slug')).toBe('slug');
    expect(normalizeFieldPath('contentious')).toBe('contentious');
  });

  it('groups messages by field, keeping errors without a field', () => {
    const err = new ApiError(400, {
      code: 'invalid',
      errors: [
        { field: 'content.title', message: 'required' },
        { field: 'content.sections[1].key', message: 'duplicate key "overview"' },
        { field: 'content.sections[1].key', message: 'second' },
        { field: '', message: 'general' },
      ],
    });
    const fe = fieldErrorsFrom(err);
    expect(fe).toEqual({
      title: ['required'],
      'sections[1].key': ['duplicate key "overview"', 'second'],
      '': ['general'],
    });
    expect(hasErrorsUnder(fe, 'sections[1]')).toBe(true);
    expect(hasErrorsUnder(fe, 'sections[0]')).toBe(false);
    expect(hasErrorsUnder(fe, 'sections')).toBe(true);
  });

  it('tolerates problems without errors', () => {
    expect(fieldErrorsFrom({ code: 'x', errors: null })).toEqual({});
    expect(fieldErrorsFrom(new Error('boom'))).toEqual({});
  });

  it('moves item errors along with their items', () => {
    const fe = { 'sections[0].key': ['a'], 'sections[2].title': ['c'], title: ['t'] };
    // sections[0] removed: 2 → 1
    expect(remapListErrors(fe, 'sections', (i) => (i === 0 ? -1 : i - 1))).toEqual({ 'sections[1].title': ['c'], title: ['t'] });
  });

  it('describes paths for people', () => {
    expect(describeField('sections[2].key')).toBe('Sections #3 key');
    expect(describeField('drug.name')).toBe('Drug name');
  });
});
