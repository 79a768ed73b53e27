// A new password typed twice. The rules a password must meet are the server's: its refusal
// is shown at the field it names; only the two copies matching is checked here.

import { useState } from 'react';
import type { FieldErrors } from '../lib/problem';

export function usePasswordPair() {
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  return {
    password,
    repeat,
    errors,
    setErrors,
    setPassword: (v: string) => {
      setPassword(v);
      setErrors((e) => ({ ...e, newPassword: [] }));
    },
    setRepeat: (v: string) => {
      setRepeat(v);
      setErrors((e) => ({ ...e, repeat: [] }));
    },
    reset: () => {
      setPassword('');
      setRepeat('');
      setErrors({});
    },
    /** True when the form may be sent; otherwise marks the field to fix. */
    check: (): boolean => {
      if (!password) {
        setErrors({ newPassword: ['Enter a new password.'] });
        return false;
      }
      if (password !== repeat) {
        setErrors({ repeat: ['The two passwords are not the same.'] });
        return false;
      }
      setErrors({});
      return true;
    },
  };
}

export type PasswordPair = ReturnType<typeof usePasswordPair>;

export function FieldMessage({ id, messages }: { id: string; messages?: string[] }) {
  if (!messages?.length) return null;
  return (
    <p className="field-error" id={id}>
      {messages.join('; ')}
    </p>
  );
}

/** aria attributes tying a field to its error message. */
export function invalidProps(id: string, messages?: string[], hintId?: string) {
  const bad = !!messages?.length;
  const describedBy = [hintId, bad ? `${id}-error` : ''].filter(Boolean).join(' ');
  return { 'aria-invalid': bad || undefined, 'aria-describedby': describedBy || undefined } as const;
}

export function PasswordFields({ idPrefix, pair }: { idPrefix: string; pair: PasswordPair }) {
  const newId = `${idPrefix}-new-password`;
  const repeatId = `${idPrefix}-repeat-password`;
  return (
    <>
      <div className="field">
        <label htmlFor={newId}>New password</label>
        <input
          id={newId}
          type="password"
          autoComplete="new-password"
          value={pair.password}
          onChange={(e) => pair.setPassword(e.target.value)}
          {...invalidProps(newId, pair.errors.newPassword)}
        />
        <FieldMessage id={`${newId}-error`} messages={pair.errors.newPassword} />
      </div>
      <div className="field">
        <label htmlFor={repeatId}>Repeat the new password</label>
        <input
          id={repeatId}
          type="password"
          autoComplete="new-password"
          value={pair.repeat}
          onChange={(e) => pair.setRepeat(e.target.value)}
          {...invalidProps(repeatId, pair.errors.repeat)}
        />
        <FieldMessage id={`${repeatId}-error`} messages={pair.errors.repeat} />
      </div>
    </>
  );
}
