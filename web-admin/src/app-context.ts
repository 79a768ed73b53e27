import { createContext, useContext } from 'react';
import type { ApiClient } from './api/client';
import type { Role, User } from './api/types';
import type { KeyValueStore } from './lib/drafts';

export interface AppState {
  api: ApiClient;
  user: User;
  drafts: KeyValueStore;
  hasRole: (...roles: Role[]) => boolean;
  /** Asks a yes/no question in a modal dialog. */
  confirm: (opts: ConfirmOptions) => Promise<boolean>;
  /** Announces a short status message (polite live region). */
  announce: (msg: string) => void;
  signOut: () => Promise<void>;
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
