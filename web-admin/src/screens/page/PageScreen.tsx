// One page: its facts and tabs (edit, review, publish, history, audit trail, live vs working
// copy). What the user may do on each tab comes from the page's `actions` (lib/actions.ts).

import type { Page } from '../../api/types';
import { useApp } from '../../app-context';
import { ErrorBox, Loading } from '../../components/ui';
import { useLoad } from '../../components/useLoad';
import { Link } from '../../router';
import { PageEditor } from './editor/PageEditor';
import { AuditTab } from './AuditTab';
import { HistoryTab } from './HistoryTab';
import { LiveTab } from './LiveTab';
import { PageHeader } from './PageHeader';
import { PresenceBar } from '../../components/Presence';
import { LanguageSwitcher } from '../../components/LanguageSwitcher';
import { PageLanguage } from './translations/PageLanguage';
import { pagePath } from './paths';
import { PublishTab } from './PublishTab';
import { ReviewTab } from './ReviewTab';

const TABS = [
  { id: 'edit', label: 'Edit' },
  { id: 'review', label: 'Review' },
  { id: 'publish', label: 'Publish' },
  { id: 'history', label: 'History' },
  { id: 'audit', label: 'Audit trail' },
  { id: 'live', label: 'Live vs working copy' },
] as const;

export function PageScreen({ id, tab }: { id: string; tab: string }) {
  const { api } = useApp();
  const { data: page, setData: setPage, error, reload } = useLoad(() => api.get<Page>(pagePath(id)), [api, id]);

  if (error && !page) {
    return (
      <>
        <h1>Page</h1>
        <ErrorBox error={error} title="The page could not be loaded." />
        <Link to="/pages">Back to pages</Link>
      </>
    );
  }
  if (!page) return <Loading what="Loading page" />;
  const active = TABS.some((t) => t.id === tab) ? tab : 'edit';

  return (
    <div className="page-screen">
      <PageHeader page={page} />
      <PresenceBar pageId={page.id} editing={active === 'edit'} />
      <LanguageSwitcher page={page} />
      <nav className="tabs" aria-label="Page views">
        <ul>
          {TABS.map((t) => (
            <li key={t.id}>
              <Link to={`/pages/${encodeURIComponent(page.id)}${t.id === 'edit' ? '' : '/' + t.id}`} aria-current={active === t.id ? 'page' : undefined} className={active === t.id ? 'active' : undefined}>
                {t.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <ErrorBox error={error} />
      {/* The editor stays mounted while other tabs are shown, so switching keeps the draft. */}
      {/* The page's language: rtl fields and previews; on a translation the source beside each field. */}
      <PageLanguage page={page} onPageChange={setPage} editing={active === 'edit'}>
        <PageEditor page={page} onPageChange={setPage} visible={active === 'edit'} />
        {active === 'review' && <ReviewTab page={page} onPageChange={setPage} reload={reload} />}
        {active === 'publish' && <PublishTab page={page} onPageChange={setPage} reload={reload} />}
        {active === 'history' && <HistoryTab page={page} />}
        {active === 'audit' && <AuditTab page={page} />}
        {active === 'live' && <LiveTab page={page} />}
      </PageLanguage>
    </div>
  );
}
