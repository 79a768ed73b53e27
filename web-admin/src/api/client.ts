// The management API client: bearer tokens, refresh before expiry and on a 401 (retrying the
// request once), problem+json errors. It knows nothing about React; the UI supplies
// `onAuthLost`, which shows the sign-in dialog over the current screen and resolves once the
// user has signed in again (true) or given up (false).

import type { LoginResponse, Problem, User } from './types';

export interface Tokens {
  accessToken: string;
  refreshToken: string;
  /** When the access token expires, in ms since the epoch. */
  expiresAt: number;
  user?: User;
}

export interface TokenStore {
  load(): Tokens | null;
  save(tokens: Tokens | null): void;
}

/** Tokens kept per browser tab (sessionStorage): a reload keeps the session, and two tabs
 * never race each other with the same refresh token (which would revoke the family). */
export class SessionTokenStore implements TokenStore {
  constructor(
    private readonly storage: Storage,
    private readonly key = 'monograph.session',
  ) {}
  load(): Tokens | null {
    try {
      const raw = this.storage.getItem(this.key);
      return raw ? (JSON.parse(raw) as Tokens) : null;
    } catch {
      return null;
    }
  }
  save(tokens: Tokens | null): void {
    if (tokens) this.storage.setItem(this.key, JSON.stringify(tokens));
    else this.storage.removeItem(this.key);
  }
}

export class MemoryTokenStore implements TokenStore {
  tokens: Tokens | null = null;
  load() {
    return this.tokens;
  }
  save(t: Tokens | null) {
    this.tokens = t;
  }
}

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;
  constructor(status: number, problem: Problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
  }
  get code(): string {
    return this.problem.code ?? '';
  }
}

export interface RequestOptions {
  body?: unknown;
  /** The page version for If-Match (quoted by the client). */
  ifMatch?: number | string;
  /** false for login/refresh: no bearer, no refresh dance. */
  auth?: boolean;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** false when a 401 means something else than an expired session (the password check of
   * an electronic signature): no refresh and retry, the 401 goes to the caller. */
  retryOn401?: boolean;
  /** A body sent as is rather than as JSON (an XLIFF file), with its content type. */
  raw?: { body: string | Blob; contentType: string };
}

export interface ApiResponse<T> {
  status: number;
  data: T;
  etag: string | null;
  headers: Headers;
}

export interface ApiClientOptions {
  baseUrl?: string;
  fetch?: typeof fetch;
  store: TokenStore;
  now?: () => number;
  /** Refresh this many ms before the access token expires. */
  refreshMarginMs?: number;
  /** Called when the session cannot be refreshed. Resolves true once signed in again. */
  onAuthLost?: () => Promise<boolean>;
  /** Told about every change of the signed-in user (sign in, refresh, sign out). */
  onSessionChange?: (tokens: Tokens | null) => void;
}

/** Parses a quoted or weak ETag into a version number when it is one. */
export function parseEtagVersion(etag: string | null): number | null {
  if (!etag) return null;
  const m = /^(?:W\/)?"?([^"]*)"?$/.exec(etag.trim());
  if (!m) return null;
  const n = Number(m[1]);
  return Number.isFinite(n) && m[1] !== '' ? n : null;
}

export class ApiClient {
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;
  private readonly store: TokenStore;
  private readonly now: () => number;
  private readonly margin: number;
  private refreshing: Promise<boolean> | null = null;
  private authLost: Promise<boolean> | null = null;
  onAuthLost?: () => Promise<boolean>;
  onSessionChange?: (tokens: Tokens | null) => void;

  constructor(opts: ApiClientOptions) {
    this.baseUrl = opts.baseUrl ?? '';
    this.fetchImpl = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.store = opts.store;
    this.now = opts.now ?? (() => Date.now());
    this.margin = opts.refreshMarginMs ?? 60_000;
    this.onAuthLost = opts.onAuthLost;
    this.onSessionChange = opts.onSessionChange;
  }

  get tokens(): Tokens | null {
    return this.store.load();
  }

  get user(): User | null {
    return this.store.load()?.user ?? null;
  }

  private setTokens(t: Tokens | null) {
    this.store.save(t);
    this.onSessionChange?.(t);
  }

  private tokensFrom(r: LoginResponse, prevUser?: User): Tokens {
    return {
      accessToken: r.accessToken,
      refreshToken: r.refreshToken,
      expiresAt: this.now() + (r.expiresIn || 900) * 1000,
      user: r.user ?? prevUser,
    };
  }

  async login(email: string, password: string): Promise<User> {
    const res = await this.request<LoginResponse>('POST', '/api/v1/auth/login', {
      body: { email, password },
      auth: false,
    });
    let user = res.data.user;
    const t = this.tokensFrom(res.data);
    this.store.save(t);
    if (!user) {
      user = (await this.request<User>('GET', '/api/v1/auth/me')).data;
      t.user = user;
    }
    this.setTokens(t);
    return user;
  }

  /** Replaces the signed-in user kept with the session (after /auth/me says something new,
   * e.g. that the password no longer needs changing). */
  updateUser(user: User): void {
    const t = this.store.load();
    if (!t) return;
    this.setTokens({ ...t, user });
  }

  async logout(): Promise<void> {
    const t = this.store.load();
    try {
      if (t) {
        await this.fetchImpl(this.baseUrl + '/api/v1/auth/logout', {
          method: 'POST',
          headers: { Authorization: `Bearer ${t.accessToken}` },
        });
      }
    } catch {
      // Signing out locally matters more than telling the server.
    } finally {
      this.setTokens(null);
    }
  }

