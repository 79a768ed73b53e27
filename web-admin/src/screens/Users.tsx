// Users and roles (admins). Who may change what is the server's decision: every action is
// offered, and a refusal (role_conflict, self_modification, …) is shown at the field or row
// it concerns.

import { useCallback, useEffect, useState } from 'react';
import { errorMessage } from '../api/client';
import { ALL_ROLES, type AccountToken, type CreatedUser, type ListResponse, type Role, type User } from '../api/types';
import { useApp } from '../app-context';
import { OneTimeLinkDialog } from '../components/OneTimeLink';
import { FieldMessage, invalidProps } from '../components/PasswordFields';
import { ErrorBox, Loading, Modal, Time } from '../components/ui';
import { accountFieldErrors, type LinkKind } from '../lib/account';
import type { FieldErrors } from '../lib/problem';
import { userLanguages } from '../lib/translations';
import { translating } from './page/translations/queues';
import { useLocales } from './page/translations/useLocales';
import { LanguagesField, languagesText } from './TranslationLanguages';

const ROLE_LABELS: Record<Role, string> = { writer: 'Writer', reviewer: 'Medical reviewer', editor: 'Editor (publishes)', admin: 'Administrator' };

const userPath = (id: string) => `/api/v1/manage/users/${encodeURIComponent(id)}`;

function RolesField({ idPrefix, roles, onChange, errors }: { idPrefix: string; roles: Role[]; onChange: (r: Role[]) => void; errors?: string[] }) {
  const errorId = `${idPrefix}-error`;
  return (
    <fieldset className={`roles-field${errors?.length ? ' has-error' : ''}`} id={idPrefix} aria-describedby={errors?.length ? errorId : undefined}>
      <legend>Roles</legend>
      {ALL_ROLES.map((r) => (
        <label key={r} htmlFor={`${idPrefix}-${r}`} className="check-label">
          <input id={`${idPrefix}-${r}`} type="checkbox" checked={roles.includes(r)} onChange={(e) => onChange(e.target.checked ? [...roles, r] : roles.filter((x) => x !== r))} />{' '}
          {ROLE_LABELS[r]}
        </label>
      ))}
      <FieldMessage id={errorId} messages={errors} />
    </fieldset>
  );
}

interface ShownLink {
  kind: LinkKind;
  who: string;
  token: AccountToken;
}

