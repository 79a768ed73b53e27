// The medical review: the page as readers will see it with what changed marked in place (by
// default since this reviewer's last decision, else since the last signature; the whole page
// one click away), the field-by-field differences, the writer's note and the comments, the
// pre-review checks, and the decision, which stays in view. Which decisions are open comes
// from the page's `actions`.

import { useEffect, useMemo, useRef, useState } from 'react';
import { errorMessage } from '../../api/client';
import type { AuditEvent, Page } from '../../api/types';
import { useApp } from '../../app-context';
import { DiffView } from '../../components/DiffView';
import { ImageChanges } from '../../components/ImageChanges';
import { ReaderView } from '../../components/ReaderView';
import { ErrorBox, Loading, Notice, shortHash, StateBadge } from '../../components/ui';
import { useAction } from '../../components/useAction';
import { useLoad } from '../../components/useLoad';
import { actionOf, offered, permitted, refusal } from '../../lib/actions';
import type { FieldChange } from '../../lib/diff';
import { describeActionError } from '../../lib/messages';
import { markBlocks } from '../../lib/reader';
import { loadDiff } from '../../lib/revisions';
import { Link } from '../../router';
import { ChecksList } from './editor/ChecksList';
import { Conversation, remarksOf } from './Conversation';
import { pagePath } from './paths';
import { renderLatest, renderRevision, type Rendered } from './rendered';
import { SignatureDialog } from './SignatureDialog';
import { notifiedCount } from '../../lib/notifications';

type Since = 'mine' | 'signature' | 'whole';
type View = 'reader' | 'fields';