  /** Exchanges the refresh token for a new pair. Single-flight: refresh tokens are spent on
   * use, and presenting a spent one revokes the whole family, so concurrent callers share one
   * refresh. Resolves false when the session cannot be refreshed. */
  refresh(): Promise<boolean> {
    if (this.refreshing) return this.refreshing;
    const t = this.store.load();
    if (!t) return Promise.resolve(false);
    this.refreshing = (async () => {
      try {
        const res = await this.fetchImpl(this.baseUrl + '/api/v1/auth/refresh', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body: JSON.stringify({ refreshToken: t.refreshToken }),
        });
        if (!res.ok) {
          if (res.status === 401 || res.status === 400 || res.status === 403) {
            this.setTokens(null);
          }
          return false;
        }
        const body = (await res.json()) as LoginResponse;
        this.setTokens(this.tokensFrom(body, t.user));
        return true;
      } catch {
        return false;
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  /** Asks the UI to sign in again; shared by all requests that lost the session at once. */
  private reauthenticate(): Promise<boolean> {
    if (!this.onAuthLost) return Promise.resolve(false);
    if (!this.authLost) {
      this.authLost = this.onAuthLost().finally(() => {
        this.authLost = null;
      });
    }
    return this.authLost;
  }

  private async send(method: string, path: string, opts: RequestOptions): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json, application/problem+json', ...opts.headers };
    // A FormData body (a media upload) is sent as multipart: fetch writes its Content-Type
    // with the boundary itself.
    const form = typeof FormData !== 'undefined' && opts.body instanceof FormData;
    if (opts.raw) headers['Content-Type'] = opts.raw.contentType;
    else if (opts.body !== undefined && !form) headers['Content-Type'] = 'application/json';
    if (opts.ifMatch !== undefined && opts.ifMatch !== null) {
      const v = String(opts.ifMatch);
      headers['If-Match'] = v.startsWith('"') || v.startsWith('W/') ? v : `"${v}"`;
    }
    if (opts.auth !== false) {
      const t = this.store.load();
      if (t) headers['Authorization'] = `Bearer ${t.accessToken}`;
    }
    return this.fetchImpl(this.baseUrl + path, {
      method,
      headers,
      body: opts.raw ? opts.raw.body : form ? (opts.body as FormData) : opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
      signal: opts.signal,
    });
  }

  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<ApiResponse<T>> {
    const auth = opts.auth !== false;
    if (auth) {
      const t = this.store.load();
      if (t && t.expiresAt - this.now() < this.margin) {
        await this.refresh();
      }
      if (!this.store.load()) {
        if (!(await this.reauthenticate())) throw unauthenticated();
      }
    }
    let res = await this.send(method, path, opts);
    if (auth && res.status === 401 && opts.retryOn401 !== false) {
      // The access token was refused: refresh once and retry once.
      let ok = await this.refresh();
      if (!ok) ok = await this.reauthenticate();
      if (!ok) throw await toError(res);
      res = await this.send(method, path, opts);
    }
    if (!res.ok) throw await toError(res);
    return {
      status: res.status,
      data: (await parseBody(res)) as T,
      etag: res.headers.get('ETag'),
      headers: res.headers,
    };
  }

  get<T>(path: string, opts?: RequestOptions) {
    return this.request<T>('GET', path, opts).then((r) => r.data);
  }
  post<T>(path: string, body?: unknown, opts?: RequestOptions) {
    return this.request<T>('POST', path, { ...opts, body: body ?? {} }).then((r) => r.data);
  }
  put<T>(path: string, body: unknown, opts?: RequestOptions) {
    return this.request<T>('PUT', path, { ...opts, body }).then((r) => r.data);
  }
  patch<T>(path: string, body: unknown, opts?: RequestOptions) {
    return this.request<T>('PATCH', path, { ...opts, body }).then((r) => r.data);
  }
  delete<T = void>(path: string, opts?: RequestOptions) {
    return this.request<T>('DELETE', path, opts).then((r) => r.data);
  }
}

function unauthenticated(): ApiError {
  return new ApiError(401, { status: 401, code: 'unauthorized', title: 'Signed out', detail: 'Please sign in again.' });
}

async function parseBody(res: Response): Promise<unknown> {
  if (res.status === 204 || res.status === 205) return null;
  const text = await res.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export async function toError(res: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await parseBody(res);
  } catch {
    body = null;
  }
  let problem: Problem;
  if (body && typeof body === 'object') {
    problem = body as Problem;
  } else {
    problem = { status: res.status, title: res.statusText || `HTTP ${res.status}`, detail: typeof body === 'string' ? body.slice(0, 300) : undefined };
  }
  if (problem.status === undefined) problem.status = res.status;
  const ra = res.headers.get('Retry-After');
  if (ra) problem.retryAfter = ra;
  return new ApiError(res.status, problem);
}

/** The user-facing sentence for an error. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) {
    const p = err.problem;
    if (err.status === 429) {
      const ra = p.retryAfter ? ` Try again in ${p.retryAfter} seconds.` : ' Try again in a moment.';
      return 'Too many attempts.' + ra;
    }
    return p.detail || p.title || `The server answered ${err.status}.`;
  }
  if (err instanceof Error) {
    if (err.name === 'TypeError') return 'The server could not be reached. Check your connection and try again.';
    return err.message;
  }
  return String(err);
}
