// The translation queues of the pages list: "translations to update" (outdated ones) and
// "awaiting review in my languages" (in review, in a language the reviewer may sign), and the
// language marks of a row.

import type { ApiClient } from '../../../api/client';
import type { ListResponse, PageSummary } from '../../../api/types';
import { languageLabel, mergeLists, queueQueries, translationFacts, userLanguages, type Locales } from '../../../lib/translations';

export type TranslationQueue = 'translations-outdated' | 'review-my-languages';
export const TRANSLATION_QUEUES: readonly string[] = ['translations-outdated', 'review-my-languages'];

/** Whether the server translates at all (more than one locale). */
export const translating = (locales: Locales | null) => !!locales && locales.locales.length > 1;

/** The rows of a translation queue: one list request per query, merged. */
export async function loadQueue(api: ApiClient, view: TranslationQueue, user: unknown, locales: Locales | null, q: string): Promise<PageSummary[]> {
  const queries = queueQueries(view, userLanguages(user), locales?.source ?? null);
  const lists = await Promise.all(
    queries.map((p) => {
      if (q) p.set('q', q);
      p.set('limit', '100');
      return api.get<ListResponse<PageSummary>>(`/api/v1/manage/pages?${p}`).then((r) => r?.data ?? []);
    }),
  );
  return mergeLists(lists);
}

export function queueEmptyText(view: TranslationQueue, user: unknown): string {
  if (view === 'translations-outdated') return 'No translation is out of date.';
  return userLanguages(user).length ? 'No translation in your languages is waiting for review.' : 'Your account has no languages to review in: an administrator sets them on the Users screen.';
}

/** The language of a listed page, when it is a translation, and whether it is outdated. */
export function LanguageMarks({ page, locales }: { page: unknown; locales: Locales | null }) {
  const f = translationFacts(page);
  const translation = !!f.translationOf || (!!f.locale && !!locales && f.locale.toLowerCase() !== locales.source.toLowerCase());
  if (!translation && !f.outdated) return null;
  return (
    <>
      {translation && f.locale && <span className="badge">{languageLabel(f.locale)}</span>}
      {f.outdated && <span className="badge sev-warning">Outdated</span>}
    </>
  );
}
