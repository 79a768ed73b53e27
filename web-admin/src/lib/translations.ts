// Translations as the admin sees them: the locales the server is configured with (and their
// writing direction, which only the server decides), what a page says about its language and
// its source, which fields a translator renders, and the page lists of translators and
// reviewers. Pure logic; the screens are in screens/page/translations/.

import type { components } from '../api/schema.gen';
import { getPath } from './content';

/** One configured locale and its writing direction (the server's OpenAPI schema). */
export type Locale = components['schemas']['Locale'];
export type TextDir = Locale['dir'];

/** GET /api/v1/locales: the source language first. */
export type Locales = components['schemas']['Locales'];

/** The source revision a translation renders. */
export interface TranslationOf {
  id: string;
  revision: number;
  contentHash?: string;
}

/** One translation of a source page, as the source page lists it. */
export interface TranslationLink {
  id: string;
  locale: string;
  slug: string;
  state: string;
  outdated?: boolean;
}

/** What a page (or a page summary) says about its language. */
export interface TranslationFacts {
  locale: string | null;
  translationOf: TranslationOf | null;
  outdated: boolean;
  translations: TranslationLink[];
}

const obj = (v: unknown): Record<string, unknown> | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null);

/** Reads the translation members of a page JSON; a server without translations yields a
 * page in no particular language with no translations. */
export function translationFacts(page: unknown): TranslationFacts {
  const p = obj(page) ?? {};
  const of = obj(p.translationOf);
  const list = Array.isArray(p.translations) ? p.translations : [];
  return {
    locale: typeof p.locale === 'string' && p.locale ? p.locale : null,
    translationOf:
      of && typeof of.id === 'string' && typeof of.revision === 'number'
        ? { id: of.id, revision: of.revision, contentHash: typeof of.contentHash === 'string' ? of.contentHash : undefined }
        : null,
    outdated: p.outdated === true,
    translations: list
      .map(obj)
      .filter((t): t is Record<string, unknown> => !!t && typeof t.id === 'string' && typeof t.locale === 'string')
      .map((t) => ({ id: String(t.id), locale: String(t.locale), slug: String(t.slug ?? ''), state: String(t.state ?? ''), outdated: t.outdated === true })),
  };
}

/** The writing direction of a locale, as the server's list says; ltr for a tag it does not list. */
export function dirOf(locales: Locales | null | undefined, tag: string | null | undefined): TextDir {
  if (!locales || !tag) return 'ltr';
  const l = locales.locales.find((x) => x.tag.toLowerCase() === tag.toLowerCase());
  return l?.dir === 'rtl' ? 'rtl' : 'ltr';
}

let names: Intl.DisplayNames | null | undefined;
/** "Spanish (es)": the language's English name from the browser, with the tag. */
export function languageLabel(tag: string): string {
  if (names === undefined) {
    try {
      names = new Intl.DisplayNames(['en'], { type: 'language' });
    } catch {
      names = null;
    }
  }
  let name: string | undefined;
  try {
    name = names?.of(tag);
  } catch {
    name = undefined;
  }
  return name && name.toLowerCase() !== tag.toLowerCase() ? `${name} (${tag})` : tag;
}

/** Fields whose text a translator renders. Codes and addresses (section types, statuses,
 * URLs, years, jurisdictions and schedules) stay as the source has them: nothing to show
 * beside them. */
export function isTranslatableField(path: string): boolean {
  if (path === 'slug') return false;
  if (/^sections\[\d+\]\.key$/.test(path)) return false;
  if (/^clinicalUses\[\d+\]\.status$/.test(path)) return false;
  if (/^references\[\d+\]\.(url|year)$/.test(path)) return false;
  if (/^drug\.controlledStatus\b/.test(path)) return false;
  return true;
}

/** The source's text at a field path, when it has text there. */
export function sourceTextAt(source: unknown, path: string): string | undefined {
  const v = getPath(source, path);
  return typeof v === 'string' ? v : undefined;
}

