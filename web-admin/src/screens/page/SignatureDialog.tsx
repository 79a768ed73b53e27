// The electronic signature: the reviewer's password again, the meaning, the exact revision
// and content hash. The password has the focus, never the comment.

import { useRef, useState } from 'react';
import { ApiError } from '../../api/client';
import type { Page } from '../../api/types';
import { useApp } from '../../app-context';
import { Modal, Notice } from '../../components/ui';
import { describeActionError } from '../../lib/messages';
import { Link } from '../../router';
import { pagePath } from './paths';
import { SignatureSource } from './translations/SignatureSource';

export function SignatureDialog({ page, onClose, onSigned, reload }: { page: Page; onClose: () => void; onSigned: (p: Page) => void; reload: () => Promise<Page | null> }) {
  const { api, user, reloadUser } = useApp();
  const [password, setPassword] = useState('');
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [stale, setStale] = useState(false);
  const [mustChangePassword, setMustChangePassword] = useState(false);
  const passwordRef = useRef<HTMLInputElement>(null);

  const sign = async () => {
    if (!password) {
      setError('Enter your password to sign.');
      return;
    }
    setBusy(true);
    setError(null);
    setMustChangePassword(false);
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
          // Typing again goes to the password, never the comment.
          passwordRef.current?.focus();
        } catch {
          setError('Your session has ended. Sign in again, then sign.');
        }
      } else if (e instanceof ApiError && e.code === 'password_change_required') {
        // The server refuses a signature made with a password someone else chose.
        setError('Nothing was signed: your password was set by an administrator, and a signature needs a password only you know. Choose your own password first, then sign.');
        setMustChangePassword(true);
        void reloadUser();
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
            <SignatureSource page={page} />
          </dl>
          {!user.credentials && <Notice kind="warning">Your account has no credentials recorded; ask an administrator to add them.</Notice>}
          {/* The password comes first and has the focus: a comment is stored in the permanent
              signature record, so a password typed at once must never land there. */}
          <div className="field">
            <label htmlFor="sign-password">Your password</label>
            <p className="hint" id="sign-password-hint">
              Re-enter your password to confirm it is you who signs.
            </p>
            <input
              id="sign-password"
              ref={passwordRef}
              type="password"
              autoComplete="current-password"
              value={password}
              aria-describedby={error ? 'sign-password-hint sign-error' : 'sign-password-hint'}
              aria-invalid={error ? true : undefined}
              onChange={(e) => setPassword(e.target.value)}
              data-autofocus
            />
          </div>
          {error && (
            <div className="alert alert-error" role="alert" id="sign-error">
              {error}
              {mustChangePassword && (
                <>
                  {' '}
                  <Link to="/account/password">Change your password</Link>
                </>
              )}
            </div>
          )}
          <div className="field">
            <label htmlFor="sign-comment">Comment (optional)</label>
            <p className="hint" id="sign-comment-hint">
              Kept with the signature in the permanent record.
            </p>
            <textarea id="sign-comment" rows={2} value={comment} aria-describedby="sign-comment-hint" onChange={(e) => setComment(e.target.value)} />
          </div>
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
