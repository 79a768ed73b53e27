// One page: header (state, revision, live revision), and tabs: edit, review, publish,
// history, audit trail, live vs working copy.

import { useAction } from '../components/useAction';
import { useCallback, useEffect, useState } from 'react';
import { ApiError, errorMessage } from '../api/client';
import { describeActionError } from '../lib/messages';
import type { AuditEvent, Page, RevisionSummary } from '../api/types';
import { useApp } from '../app-context';
import { DiffView } from '../components/DiffView';
import { ErrorBox, formatTime, Loading, Modal, Notice, personName, shortHash, StateBadge, Time } from '../components/ui';
import { normalizeContent } from '../lib/content';
import { diffContent, type FieldChange } from '../lib/diff';
import { getRevision, loadDiff } from '../lib/revisions';
import { Link } from '../router';
import { ChecksList, PageEditor } from './PageEditor';

const pagePath = (id: string) => `/api/v1/manage/pages/${encodeURIComponent(id)}`;

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
  const [page, setPage] = useState<Page | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(async () => {
    try {
      const p = await api.get<Page>(pagePath(id));
      setPage(p);
      setError(null);
      return p;
    } catch (e) {
      setError(errorMessage(e));
      return null;
    }
  }, [api, id]);
  useEffect(() => {
    setPage(null);
    void reload();
  }, [reload]);

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
      <PageEditor page={page} onPageChange={setPage} visible={active === 'edit'} />
      {active === 'review' && <ReviewTab page={page} onPageChange={setPage} reload={reload} />}
      {active === 'publish' && <PublishTab page={page} onPageChange={setPage} reload={reload} />}
      {active === 'history' && <HistoryTab page={page} />}
      {active === 'audit' && <AuditTab page={page} />}
      {active === 'live' && <LiveTab page={page} />}
    </div>
  );
}