/** A slug for a new translation: the source's slug with the locale after it. */
export function defaultTranslationSlug(sourceSlug: string, locale: string): string {
  const suffix = locale.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  const base = sourceSlug.slice(0, Math.max(1, 100 - suffix.length - 1)).replace(/-+$/, '');
  return suffix ? `${base}-${suffix}` : base;
}

/** The locales a source page can still be translated into, in the server's order. */
export function availableTargets(locales: Locales | null | undefined, existing: TranslationLink[]): Locale[] {
  if (!locales) return [];
  const taken = new Set(existing.map((t) => t.locale.toLowerCase()));
  return locales.locales.filter((l) => l.tag.toLowerCase() !== locales.source.toLowerCase() && !taken.has(l.tag.toLowerCase()));
}

/** One language of a page family: the source or one of its translations. */
export interface LanguageEntry {
  id: string;
  locale: string;
  slug: string;
  state: string;
  outdated: boolean;
  isSource: boolean;
}

/** The source page and its translations, the source first and the rest in the server's
 * locale order (unlisted tags last, alphabetically). */
export function languageEntries(
  source: { id: string; slug: string; state: string; locale?: string | null },
  translations: TranslationLink[],
  locales: Locales | null | undefined,
): LanguageEntry[] {
  const order = (tag: string) => {
    const i = locales?.locales.findIndex((l) => l.tag.toLowerCase() === tag.toLowerCase()) ?? -1;
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  const rest = [...translations]
    .sort((a, b) => order(a.locale) - order(b.locale) || a.locale.localeCompare(b.locale))
    .map((t) => ({ id: t.id, locale: t.locale, slug: t.slug, state: t.state, outdated: !!t.outdated, isSource: false }));
  return [{ id: source.id, locale: source.locale || locales?.source || '', slug: source.slug, state: source.state, outdated: false, isSource: true }, ...rest];
}

/** The source revision a translation would be rebased onto: the source's live revision, else
 * its latest; null when the translation is already based on it (or later). */
export function rebaseTarget(source: { revision: number; live?: { revision: number } | null }, base: TranslationOf | null): number | null {
  const target = source.live?.revision ?? source.revision;
  if (!base || !target || target <= base.revision) return null;
  return target;
}

/** The page-list queries of the translation queues: "translations to update" asks the server
 * for outdated translations; "awaiting review in my languages" asks once per language the
 * signed-in reviewer may sign in (the source language is not a translation's). */
export function queueQueries(view: 'translations-outdated' | 'review-my-languages', languages: readonly string[], sourceLocale: string | null): URLSearchParams[] {
  if (view === 'translations-outdated') return [new URLSearchParams({ outdated: 'true' })];
  const mine = [...new Set(languages.map((l) => l.trim()).filter((l) => l && l.toLowerCase() !== (sourceLocale ?? '').toLowerCase()))];
  return mine.map((locale) => new URLSearchParams({ state: 'in_review', locale }));
}

/** Merges the answers of several list queries: one row per page, newest change first. */
export function mergeLists<T extends { id: string; updatedAt?: string | null }>(lists: T[][]): T[] {
  const seen = new Map<string, T>();
  for (const l of lists) for (const p of l) if (!seen.has(p.id)) seen.set(p.id, p);
  return [...seen.values()].sort((a, b) => (b.updatedAt ?? '').localeCompare(a.updatedAt ?? ''));
}

/** The file name of an XLIFF export. */
export function xliffFileName(slug: string, locale: string): string {
  return `${slug || 'page'}.${locale}.xlf`;
}

/** The languages a user may sign in, from the user JSON (none when the server says nothing). */
export function userLanguages(user: unknown): string[] {
  const l = obj(user)?.languages;
  return Array.isArray(l) ? l.filter((x): x is string => typeof x === 'string') : [];
}
