import { useCallback, useEffect, useId, useState } from 'react';
import { errorMessage } from '../api/client';
import { PAGE_STATES, type ListResponse, type PageSummary } from '../api/types';
import { useApp } from '../app-context';
import { ErrorBox, Loading, personName, StateBadge, Time } from '../components/ui';
import { STATE_LABELS } from '../lib/content';
import { Link, navigate, useLocation } from '../router';
import { LanguageMarks, loadQueue, queueEmptyText, translating, TRANSLATION_QUEUES, type TranslationQueue } from './page/translations/queues';
import { useLocales } from './page/translations/useLocales';

type View = 'all' | 'my-review' | 'changes-requested' | 'overdue' | 'scheduled' | TranslationQueue;

function titleOf(p: PageSummary): string {
  return p.title || p.slug;
}

export function PagesList() {
  const { api, can, user } = useApp();
  const { query } = useLocation();
  const view = (query.get('view') as View) || 'all';
  const state = query.get('state') ?? '';
  const q = query.get('q') ?? '';
  const [search, setSearch] = useState(q);
  const [items, setItems] = useState<PageSummary[] | null>(null);
  const [cursor, setCursor] = useState<string | undefined>();
  const [error, setError] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const searchId = useId();

  const params = useCallback(
    (c?: string) => {
      const p = new URLSearchParams();
      if (view === 'my-review') p.set('state', 'in_review');
      else if (view === 'scheduled') p.set('state', 'scheduled');
      else if (view === 'changes-requested') p.set('state', 'changes_requested');
      else if (state) p.set('state', state);
      if (view === 'overdue') p.set('reviewOverdue', 'true');
      if (q) p.set('q', q);
      p.set('limit', '50');
      if (c) p.set('cursor', c);
      return p.toString();
    },
    [view, state, q],
  );

  const locales = useLocales(api);
  useEffect(() => {
    setItems(null);
    setError(null);
    if (TRANSLATION_QUEUES.includes(view)) {
      // The translation queues may ask several lists (one per language) and merge them.
      if (!locales) return;
      loadQueue(api, view as TranslationQueue, user, locales, q)
        .then((rows) => {
          setItems(rows);
          setCursor(undefined);
        })
        .catch((e) => setError(errorMessage(e)));
      return;
    }
    api
      .get<ListResponse<PageSummary>>(`/api/v1/manage/pages?${params()}`)
      .then((r) => {
        setItems(r?.data ?? []);
        setCursor(r?.nextCursor || undefined);
      })
      .catch((e) => setError(errorMessage(e)));
  }, [api, params, view, locales, user, q]);
  useEffect(() => setSearch(q), [q]);

  const more = async () => {
    setLoadingMore(true);
    try {
      const r = await api.get<ListResponse<PageSummary>>(`/api/v1/manage/pages?${params(cursor)}`);
      setItems((cur) => [...(cur ?? []), ...(r?.data ?? [])]);
      setCursor(r?.nextCursor || undefined);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setLoadingMore(false);
    }
  };

  const go = (changes: Record<string, string>) => {
    const p = new URLSearchParams(query);
    for (const [k, v] of Object.entries(changes)) {
      if (v) p.set(k, v);
      else p.delete(k);
    }
    const s = p.toString();
    void navigate('/pages' + (s ? '?' + s : ''), { replace: true });
  };

  const views: { id: View; label: string; show: boolean }[] = [
    { id: 'all', label: 'All pages', show: true },
    { id: 'my-review', label: 'Awaiting my review', show: can('page:approve') },
    // Pages reviewers sent back, for whoever may submit them again.
    { id: 'changes-requested', label: 'Changes requested', show: can('page:submit') },
    { id: 'overdue', label: 'Review overdue', show: true },
    { id: 'scheduled', label: 'Scheduled', show: true },
    { id: 'translations-outdated', label: 'Translations to update', show: translating(locales) && can('page:save') },
    { id: 'review-my-languages', label: 'Awaiting review in my languages', show: translating(locales) && can('page:approve') },
  ];

  return (
    <>
      <div className="screen-head">
        <h1>Pages</h1>
        {can('page:create') && (
          <Link to="/pages/new" className="btn btn-primary">
            New page
          </Link>
        )}
      </div>
      <nav className="views" aria-label="Page lists">
        <ul>
          {views
            .filter((v) => v.show)
            .map((v) => (
              <li key={v.id}>
                <Link
                  to={`/pages${v.id === 'all' ? '' : '?view=' + v.id}`}
                  aria-current={view === v.id ? 'page' : undefined}
                  className={view === v.id ? 'active' : undefined}
                >
                  {v.label}
                </Link>
              </li>
            ))}
        </ul>
      </nav>
      <form
        className="filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          go({ q: search.trim() });
        }}
      >
        <div className="field">
          <label htmlFor={searchId}>Search</label>
          <input id={searchId} type="search" value={search} placeholder="Title, drug or slug" onChange={(e) => setSearch(e.target.value)} />
        </div>
        {view === 'all' && (
          <div className="field">
            <label htmlFor="state-filter">State</label>
            <select id="state-filter" value={state} onChange={(e) => go({ state: e.target.value })}>
              <option value="">Any state</option>
              {PAGE_STATES.map((s) => (
                <option key={s} value={s}>
                  {STATE_LABELS[s]}
                </option>
              ))}
            </select>
          </div>
        )}
        <button type="submit" className="btn-secondary">
          Search
        </button>
      </form>
      <ErrorBox error={error} title="The pages could not be loaded." />
      {!items && !error ? (
        <Loading what="Loading pages" />
      ) : items && items.length === 0 ? (
        <p className="empty-state">
          {TRANSLATION_QUEUES.includes(view)
            ? queueEmptyText(view as TranslationQueue, user)
            : view === 'my-review'
              ? 'Nothing is waiting for your review.'
              : view === 'overdue'
                ? 'No page is overdue for review.'
                : 'No pages match.'}
        </p>
      ) : items ? (
        <div className="table-wrap">
          <table className="pages-table">
            <caption className="visually-hidden">Pages</caption>
            <thead>
              <tr>
                <th scope="col">Title</th>
                <th scope="col">State</th>
                <th scope="col">Revision</th>
                <th scope="col">Live</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {items.map((p) => (
                <tr key={p.id}>
                  <td>
                    <Link to={`/pages/${encodeURIComponent(p.id)}${view === 'my-review' || view === 'review-my-languages' ? '/review' : ''}`}>{titleOf(p)}</Link>{' '}
                    <LanguageMarks page={p} locales={locales} />
                    <div className="muted small">{p.slug}</div>
                  </td>
                  <td>
                    <StateBadge state={p.state} />
                    {p.reviewOverdue && <span className="badge sev-blocker">Review overdue</span>}
                    {p.state === 'scheduled' && p.scheduledAt && (
                      <div className="small">
                        <Time iso={p.scheduledAt} />
                      </div>
                    )}
                  </td>
                  <td>{p.revision ?? ''}</td>
                  <td>{p.live ? `revision ${p.live.revision}` : '—'}</td>
                  <td>
                    <Time iso={p.updatedAt} />
                    {p.updatedBy && <div className="muted small">{personName(p.updatedBy)}</div>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {cursor && (
        <button type="button" className="btn-secondary" onClick={more} disabled={loadingMore}>
          {loadingMore ? 'Loading…' : 'Load more'}
        </button>
      )}
    </>
  );
}
