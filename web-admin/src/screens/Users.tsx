import { useCallback, useEffect, useState } from 'react';
import { errorMessage } from '../api/client';
import { ALL_ROLES, type ListResponse, type Role, type User } from '../api/types';
import { useApp } from '../app-context';
import { ErrorBox, Loading, Modal, Time } from '../components/ui';
import { fieldErrorsFrom } from '../lib/problem';

const ROLE_LABELS: Record<Role, string> = { writer: 'Writer', reviewer: 'Medical reviewer', editor: 'Editor (publishes)', admin: 'Administrator' };

function RolesField({ idPrefix, roles, onChange }: { idPrefix: string; roles: Role[]; onChange: (r: Role[]) => void }) {
  return (
    <fieldset className="roles-field">
      <legend>Roles</legend>
      {ALL_ROLES.map((r) => (
        <label key={r} htmlFor={`${idPrefix}-${r}`} className="check-label">
          <input id={`${idPrefix}-${r}`} type="checkbox" checked={roles.includes(r)} onChange={(e) => onChange(e.target.checked ? [...roles, r] : roles.filter((x) => x !== r))} />{' '}
          {ROLE_LABELS[r]}
        </label>
      ))}
    </fieldset>
  );
}

export function Users() {
  const { api, user: me, announce, confirm } = useApp();
  const [users, setUsers] = useState<User[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<User | null>(null);
  const [creating, setCreating] = useState(false);

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
    try {
      await api.patch<User>(`/api/v1/manage/users/${encodeURIComponent(u.id)}`, { disabled: disabling });
      announce(`${u.name} ${disabling ? 'disabled' : 'enabled'}.`);
      await load();
    } catch (e) {
      setError(errorMessage(e));
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
                  <td>{u.disabled ? <span className="badge sev-blocker">Disabled</span> : 'Active'}</td>
                  <td>
                    <Time iso={u.createdAt} />
                  </td>
                  <td className="row-actions">
                    <button type="button" className="btn-link small" onClick={() => setEditing(u)} aria-label={`Edit ${u.name}`}>
                      Edit
                    </button>
                    {u.id !== me.id && (
                      <button type="button" className="btn-link small" onClick={() => toggleDisabled(u)} aria-label={`${u.disabled ? 'Enable' : 'Disable'} ${u.name}`}>
                        {u.disabled ? 'Enable' : 'Disable'}
                      </button>
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
          onSaved={() => {
            setCreating(false);
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
    </>
  );
}

function UserDialog({ user, onClose, onSaved }: { user?: User; onClose: () => void; onSaved: () => void }) {
  const { api, announce } = useApp();
  const [email, setEmail] = useState(user?.email ?? '');
  const [name, setName] = useState(user?.name ?? '');
  const [password, setPassword] = useState('');
  const [credentials, setCredentials] = useState(user?.credentials ?? '');
  const [roles, setRoles] = useState<Role[]>(user?.roles ?? ['writer']);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});
  const [busy, setBusy] = useState(false);

  const save = async () => {
    setBusy(true);
    setError(null);
    setFieldErrors({});
    try {
      if (user) {
        await api.patch(`/api/v1/manage/users/${encodeURIComponent(user.id)}`, { name, roles, credentials });
        announce(`${name} updated.`);
      } else {
        const body: Record<string, unknown> = { email, name, password, roles };
        if (credentials.trim()) body.credentials = credentials.trim();
        await api.post('/api/v1/manage/users', body);
        announce(`${name} created.`);
      }
      onSaved();
    } catch (e) {
      setError(errorMessage(e));
      setFieldErrors(fieldErrorsFrom(e, ''));
    } finally {
      setBusy(false);
    }
  };
  const fe = (f: string) =>
    fieldErrors[f] ? (
      <p className="field-error" id={`user-${f}-error`}>
        {fieldErrors[f].join('; ')}
      </p>
    ) : null;
  const inv = (f: string) => (fieldErrors[f] ? { 'aria-invalid': true, 'aria-describedby': `user-${f}-error` } : {});

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
            <div className="field">
              <label htmlFor="user-password">Initial password</label>
              <input id="user-password" type="password" autoComplete="new-password" required value={password} onChange={(e) => setPassword(e.target.value)} {...inv('password')} />
              {fe('password')}
            </div>
          )}
          <div className="field">
            <label htmlFor="user-credentials">Credentials (for reviewers, e.g. MD, PharmD)</label>
            <input id="user-credentials" value={credentials} onChange={(e) => setCredentials(e.target.value)} {...inv('credentials')} />
            {fe('credentials')}
          </div>
          <RolesField idPrefix="user-role" roles={roles} onChange={setRoles} />
          {fe('roles')}
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
