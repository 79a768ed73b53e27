// Publishing: the approval, publish now or at a time, cancel a schedule, unpublish, and the
// review cadence. Which of these are open comes from the page's `actions`.

import { useState } from 'react';
import type { Page } from '../../api/types';
import { useApp } from '../../app-context';
import { ErrorBox, formatTime, Notice, personName, shortHash, Time } from '../../components/ui';
import { useAction } from '../../components/useAction';
import { actionOf, offered, permitted, refusal } from '../../lib/actions';
import { describeActionError } from '../../lib/messages';
import { pagePath } from './paths';
import { ReviewCadence } from './ReviewCadence';

function toLocalInput(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function PublishTab({ page, onPageChange, reload }: { page: Page; onPageChange: (p: Page) => void; reload: () => Promise<Page | null> }) {
  const { api, announce, confirm } = useApp();
  const [at, setAt] = useState(() => toLocalInput(new Date(Date.now() + 24 * 3600_000)));
  const [reason, setReason] = useState('');
  // The reason's own error, at its field: it goes as soon as a reason is typed.
  const [reasonError, setReasonError] = useState<string | null>(null);
  const { busy, error, setError, run } = useAction();
  const publish = actionOf(page, 'publish');
  const scheduleAction = actionOf(page, 'schedule');
  const cancel = actionOf(page, 'schedule_cancelled');
  const takeDown = actionOf(page, 'unpublish');
  const publishRefusal = refusal(publish);
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

  // Publishing is what readers see: say which page, which revision and whose signature first.
  const publishNow = async () => {
    const signer = approval?.reviewer?.name ? approval.reviewer.name + (approval.reviewer.credentials ? `, ${approval.reviewer.credentials}` : '') : 'no reviewer';
    const ok = await confirm({
      title: 'Publish this page now?',
      message:
        `“${page.content?.title || page.slug}” (${page.slug}), revision ${page.revision}, medically approved by ${signer}` +
        (approval?.signedAt ? ` on ${formatTime(approval.signedAt)}` : '') +
        ', goes live at once: websites show it to readers from now on.' +
        (page.live ? ` It replaces the live revision ${page.live.revision}.` : '') +
        (page.state === 'scheduled' && page.scheduledAt ? ` The publication scheduled for ${formatTime(page.scheduledAt)} is replaced by this one.` : ''),
      confirmLabel: `Publish revision ${page.revision}`,
    });
    if (ok) await act('publish', {}, 'Published.');
  };

  const cancelSchedule = async () => {
    const ok = await confirm({
      title: 'Cancel the scheduled publication?',
      message:
        `“${page.content?.title || page.slug}” will not go live ${page.scheduledAt ? 'on ' + formatTime(page.scheduledAt) : 'as scheduled'}. ` +
        'The approval stands: the page can be published or scheduled again without a new review.',
      confirmLabel: 'Cancel the schedule',
      cancelLabel: 'Keep the schedule',
      danger: true,
    });
    if (ok) await act('cancel-schedule', {}, 'The scheduled publication is cancelled.');
  };

  const unpublish = async () => {
    if (!reason.trim()) {
      setReasonError('Give a reason: it is recorded in the audit trail.');
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
          {!permitted(publish) ? (
            <p className="muted">Publishing is not among your permissions.</p>
          ) : publish.allowed ? (
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
                <button type="button" className="btn-primary" disabled={busy} onClick={publishNow}>
                  Publish now
                </button>
                {page.state === 'scheduled' && offered(cancel) && (
                  <button type="button" className="btn-secondary" disabled={busy || !cancel.allowed} onClick={cancelSchedule}>
                    Cancel the schedule…
                  </button>
                )}
              </div>
              {offered(scheduleAction) && (
                <div className="field inline-field">
                  <label htmlFor="publish-at">Publish at (your local time)</label>
                  <input id="publish-at" type="datetime-local" value={at} onChange={(e) => setAt(e.target.value)} />
                  <button type="button" className="btn-secondary" disabled={busy || !scheduleAction.allowed} onClick={schedule}>
                    {page.state === 'scheduled' ? 'Move the schedule' : 'Schedule'}
                  </button>
                </div>
              )}
            </>
          ) : page.state === 'published' ? (
            <p>The latest revision is live.</p>
          ) : (
            <p data-testid="publish-refusal">{publishRefusal}</p>
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
          ) : !permitted(takeDown) ? (
            <p className="muted">Unpublishing is not among your permissions.</p>
          ) : (
            <>
              <p>
                Revision {page.live.revision} is live since <Time iso={page.live.publishedAt} />.
              </p>
              <div className="field">
                <label htmlFor="unpublish-reason">Reason for unpublishing</label>
                <textarea
                  id="unpublish-reason"
                  rows={2}
                  value={reason}
                  aria-invalid={reasonError ? true : undefined}
                  aria-describedby={reasonError ? 'unpublish-reason-error' : undefined}
                  onChange={(e) => {
                    setReason(e.target.value);
                    if (e.target.value.trim()) setReasonError(null);
                  }}
                />
                {reasonError && (
                  <p className="field-error" id="unpublish-reason-error" role="alert">
                    {reasonError}
                  </p>
                )}
              </div>
              <button type="button" className="btn-danger" disabled={busy || !takeDown.allowed} onClick={unpublish}>
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
