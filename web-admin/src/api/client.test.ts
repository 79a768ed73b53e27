import { describe, expect, it, vi } from 'vitest';
import { ApiClient, ApiError, MemoryTokenStore, parseEtagVersion, type Tokens } from './client';

type Handler = (url: string, init: RequestInit) => Response | Promise<Response>;

function json(status: number, body: unknown, headers: Record<string, string> = {}) {
  return new Response(body === null ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json', ...headers },
  });
}

function setup(handler: Handler, tokens: Partial<Tokens> | null = {}, now = 1_000_000) {
  const store = new MemoryTokenStore();
  if (tokens) store.save({ accessToken: 'A1', refreshToken: 'R1', expiresAt: now + 15 * 60_000, ...tokens });
  const calls: { url: string; init: RequestInit }[] = [];
  const fetchMock = vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: String(url), init: init ?? {} });
    return handler(String(url), init ?? {});
  });
  const client = new ApiClient({ store, fetch: fetchMock as unknown as typeof fetch, now: () => now });
  return { client, store, calls };
}

const auth = (init: RequestInit) => (init.headers as Record<string, string>)['Authorization'];

describe('ApiClient', () => {
  it('sends the bearer token and JSON body, and parses the response', async () => {
    const { client, calls } = setup(() => json(200, { ok: true }, { ETag: '"7"' }));
    const res = await client.request<{ ok: boolean }>('PUT', '/api/x', { body: { a: 1 }, ifMatch: 7 });
    expect(res.data).toEqual({ ok: true });
    expect(res.etag).toBe('"7"');
    const h = calls[0].init.headers as Record<string, string>;
    expect(h['Authorization']).toBe('Bearer A1');
    expect(h['If-Match']).toBe('"7"');
    expect(h['Content-Type']).toBe('application/json');
    expect(calls[0].init.body).toBe('{"a":1}');
  });

  it('on a 401 refreshes once and retries the request once with the new token', async () => {
    const { client, calls, store } = setup((url, init) => {
      if (url.endsWith('/auth/refresh')) {
        expect(JSON.parse(String(init.body))).toEqual({ refreshToken: 'R1' });
        return json(200, { accessToken: 'A2', refreshToken: 'R2', expiresIn: 900 });
      }
      return auth(init) === 'Bearer A2' ? json(200, { v: 2 }) : json(401, { code: 'unauthorized' });
    });
    const data = await client.get<{ v: number }>('/api/v1/manage/pages');
    expect(data).toEqual({ v: 2 });
    expect(calls.map((c) => c.url)).toEqual(['/api/v1/manage/pages', '/api/v1/auth/refresh', '/api/v1/manage/pages']);
    expect(store.load()?.refreshToken).toBe('R2');
  });

  it('does not retry more than once', async () => {
    const { client, calls } = setup((url) =>
      url.endsWith('/auth/refresh') ? json(200, { accessToken: 'A2', refreshToken: 'R2', expiresIn: 900 }) : json(401, { code: 'unauthorized' }),
    );
    await expect(client.get('/api/v1/manage/pages')).rejects.toMatchObject({ status: 401 });
    expect(calls.filter((c) => c.url === '/api/v1/manage/pages')).toHaveLength(2);
    expect(calls.filter((c) => c.url.endsWith('/refresh'))).toHaveLength(1);
  });

  it('refreshes before the access token expires', async () => {
    const now = 5_000_000;
    const { client, calls } = setup(
      (url, init) => {
        if (url.endsWith('/auth/refresh')) return json(200, { accessToken: 'A2', refreshToken: 'R2', expiresIn: 900 });
        return json(200, { token: auth(init) });
      },
      { expiresAt: now + 10_000 },
      now,
    );
    expect(await client.get('/api/v1/auth/me')).toEqual({ token: 'Bearer A2' });
    expect(calls[0].url).toBe('/api/v1/auth/refresh');
  });

  it('shares one refresh between concurrent requests (refresh tokens are single-use)', async () => {
    let refreshes = 0;
    const { client } = setup(async (url, init) => {
      if (url.endsWith('/auth/refresh')) {
        refreshes++;
        await new Promise((r) => setTimeout(r, 5));
        return json(200, { accessToken: 'A2', refreshToken: 'R2', expiresIn: 900 });
      }
      return auth(init) === 'Bearer A2' ? json(200, {}) : json(401, {});
    });
    await Promise.all([client.get('/a'), client.get('/b'), client.get('/c')]);
    expect(refreshes).toBe(1);
  });

  it('when the refresh fails, asks to sign in again and then retries without losing the request', async () => {
    let signedIn = false;
    const { client, store, calls } = setup((url, init) => {
      if (url.endsWith('/auth/refresh')) return json(401, { code: 'unauthorized' });
      if (url.endsWith('/auth/login')) {
        signedIn = true;
        return json(200, { accessToken: 'A9', refreshToken: 'R9', expiresIn: 900, user: { id: 'u', email: 'e', name: 'n', roles: [] } });
      }
      return auth(init) === 'Bearer A9' ? json(200, { saved: JSON.parse(String(init.body)) }) : json(401, {});
    });
    client.onAuthLost = async () => {
      expect(store.load()).toBeNull(); // the spent session is gone
      await client.login('e', 'pw');
      return true;
    };
    const res = await client.put('/api/v1/manage/pages/p/content', { title: 'kept' }, { ifMatch: 3 });
    expect(signedIn).toBe(true);
    expect(res).toEqual({ saved: { title: 'kept' } });
    const last = calls[calls.length - 1];
    expect((last.init.headers as Record<string, string>)['If-Match']).toBe('"3"');
  });

  it('rejects with the 401 when the user does not sign in again', async () => {
    const { client } = setup((url) => (url.endsWith('/auth/refresh') ? json(401, {}) : json(401, { code: 'unauthorized', detail: 'expired' })));
    client.onAuthLost = async () => false;
    await expect(client.get('/x')).rejects.toBeInstanceOf(ApiError);
  });

  it('login and refresh requests never carry a bearer token or trigger a refresh', async () => {
    const { client, calls } = setup(() => json(401, { code: 'unauthorized', detail: 'wrong email or password' }), null);
    await expect(client.login('a@b', 'bad')).rejects.toMatchObject({ status: 401, code: 'unauthorized' });
    expect(calls).toHaveLength(1);
    expect(auth(calls[0].init)).toBeUndefined();
  });

  it('parses problem+json into an ApiError with code and field errors', async () => {
    const problem = { status: 412, code: 'version_conflict', title: 'Conflict', currentVersion: 9, errors: [{ field: 'content.title', message: 'required' }] };
    const { client } = setup(() => json(412, problem));
    const err = (await client.put('/p', {}, { ifMatch: 8 }).catch((e) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(412);
    expect(err.code).toBe('version_conflict');
    expect(err.problem.currentVersion).toBe(9);
  });

  it('logout forgets the session even when the server is unreachable', async () => {
    const { client, store } = setup(() => {
      throw new TypeError('network');
    });
    await client.logout();
    expect(store.load()).toBeNull();
  });

  it('parses ETags', () => {
    expect(parseEtagVersion('"12"')).toBe(12);
    expect(parseEtagVersion('W/"3"')).toBe(3);
    expect(parseEtagVersion(null)).toBeNull();
    expect(parseEtagVersion('"abc"')).toBeNull();
  });
});

describe('ApiClient signatures', () => {
  it('hands a 401 to the caller without refreshing when retryOn401 is false', async () => {
    const { client, calls } = setup(() => json(401, { code: 'unauthorized', detail: 'wrong password' }));
    await expect(client.post('/approve', { password: 'x' }, { retryOn401: false })).rejects.toMatchObject({ status: 401 });
    expect(calls).toHaveLength(1);
  });
});

describe('ApiClient.updateUser', () => {
  const u = { id: 'u1', email: 'r@example.com', name: 'R', roles: ['reviewer' as const], credentials: '', disabled: false, createdAt: '2026-01-01T00:00:00Z' };
  it.each([
    { name: 'replaces the user kept with the session and tells the UI', tokens: {}, wantUser: { ...u, passwordChangeRequired: false }, wantCalls: 1 },
    { name: 'does nothing without a session', tokens: null, wantUser: null, wantCalls: 0 },
  ])('$name', ({ tokens, wantUser, wantCalls }) => {
    const { client, store } = setup(() => json(200, {}), tokens);
    const seen: unknown[] = [];
    client.onSessionChange = (t) => seen.push(t?.user);
    client.updateUser({ ...u, passwordChangeRequired: false });
    expect(store.load()?.user ?? null).toEqual(wantUser);
    expect(store.load()?.accessToken ?? null).toBe(tokens ? 'A1' : null);
    expect(seen).toHaveLength(wantCalls);
  });
});
