// Markdown previews rendered by the server (POST /api/v1/manage/render, the renderer delivery
// uses), shared by every preview on the screen: each text is rendered once and kept, the same
// text asked for twice is one request, and at most a few requests run at once, so opening a
// long page or typing in it does not flood the server.

import type { ApiClient } from '../api/client';

export class Renderer {
  private readonly cache = new Map<string, string>();
  private readonly inflight = new Map<string, Promise<string>>();
  private readonly waiting: (() => void)[] = [];
  private active = 0;
  /** Requests sent, for tests and measurements. */
  requests = 0;

  constructor(
    private readonly post: (markdown: string) => Promise<string>,
    private readonly concurrency = 4,
    private readonly keep = 400,
  ) {}

  private held: Promise<unknown> = Promise.resolve();

  /** Records HTML the server rendered some other way (a preview of the whole page). */
  seed(markdown: string, html: string) {
    if (markdown.trim() !== '') this.remember(markdown, html);
  }

  /** Makes renders wait (at most `ms`) for p, which seeds the cache: opening a page asks
   * for its preview once rather than one render per field. */
  hold(p: Promise<unknown>, ms = 3000) {
    this.held = Promise.race([p.catch(() => {}), new Promise((r) => setTimeout(r, ms))]);
  }

  /** The HTML of markdown if it was rendered already. */
  cached(markdown: string): string | undefined {
    if (markdown.trim() === '') return '';
    return this.cache.get(markdown);
  }

  render(markdown: string): Promise<string> {
    const hit = this.cached(markdown);
    if (hit !== undefined) return Promise.resolve(hit);
    const running = this.inflight.get(markdown);
    if (running) return running;
    const p = this.held
      .then(() => {
        const seeded = this.cache.get(markdown);
        if (seeded !== undefined) return seeded;
        return this.slot().then(() => this.fetch(markdown));
      })
      .finally(() => this.inflight.delete(markdown));
    this.inflight.set(markdown, p);
    return p;
  }

  private fetch(markdown: string): Promise<string> {
    return Promise.resolve()
      .then(() => {
        this.requests++;
        return this.post(markdown);
      })
      .then((html) => {
        this.remember(markdown, html);
        return html;
      })
      .finally(() => this.release());
  }

  private remember(markdown: string, html: string) {
    this.cache.set(markdown, html);
    // Oldest first out: a long session of typing keeps only recent texts.
    while (this.cache.size > this.keep) this.cache.delete(this.cache.keys().next().value as string);
  }

  private slot(): Promise<void> {
    if (this.active < this.concurrency) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release() {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}

const renderers = new WeakMap<ApiClient, Renderer>();

/** The renderer of this API client (one per signed-in app). */
export function rendererFor(api: ApiClient): Renderer {
  let r = renderers.get(api);
  if (!r) {
    r = new Renderer((markdown) => api.post<{ html: string }>('/api/v1/manage/render', { markdown }).then((x) => x?.html ?? ''));
    renderers.set(api, r);
  }
  return r;
}
