// @ts-check
// What the site keeps between builds, in its state directory (default .monograph/):
//   state.json        the sync feed's `next` token
//   pages/<slug>.json one page's delivered data (page, JSON-LD, approved reader reviews)
//   etags/<hash>.json the client's ETag cache, so a rebuild asks "changed?" and gets a 304
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** @typedef {import("@monograph-cms/client").ETagCache} ETagCache */
/** @typedef {import("@monograph-cms/client").CacheEntry} CacheEntry */
/** @typedef {import("./render.js").Entry} Entry */

/** Writes a file whole or not at all (a crash mid-write leaves the old one). @param {string} path @param {string} text */
function writeAtomic(path, text) {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** @param {string} path */
function readJSON(path) {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    if (/** @type {NodeJS.ErrnoException} */ (e).code === "ENOENT") return undefined;
    throw e;
  }
}

/** The client's ETag cache on disk: one file per URL. @implements {ETagCache} */
export class FileCache {
  /** @param {string} dir */
  constructor(dir) {
    this.dir = dir;
    mkdirSync(dir, { recursive: true });
  }
  /** @param {string} key */
  #path(key) {
    return join(this.dir, createHash("sha256").update(key).digest("hex").slice(0, 32) + ".json");
  }
  /** @param {string} key @returns {CacheEntry | undefined} */
  get(key) {
    return readJSON(this.#path(key));
  }
  /** @param {string} key @param {CacheEntry} entry */
  set(key, entry) {
    writeAtomic(this.#path(key), JSON.stringify(entry));
  }
  /** @param {string} key */
  delete(key) {
    rmSync(this.#path(key), { force: true });
  }
}

/** The site's state directory. */
export class SiteStore {
  /** @param {string} dir */
  constructor(dir) {
    this.dir = dir;
    this.pagesDir = join(dir, "pages");
    mkdirSync(this.pagesDir, { recursive: true });
    this.etags = new FileCache(join(dir, "etags"));
  }

  /** The sync token of the last build, or undefined before the first. @returns {string | undefined} */
  get next() {
    return readJSON(join(this.dir, "state.json"))?.next;
  }
  set next(token) {
    writeAtomic(join(this.dir, "state.json"), JSON.stringify({ next: token }) + "\n");
  }

  /** @param {string} slug @returns {Entry | undefined} */
  page(slug) {
    return readJSON(join(this.pagesDir, `${slug}.json`));
  }
  /** @param {Entry} e */
  putPage(e) {
    writeAtomic(join(this.pagesDir, `${e.page.slug}.json`), JSON.stringify(e));
  }
  /** @param {string} slug */
  removePage(slug) {
    rmSync(join(this.pagesDir, `${slug}.json`), { force: true });
  }
  /** Every page kept. @returns {Entry[]} */
  pages() {
    return readdirSync(this.pagesDir)
      .filter((f) => f.endsWith(".json"))
      .map((f) => /** @type {Entry} */ (readJSON(join(this.pagesDir, f))))
      .filter(Boolean);
  }
  /** Forgets every page (a full build starts from the feed again). */
  clearPages() {
    rmSync(this.pagesDir, { recursive: true, force: true });
    mkdirSync(this.pagesDir, { recursive: true });
  }
}
