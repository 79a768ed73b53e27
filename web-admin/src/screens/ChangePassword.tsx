// The signed-in user changes their own password (current + new). Until they have, a password
// someone else chose cannot sign approvals; afterwards the server drops that mark and the
// banner goes.

import { useState } from 'react';
import { ApiError, errorMessage } from '../api/client';
import { useApp } from '../app-context';
import { FieldMessage, invalidProps, PasswordFields, usePasswordPair } from '../components/PasswordFields';
import { Notice } from '../components/ui';
import { accountFieldErrors } from '../lib/account';
import type { FieldErrors } from '../lib/problem';
import { Link } from '../router';

export function ChangePassword() {
  const { api, user, reloadUser, announce } = useApp();
  const [current, setCurrent] = useState('');
  const [currentErrors, setCurrentErrors] = useState<string[]>([]);
  const pair = usePasswordPair();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);

  const submit = async () => {
    setDone(false);
    setError(null);
    setCurrentErrors([]);
    if (!current) {
      setCurrentErrors(['Enter your current password.']);
      return;
    }
    if (!pair.check()) return;
    setBusy(true);
    try {
      // A 401 here is about the password typed, not an expired session: no refresh dance.
      await api.request('POST', '/api/v1/auth/password', { body: { currentPassword: current, newPassword: pair.password }, retryOn401: false });
      setCurrent('');
      pair.reset();
      setDone(true);
      announce('Your password is changed.');
      await reloadUser();
    } catch (e) {
      const fe: FieldErrors = accountFieldErrors(e, { password_change_required: 'newPassword' });
      if (e instanceof ApiError && e.status === 401 && !fe.currentPassword) fe.currentPassword = ['That is not your current password.'];
      if (fe.currentPassword) setCurrentErrors(fe.currentPassword);
      if (fe.newPassword || fe.password) pair.setErrors({ newPassword: [...(fe.newPassword ?? []), ...(fe.password ?? [])] });
      if (!fe.currentPassword && !fe.newPassword && !fe.password) setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <h1>Change password</h1>
      <p className="muted">
        For {user.name} ({user.email}). Your other sessions are signed out when the password changes.
      </p>
      {done && (
        <Notice kind="success">
          <span role="status">Your password is changed.</span> <Link to="/pages">Back to the pages</Link>
        </Notice>
      )}
      {error && (
        <div className="alert alert-error" role="alert">
          {error}
        </div>
      )}
      <form
        className="narrow-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <div className="field">
          <label htmlFor="account-current-password">Current password</label>
          <input
            id="account-current-password"
            type="password"
            autoComplete="current-password"
            value={current}
            onChange={(e) => {
              setCurrent(e.target.value);
              setCurrentErrors([]);
            }}
            {...invalidProps('account-current-password', currentErrors)}
          />
          <FieldMessage id="account-current-password-error" messages={currentErrors} />
        </div>
        <PasswordFields idPrefix="account" pair={pair} />
        <button type="submit" className="btn-primary" disabled={busy}>
          {busy ? 'Changing…' : 'Change password'}
        </button>
      </form>
    </>
  );
}
