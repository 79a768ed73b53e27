// The language of one page screen: the page's text direction for its fields and previews
// (from the server's locales), and on a translation the source revision it renders beside
// every field, with the translation panel (source changes, rebase, XLIFF) above the editor.

import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { errorMessage } from '../../../api/client';
import type { Page } from '../../../api/types';
import { useApp } from '../../../app-context';
import { dirOf, languageLabel, translationFacts } from '../../../lib/translations';
import { getRevision } from '../../../lib/revisions';
import { Link } from '../../../router';
import { FieldLanguageContext, type FieldLanguage } from './context';
import { TranslationPanel } from './TranslationPanel';
import { useLocales } from './useLocales';
import './translations.css';

export function PageLanguage({ page, onPageChange, editing, children }: { page: Page; onPageChange: (p: Page) => void; editing: boolean; children: ReactNode }) {
  const { api } = useApp();
  const locales = useLocales(api);
  const facts = translationFacts(page);
  const of = facts.translationOf;
  // The source text the translation renders: its base revision, fetched once per base.
  const [source, setSource] = useState<{ key: string; content: unknown } | null>(null);
  const [sourceError, setSourceError] = useState<string | null>(null);
  const key = of ? `${of.id}@${of.revision}` : '';
  useEffect(() => {
    if (!of) return;
    let live = true;
    setSourceError(null);
    getRevision(api, of.id, of.revision)
      .then((r) => live && setSource({ key, content: r.content }))
      .catch((e) => live && setSourceError(errorMessage(e)));
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, key]);

  const sourceLang = locales?.source ?? null;
  const value = useMemo<FieldLanguage | null>(() => {
    const dir = dirOf(locales, facts.locale);
    // A page in the source language written left to right needs nothing from the fields.
    if (!of && (!facts.locale || dir === 'ltr')) return null;
    return {
      translation: !!of,
      lang: facts.locale,
      dir,
      source: of && source?.key === key ? source.content : null,
      sourceLang,
      sourceDir: dirOf(locales, sourceLang),
      sourceLabel: of ? `${languageLabel(sourceLang ?? 'source')} source · revision ${of.revision}` : '',
    };
    // Primitives only: a new context value re-renders every field of the form.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [facts.locale, locales, key, source, sourceLang]);

  const rtl = value?.dir === 'rtl';
  return (
    <FieldLanguageContext.Provider value={value}>
      <div className={`page-language${of ? ' translation-editor' : ''}${rtl ? ' page-rtl' : ''}`} data-locale={facts.locale ?? undefined}>
        {of && editing && <TranslationPanel page={page} onPageChange={onPageChange} locales={locales} sourceError={sourceError} />}
        {of && !editing && (
          // On the other tabs (review above all): what a signature on this page attests.
          <p className="translation-note" data-testid="translation-note">
            {languageLabel(facts.locale ?? '')} translation of <Link to={`/pages/${encodeURIComponent(of.id)}`}>the source page</Link>, rendering{' '}
            {languageLabel(sourceLang ?? 'source')} revision {of.revision}: a signature says it renders that revision faithfully.
            {facts.outdated && <span className="badge sev-warning">Outdated</span>}
          </p>
        )}
        {children}
      </div>
    </FieldLanguageContext.Provider>
  );
}
