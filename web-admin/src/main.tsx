import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiClient, SessionTokenStore } from './api/client';
import { App } from './App';
import { safeStorage } from './lib/drafts';
import './styles.css';

const api = new ApiClient({ store: new SessionTokenStore(safeStorage(() => window.sessionStorage) as Storage) });
const drafts = safeStorage(() => window.localStorage);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App api={api} drafts={drafts} />
  </StrictMode>,
);
