import { describe, expect, it } from 'vitest';
import {
  availableTargets,
  defaultTranslationSlug,
  dirOf,
  isTranslatableField,
  languageEntries,
  languageLabel,
  mergeLists,
  queueQueries,
  rebaseTarget,
  sourceTextAt,
  translationFacts,
  userLanguages,
  xliffFileName,
  type Locales,
} from './translations';

const locales: Locales = {
  source: 'en',
  locales: [
    { tag: 'en', dir: 'ltr' },
    { tag: 'es', dir: 'ltr' },
    { tag: 'ar', dir: 'rtl' },
  ],
};

describe('translation facts of a page', () => {
  it('reads a translation', () => {
    const f = translationFacts({ locale: 'es', translationOf: { id: 'p1', revision: 7, contentHash: 'sha256:ab' }, outdated: true });
    expect(f).toEqual({ locale: 'es', translationOf: { id: 'p1', revision: 7, contentHash: 'sha256:ab' }, outdated: true, translations: [] });
  });
  it('reads a source page with its translations, skipping malformed entries', () => {
    const f = translationFacts({ locale: 'en', translations: [{ id: 't1', locale: 'es', slug: 'k-es', state: 'draft', outdated: false }, null, { locale: 'ar' }] });
    expect(f.translationOf).toBeNull();
    expect(f.translations).toEqual([{ id: 't1', locale: 'es', slug: 'k-es', state: 'draft', outdated: false }]);
  });
  it('reads a page from a server without translations as no language', () => {
    expect(translationFacts({ id: 'x', slug: 'x' })).toEqual({ locale: null, translationOf: null, outdated: false, translations: [] });
    expect(translationFacts(null).locale).toBeNull();
    expect(translationFacts({ translationOf: { id: 'p' } }).translationOf).toBeNull();
  });
});

describe('writing direction', () => {
  it('comes from the server list only', () => {
    expect(dirOf(locales, 'ar')).toBe('rtl');
    expect(dirOf(locales, 'AR')).toBe('rtl');
    expect(dirOf(locales, 'es')).toBe('ltr');
    // Hebrew is right to left, but this server does not list it: no client copy of the rule.
    expect(dirOf(locales, 'he')).toBe('ltr');
    expect(dirOf(null, 'ar')).toBe('ltr');
    expect(dirOf({ source: 'en', locales: [{ tag: 'he', dir: 'rtl' }] }, 'he')).toBe('rtl');
  });
});

describe('labels, slugs and files', () => {
  it('names languages in English with their tag', () => {
    expect(languageLabel('es')).toBe('Spanish (es)');
    expect(languageLabel('ar')).toBe('Arabic (ar)');
    expect(languageLabel('qqq')).toBe('qqq');
  });
  it('derives a valid slug from the source slug', () => {
    expect(defaultTranslationSlug('ketamine', 'es')).toBe('ketamine-es');
    expect(defaultTranslationSlug('ketamine', 'pt-BR')).toBe('ketamine-pt-br');
    const long = 'a'.repeat(99);
    const s = defaultTranslationSlug(long, 'es');
    expect(s.length).toBeLessThanOrEqual(100);
    expect(s).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
    expect(defaultTranslationSlug('a-b-', 'es')).toBe('a-b-es');
  });
  it('names the XLIFF file after the page and language', () => {
    expect(xliffFileName('ketamine', 'es')).toBe('ketamine.es.xlf');
  });
});

describe('fields a translator renders', () => {
  it('leaves codes, addresses and numbers out', () => {
    for (const p of ['title', 'summary', 'drug.name', 'drug.brandNames[0]', 'sections[2].title', 'sections[2].body', 'clinicalUses[0].description', 'references[1].title', 'disclaimer', 'tags[0]']) {
      expect(isTranslatableField(p), p).toBe(true);
    }
    for (const p of ['slug', 'sections[0].key', 'clinicalUses[3].status', 'references[0].url', 'references[0].year', 'drug.controlledStatus[0].schedule']) {
      expect(isTranslatableField(p), p).toBe(false);
    }
  });
  it('finds the source text at a path', () => {
    const src = { title: 'Ketamine', sections: [{ key: 'overview', title: 'What is it?', body: 'Text' }], references: [{ year: 2020 }] };
    expect(sourceTextAt(src, 'sections[0].body')).toBe('Text');
    expect(sourceTextAt(src, 'sections[3].body')).toBeUndefined();
    expect(sourceTextAt(src, 'references[0].year')).toBeUndefined();
  });
});

describe('languages of a page family', () => {
  it('lists the source first, then translations in the server order', () => {
    const e = languageEntries(
      { id: 's', slug: 'ketamine', state: 'published', locale: 'en' },
      [
        { id: 'a', locale: 'ar', slug: 'k-ar', state: 'draft' },
        { id: 'x', locale: 'zz', slug: 'k-zz', state: 'draft' },
        { id: 'e', locale: 'es', slug: 'k-es', state: 'published', outdated: true },
      ],
      locales,
    );
    expect(e.map((x) => x.locale)).toEqual(['en', 'es', 'ar', 'zz']);
    expect(e[0].isSource).toBe(true);
    expect(e[1].outdated).toBe(true);
  });
  it('offers only languages not yet translated, never the source', () => {
    expect(availableTargets(locales, [{ id: 'e', locale: 'es', slug: 'k-es', state: 'draft' }]).map((l) => l.tag)).toEqual(['ar']);
    expect(availableTargets(null, [])).toEqual([]);
  });
});

describe('rebasing', () => {
  it('targets the live source revision, else the latest, when newer than the base', () => {
    expect(rebaseTarget({ revision: 9, live: { revision: 8 } }, { id: 's', revision: 7 })).toBe(8);
    expect(rebaseTarget({ revision: 9, live: null }, { id: 's', revision: 7 })).toBe(9);
    expect(rebaseTarget({ revision: 9, live: { revision: 7 } }, { id: 's', revision: 7 })).toBeNull();
    expect(rebaseTarget({ revision: 9 }, null)).toBeNull();
  });
});

describe('translation queues', () => {
  it('asks for outdated translations', () => {
    expect(queueQueries('translations-outdated', ['es'], 'en').map(String)).toEqual(['outdated=true']);
  });
  it('asks once per language of the reviewer, not the source language', () => {
    expect(queueQueries('review-my-languages', ['en', 'es', 'ar', 'es'], 'en').map(String)).toEqual(['state=in_review&locale=es', 'state=in_review&locale=ar']);
    expect(queueQueries('review-my-languages', [], 'en')).toEqual([]);
  });
  it('merges answers, one row per page, newest first', () => {
    const m = mergeLists([
      [
        { id: '1', updatedAt: '2026-01-01T00:00:00Z' },
        { id: '2', updatedAt: '2026-03-01T00:00:00Z' },
      ],
      [{ id: '1', updatedAt: '2026-01-01T00:00:00Z' }, { id: '3', updatedAt: '2026-02-01T00:00:00Z' }],
    ]);
    expect(m.map((p) => p.id)).toEqual(['2', '3', '1']);
  });
  it('reads the languages of a user', () => {
    expect(userLanguages({ languages: ['en', 'es', 3] })).toEqual(['en', 'es']);
    expect(userLanguages({})).toEqual([]);
  });
});
