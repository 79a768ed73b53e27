import { createContext, useContext } from 'react';
import type { ApiClient } from './api/client';
import type { Me } from './api/types';
import type { KeyValueStore } from './lib/drafts';

export interface AppState {
  api: ApiClient;
  user: Me;
  drafts: KeyValueStore;
  /** Whether the policy grants the user this permission ("page:publish"), as /auth/me says:
   * the screens ask this (or a page's `actions`), never the user's roles. */
  can: (permission: string) => boolean;
  /** Asks a yes/no question in a modal dialog. */
  confirm: (opts: ConfirmOptions) => Promise<boolean>;
  /** Announces a short status message (polite live region). */
  announce: (msg: string) => void;
  signOut: () => Promise<void>;
  /** Asks the server again who the signed-in user is (after a password change, or when the
   * server refused something because of the account's state). */
  reloadUser: () => Promise<void>;
}

export interface ConfirmOptions {
  title: string;
  message: string;
  confirmLabel: string;
  cancelLabel?: string;
  danger?: boolean;
}

export const AppContext = createContext<AppState | null>(null);

export function useApp(): AppState {
  const s = useContext(AppContext);
  if (!s) throw new Error('useApp outside the app');
  return s;
}
