// @ts-check
// Builds the site from Monograph's sync feed with Eleventy: buildSite renders every live
// page; updateSite asks the feed what changed since the last build and renders only those
// pages (and the index), removing unpublished ones. Both are what build.mjs and the webhook
// receiver (server.mjs) run.
import Eleventy from "@11ty/eleventy";
import { createClient, isMonographError } from "@monograph-cms/client";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { listItem } from "./render.js";
import { SiteStore } from "./store.js";

/** @typedef {import("./render.js").Entry} Entry */
/** @typedef {import("./render.js").Site} Site */
/** @typedef {import("@monograph-cms/client").MonographClient} MonographClient */

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** At most this many approved reader reviews are shown on a page. */
const MAX_REVIEWS = 50;

/**
 * @typedef {object} BuildOptions
 * @property {string} apiUrl Monograph's origin, e.g. http://127.0.0.1:8080
 * @property {string} [outDir] where the HTML goes [dist]
 * @property {string} [stateDir] where the feed token, page data and ETags go [.monograph]
 * @property {Site} [site] the site's name and public origin
 * @property {typeof fetch} [fetch]
 */

/**
 * @typedef {object} BuildResult
 * @property {string[]} rendered slugs whose page was (re)written
 * @property {string[]} removed slugs whose page was deleted (unpublished)
 * @property {boolean} index whether the index was rewritten
 * @property {number} ms how long it took
 */

/** @param {BuildOptions} o */
function setup(o) {
  const store = new SiteStore(resolve(o.stateDir ?? join(root, ".monograph")));
  const client = createClient({
    baseUrl: o.apiUrl,
    cache: store.etags,
    headers: { "User-Agent": "monograph-example-site/0.1" },
    ...(o.fetch ? { fetch: o.fetch } : {}),
  });
  const site = o.site ?? { name: process.env.SITE_NAME || "Monograph Medicines", url: (process.env.SITE_URL || "").replace(/\/+$/, "") };
  return { store, client, site, outDir: resolve(o.outDir ?? join(root, "dist")) };
}

/**
 * Everything a page is rendered from, or undefined when it is not live any more.
 * @param {MonographClient} client @param {string} slug
 * @returns {Promise<{ entry: Entry, changed: boolean } | undefined>}
 */
async function load(client, slug) {
  try {
    const p = await client.fetchPage(slug);
    const jsonld = await client.getPageJsonLd(slug);
    const reviews = [];
    for await (const r of client.reviews(slug)) {
      reviews.push(r);
      if (reviews.length >= MAX_REVIEWS) break;
    }
    return { entry: { page: p.value, jsonld, reviews }, changed: !p.notModified };
  } catch (e) {
    // Unpublished or gone between the feed and this request: the next feed says so.
    if (isMonographError(e, "gone") || isMonographError(e, "not_found")) return undefined;
    throw e;
  }
}

/**
 * Renders the given pages and the index with Eleventy into outDir. Eleventy writes only
 * what its templates produce and never empties outDir, so other pages stay as they are.
 * @param {{ outDir: string, site: Site, render: Entry[], index: Entry[] }} p
 */
async function render(p) {
  mkdirSync(p.outDir, { recursive: true });
  const elev = new Eleventy(join(root, "src"), p.outDir, {
    quietMode: true,
    configPath: join(root, "eleventy.config.js"),
    /** @param {any} cfg */
    config(cfg) {
      cfg.addGlobalData("monograph", {
        site: p.site,
        render: p.render,
        index: p.index.map((e) => listItem(e.page)),
      });
    },
  });
  await elev.write();
}

/**
 * Builds the whole site from the feed: every live page, the index and the 404 page.
 * @param {BuildOptions} o @returns {Promise<BuildResult>}
 */
export async function buildSite(o) {
  const t0 = performance.now();
  const { store, client, site, outDir } = setup(o);
  const feed = await client.sync();
  store.clearPages();
  rmSync(outDir, { recursive: true, force: true });
  const entries = [];
  for (const c of feed.changes) {
    if (c.change !== "published") continue;
    const got = await load(client, c.slug);
    if (got) {
      store.putPage(got.entry);
      entries.push(got.entry);
    }
  }
  await render({ outDir, site, render: entries, index: entries });
  store.next = feed.next;
  return { rendered: entries.map((e) => e.page.slug), removed: [], index: true, ms: performance.now() - t0 };
}

/**
 * Brings the site up to date with the feed, rendering only what changed: each page the
 * feed (or `also`, e.g. a webhook's slug) names is fetched with its ETag and rendered only
 * when the server answers with new content; unpublished pages are deleted. The feed may
 * repeat recent changes, and webhooks come at least once: both cost only a 304.
 * @param {BuildOptions & { also?: string[] }} o @returns {Promise<BuildResult>}
 */
export async function updateSite(o) {
  const t0 = performance.now();
  const { store, client, site, outDir } = setup(o);
  const since = store.next;
  if (since === undefined || !existsSync(join(outDir, "index.html"))) return buildSite(o);
  const feed = await client.sync(since);
  /** @type {Map<string, string>} */
  const changes = new Map();
  for (const c of feed.changes) changes.set(c.slug, c.change);
  for (const slug of o.also ?? []) if (!changes.has(slug)) changes.set(slug, "published");

  /** @type {Entry[]} */
  const toRender = [];
  const removed = [];
  for (const [slug, change] of changes) {
    const got = change === "published" ? await load(client, slug) : undefined;
    if (!got) {
      if (store.page(slug) || existsSync(join(outDir, slug))) {
        store.removePage(slug);
        rmSync(join(outDir, slug), { recursive: true, force: true });
        removed.push(slug);
      }
      continue;
    }
    if (got.changed || !store.page(slug) || !existsSync(join(outDir, slug, "index.html"))) {
      store.putPage(got.entry);
      toRender.push(got.entry);
    }
  }
  const index = toRender.length > 0 || removed.length > 0;
  if (index) await render({ outDir, site, render: toRender, index: store.pages() });
  store.next = feed.next;
  return { rendered: toRender.map((e) => e.page.slug), removed, index, ms: performance.now() - t0 };
}
