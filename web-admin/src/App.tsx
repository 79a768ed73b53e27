import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { ApiClient, Tokens } from './api/client';
import type { Me, User } from './api/types';
import { AppContext, useApp, type AppState, type ConfirmOptions } from './app-context';
import { Loading, Modal } from './components/ui';
import type { KeyValueStore } from './lib/drafts';
import { Link, match, navigate, useLocation } from './router';
import { PageEditor } from './screens/page/editor/PageEditor';
import { PageScreen } from './screens/page/PageScreen';
import { PagesList } from './screens/PagesList';
import { ReaderReviews } from './screens/ReaderReviews';
import { ChangePassword } from './screens/ChangePassword';
import { SetPasswordScreen } from './screens/SetPassword';
import { PublicPreview } from './screens/PublicPreview';
import { SignInForm, SignInScreen } from './screens/SignIn';
import { Users } from './screens/Users';
import { Webhooks } from './screens/Webhooks';
import { NotificationBell } from './components/NotificationBell';
import { MyWork } from './screens/MyWork';
import { Notifications } from './screens/Notifications';
import { MediaLibrary } from './screens/Media';

function hasPerms(u: User | Me): u is Me {
  return Array.isArray((u as Partial<Me>).permissions);
}

interface PendingConfirm extends ConfirmOptions {
  resolve: (ok: boolean) => void;
}

export function App({ api, drafts }: { api: ApiClient; drafts: KeyValueStore }) {
  const [user, setUser] = useState<User | null>(api.user);
  const [reauth, setReauth] = useState<{ resolve: (ok: boolean) => void } | null>(null);
  const [pending, setPending] = useState<PendingConfirm | null>(null);
  const [message, setMessage] = useState('');
  const lastUser = useRef<User | null>(api.user);
  const { path } = useLocation();

  useEffect(() => {
    api.onSessionChange = (t: Tokens | null) => {
      const u = t?.user;
      if (u) {
        lastUser.current = u;
        // A refresh or a sign-in again answers with the user without permissions: keep the
        // ones known for the same user, so the screen (and the work on it) stays.
        setUser((prev) => (prev && prev.id === u.id && !hasPerms(u) && hasPerms(prev) ? { ...u, permissions: prev.permissions } : u));
      }
    };
    // The session ended and could not be refreshed: sign in again over the current screen.
    api.onAuthLost = () =>
      new Promise<boolean>((resolve) => {
        if (!lastUser.current) {
          resolve(false);
          return;
        }
        setReauth({ resolve });
      });
    return () => {
      api.onSessionChange = undefined;
      api.onAuthLost = undefined;
    };
  }, [api]);

  const reloadUser = useCallback(async () => {
    try {
      const u = await api.get<Me>('/api/v1/auth/me');
      lastUser.current = u;
      api.updateUser(u);
      setUser(u);
    } catch {
      // Keep what we know; the next request will say if the session is gone.
    }
  }, [api]);

  // What the user may do comes from /auth/me (the sign-in answer has no permissions): ask at
  // start and after every sign-in, and show the screens once it is known.
  const hasPermissions = !!user && hasPerms(user);
  useEffect(() => {
    if (user && !hasPermissions && api.tokens) void reloadUser();
  }, [api, user, hasPermissions, reloadUser]);
  const started = useRef(false);
  useEffect(() => {
    if (started.current || !api.tokens) return;
    started.current = true;
    void reloadUser(); // the stored session's user may have changed since
  }, [api, reloadUser]);

  const announce = useCallback((msg: string) => {
    setMessage('');
    window.setTimeout(() => setMessage(msg), 30);
  }, []);

  const confirm = useCallback((opts: ConfirmOptions) => new Promise<boolean>((resolve) => setPending({ ...opts, resolve })), []);

  const signOut = useCallback(async () => {
    await api.logout();
    lastUser.current = null;
    setUser(null);
    await navigate('/pages', { replace: true, force: true });
  }, [api]);

  const state = useMemo<AppState | null>(
    () =>
      user && hasPerms(user)
        ? {
            api,
            user,
            drafts,
            can: (permission: string) => user.permissions.includes(permission),
            confirm,
            announce,
            signOut,
            reloadUser,
          }
        : null,
    [api, user, drafts, confirm, announce, signOut, reloadUser],
  );

  const closeConfirm = (ok: boolean) => {
    pending?.resolve(ok);
    setPending(null);
  };

  // A preview link needs no session: the token in its fragment opens that one page.
  const preview = match('/preview/:id', path);
  if (preview) return <PublicPreview api={api} id={preview.id} />;

  // Setting a password from an enrolment or reset link needs no session (and ignores one).
  if (path === '/enrol' || path === '/reset') {
    return (
      <SetPasswordScreen
        api={api}
        kind={path === '/enrol' ? 'enrol' : 'reset'}
        onSignedIn={() => {
          lastUser.current = api.user;
          setUser(api.user);
          void navigate('/pages', { replace: true, force: true });
        }}
      />
    );
  }

  if (!user) {
    return <SignInScreen api={api} onSignedIn={() => setUser(api.user)} />;
  }
  if (!state) return <Loading what="Signing in" />;

  return (
    <AppContext.Provider value={state}>
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <Shell />
      <div className="visually-hidden" role="status" aria-live="polite">
        {message}
      </div>
      {message && (
        <div className="toast" aria-hidden="true">
          {message}
        </div>
      )}
      {pending && (
        <Modal open title={pending.title} onClose={() => closeConfirm(false)}>
          <div className="modal-body">
            <p>{pending.message}</p>
          </div>
          <div className="modal-actions">
            <button type="button" className="btn-secondary" onClick={() => closeConfirm(false)} data-autofocus>
              {pending.cancelLabel ?? 'Cancel'}
            </button>
            <button type="button" className={pending.danger ? 'btn-danger' : 'btn-primary'} onClick={() => closeConfirm(true)}>
              {pending.confirmLabel}
            </button>
          </div>
        </Modal>
      )}
      {reauth && (
        <Modal
          open
          title="Your session has ended"
          onClose={() => {
            reauth.resolve(false);
            setReauth(null);
          }}
        >
          <div className="modal-body">
            <p>Sign in again to continue. Your work on this screen is kept.</p>
            <SignInForm
              api={api}
              idPrefix="reauth"
              email={lastUser.current?.email}
              submitLabel="Sign in and continue"
              onSignedIn={() => {
                reauth.resolve(true);
                setReauth(null);
              }}
            />
          </div>
          <div className="modal-actions">
            <button
              type="button"
              className="btn-secondary"
              onClick={() => {
                reauth.resolve(false);
                setReauth(null);
              }}
            >
              Not now
            </button>
          </div>
        </Modal>
      )}
    </AppContext.Provider>
  );
}

