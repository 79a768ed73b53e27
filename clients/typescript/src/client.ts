import { MemoryCache, type ETagCache } from "./cache.js";
import { errorFromResponse, MonographError } from "./errors.js";
import type {
  DeliveredPage,
  JsonLdPage,
  ListParams,
  PageList,
  PageListItem,
  PreviewPage,
  PublicReview,
  PublicReviewList,
  ReviewAccepted,
  ReviewSubmission,
  SyncResponse,
} from "./types.js";

/** How a client is made. */
export interface ClientOptions {
  /** The server's origin, e.g. "https://cms.example.org" (a path prefix is kept). */
  baseUrl: string;
  /** The fetch to use (default: the global one). Tests and proxies pass their own. */
  fetch?: typeof fetch;
  /**
   * Where ETags and bodies are kept (default: an in-memory cache of 500 answers).
   * `false` turns conditional requests off.
   */
  cache?: ETagCache | false;
  /** Headers sent with every request (a User-Agent naming your site, say). */
  headers?: Record<string, string>;
}

/** Per-request options. */
export interface RequestOptions {
  signal?: AbortSignal;
}

/** What a cached GET reports besides its body. */
export interface Fetched<T> {
  value: T;
  /** True when the server answered 304 and the cached body was reused. */
  notModified: boolean;
  etag: string | undefined;
}

/** The client of Monograph's delivery API: what websites read. */
export class MonographClient {
  readonly #base: string;
  readonly #fetch: typeof fetch;
  readonly #cache: ETagCache | undefined;
  readonly #headers: Record<string, string>;

  constructor(opts: ClientOptions) {
    let base: URL;
    try {
      base = new URL(opts.baseUrl);
    } catch {
      throw new TypeError(`MonographClient: baseUrl ${JSON.stringify(opts.baseUrl)} is not an absolute URL`);
    }
    this.#base = base.href.replace(/\/+$/, "");
    const f = opts.fetch ?? globalThis.fetch;
    if (typeof f !== "function") {
      throw new TypeError("MonographClient: no fetch: pass options.fetch on runtimes without a global one");
    }
    // Bound, so a global fetch is not called with the client as `this`.
    this.#fetch = f.bind(globalThis);
    this.#cache = opts.cache === false ? undefined : (opts.cache ?? new MemoryCache());
    this.#headers = { Accept: "application/json", ...opts.headers };
  }

  /**
   * The live revision of a page. Throws a MonographError with code "not_found" (never
   * published or unknown) or "gone" (unpublished). A page fetched before is revalidated
   * with If-None-Match and reused on 304.
   */
  async getPage(slug: string, opts: RequestOptions = {}): Promise<DeliveredPage> {
    return (await this.fetchPage(slug, opts)).value;
  }

  /** As getPage, also telling whether the cached copy was reused (a 304). */
  fetchPage(slug: string, opts: RequestOptions = {}): Promise<Fetched<DeliveredPage>> {
    return this.#getCached<DeliveredPage>(`/api/v1/pages/${encodeSlug(slug)}`, opts);
  }

  /** The page's schema.org JSON-LD document, for a `<script type="application/ld+json">`. */
  async getPageJsonLd(slug: string, opts: RequestOptions = {}): Promise<JsonLdPage> {
    const r = await this.#getCached<JsonLdPage>(`/api/v1/pages/${encodeSlug(slug)}?format=jsonld`, opts, "application/ld+json");
    return r.value;
  }

  /** One answer of the page list; pass its nextCursor as `cursor` for the next. */
  async listPage(params: ListParams & { cursor?: string } = {}, opts: RequestOptions = {}): Promise<PageList> {
    return (await this.#getCached<PageList>(`/api/v1/pages${query(params)}`, opts)).value;
  }

  /**
   * Every live page matching params, following the cursors: an async iterator that asks
   * for the next answer only when the previous one is used up.
   *
   *     for await (const p of client.listPages({ sort: "-publishedAt" })) console.log(p.slug);
   */
  async *listPages(params: ListParams = {}, opts: RequestOptions = {}): AsyncGenerator<PageListItem, void, undefined> {
    let cursor: string | undefined;
    do {
      const page = await this.listPage({ ...params, ...(cursor ? { cursor } : {}) }, opts);
      yield* page.data;
      cursor = page.nextCursor || undefined;
    } while (cursor);
  }

  /**
   * The sync feed: without `since`, every live page; with the `next` of the previous
   * answer, every change since. Keep `next` for the next call. Apply changes
   * idempotently: one may be seen twice.
   */
  async sync(since?: string, opts: RequestOptions = {}): Promise<SyncResponse> {
    return this.#getJSON<SyncResponse>(`/api/v1/sync${query({ since })}`, opts);
  }

  /** The approved reader reviews of a page, newest first, following the cursors. */
  async *reviews(slug: string, params: { limit?: number } = {}, opts: RequestOptions = {}): AsyncGenerator<PublicReview, void, undefined> {
    let cursor: string | undefined;
    do {
      const page = await this.#getJSON<PublicReviewList>(
        `/api/v1/pages/${encodeSlug(slug)}/reviews${query({ ...params, cursor })}`,
        opts,
      );
      yield* page.data;
      cursor = page.nextCursor || undefined;
    } while (cursor);
  }

