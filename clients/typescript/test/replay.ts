// A fetch that answers from the real server's recorded answers (test/fixtures/recorded.json,
// written by `npm run record`), so the unit tests check the client against what the server
// actually says, without starting it.
import recorded from "./fixtures/recorded.json" with { type: "json" };

export { recorded };
export const BASE = "http://monograph.test";

interface Exchange {
  method: string;
  path: string;
  requestHeaders: Record<string, string | null>;
  status: number;
  headers: Record<string, string>;
  requestBody?: unknown;
  body: unknown;
}

/** One request the fake fetch saw. */
export interface Seen {
  method: string;
  path: string;
  headers: Headers;
  body: string | undefined;
}

const exchanges = (Object.values(recorded) as object[]).filter((e): e is Exchange => "status" in e);

/** A fetch replaying the recorded answers; `seen` lists the requests made. */
export function replay(extra: Exchange[] = []) {
  const seen: Seen[] = [];
  const all = [...extra, ...exchanges];
  const fetch = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
    if (url.origin !== BASE) throw new TypeError(`fetch failed: unexpected origin ${url.origin}`);
    const method = (init.method ?? "GET").toUpperCase();
    const headers = new Headers(init.headers);
    const path = url.pathname + url.search;
    seen.push({ method, path, headers, body: typeof init.body === "string" ? init.body : undefined });
    const inm = headers.get("If-None-Match");
    const sent = typeof init.body === "string" ? init.body : undefined;
    const candidates = all.filter(
      (e) => e.method === method && e.path === path && (e.requestBody === undefined || JSON.stringify(e.requestBody) === sent),
    );
    const match =
      candidates.find((e) => inm !== null && e.requestHeaders["If-None-Match"] === inm) ??
      candidates.find((e) => !e.requestHeaders["If-None-Match"]);
    if (!match) {
      return new Response(JSON.stringify({ type: "about:blank", title: "Not Found", status: 404, code: "not_found", detail: `nothing recorded for ${method} ${path}` }), {
        status: 404,
        headers: { "Content-Type": "application/problem+json" },
      });
    }
    const body = match.status === 304 || match.body === null ? null : JSON.stringify(match.body);
    return new Response(body, { status: match.status, headers: match.headers });
  };
  return { fetch: fetch as typeof globalThis.fetch, seen };
}
