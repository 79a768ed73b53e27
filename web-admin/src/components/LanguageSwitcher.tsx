// The languages of a page: the source and each translation with its state and an
// "outdated" mark, the current one marked; and "Add translation", which makes a
// translation from the source in one step. Shown on every page screen of a server with
// more than one locale.

import { useEffect, useState } from 'react';
import type { Page } from '../api/types';
import { useApp } from '../app-context';
import { availableTargets, languageEntries, languageLabel, translationFacts, type LanguageEntry } from '../lib/translations';
import { Link } from '../router';
import { CreateTranslationDialog } from '../screens/page/translations/CreateTranslation';
import { useLocales } from '../screens/page/translations/useLocales';
import { pagePath } from '../screens/page/paths';
import { StateBadge } from './ui';

export function LanguageSwitcher({ page }: { page: Page }) {
  const { api, can } = useApp();
  const locales = useLocales(api);
  const facts = translationFacts(page);
  const sourceId = facts.translationOf?.id ?? page.id;
  const isTranslation = facts.translationOf !== null;
  // The source page lists the family; a translation asks its source.
  const [source, setSource] = useState<Page | null>(isTranslation ? null : page);
  const [creating, setCreating] = useState(false);
  useEffect(() => {
    if (!isTranslation) {
      setSource(page);
      return;
    }
    let live = true;
    api
      .get<Page>(pagePath(sourceId))
      .then((p) => live && setSource(p))
      .catch(() => live && setSource(null)); // the switcher is a convenience: the page still works
    return () => {
      live = false;
    };
  }, [api, page, sourceId, isTranslation]);

  if (!locales || locales.locales.length < 2 || !source) return null;
  const sf = translationFacts(source);
  const entries = languageEntries(source, sf.translations, locales);
  const targets = availableTargets(locales, sf.translations);
  return (
    <nav className="language-switcher" aria-label="Languages of this page">
      <span className="language-switcher-label" aria-hidden="true">
        Languages:
      </span>
      <ul>
        {entries.map((e) => (
          <li key={e.id}>
            <EntryLink entry={e} current={e.id === page.id} />
          </li>
        ))}
      </ul>
      {can('page:create') && targets.length > 0 && (
        <button type="button" className="btn-secondary small" onClick={() => setCreating(true)}>
          Add translation
        </button>
      )}
      {creating && <CreateTranslationDialog source={source} targets={targets} onClose={() => setCreating(false)} />}
    </nav>
  );
}

function EntryLink({ entry, current }: { entry: LanguageEntry; current: boolean }) {
  const label = languageLabel(entry.locale);
  return (
    <Link
      to={`/pages/${encodeURIComponent(entry.id)}`}
      aria-current={current ? 'page' : undefined}
      className={`language-link${current ? ' active' : ''}`}
      data-locale={entry.locale}
    >
      <span className="language-name">
        {label}
        {entry.isSource && <span className="muted small"> · source</span>}
      </span>{' '}
      <StateBadge state={entry.state} />
      {entry.outdated && <span className="badge sev-warning">Outdated</span>}
    </Link>
  );
}