export function ReviewTab({ page, onPageChange, reload }: { page: Page; onPageChange: (p: Page) => void; reload: () => Promise<Page | null> }) {
  const { api, user, announce } = useApp();
  const audit = useLoad(() => api.get<{ data: AuditEvent[] }>(`${pagePath(page.id)}/audit`).then((r) => r?.data ?? []), [api, page.id, page.version]);
  const events = audit.data;
  const remarks = useMemo(() => remarksOf(events ?? []), [events]);
  // This reviewer's last decision on an older revision: their next look starts from there.
  const mine = useMemo(() => {
    const own = (events ?? []).filter((e) => e.actor === user.id && (e.action === 'request_changes' || e.action === 'approve') && e.revision < page.revision);
    return own.length ? own[own.length - 1].revision : 0;
  }, [events, user.id, page.revision]);
  const signature = page.reviewBaseline ?? 0;
  const note = useMemo(() => {
    const submits = (events ?? []).filter((e) => e.action === 'submit');
    const last = submits[submits.length - 1];
    const n = (last?.data as Record<string, unknown> | undefined)?.note;
    return typeof n === 'string' && n ? { text: n, who: last.actorName || last.actor } : null;
  }, [events]);

  const [since, setSince] = useState<Since | null>(null);
  const chosen: Since = since ?? (mine > 0 ? 'mine' : signature > 0 ? 'signature' : 'whole');
  const baseline = chosen === 'mine' ? mine : chosen === 'signature' ? signature : 0;
  const [view, setView] = useState<View>('reader');

  const latest = useLoad(() => renderLatest(api, page), [api, page.id, page.version]);
  const [old, setOld] = useState<Rendered | null>(null);
  const [renderError, setRenderError] = useState<string | null>(null);
  useEffect(() => {
    setOld(null);
    setRenderError(null);
    if (baseline <= 0 || baseline >= page.revision) return;
    renderRevision(api, page.id, baseline).then(setOld, (e) => setRenderError(errorMessage(e)));
  }, [api, page.id, page.revision, baseline]);
  const marking = chosen !== 'whole' && baseline > 0 && baseline < page.revision;
  const blocks = useMemo(() => {
    if (!latest.data) return null;
    if (!marking) return latest.data.blocks;
    return old ? markBlocks(old.blocks, latest.data.blocks) : null;
  }, [latest.data, old, marking]);

  const [changes, setChanges] = useState<FieldChange[] | null>(null);
  const [diffError, setDiffError] = useState<string | null>(null);
  useEffect(() => {
    setChanges(null);
    setDiffError(null);
    if (baseline >= page.revision && baseline > 0) {
      setChanges([]);
      return;
    }
    loadDiff(api, page.id, baseline, page.revision).then(setChanges, (e) => setDiffError(errorMessage(e)));
  }, [api, page.id, page.revision, baseline]);

  const inReview = page.state === 'in_review';
  const approve = actionOf(page, 'approve');
  const sendBack = actionOf(page, 'request_changes');
  const judges = permitted(approve) || permitted(sendBack);
  const changed = blocks?.filter((b) => b.change).length ?? 0;
  const baselineText =
    chosen === 'whole'
      ? signature > 0 || mine > 0
        ? 'The whole page'
        : 'First review: the whole page is new'
        : chosen === 'mine'
          ? `Changes since your last decision (revision ${baseline})`
          : `Changes since the last approved or published revision (${baseline})`;

  return (
    <section className="tab-panel review-tab" aria-labelledby="h-review">
      <h2 id="h-review">Medical review</h2>
      {!inReview && (
        <Notice>
          This page is not awaiting review (state: <StateBadge state={page.state} />
          ). {page.state === 'approved' || page.state === 'scheduled' || page.state === 'published' ? 'The latest revision is already approved.' : 'A writer submits it for review when it is ready.'}
        </Notice>
      )}
      {inReview && !judges && <Notice>This page is awaiting review by a medical reviewer.</Notice>}

      <div className="review-grid">
        <div className="review-main">
          <div className="review-controls">
            <fieldset className="segmented">
              <legend>Compare with</legend>
              {mine > 0 && (
                <label>
                  <input type="radio" name="review-since" checked={chosen === 'mine'} onChange={() => setSince('mine')} /> Your last decision (rev. {mine})
                </label>
              )}
              {signature > 0 && (
                <label>
                  <input type="radio" name="review-since" checked={chosen === 'signature'} onChange={() => setSince('signature')} /> Last signature (rev. {signature})
                </label>
              )}
              <label>
                <input type="radio" name="review-since" checked={chosen === 'whole'} onChange={() => setSince('whole')} /> Whole page
              </label>
            </fieldset>
            <fieldset className="segmented">
              <legend>Show</legend>
              <label>
                <input type="radio" name="review-view" checked={view === 'reader'} onChange={() => setView('reader')} /> As readers see it
              </label>
              <label>
                <input type="radio" name="review-view" checked={view === 'fields'} onChange={() => setView('fields')} /> Field by field
              </label>
            </fieldset>
          </div>
          <h3 data-testid="review-baseline">{baselineText}</h3>
          <p className="muted">
            Revision {marking || (baseline > 0 && view === 'fields') ? `${baseline} → ${page.revision}` : page.revision} · content hash <code>{shortHash(page.contentHash)}</code>
            {marking && blocks && ` · ${changed} part${changed === 1 ? '' : 's'} changed`}
          </p>
          <ImageChanges pageId={page.id} from={baseline} content={page.content} fromLabel={baseline > 0 ? `Revision ${baseline}` : 'Empty page'} toLabel={`Revision ${page.revision}`} />
          {view === 'reader' ? (
            <>
              <ErrorBox error={latest.error ?? renderError} title="The page could not be rendered." />
              {!blocks ? (
                !latest.error && !renderError && <Loading what="Rendering the page" />
              ) : (
                <>
                  {marking && changed === 0 && <Notice>Nothing readers see changed since revision {baseline}.</Notice>}
                  <ReaderView title={latest.data?.title ?? page.content.title} blocks={blocks} reviewedBy={latest.data?.reviewedBy} label="The page as readers will see it" />
                </>
              )}
            </>
          ) : (
            <>
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
                  emptyText="No content changed since that revision."
                />
              ) : null}
            </>
          )}
        </div>
        <aside className="review-side" aria-label="Review notes and decision">
          {note && inReview && (
            <div className="writer-note" data-testid="writer-note">
              <h3>Note from {note.who}</h3>
              <blockquote>{note.text}</blockquote>
            </div>
          )}
          <DecisionPanel page={page} onPageChange={onPageChange} reload={reload} onDecided={() => void audit.reload()} announce={announce} />
          <h3 id="h-checks-review">Pre-review checks</h3>
          <ChecksList checks={page.checks} />
          <Conversation remarks={remarks} />
        </aside>
      </div>
    </section>
  );
}