function PageHeader({ page }: { page: Page }) {
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

function ReviewTab({ page, onPageChange, reload }: { page: Page; onPageChange: (p: Page) => void; reload: () => Promise<Page | null> }) {
  const { api, hasRole, announce } = useApp();
  const baseline = page.reviewBaseline ?? page.approval?.revision ?? page.live?.revision ?? 0;
  const [changes, setChanges] = useState<FieldChange[] | null>(null);
  const [diffError, setDiffError] = useState<string | null>(null);
  const [comment, setComment] = useState('');
  const { busy, error, setError, run } = useAction();
  const [signOpen, setSignOpen] = useState(false);
  const isReviewer = hasRole('reviewer');
  const inReview = page.state === 'in_review';

  useEffect(() => {
    setChanges(null);
    setDiffError(null);
    if (baseline >= page.revision && baseline > 0) {
      setChanges([]);
      return;
    }
    loadDiff(api, page.id, baseline, page.revision).then(setChanges, (e) => setDiffError(errorMessage(e)));
  }, [api, page.id, page.revision, baseline]);

  const requestChanges = async () => {
    if (!comment.trim()) {
      setError('Write a comment telling the writer what to change.');
      return;
    }
    await run(
      async () => {
        const p = await api.post<Page>(`${pagePath(page.id)}/request-changes`, { revision: page.revision, comment: comment.trim() });
        onPageChange(p);
        setComment('');
        announce('Changes requested. The writer has been sent your comment.');
      },
      { describe: describeActionError },
    );
  };

  return (
    <section className="tab-panel" aria-labelledby="h-review">
      <h2 id="h-review">Medical review</h2>
      {!inReview && (
        <Notice>
          This page is not awaiting review (state: <StateBadge state={page.state} />
          ). {page.state === 'approved' || page.state === 'scheduled' || page.state === 'published' ? 'The latest revision is already approved.' : 'A writer submits it for review when it is ready.'}
        </Notice>
      )}
      {inReview && !isReviewer && <Notice>This page is awaiting review by a medical reviewer.</Notice>}

      <div className="review-grid">
        <div>
          <h3>{baseline > 0 ? `Changes since the last approved or published revision (${baseline})` : 'First review: the whole page is new'}</h3>
          <p className="muted">
            Revision {baseline > 0 ? `${baseline} → ${page.revision}` : page.revision} · content hash <code>{shortHash(page.contentHash)}</code>
          </p>
          <ErrorBox error={diffError} title="The differences could not be loaded." />
          {changes === null && !diffError ? (
            <Loading what="Loading differences" />
          ) : changes ? (
            <DiffView
              changes={changes}
              fromLabel={baseline > 0 ? `Revision ${baseline}` : 'Empty page'}
              toLabel={`Revision ${page.revision}`}
              headingLevel={4}
              defaultMode={baseline > 0 ? 'side' : 'inline'}
              emptyText="No content changed since the last approval."
            />
          ) : null}
        </div>
        <aside className="review-side" aria-labelledby="h-checks-review">
          <h3 id="h-checks-review">Pre-review checks</h3>
          <ChecksList checks={page.checks} />
          {isReviewer && inReview && (
            <>
              <h3>Your decision</h3>
              <ErrorBox error={error} />
              <div className="field">
                <label htmlFor="review-comment">Comment for the writer</label>
                <textarea id="review-comment" rows={4} value={comment} onChange={(e) => setComment(e.target.value)} />
              </div>
              <div className="button-row">
                <button type="button" className="btn-secondary" disabled={busy} onClick={requestChanges}>
                  Request changes
                </button>
                <button type="button" className="btn-primary" disabled={busy} onClick={() => setSignOpen(true)}>
                  Approve…
                </button>
              </div>
            </>
          )}
        </aside>
      </div>
      {signOpen && (
        <SignatureDialog
          page={page}
          onClose={() => setSignOpen(false)}
          onSigned={(p) => {
            onPageChange(p);
            setSignOpen(false);
            announce(`Signed: revision ${p.approval?.revision ?? page.revision} is medically approved.`);
          }}
          reload={reload}
        />
      )}
    </section>
  );
}

function SignatureDialog({ page, onClose, onSigned, reload }: { page: Page; onClose: () => void; onSigned: (p: Page) => void; reload: () => Promise<Page | null> }) {
  const { api, user } = useApp();
  const [password, setPassword] = useState('');
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [stale, setStale] = useState(false);

  const sign = async () => {
    if (!password) {
      setError('Enter your password to sign.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const body: Record<string, unknown> = { revision: page.revision, password };
      if (comment.trim()) body.comment = comment.trim();
      const p = await api.post<Page>(`${pagePath(page.id)}/approve`, body, { retryOn401: false });
      onSigned(p);
    } catch (e) {
      setPassword('');
      if (e instanceof ApiError && e.status === 401) {
        // A wrong password, unless the session itself ran out: ask the server who we are.
        try {
          await api.get('/api/v1/auth/me');
          setError('That password is not correct. Nothing was signed. Enter the password you sign in with.');
        } catch {
          setError('Your session has ended. Sign in again, then sign.');
        }
      } else if (e instanceof ApiError && e.status === 429) {
        setError('Too many wrong passwords. Wait a moment before trying again. ' + (e.problem.retryAfter ? `(about ${e.problem.retryAfter} s)` : ''));
      } else {
        setError(describeActionError(e));
        if (e instanceof ApiError && (e.status === 409 || e.code === 'approval_stale' || e.code === 'revision_not_latest')) setStale(true);
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal open title="Electronic signature" onClose={onClose} className="signature-dialog">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void sign();
        }}
      >
        <div className="modal-body">
          <p className="signature-meaning">
            By signing, you state that this exact revision has been <strong>medically reviewed and approved</strong> for publication.
            Your name, credentials and the time are recorded with it and shown to readers.
          </p>
          <dl className="signature-facts">
            <div>
              <dt>Signer</dt>
              <dd data-testid="signer">
                {user.name}
                {user.credentials ? `, ${user.credentials}` : ''}
              </dd>
            </div>
            <div>
              <dt>Meaning</dt>
              <dd>medically reviewed and approved</dd>
            </div>
            <div>
              <dt>Page</dt>
              <dd>
                {page.content?.title} <span className="muted">({page.slug})</span>
              </dd>
            </div>
            <div>
              <dt>Revision</dt>
              <dd data-testid="sign-revision">{page.revision}</dd>
            </div>
            <div>
              <dt>Content hash</dt>
              <dd>
                <code className="hash">{page.contentHash}</code>
              </dd>
            </div>
          </dl>
          {!user.credentials && <Notice kind="warning">Your account has no credentials recorded; ask an administrator to add them.</Notice>}
          <div className="field">
            <label htmlFor="sign-comment">Comment (optional)</label>
            <textarea id="sign-comment" rows={2} value={comment} onChange={(e) => setComment(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="sign-password">Your password</label>
            <p className="hint" id="sign-password-hint">
              Re-enter your password to confirm it is you who signs.
            </p>
            <input
              id="sign-password"
              type="password"
              autoComplete="current-password"
              value={password}
              aria-describedby={error ? 'sign-password-hint sign-error' : 'sign-password-hint'}
              aria-invalid={error ? true : undefined}
              onChange={(e) => setPassword(e.target.value)}
              autoFocus
            />
          </div>
          {error && (
            <div className="alert alert-error" role="alert" id="sign-error">
              {error}
            </div>
          )}
        </div>
        <div className="modal-actions">
          {stale && (
            <button
              type="button"
              className="btn-secondary"
              onClick={() => {
                void reload();
                onClose();
              }}
            >
              Reload the page
            </button>
          )}
          <button type="button" className="btn-secondary" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className="btn-primary" disabled={busy}>
            {busy ? 'Signing…' : 'Sign and approve'}
          </button>
        </div>
      </form>
    </Modal>
  );
}

function toLocalInput(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function PublishTab({ page, onPageChange, reload }: { page: Page; onPageChange: (p: Page) => void; reload: () => Promise<Page | null> }) {
  const { api, hasRole, announce, confirm } = useApp();
  const [at, setAt] = useState(() => toLocalInput(new Date(Date.now() + 24 * 3600_000)));
  const [reason, setReason] = useState('');
  const { busy, error, setError, run } = useAction();
  const canPublish = hasRole('editor');
  const canUnpublish = hasRole('editor', 'reviewer', 'admin');
  const approval = page.approval;
  const approvalValid = !!approval && approval.revision === page.revision && (!page.contentHash || approval.contentHash === page.contentHash);

  const act = (what: string, body: unknown, done: string) =>
    run(
      async () => {
        const p = await api.post<Page>(`${pagePath(page.id)}/${what}`, body);
        onPageChange(p);
        announce(done);
      },
      { describe: describeActionError, onError: () => void reload() },
    );

  const schedule = () => {
    const d = new Date(at);
    if (Number.isNaN(d.getTime())) {
      setError('Enter a valid date and time.');
      return;
    }
    if (d.getTime() <= Date.now()) {
      setError('Choose a time in the future, or publish now.');
      return;
    }
    void act('publish', { at: d.toISOString() }, `Scheduled for ${d.toLocaleString('en-GB')}.`);
  };

  const unpublish = async () => {
    if (!reason.trim()) {
      setError('Give a reason: it is recorded in the audit trail.');
      return;
    }
    const ok = await confirm({
      title: 'Unpublish this page?',
      message: 'Readers will no longer see it: the delivery API answers 410 Gone for it at once.',
      confirmLabel: 'Unpublish now',
      danger: true,
    });
    if (ok) await act('unpublish', { reason: reason.trim() }, 'Unpublished.');
    setReason('');
  };

  return (
    <section className="tab-panel" aria-labelledby="h-publish">
      <h2 id="h-publish">Publishing</h2>
      <ErrorBox error={error} />
      <div className="cards">
        <section className="card" aria-labelledby="h-approval">
          <h3 id="h-approval">Approval</h3>
          {approval ? (
            <dl className="kv">
              <dt>Signed by</dt>
              <dd>
                {approval.reviewer?.name}
                {approval.reviewer?.credentials ? `, ${approval.reviewer.credentials}` : ''}
              </dd>
              <dt>Meaning</dt>
              <dd>{approval.meaning}</dd>
              <dt>Revision</dt>
              <dd>
                {approval.revision} <code>{shortHash(approval.contentHash)}</code>
              </dd>
              <dt>Signed</dt>
              <dd>
                <Time iso={approval.signedAt} />
              </dd>
              {approval.nextReviewDue && (
                <>
                  <dt>Next review due</dt>
                  <dd>
                    <Time iso={approval.nextReviewDue} />
                  </dd>
                </>
              )}
              {approval.comment && (
                <>
                  <dt>Comment</dt>
                  <dd>{approval.comment}</dd>
                </>
              )}
            </dl>
          ) : (
            <p>No revision of this page has been approved yet.</p>
          )}
          {approval && !approvalValid && (
            <Notice kind="warning">
              The page was edited after revision {approval.revision} was approved: the latest revision ({page.revision}) needs a new medical review before it can
              be published.
            </Notice>
          )}
        </section>

        <section className="card" aria-labelledby="h-publish-now">
          <h3 id="h-publish-now">Publish</h3>
          {!canPublish ? (
            <p className="muted">Only editors publish pages.</p>
          ) : page.state === 'approved' || page.state === 'scheduled' ? (
            <>
              <p>
                Revision {page.revision}, approved by {approval?.reviewer?.name ?? 'a reviewer'}
                {page.state === 'scheduled' && page.scheduledAt ? (
                  <>
                    , is scheduled for <Time iso={page.scheduledAt} />
                  </>
                ) : (
                  ', is ready to publish'
                )}
                .
              </p>
              <div className="button-row">
                <button type="button" className="btn-primary" disabled={busy} onClick={() => act('publish', {}, 'Published.')}>
                  Publish now
                </button>
              </div>
              <div className="field inline-field">
                <label htmlFor="publish-at">Publish at (your local time)</label>
                <input id="publish-at" type="datetime-local" value={at} onChange={(e) => setAt(e.target.value)} />
                <button type="button" className="btn-secondary" disabled={busy} onClick={schedule}>
                  Schedule
                </button>
              </div>
            </>
          ) : page.state === 'published' ? (
            <p>The latest revision is live.</p>
          ) : (
            <p>Only an approved page can be published. This page is {page.state.replace('_', ' ')}: it needs a medical reviewer's approval first.</p>
          )}
        </section>

        <section className="card" aria-labelledby="h-unpublish">
          <h3 id="h-unpublish">Unpublish</h3>
          {page.unpublished && (
            <p>
              Unpublished <Time iso={page.unpublished.at} /> by {personName(page.unpublished.by)}: “{page.unpublished.reason}”
            </p>
          )}
          {!page.live ? (
            <p className="muted">Nothing of this page is live.</p>
          ) : !canUnpublish ? (
            <p className="muted">Editors, reviewers and administrators can unpublish.</p>
          ) : (
            <>
              <p>
                Revision {page.live.revision} is live since <Time iso={page.live.publishedAt} />.
              </p>
              <div className="field">
                <label htmlFor="unpublish-reason">Reason for unpublishing</label>
                <textarea id="unpublish-reason" rows={2} value={reason} onChange={(e) => setReason(e.target.value)} />
              </div>
              <button type="button" className="btn-danger" disabled={busy} onClick={unpublish}>
                Unpublish…
              </button>
            </>
          )}
        </section>

        <ReviewCadence page={page} onPageChange={onPageChange} />
      </div>
    </section>
  );
}

/** The page's own medical-review cadence: days from a signature to the next review due. */
function ReviewCadence({ page, onPageChange }: { page: Page; onPageChange: (p: Page) => void }) {
  const { api, hasRole, announce } = useApp();
  const [days, setDays] = useState(String(page.reviewIntervalDays || ''));
  const { busy, error, setError, run } = useAction();
  const canChange = hasRole('reviewer', 'editor', 'admin');
  const save = async () => {
    const n = days.trim() === '' ? 0 : Number(days);
    if (!Number.isInteger(n) || n < 0 || n > 3650) {
      setError('Enter a whole number of days from 1 to 3650, or leave it empty for the default.');
      return;
    }
    await run(async () => {
      const p = await api.patch<Page>(pagePath(page.id), { reviewIntervalDays: n });
      onPageChange(p);
      announce('Review cadence saved');
    });
  };
  return (
    <section className="card" aria-labelledby="h-cadence">
      <h3 id="h-cadence">Review cadence</h3>
      <p className="muted">
        Days from a reviewer's signature to the next medical review. Empty means the site default. A change applies from the next signature.
      </p>
      {error && <p className="field-error" role="alert">{error}</p>}
      <div className="field">
        <label htmlFor="review-interval">Review every (days)</label>
        <input
          id="review-interval"
          type="number"
          min={1}
          max={3650}
          inputMode="numeric"
          value={days}
          disabled={!canChange || busy}
          onChange={(e) => setDays(e.target.value)}
        />
      </div>
      {canChange ? (
        <button type="button" className="btn-secondary" disabled={busy} onClick={save}>
          Save cadence
        </button>
      ) : (
        <p className="muted">Reviewers, editors and administrators set the cadence.</p>
      )}
    </section>
  );
}

function revisionAuthor(r: RevisionSummary): string {
  return r.authorName ?? personName(r.author);
}

function HistoryTab({ page }: { page: Page }) {
  const { api } = useApp();
  const [revs, setRevs] = useState<RevisionSummary[] | null>(null);
  const { busy, error, setError, run } = useAction();
  const [from, setFrom] = useState(Math.max(0, page.revision - 1));
  const [to, setTo] = useState(page.revision);
  const [changes, setChanges] = useState<FieldChange[] | null>(null);
  const [shown, setShown] = useState<{ from: number; to: number } | null>(null);

  useEffect(() => {
    api
      .get<{ data: RevisionSummary[] }>(`${pagePath(page.id)}/revisions`)
      .then((r) => setRevs([...(r?.data ?? [])].sort((a, b) => b.number - a.number)))
      .catch((e) => setError(errorMessage(e)));
  }, [api, page.id, page.revision]);

  const compare = (f = from, t = to) =>
    run(async () => {
      setChanges(await loadDiff(api, page.id, f, t));
      setShown({ from: f, to: t });
    });

  return (
    <section className="tab-panel" aria-labelledby="h-history">
      <h2 id="h-history">History</h2>
      <ErrorBox error={error} />
      {!revs ? (
        <Loading what="Loading revisions" />
      ) : (
        <>
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">Revisions, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Revision</th>
                  <th scope="col">Author</th>
                  <th scope="col">Saved</th>
                  <th scope="col">Note</th>
                  <th scope="col">Content hash</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {revs.map((r) => (
                  <tr key={r.number}>
                    <th scope="row">
                      {r.number}
                      {page.live?.revision === r.number && <span className="badge state-published">live</span>}
                      {page.approval?.revision === r.number && <span className="badge state-approved">approved</span>}
                    </th>
                    <td>{revisionAuthor(r)}</td>
                    <td>
                      <Time iso={r.createdAt} />
                    </td>
                    <td>{r.note ?? ''}</td>
                    <td>
                      <code>{shortHash(r.contentHash)}</code>
                    </td>
                    <td>
                      {r.number > 1 && (
                        <button
                          type="button"
                          className="btn-link small"
                          onClick={() => {
                            setFrom(r.number - 1);
                            setTo(r.number);
                            void compare(r.number - 1, r.number);
                          }}
                        >
                          Changes in {r.number}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <form
            className="compare-form"
            onSubmit={(e) => {
              e.preventDefault();
              void compare();
            }}
          >
            <div className="field">
              <label htmlFor="diff-from">Compare revision</label>
              <select id="diff-from" value={from} onChange={(e) => setFrom(Number(e.target.value))}>
                <option value={0}>empty page</option>
                {revs.map((r) => (
                  <option key={r.number} value={r.number}>
                    {r.number}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="diff-to">with revision</label>
              <select id="diff-to" value={to} onChange={(e) => setTo(Number(e.target.value))}>
                {revs.map((r) => (
                  <option key={r.number} value={r.number}>
                    {r.number}
                  </option>
                ))}
              </select>
            </div>
            <button type="submit" className="btn-secondary" disabled={busy}>
              Show differences
            </button>
          </form>
          {busy && <Loading what="Loading differences" />}
          {changes && shown && (
            <section aria-label={`Differences between revision ${shown.from} and ${shown.to}`}>
              <h3>
                Revision {shown.from || 'empty'} → {shown.to}
              </h3>
              <DiffView
                changes={changes}
                fromLabel={shown.from ? `Revision ${shown.from}` : 'Empty page'}
                toLabel={`Revision ${shown.to}`}
                headingLevel={4}
                defaultMode={shown.from ? 'side' : 'inline'}
              />
            </section>
          )}
        </>
      )}
    </section>
  );
}

function actorName(e: AuditEvent): string {
  return e.actorName ?? personName(e.actor);
}

function detailValue(v: unknown): string {
  if (typeof v === 'string') {
    if (/^sha256:[0-9a-f]{16,}$/.test(v)) return shortHash(v);
    if (/^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(v)) return formatTime(v);
    return v;
  }
  if (v && typeof v === 'object' && !Array.isArray(v) && 'name' in v) {
    const o = v as { name?: string; credentials?: string };
    return `${o.name ?? ''}${o.credentials ? ', ' + o.credentials : ''}`;
  }
  return JSON.stringify(v);
}

const DETAIL_LABELS: Record<string, string> = {
  contentHash: 'hash',
  approvalRevision: 'approved revision',
  nextReviewDue: 'next review due',
  signedAt: 'signed',
  publishedBy: 'published by',
};

function eventDetails(e: AuditEvent): string {
  if (!e.data) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(e.data)) {
    if (v === null || v === undefined || v === '' || k === 'password') continue;
    parts.push(`${DETAIL_LABELS[k] ?? k}: ${detailValue(v)}`);
  }
  return parts.join(' · ');
}

function AuditTab({ page }: { page: Page }) {
  const { api } = useApp();
  const [events, setEvents] = useState<AuditEvent[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api
      .get<{ data: AuditEvent[] }>(`${pagePath(page.id)}/audit`)
      .then((r) => setEvents(r?.data ?? []))
      .catch((e) => setError(errorMessage(e)));
  }, [api, page.id, page.version]);
  return (
    <section className="tab-panel" aria-labelledby="h-audit">
      <h2 id="h-audit">Audit trail</h2>
      <p className="muted">Every action on this page, in order. Events are never changed or deleted; each one's hash chains to the one before it.</p>
      <ErrorBox error={error} />
      {!events ? (
        <Loading what="Loading audit trail" />
      ) : events.length === 0 ? (
        <p>No events yet.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Audit events of this page</caption>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Time</th>
                <th scope="col">Who</th>
                <th scope="col">Action</th>
                <th scope="col">Revision</th>
                <th scope="col">Details</th>
                <th scope="col">Hash</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e) => (
                <tr key={e.seq + ':' + e.hash}>
                  <td>{e.seq}</td>
                  <td>
                    <Time iso={e.at} />
                  </td>
                  <td>{actorName(e)}</td>
                  <td>
                    <span className="action">{e.action}</span>
                  </td>
                  <td>{e.revision ?? ''}</td>
                  <td className="details">{eventDetails(e)}</td>
                  <td>
                    <code title={e.hash}>{shortHash(e.hash)}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function LiveTab({ page }: { page: Page }) {
  const { api } = useApp();
  const [changes, setChanges] = useState<FieldChange[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!page.live) return;
    setChanges(null);
    getRevision(api, page.id, page.live.revision)
      .then((rev) => setChanges(diffContent(normalizeContent(rev.content), normalizeContent(page.content))))
      .catch((e) => setError(errorMessage(e)));
  }, [api, page]);
  return (
    <section className="tab-panel" aria-labelledby="h-live">
      <h2 id="h-live">Live revision and working copy</h2>
      {!page.live ? (
        <p>
          Nothing of this page is live{page.unpublished ? ' (it was unpublished)' : ''}. Readers get 404{page.unpublished ? ' / 410' : ''} for <code>/api/v1/pages/{page.slug}</code>.
        </p>
      ) : (
        <>
          <p>
            Readers see revision <strong>{page.live.revision}</strong> (published <Time iso={page.live.publishedAt} />
            {page.live.publishedBy ? <> by {personName(page.live.publishedBy)}</> : null}). The working copy is revision <strong>{page.revision}</strong> (
            <StateBadge state={page.state} />
            ).{' '}
            <a href={`/api/v1/pages/${encodeURIComponent(page.slug)}`} target="_blank" rel="noreferrer">
              Open the published JSON
            </a>
          </p>
          <ErrorBox error={error} />
          {!changes && !error ? (
            <Loading />
          ) : changes ? (
            <DiffView
              changes={changes}
              fromLabel={`Live (revision ${page.live.revision})`}
              toLabel={`Working copy (revision ${page.revision})`}
              emptyText="The working copy is the same as the live revision."
            />
          ) : null}
        </>
      )}
    </section>
  );
}