export function Users() {
  const { api, announce, confirm } = useApp();
  const showLanguages = translating(useLocales(api));
  const [users, setUsers] = useState<User[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [rowErrors, setRowErrors] = useState<Record<string, string>>({});
  const [editing, setEditing] = useState<User | null>(null);
  const [creating, setCreating] = useState(false);
  const [link, setLink] = useState<ShownLink | null>(null);

  const load = useCallback(async () => {
    try {
      const all: User[] = [];
      let cursor: string | undefined;
      do {
        const r = await api.get<ListResponse<User>>(`/api/v1/manage/users?limit=100${cursor ? '&cursor=' + encodeURIComponent(cursor) : ''}`);
        all.push(...(r?.data ?? []));
        cursor = r?.nextCursor || undefined;
      } while (cursor && all.length < 1000);
      setUsers(all);
    } catch (e) {
      setError(errorMessage(e));
    }
  }, [api]);
  useEffect(() => void load(), [load]);

  const rowError = (u: User, msg: string | null) =>
    setRowErrors((m) => {
      const next = { ...m };
      if (msg) next[u.id] = msg;
      else delete next[u.id];
      return next;
    });

  const toggleDisabled = async (u: User) => {
    const disabling = !u.disabled;
    if (disabling) {
      const ok = await confirm({
        title: `Disable ${u.name}?`,
        message: 'They are signed out at once and cannot sign in until an administrator enables the account again. Their revisions and signatures stay.',
        confirmLabel: 'Disable account',
        danger: true,
      });
      if (!ok) return;
    }
    rowError(u, null);
    try {
      await api.patch<User>(userPath(u.id), { disabled: disabling });
      announce(`${u.name} ${disabling ? 'disabled' : 'enabled'}.`);
      await load();
    } catch (e) {
      rowError(u, accountFieldErrors(e, { self_modification: 'disabled' }).disabled?.join('; ') ?? errorMessage(e));
    }
  };

  const resetPassword = async (u: User) => {
    const ok = await confirm({
      title: `Issue a password reset link for ${u.name}?`,
      message: 'You get a single-use link to hand to them; with it they choose a new password. A reset link issued earlier stops working.',
      confirmLabel: 'Issue reset link',
    });
    if (!ok) return;
    rowError(u, null);
    try {
      const token = await api.post<AccountToken>(`${userPath(u.id)}/password-reset`, {});
      setLink({ kind: 'reset', who: u.name, token });
      announce(`Password reset link issued for ${u.name}.`);
    } catch (e) {
      rowError(u, errorMessage(e));
    }
  };

  return (
    <>
      <div className="screen-head">
        <h1>Users and roles</h1>
        <button type="button" className="btn-primary" onClick={() => setCreating(true)}>
          New user
        </button>
      </div>
      <ErrorBox error={error} />
      {!users ? (
        <Loading what="Loading users" />
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Users</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Roles</th>
                <th scope="col">Credentials</th>
                {showLanguages && <th scope="col">Languages</th>}
                <th scope="col">Status</th>
                <th scope="col">Created</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {users.map((u) => (
                <tr key={u.id} className={u.disabled ? 'disabled-row' : undefined}>
                  <th scope="row">{u.name}</th>
                  <td>{u.email}</td>
                  <td>{u.roles.map((r) => ROLE_LABELS[r] ?? r).join(', ')}</td>
                  <td>{u.credentials || '—'}</td>
                  {showLanguages && <td>{languagesText(userLanguages(u))}</td>}
                  <td>
                    {u.disabled ? <span className="badge sev-blocker">Disabled</span> : 'Active'}
                    {u.passwordChangeRequired && (
                      <>
                        {' '}
                        <span className="badge sev-warning" title="Their password was set by someone else: they cannot sign until they choose their own.">
                          Must set own password
                        </span>
                      </>
                    )}
                  </td>
                  <td>
                    <Time iso={u.createdAt} />
                  </td>
                  <td className="row-actions">
                    <button type="button" className="btn-link small" onClick={() => setEditing(u)} aria-label={`Edit ${u.name}`}>
                      Edit
                    </button>
                    <button type="button" className="btn-link small" onClick={() => resetPassword(u)} aria-label={`Reset password for ${u.name}`}>
                      Reset password
                    </button>
                    <button
                      type="button"
                      className="btn-link small"
                      onClick={() => toggleDisabled(u)}
                      aria-label={`${u.disabled ? 'Enable' : 'Disable'} ${u.name}`}
                      aria-describedby={rowErrors[u.id] ? `user-row-${u.id}-error` : undefined}
                    >
                      {u.disabled ? 'Enable' : 'Disable'}
                    </button>
                    {rowErrors[u.id] && (
                      <p className="field-error" id={`user-row-${u.id}-error`} role="alert">
                        {rowErrors[u.id]}
                      </p>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {creating && (
        <UserDialog
          onClose={() => setCreating(false)}
          onSaved={(created) => {
            setCreating(false);
            if (created?.enrolment) setLink({ kind: 'enrol', who: created.name, token: created.enrolment });
            void load();
          }}
        />
      )}
      {editing && (
        <UserDialog
          user={editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            void load();
          }}
        />
      )}
      {link && <OneTimeLinkDialog kind={link.kind} who={link.who} token={link.token} onClose={() => setLink(null)} />}
    </>
  );
}

const FORM_FIELDS = ['email', 'name', 'password', 'credentials', 'roles', 'languages'];

function sameRoles(a: Role[], b: Role[]): boolean {
  return a.length === b.length && a.every((r) => b.includes(r));
}

function UserDialog({ user, onClose, onSaved }: { user?: User; onClose: () => void; onSaved: (created?: CreatedUser) => void }) {
  const { api, announce } = useApp();
  const [email, setEmail] = useState(user?.email ?? '');
  const [name, setName] = useState(user?.name ?? '');
  // A new person chooses their own password from an enrolment link; a temporary password is
  // the exception (the server refuses its owner's signatures until they replace it).
  const [useLink, setUseLink] = useState(true);
  const [password, setPassword] = useState('');
  const [credentials, setCredentials] = useState(user?.credentials ?? '');
  const [roles, setRoles] = useState<Role[]>(user?.roles ?? ['writer']);
  const [languages, setLanguages] = useState<string[]>(userLanguages(user));
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);

  const save = async () => {
    setBusy(true);
    setError(null);
    setFieldErrors({});
    try {
      if (user) {
        // Only what changed: the server judges each change (e.g. your own roles).
        const body: Record<string, unknown> = {};
        if (name !== user.name) body.name = name;
        if (credentials !== (user.credentials ?? '')) body.credentials = credentials;
        if (!sameRoles(roles, user.roles)) body.roles = roles;
        const had = userLanguages(user);
        if (languages.length !== had.length || languages.some((l) => !had.includes(l))) body.languages = languages;
        if (Object.keys(body).length) {
          await api.patch(`/api/v1/manage/users/${encodeURIComponent(user.id)}`, body);
          announce(`${name} updated.`);
        }
        onSaved();
      } else {
        const body: Record<string, unknown> = { email, name, roles };
        if (!useLink) body.password = password;
        if (credentials.trim()) body.credentials = credentials.trim();
        if (languages.length) body.languages = languages;
        const created = await api.post<CreatedUser>('/api/v1/manage/users', body);
        announce(`${name} created.`);
        onSaved(created);
      }
    } catch (e) {
      const fe = accountFieldErrors(e, { role_conflict: 'roles', self_modification: 'roles' });
      const shown = Object.keys(fe).filter((k) => FORM_FIELDS.includes(k));
      setFieldErrors(fe);
      if (shown.length === 0) setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  const inv = (f: string) => invalidProps(`user-${f}`, fieldErrors[f]);
  const fe = (f: string) => <FieldMessage id={`user-${f}-error`} messages={fieldErrors[f]} />;

  return (
    <Modal open title={user ? `Edit ${user.name}` : 'New user'} onClose={onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <div className="modal-body">
          <ErrorBox error={error} />
          {!user && (
            <div className="field">
              <label htmlFor="user-email">Email</label>
              <input id="user-email" type="email" autoComplete="off" required value={email} onChange={(e) => setEmail(e.target.value)} {...inv('email')} />
              {fe('email')}
            </div>
          )}
          <div className="field">
            <label htmlFor="user-name">Name</label>
            <input id="user-name" required value={name} onChange={(e) => setName(e.target.value)} {...inv('name')} />
            {fe('name')}
          </div>
          {!user && (
            <fieldset className="password-choice">
              <legend>Password</legend>
              <label className="check-label" htmlFor="user-password-link">
                <input id="user-password-link" type="radio" name="user-password-choice" checked={useLink} onChange={() => setUseLink(true)} /> They choose it from a
                one-time enrolment link (recommended)
              </label>
              <label className="check-label" htmlFor="user-password-temporary">
                <input id="user-password-temporary" type="radio" name="user-password-choice" checked={!useLink} onChange={() => setUseLink(false)} /> I set a
                temporary password
              </label>
              {!useLink && (
                <div className="field">
                  <label htmlFor="user-password">Temporary password</label>
                  <p className="hint" id="user-password-hint">
                    They can sign in with it, but cannot sign approvals until they choose their own.
                  </p>
                  <input
                    id="user-password"
                    type="password"
                    autoComplete="new-password"
                    value={password}
                    onChange={(e) => setPassword(e.target.value)}
                    {...invalidProps('user-password', fieldErrors.password, 'user-password-hint')}
                  />
                  {fe('password')}
                </div>
              )}
              {useLink && fe('password')}
            </fieldset>
          )}
          <div className="field">
            <label htmlFor="user-credentials">Credentials (for reviewers, e.g. MD, PharmD)</label>
            <input id="user-credentials" value={credentials} onChange={(e) => setCredentials(e.target.value)} {...inv('credentials')} />
            {fe('credentials')}
          </div>
          <RolesField idPrefix="user-role" roles={roles} onChange={setRoles} errors={fieldErrors.roles} />
          <LanguagesField idPrefix="user-language" languages={languages} onChange={setLanguages} errors={fieldErrors.languages} />
        </div>
        <div className="modal-actions">
          <button type="button" className="btn-secondary" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className="btn-primary" disabled={busy}>
            {user ? 'Save changes' : 'Create user'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
