// A small client-side router for /admin/…: links, navigation, and blockers that warn before
// leaving a screen with unsaved changes (in-app navigation, back/forward and tab close).

import { useCallback, useEffect, useRef, useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react';

export const BASE = '/admin';

type Blocker = (to: string) => Promise<boolean>; // resolves true when leaving is fine

const listeners = new Set<() => void>();
const blockers = new Set<Blocker>();
let current = readLocation();

function readLocation(): string {
  if (typeof window === 'undefined') return '/';
  let p = window.location.pathname;
  if (p.startsWith(BASE)) p = p.slice(BASE.length);
  if (!p.startsWith('/')) p = '/' + p;
  return p + window.location.search;
}

function emit() {
  current = readLocation();
  listeners.forEach((l) => l());
}

async function mayLeave(to: string): Promise<boolean> {
  for (const b of [...blockers]) {
    if (!(await b(to))) return false;
  }
  return true;
}

export function href(to: string): string {
  return BASE + (to.startsWith('/') ? to : '/' + to);
}

export async function navigate(to: string, opts: { replace?: boolean; force?: boolean } = {}): Promise<boolean> {
  if (!opts.force && !(await mayLeave(to))) return false;
  if (opts.replace) window.history.replaceState(null, '', href(to));
  else window.history.pushState(null, '', href(to));
  emit();
  window.scrollTo?.(0, 0);
  return true;
}

if (typeof window !== 'undefined') {
  let restoring = false;
  let shown = current;
  window.addEventListener('popstate', () => {
    if (restoring) {
      restoring = false;
      return;
    }
    if (blockers.size === 0) {
      shown = readLocation();
      emit();
      return;
    }
    // Put the screen back first, then ask; go on only when leaving is fine.
    const wanted = readLocation();
    restoring = true;
    window.history.pushState(null, '', href(shown));
    restoring = false;
    void mayLeave(wanted).then((ok) => {
      if (ok) {
        window.history.pushState(null, '', href(wanted));
        shown = wanted;
        emit();
      }
    });
  });
  listeners.add(() => {
    shown = current;
  });
}

export function useLocation(): { path: string; query: URLSearchParams } {
  const loc = useSyncExternalStore(
    (cb) => {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    () => current,
  );
  const [path, search] = loc.split('?');
  return { path, query: new URLSearchParams(search ?? '') };
}

/** Warns before leaving while `when` holds: `confirm` is asked for in-app navigation, the
 * browser's own prompt for closing or reloading the tab. */
export function useBlocker(when: boolean, confirm: (to: string) => Promise<boolean>) {
  const confirmRef = useRef(confirm);
  confirmRef.current = confirm;
  useEffect(() => {
    if (!when) return;
    const b: Blocker = (to) => confirmRef.current(to);
    blockers.add(b);
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = '';
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => {
      blockers.delete(b);
      window.removeEventListener('beforeunload', onBeforeUnload);
    };
  }, [when]);
}

export function Link({ to, children, ...rest }: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const onClick = useCallback(
    (e: MouseEvent<HTMLAnchorElement>) => {
      rest.onClick?.(e);
      if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      e.preventDefault();
      void navigate(to);
    },
    [to, rest],
  );
  return (
    <a href={href(to)} {...rest} onClick={onClick}>
      {children}
    </a>
  );
}

/** Matches `/pages/:id/:tab?` style patterns. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const ps = pattern.split('/').filter(Boolean);
  const xs = path.split('/').filter(Boolean);
  const out: Record<string, string> = {};
  let i = 0;
  for (; i < ps.length; i++) {
    const p = ps[i];
    const optional = p.endsWith('?');
    const name = p.replace(/^:/, '').replace(/\?$/, '');
    if (i >= xs.length) {
      if (optional) continue;
      return null;
    }
    if (p.startsWith(':')) out[name] = decodeURIComponent(xs[i]);
    else if (p !== xs[i]) return null;
  }
  if (xs.length > ps.length) return null;
  return out;
}
