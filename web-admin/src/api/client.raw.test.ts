// A body sent as is (an XLIFF file for import) rather than as JSON, and a non-JSON answer
// (an XLIFF export) read as text.

import { describe, expect, it, vi } from 'vitest';
import { ApiClient, MemoryTokenStore } from './client';

function setup(answer: () => Response) {
  const store = new MemoryTokenStore();
  store.save({ accessToken: 'A1', refreshToken: 'R1', expiresAt: Date.now() + 15 * 60_000 });
  const calls: RequestInit[] = [];
  const fetchMock = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) => {
    calls.push(init ?? {});
    return answer();
  });
  return { client: new ApiClient({ store, fetch: fetchMock as unknown as typeof fetch }), calls };
}

describe('raw bodies', () => {
  it('sends the raw body with its content type, If-Match and the bearer token', async () => {
    const { client, calls } = setup(() => new Response('{"id":"t1","version":3}', { status: 200, headers: { 'Content-Type': 'application/json' } }));
    const xml = '<?xml version="1.0"?><xliff version="2.1"/>';
    const r = await client.request<{ id: string }>('PUT', '/api/v1/manage/pages/p/translations/es/xliff', { raw: { body: xml, contentType: 'application/xliff+xml' }, ifMatch: 2 });
    expect(r.data.id).toBe('t1');
    const h = calls[0].headers as Record<string, string>;
    expect(calls[0].body).toBe(xml);
    expect(h['Content-Type']).toBe('application/xliff+xml');
    expect(h['If-Match']).toBe('"2"');
    expect(h['Authorization']).toBe('Bearer A1');
  });
  it('reads an XML answer as text', async () => {
    const xml = '<xliff version="2.1"><file id="f"/></xliff>';
    const { client } = setup(() => new Response(xml, { status: 200, headers: { 'Content-Type': 'application/xliff+xml' } }));
    expect(await client.get<string>('/api/v1/manage/pages/p/xliff?target=es')).toBe(xml);
  });
});
