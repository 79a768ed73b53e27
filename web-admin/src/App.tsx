import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { ApiClient, Tokens } from './api/client';
import type { Role, User } from './api/types';
import { AppContext, useApp, type AppState, type ConfirmOptions } from './app-context';
import { Modal } from './components/ui';
import type { KeyValueStore } from './lib/drafts';
import { Link, match, navigate, useLocation } from './router';
import { PageEditor } from './screens/PageEditor';
import { PageScreen } from './screens/PageScreen';
import { PagesList } from './screens/PagesList';
import { ReaderReviews } from './screens/ReaderReviews';
import { SignInForm, SignInScreen } from './screens/SignIn';
import { Users } from './screens/Users';
import { Webhooks } from './screens/Webhooks';

interface PendingConfirm extends ConfirmOptions {
  resolve: (ok: boolean) => void;
}

export function App({ api, drafts }: { api: ApiClient; drafts: KeyValueStore }) {
  const [user, setUser] = useState<User | null>(api.user);
  const [reauth, setReauth] = useState<{ resolve: (ok: boolean) => void } | null>(null);
  const [pending, setPending] = useState<PendingConfirm | null>(null);
  const [message, setMessage] = useState('');
  const lastUser = useRef<User | null>(api.user);

  useEffect(() => {
    api.onSessionChange = (t: Tokens | null) => {
      if (t?.user) {
        lastUser.current = t.user;
        setUser(t.user);
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

  // Check the stored session once at start.
  useEffect(() => {
    if (!api.tokens) return;
    api.get<User>('/api/v1/auth/me').then(
      (u) => {
        lastUser.current = u;
        setUser(u);
      },
      () => {},
    );
  }, [api]);

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
      user && {
        api,
        user,
        drafts,
        hasRole: (...roles: Role[]) => roles.some((r) => user.roles.includes(r)),
        confirm,
        announce,
        signOut,
      },
    [api, user, drafts, confirm, announce, signOut],
  );

  const closeConfirm = (ok: boolean) => {
    pending?.resolve(ok);
    setPending(null);
  };

  if (!state) {
    return <SignInScreen api={api} onSignedIn={() => setUser(api.user)} />;
  }

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
            <button type="button" className="btn-secondary" onClick={() => closeConfirm(false)} autoFocus>
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
  const { user, hasRole, signOut } = useApp();
  const isAdmin = hasRole('admin');
  const isEditor = hasRole('editor');
  const nav: { to: string; label: string; show: boolean }[] = [
    { to: '/pages', label: 'Pages', show: true },
    { to: '/pages?view=my-review', label: 'Awaiting my review', show: hasRole('reviewer') },
    { to: '/reader-reviews', label: 'Reader reviews', show: isEditor },
    { to: '/users', label: 'Users', show: isAdmin },
    { to: '/webhooks', label: 'Webhooks', show: isAdmin },
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
  else if (path === '/users' && isAdmin) screen = <Users />;
  else if (path === '/webhooks' && isAdmin) screen = <Webhooks />;
  else if (path === '/reader-reviews' && isEditor) screen = <ReaderReviews />;
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
          <span className="user-name">
            {user.name}
            {user.credentials ? `, ${user.credentials}` : ''}
            <span className="muted small"> · {user.roles.join(', ')}</span>
          </span>
          <button type="button" className="btn-secondary small" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
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