  /** Posts a reader review; it is held for moderation (202) and shown only once approved. */
  async submitReview(slug: string, review: ReviewSubmission, opts: RequestOptions = {}): Promise<ReviewAccepted> {
    const path = `/api/v1/pages/${encodeSlug(slug)}/reviews`;
    const res = await this.#fetch(this.#base + path, {
      method: "POST",
      headers: { ...this.#headers, "Content-Type": "application/json" },
      body: JSON.stringify(review),
      signal: opts.signal,
    });
    if (!res.ok) throw await errorFromResponse(res, this.#base + path);
    return (await res.json()) as ReviewAccepted;
  }

  /**
   * A page's working copy from a preview link (page id and token, both from the web
   * admin's "preview" or POST /api/v1/manage/pages/{id}/preview-token). Never cached: the
   * server answers no-store, and unreviewed text must not linger anywhere.
   */
  async getPreview(id: string, token: string, opts: RequestOptions = {}): Promise<PreviewPage> {
    return this.#getJSON<PreviewPage>(`/api/v1/preview/pages/${encodeURIComponent(id)}${query({ token })}`, opts);
  }

  /** As getPreview, from the link itself ("…/api/v1/preview/pages/<id>?token=…"). */
  getPreviewFromUrl(link: string, opts: RequestOptions = {}): Promise<PreviewPage> {
    const u = new URL(link, this.#base + "/");
    const m = /\/api\/v1\/preview\/pages\/([^/]+)$/.exec(u.pathname);
    const token = u.searchParams.get("token");
    if (!m || !token) {
      throw new TypeError(`not a Monograph preview link: ${link}`);
    }
    return this.getPreview(decodeURIComponent(m[1]!), token, opts);
  }

  async #getJSON<T>(path: string, opts: RequestOptions): Promise<T> {
    const url = this.#base + path;
    const res = await this.#fetch(url, { headers: this.#headers, signal: opts.signal });
    if (!res.ok) throw await errorFromResponse(res, url);
    return (await res.json()) as T;
  }

  // A GET that sends the ETag it holds and reuses the held body on 304. A 404 or 410
  // drops the held copy: a page that went away must not come back from the cache.
  async #getCached<T>(path: string, opts: RequestOptions, accept?: string): Promise<Fetched<T>> {
    const url = this.#base + path;
    const held = this.#cache ? await this.#cache.get(url) : undefined;
    const headers: Record<string, string> = { ...this.#headers };
    if (accept) headers.Accept = accept;
    if (held) headers["If-None-Match"] = held.etag;
    const res = await this.#fetch(url, { headers, signal: opts.signal });
    if (res.status === 304) {
      if (held) return { value: held.value as T, notModified: true, etag: held.etag };
      // A 304 to a request without a validator: a cache in between got it wrong.
      throw new MonographError(
        { type: "about:blank", title: "Not Modified", status: 304, code: "unexpected_response", detail: "304 without a cached copy" },
        url,
      );
    }
    if (!res.ok) {
      if (this.#cache && (res.status === 404 || res.status === 410)) await this.#cache.delete(url);
      throw await errorFromResponse(res, url);
    }
    const value = (await res.json()) as T;
    const etag = res.headers.get("ETag") ?? undefined;
    if (this.#cache && etag) await this.#cache.set(url, { etag, value });
    return { value, notModified: false, etag };
  }
}

/** Shorthand for `new MonographClient(opts)`. */
export function createClient(opts: ClientOptions): MonographClient {
  return new MonographClient(opts);
}

// A slug is [a-z0-9-]; anything else is encoded, so a stray "/" or "?" cannot reach
// another route.
function encodeSlug(slug: string): string {
  if (slug === "") throw new TypeError("slug must not be empty");
  return encodeURIComponent(slug);
}

function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== "") q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : "";
}