function Shell() {
  const { path } = useLocation();
  const { user, can, signOut } = useApp();
  const manageUsers = can('user:manage');
  const manageWebhooks = can('webhook:manage');
  const moderate = can('review:moderate');
  // "Awaiting my review" is one of the page lists (PagesList), not a second menu entry.
  const nav: { to: string; label: string; show: boolean }[] = [
    { to: '/pages', label: 'Pages', show: true },
    { to: '/my-work', label: 'My work', show: true },
    { to: '/media', label: 'Media', show: can('media:read') },
    { to: '/reader-reviews', label: 'Reader reviews', show: moderate },
    { to: '/users', label: 'Users', show: manageUsers },
    { to: '/webhooks', label: 'Webhooks', show: manageWebhooks },
  ];
  const current = (to: string) => {
    const p = to.split('?')[0];
    if (to.includes('?')) return false;
    return path === p || (p === '/pages' && path.startsWith('/pages'));
  };
  useEffect(() => {
    if (path === '/' || path === '') void navigate('/pages', { replace: true, force: true });
  }, [path]);

  let screen: ReactNode;
  let m: Record<string, string> | null;
  if (path === '/pages' || path === '/' || path === '') screen = <PagesList />;
  else if (path === '/pages/new') screen = <NewPage />;
  else if ((m = match('/pages/:id/:tab?', path))) screen = <PageScreen key={m.id} id={m.id} tab={m.tab ?? 'edit'} />;
  else if (path === '/account/password') screen = <ChangePassword />;
  else if (path === '/notifications') screen = <Notifications />;
  else if (path === '/my-work') screen = <MyWork />;
  else if (path === '/media' && can('media:read')) screen = <MediaLibrary />;
  else if (path === '/users' && manageUsers) screen = <Users />;
  else if (path === '/webhooks' && manageWebhooks) screen = <Webhooks />;
  else if (path === '/reader-reviews' && moderate) screen = <ReaderReviews />;
  else
    screen = (
      <>
        <h1>Not found</h1>
        <p>
          There is nothing here, or your role does not give access to it. <Link to="/pages">Go to the pages</Link>.
        </p>
      </>
    );

  return (
    <>
      <header className="topbar">
        <Link to="/pages" className="brand">
          Monograph <span className="brand-sub">admin</span>
        </Link>
        <nav aria-label="Main">
          <ul>
            {nav
              .filter((n) => n.show)
              .map((n) => (
                <li key={n.to}>
                  <Link to={n.to} aria-current={current(n.to) ? 'page' : undefined} className={current(n.to) ? 'active' : undefined}>
                    {n.label}
                  </Link>
                </li>
              ))}
          </ul>
        </nav>
        <div className="user-box">
          <NotificationBell />
          <span className="user-name">
            {user.name}
            {user.credentials ? `, ${user.credentials}` : ''}
            <span className="muted small"> · {user.roles.join(', ')}</span>
          </span>
          <Link to="/account/password" className="small" aria-current={path === '/account/password' ? 'page' : undefined}>
            Change password
          </Link>
          <button type="button" className="btn-secondary small" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      {user.passwordChangeRequired && (
        // Persistent until the server says otherwise: the server refuses this user's
        // signatures while their password is one someone else chose.
        <div className="alert alert-warning account-banner" role="region" aria-label="Your password">
          <strong>Choose your own password.</strong> Your password was set by an administrator: until you change it, you cannot sign medical approvals.{' '}
          {path !== '/account/password' && <Link to="/account/password">Change your password</Link>}
        </div>
      )}
      <main id="main" tabIndex={-1}>
        {screen}
      </main>
    </>
  );
}

function NewPage() {
  return (
    <>
      <p className="breadcrumb">
        <Link to="/pages">Pages</Link> <span aria-hidden="true">/</span> <span>New page</span>
      </p>
      <h1>New page</h1>
      <PageEditor page={null} />
    </>
  );
}

