// The page's facts: state, working copy, live revision, medical review.

import type { Page } from '../../api/types';
import { StateBadge, Time } from '../../components/ui';
import { Link } from '../../router';

export function PageHeader({ page }: { page: Page }) {
  return (
    <header className="page-header">
      <p className="breadcrumb">
        <Link to="/pages">Pages</Link> <span aria-hidden="true">/</span> <span>{page.slug}</span>
      </p>
      <h1>{page.content?.title || page.slug}</h1>
      <dl className="page-facts">
        <div>
          <dt>State</dt>
          <dd>
            <StateBadge state={page.state} />
            {page.state === 'scheduled' && page.scheduledAt && (
              <>
                {' '}
                for <Time iso={page.scheduledAt} />
              </>
            )}
          </dd>
        </div>
        <div>
          <dt>Working copy</dt>
          <dd>
            revision {page.revision} <span className="muted">(version {page.version})</span>
          </dd>
        </div>
        <div>
          <dt>Live</dt>
          <dd>{page.live ? <>revision {page.live.revision} since <Time iso={page.live.publishedAt} /></> : page.unpublished ? 'unpublished' : 'not published'}</dd>
        </div>
        <div>
          <dt>Medical review</dt>
          <dd>
            {page.approval ? (
              <>
                {page.approval.reviewer?.name}
                {page.approval.reviewer?.credentials ? `, ${page.approval.reviewer.credentials}` : ''} · revision {page.approval.revision}
                {page.reviewOverdue && <span className="badge sev-blocker">Review overdue</span>}
              </>
            ) : (
              'not approved'
            )}
          </dd>
        </div>
      </dl>
    </header>
  );
}
