// Setting a password from a link an administrator handed over: enrolment of a new account
// (`/admin/enrol#token=…`) or a password reset (`/admin/reset#token=…`). No session needed.

import { useState } from 'react';
import type { ApiClient } from '../api/client';
import { ApiError, errorMessage } from '../api/client';
import type { User } from '../api/types';
import { PasswordFields, usePasswordPair } from '../components/PasswordFields';
import { accountFieldErrors, tokenFromLocation, type LinkKind } from '../lib/account';
import { SignInForm } from './SignIn';

const TEXT: Record<LinkKind, { heading: string; intro: string; submit: string; path: string }> = {
  enrol: {
    heading: 'Set up your account',
    intro: 'Choose the password you will sign in with. Only you know it: it is also the password that confirms your signature on medical approvals.',
    submit: 'Set password',
    path: '/api/v1/auth/enrol',
  },
  reset: {
    heading: 'Choose a new password',
    intro: 'An administrator issued this link so that you can choose a new password.',
    submit: 'Change password',
    path: '/api/v1/auth/reset',
  },
};

function linkError(e: unknown): string {
  if (e instanceof ApiError && e.code === 'token_invalid') {
    return 'This link cannot be used: it has expired, was used already, or a newer link replaced it. Ask an administrator for a new one.';
  }
  return errorMessage(e);
}

export function SetPasswordScreen({ api, kind, onSignedIn }: { api: ApiClient; kind: LinkKind; onSignedIn: () => void }) {
  const [token] = useState(() => tokenFromLocation(window.location.hash, window.location.search));
  const pair = usePasswordPair();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<{ email?: string; name?: string } | null>(null);
  const text = TEXT[kind];

  const submit = async () => {
    if (!pair.check()) return;
    setBusy(true);
    setError(null);
    try {
      const res = await api.request<User | null>('POST', text.path, { auth: false, body: { token, password: pair.password } });
      pair.reset();
      setDone({ email: res.data?.email, name: res.data?.name });
    } catch (e) {
      const fe = accountFieldErrors(e, {}, { password: 'newPassword' });
      if (fe.newPassword) pair.setErrors({ newPassword: fe.newPassword });
      else setError(linkError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="signin-screen" id="main">
      <div className="signin-card">
        <p className="brand-big" aria-hidden="true">
          Monograph
        </p>
        <h1>{done ? 'Your password is set' : text.heading}</h1>
        {done ? (
          <>
            <p role="status">{done.name ? `Welcome, ${done.name}. ` : ''}Sign in with your new password.</p>
            <SignInForm api={api} email={done.email} onSignedIn={onSignedIn} />
          </>
        ) : !token ? (
          <div className="alert alert-error" role="alert">
            This address has no link token. Open the whole link you were given, or ask an administrator for a new one.
          </div>
        ) : (
          <form
            className="signin-form"
            noValidate
            onSubmit={(e) => {
              e.preventDefault();
              void submit();
            }}
          >
            <p className="muted">{text.intro}</p>
            <PasswordFields idPrefix={kind} pair={pair} />
            {error && (
              <div className="alert alert-error" role="alert">
                {error}
              </div>
            )}
            <button type="submit" className="btn-primary" disabled={busy}>
              {busy ? 'Saving…' : text.submit}
            </button>
          </form>
        )}
      </div>
    </main>
  );
}
