// "My work": the caller's queues for their roles, computed by the server from the pages
// (my drafts, changes requested of me, awaiting my review, due for periodic review, ready to
// publish).

import { useApp } from '../app-context';
import { ErrorBox, Loading, StateBadge, Time } from '../components/ui';
import { useLoad } from '../components/useLoad';
import { loadQueues, QUEUE_EMPTY, QUEUE_TITLES } from '../lib/notifications';
import { Link } from '../router';

export function MyWork() {
  const { api } = useApp();
  const { data, error } = useLoad(() => loadQueues(api), [api]);
  return (
    <>
      <h1>My work</h1>
      <ErrorBox error={error} />
      {!data && !error && <Loading what="Loading your work" />}
      {data && data.data.length === 0 && <p className="muted">Your roles have no work queues.</p>}
      <div className="queues">
        {data?.data.map((q) => (
          <section key={q.queue} className="queue" aria-labelledby={`q-${q.queue}`}>
            <h2 id={`q-${q.queue}`}>
              {QUEUE_TITLES[q.queue] ?? q.queue} <span className="count">({q.pages.length}{q.more ? '+' : ''})</span>
            </h2>
            {q.pages.length === 0 ? (
              <p className="muted small">{QUEUE_EMPTY[q.queue]}</p>
            ) : (
              <ul className="queue-list">
                {q.pages.map((p) => (
                  <li key={p.id}>
                    <Link to={`/pages/${encodeURIComponent(p.id)}${q.queue === 'awaiting_review' || q.queue === 'review_due' ? '/review' : q.queue === 'ready_to_publish' ? '/publish' : ''}`}>
                      {p.title || p.slug}
                    </Link>{' '}
                    <StateBadge state={p.state} />
                    <span className="small muted">
                      {' '}
                      updated <Time iso={p.updatedAt} /> by {p.updatedBy?.name ?? '—'}
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </section>
        ))}
      </div>
    </>
  );
}
