// Submitting for medical review: the note for the reviewer, and the blocking checks named
// in the server's words with links to their fields; Submit is disabled while one is known.

import { useState } from 'react';
import { ApiError, errorMessage } from '../../../api/client';
import type { Check, Page } from '../../../api/types';
import { useApp } from '../../../app-context';
import { ErrorBox, Modal, Notice } from '../../../components/ui';
import { actionOf, refusal } from '../../../lib/actions';
import { checksNamed } from '../../../lib/checks';
import { ChecksList } from './ChecksList';

export function SubmitDialog({ page, onClose, onDone, onGoTo }: { page: Page; onClose: () => void; onDone: (p: Page) => void; onGoTo: (path: string) => void }) {
  const { api, announce } = useApp();
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [blockers, setBlockers] = useState<Check[]>([]);
  const blocking = (page.checks ?? []).filter((c) => c.severity === 'blocker');
  const submitAction = actionOf(page, 'submit');
  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      const p = await api.post<Page>(`/api/v1/manage/pages/${encodeURIComponent(page.id)}/submit`, note.trim() ? { note: note.trim() } : {});
      announce('Submitted for medical review.');
      onDone(p);
      onClose();
    } catch (e) {
      if (e instanceof ApiError && e.code === 'check_failed') {
        setError('The page cannot go to review until the blocking checks below are fixed.');
        setBlockers(checksNamed(e.problem.checks, page.checks ?? []));
      } else if (e instanceof ApiError && e.status === 409) {
        setError('The page is not in a state that can be submitted (it may already be in review). Reload to see its current state.');
      } else setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open title="Submit for medical review" onClose={onClose}>
      <div className="modal-body">
        <p>
          Revision {page.revision} will be sent to the medical reviewers. Any later edit returns the page to draft and needs a new
          review.
        </p>
        {blocking.length > 0 && (
          <div className="alert alert-warning">
            <p>
              {blocking.length === 1 ? 'A blocking check stops' : `${blocking.length} blocking checks stop`} this page from going to review. Fix{' '}
              {blocking.length === 1 ? 'it' : 'them'}, save, then submit:
            </p>
            <ChecksList checks={blocking} onGoTo={onGoTo} />
          </div>
        )}
        {!submitAction.allowed && blocking.length === 0 && <Notice kind="warning">{refusal(submitAction)}</Notice>}
        <div className="field">
          <label htmlFor="submit-note">Note for the reviewer (optional)</label>
          <textarea id="submit-note" rows={3} value={note} onChange={(e) => setNote(e.target.value)} />
        </div>
        <ErrorBox error={error} />
        {blockers.length > 0 && <ChecksList checks={blockers} onGoTo={onGoTo} />}
      </div>
      <div className="modal-actions">
        <button type="button" className="btn-secondary" onClick={onClose} disabled={busy}>
          Cancel
        </button>
        <button type="button" className="btn-primary" onClick={submit} disabled={busy || !submitAction.allowed}>
          {busy ? 'Submitting…' : 'Submit for review'}
        </button>
      </div>
    </Modal>
  );
}
