import { useState } from 'react';
import { ApiError, errorMessage } from '../api/client';
import type { ApiClient } from '../api/client';

function loginError(e: unknown): string {
  if (e instanceof ApiError && e.status === 401) return 'The email or password is not correct.';
  if (e instanceof ApiError && e.status === 429) return errorMessage(e) + ' Too many failed attempts lock sign-in for a while.';
  return errorMessage(e);
}

/** The sign-in form, used for the sign-in screen and for the dialog shown when a session ends. */
export function SignInForm({ api, email: initialEmail = '', onSignedIn, idPrefix = 'signin', submitLabel = 'Sign in' }: { api: ApiClient; email?: string; onSignedIn: () => void; idPrefix?: string; submitLabel?: string }) {
  const [email, setEmail] = useState(initialEmail);
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <form
      className="signin-form"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        try {
          await api.login(email.trim(), password);
          setPassword('');
          onSignedIn();
        } catch (err) {
          setError(loginError(err));
        } finally {
          setBusy(false);
        }
      }}
    >
      <div className="field">
        <label htmlFor={`${idPrefix}-email`}>Email</label>
        <input id={`${idPrefix}-email`} type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={`${idPrefix}-password`}>Password</label>
        <input id={`${idPrefix}-password`} type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
      </div>
      {error && (
        <div className="alert alert-error" role="alert">
          {error}
        </div>
      )}
      <button type="submit" className="btn-primary" disabled={busy}>
        {busy ? 'Signing in…' : submitLabel}
      </button>
    </form>
  );
}

export function SignInScreen({ api, onSignedIn }: { api: ApiClient; onSignedIn: () => void }) {
  return (
    <main className="signin-screen" id="main">
      <div className="signin-card">
        <p className="brand-big" aria-hidden="true">
          Monograph
        </p>
        <h1>Sign in</h1>
        <p className="muted">Medication pages, written, medically reviewed and published.</p>
        <SignInForm api={api} onSignedIn={onSignedIn} />
      </div>
    </main>
  );
}
