import { useCallback, useEffect, useState } from 'react';
import { errorMessage } from '../api/client';
import type { ListResponse, ReaderReview } from '../api/types';
import { useApp } from '../app-context';
import { ErrorBox, Loading, Time } from '../components/ui';

export function ReaderReviews() {
  const { api, announce } = useApp();
  const [list, setList] = useState<ReaderReview[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      const r = await api.get<ListResponse<ReaderReview>>('/api/v1/manage/reviews?state=pending');
      setList(r?.data ?? []);
    } catch (e) {
      setError(errorMessage(e));
    }
  }, [api]);
  useEffect(() => void load(), [load]);

  const decide = async (r: ReaderReview, action: 'approve' | 'reject') => {
    setBusy(r.id);
    setError(null);
    try {
      await api.post(`/api/v1/manage/reviews/${encodeURIComponent(r.id)}/${action}`, {});
      announce(action === 'approve' ? `Review by ${r.name} approved: it is now shown on the page.` : `Review by ${r.name} rejected.`);
      setList((l) => (l ?? []).filter((x) => x.id !== r.id));
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(null);
    }
  };

  return (
    <>
      <h1>Reader reviews</h1>
      <p className="muted">Reviews sent by readers are held here until an editor approves them. Only approved reviews are shown on the page.</p>
      <ErrorBox error={error} />
      {!list ? (
        <Loading what="Loading pending reviews" />
      ) : list.length === 0 ? (
        <p className="empty-state">No reviews are waiting for moderation.</p>
      ) : (
        <ul className="review-list">
          {list.map((r) => (
            <li key={r.id} className="card">
              <article aria-labelledby={`rr-${r.id}`}>
                <h2 id={`rr-${r.id}`} className="h-small">
                  {r.name} on <span className="mono">{r.slug ?? r.pageSlug ?? r.pageId}</span>
                </h2>
                <p className="rating">
                  <span className="visually-hidden">Rating {r.rating} of 5</span>
                  <span aria-hidden="true">{'★'.repeat(r.rating) + '☆'.repeat(Math.max(0, 5 - r.rating))}</span>
                </p>
                <p className="review-body">{r.body}</p>
                <p className="muted small">
                  <Time iso={r.createdAt} />
                </p>
                <div className="button-row">
                  <button type="button" className="btn-primary small" disabled={busy === r.id} onClick={() => decide(r, 'approve')} aria-label={`Approve review by ${r.name}`}>
                    Approve
                  </button>
                  <button type="button" className="btn-danger small" disabled={busy === r.id} onClick={() => decide(r, 'reject')} aria-label={`Reject review by ${r.name}`}>
                    Reject
                  </button>
                </div>
              </article>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