/** Request changes or sign: in the side panel, which stays in view; on a tablet its buttons
 * are a bar at the bottom of the screen. */
function DecisionPanel({
  page,
  onPageChange,
  reload,
  onDecided,
  announce,
}: {
  page: Page;
  onPageChange: (p: Page) => void;
  reload: () => Promise<Page | null>;
  onDecided: () => void;
  announce: (m: string) => void;
}) {
  const { api } = useApp();
  const [comment, setComment] = useState('');
  const [commentError, setCommentError] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const [signOpen, setSignOpen] = useState(false);
  const commentRef = useRef<HTMLTextAreaElement>(null);
  const approve = actionOf(page, 'approve');
  const sendBack = actionOf(page, 'request_changes');
  if (!offered(approve) && !offered(sendBack)) return null;
  const approveRefusal = refusal(approve);

  const requestChanges = async () => {
    if (!comment.trim()) {
      setCommentError('Write a comment telling the writer what to change.');
      commentRef.current?.focus();
      commentRef.current?.scrollIntoView({ block: 'center' });
      return;
    }
    await run(
      async () => {
        const p = await api.post<Page>(`${pagePath(page.id)}/request-changes`, { revision: page.revision, comment: comment.trim() });
        onPageChange(p);
        onDecided();
        setComment('');
        // Say the writer will see it in their notifications only once the server says a
        // notification was made (lib/notifications.ts); the comment is on the page either way.
        const told = await notifiedCount(api, page.id, 'request_changes');
        announce(
          told > 0
            ? `Changes requested. ${told === 1 ? 'The writer' : `The ${told} writers`} will see your comment in their notifications.`
            : 'Changes requested. Your comment is shown to the writers on the page.',
        );
      },
      { describe: describeActionError },
    );
  };

  return (
    <div className="decision-panel" role="region" aria-labelledby="h-decision">
      <h3 id="h-decision">Your decision</h3>
      <ErrorBox error={error} />
      <div className="field">
        <label htmlFor="review-comment">Comment for the writer</label>
        <textarea
          id="review-comment"
          ref={commentRef}
          rows={4}
          value={comment}
          aria-invalid={commentError ? true : undefined}
          aria-describedby={commentError ? 'review-comment-error' : undefined}
          onChange={(e) => {
            setComment(e.target.value);
            if (e.target.value.trim()) setCommentError(null);
          }}
        />
        {commentError && (
          <p className="field-error" id="review-comment-error" role="alert">
            {commentError}
          </p>
        )}
      </div>
      <div className="button-row decision-bar">
        <button type="button" className="btn-secondary" disabled={busy || !sendBack.allowed} onClick={requestChanges}>
          Request changes
        </button>
        <button type="button" className="btn-primary" disabled={busy || !approve.allowed} aria-describedby={approveRefusal ? 'approve-refusal' : undefined} onClick={() => setSignOpen(true)}>
          Approve…
        </button>
      </div>
      {approveRefusal && offered(approve) && (
        <p className="hint" id="approve-refusal" data-testid="approve-refusal">
          {approveRefusal}
          {approve.reason === 'password_change_required' && (
            <>
              {' '}
              <Link to="/account/password">Change your password</Link>
            </>
          )}
        </p>
      )}
      {signOpen && (
        <SignatureDialog
          page={page}
          onClose={() => setSignOpen(false)}
          onSigned={(p) => {
            onPageChange(p);
            onDecided();
            setSignOpen(false);
            announce(`Signed: revision ${p.approval?.revision ?? page.revision} is medically approved.`);
          }}
          reload={reload}
        />
      )}
    </div>
  );
}
