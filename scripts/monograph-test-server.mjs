// Starts the real Monograph server for the JavaScript tests (the TypeScript client's
// integration tests, its fixture recorder and the example site's browser test), and drives
// the editorial workflow over its HTTP API as the demo users do. No dependencies: Node 20's
// fetch and child_process only.
//
//   const s = await startServer();          // bin/monograph serve --demo on a free port
//   const w = await s.login("writer@example.com");
//   await s.stop();
//
// The binary is $MONOGRAPH_BIN, else bin/monograph when present, else built once with
// `go build` into a temporary directory.
import { spawn, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const DEMO_PASSWORD = "monograph-demo";
export const WRITER = "writer@example.com";
export const REVIEWER = "reviewer@example.com";
export const EDITOR = "editor@example.com";
export const ADMIN = "admin@example.com";

/** A free TCP port on loopback. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = /** @type {import("node:net").AddressInfo} */ (s.address());
      s.close(() => resolve(port));
    });
  });
}

let built = "";

/** The monograph binary to run. */
export function monographBinary() {
  if (process.env.MONOGRAPH_BIN) return process.env.MONOGRAPH_BIN;
  const bin = join(ROOT, "bin", "monograph");
  if (existsSync(bin)) return bin;
  if (!built) {
    const dir = mkdtempSync(join(tmpdir(), "monograph-bin-"));
    built = join(dir, "monograph");
    execFileSync("go", ["build", "-tags", "nomsgpack", "-o", built, "./cmd/monograph"], { cwd: ROOT, stdio: "inherit" });
  }
  return built;
}

/**
 * Starts `monograph serve --demo` on a fresh data dir and a free loopback port, with
 * webhooks allowed to reach loopback (tests only), and waits until /readyz answers.
 * @param {{ env?: Record<string, string>, quiet?: boolean }} [opts]
 */
export async function startServer(opts = {}) {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "monograph-data-"));
  const url = `http://127.0.0.1:${port}`;
  const logPath = `${dataDir}.log`;
  const { openSync } = await import("node:fs");
  const log = openSync(logPath, "w");
  const child = spawn(monographBinary(), ["serve", "--demo", "--data", dataDir, "--addr", `127.0.0.1:${port}`], {
    env: { ...process.env, MONOGRAPH_WEBHOOK_ALLOW_PRIVATE: "true", ...opts.env },
    stdio: ["ignore", log, log],
  });
  let exited = false;
  child.on("exit", () => {
    exited = true;
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`monograph exited before it was ready:\n${tail(logPath)}`);
    try {
      const r = await fetch(`${url}/readyz`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`monograph was not ready within 60 s:\n${tail(logPath)}`);
    }
    await sleep(100);
  }
  const server = {
    url,
    dataDir,
    logPath,
    pid: child.pid,
    /** Stops the server (SIGTERM, then SIGKILL after 5 s) and removes its data. */
    async stop() {
      if (!exited) {
        child.kill("SIGTERM");
        const until = Date.now() + 5000;
        while (!exited && Date.now() < until) await sleep(50);
        if (!exited) child.kill("SIGKILL");
      }
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(logPath, { force: true });
    },
    /** Signs in as a demo user; returns a session for api calls. @param {string} email */
    login: (email) => login(url, email),
  };
  return server;
}

// Sessions by server and email: a login costs an argon2id hash, and the access tokens
// outlive any test.
const sessions = new Map();

/**
 * Signs in (once per server and user) and answers a session whose api() sends its token.
 * @param {string} url
 * @param {string} email
 */
export async function login(url, email, password = DEMO_PASSWORD) {
  const key = `${url} ${email} ${password}`;
  if (!sessions.has(key)) sessions.set(key, newSession(url, email, password));
  try {
    return await sessions.get(key);
  } catch (e) {
    sessions.delete(key);
    throw e;
  }
}

/** @param {string} url @param {string} email @param {string} password */
async function newSession(url, email, password) {
  const r = await call(url, "", "POST", "/api/v1/auth/login", { email, password });
  if (r.status !== 200) throw new Error(`login ${email}: ${r.status} ${r.text}`);
  const token = r.json.accessToken;
  return {
    email,
    user: r.json.user,
    /** @param {string} method @param {string} path @param {unknown} [body] @param {Record<string,string>} [headers] */
    api: (method, path, body, headers) => call(url, token, method, path, body, headers),
  };
}

/**
 * One request; answers {status, headers, text, json}.
 * @param {string} url @param {string} token @param {string} method @param {string} path
 * @param {unknown} [body] @param {Record<string,string>} [headers]
 */
export async function call(url, token, method, path, body, headers = {}) {
  const h = { ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  if (body !== undefined) h["Content-Type"] = "application/json";
  const res = await fetch(url + path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/**
 * The JSON of r when its status is one of ok; throws otherwise.
 * @param {{ status: number, text: string, json: any }} r @param {string} what @param {...number} ok
 * @returns {any}
 */
function must(r, what, ...ok) {
  if (!ok.includes(r.status)) throw new Error(`${what}: ${r.status} ${r.text}`);
  return r.json;
}

/** The management id of the page with this slug. @param {string} url @param {string} slug */
export async function pageId(url, slug) {
  const w = await login(url, WRITER);
  const list = must(await w.api("GET", `/api/v1/manage/pages?q=${encodeURIComponent(slug)}&limit=100`), "list pages", 200);
  const p = list.data.find((/** @type {{ slug: string }} */ x) => x.slug === slug);
  if (!p) throw new Error(`no page ${slug}`);
  return p.id;
}

/**
 * Saves new content as the writer without publishing it: a draft on top of the live text.
 * `edit` gets the latest content and returns the new one. Answers the page JSON.
 */
/** @typedef {(content: any) => any} Edit */
/** @param {string} url @param {string} slug @param {Edit} edit */
export async function saveDraft(url, slug, edit) {
  const w = await login(url, WRITER);
  const id = await pageId(url, slug);
  const cur = await w.api("GET", `/api/v1/manage/pages/${id}`);
  must(cur, "get page", 200);
  const saved = await w.api("PUT", `/api/v1/manage/pages/${id}/content`, edit(structuredClone(cur.json.content)), {
    "If-Match": cur.headers.get("ETag") ?? `"${cur.json.version}"`,
  });
  return must(saved, "save", 200);
}

/** The content of the page's live revision (not of its working copy, which may be a draft). @param {string} url @param {string} slug */
export async function liveContent(url, slug) {
  const w = await login(url, WRITER);
  const id = await pageId(url, slug);
  const page = must(await w.api("GET", `/api/v1/manage/pages/${id}`), "get page", 200);
  if (!page.live) throw new Error(`${slug} is not live`);
  return must(await w.api("GET", `/api/v1/manage/pages/${id}/revisions/${page.live.revision}`), "get revision", 200).content;
}

/**
 * The whole sign-off path for new content of an existing page: the writer saves and
 * submits, the reviewer signs the exact revision, the editor publishes. `edit` gets the
 * content of the latest revision. Answers the published page JSON.
 */
/** @param {string} url @param {string} slug @param {Edit} edit */
export async function publishEdit(url, slug, edit) {
  const page = await saveDraft(url, slug, edit);
  return signAndPublish(url, page.id);
}

/** Creates a page as the writer and takes it through sign-off to live. @param {string} url @param {string} slug @param {object} content */
export async function createAndPublish(url, slug, content) {
  const w = await login(url, WRITER);
  const p = must(await w.api("POST", "/api/v1/manage/pages", { slug, content }), "create", 201);
  return signAndPublish(url, p.id);
}

/** Submit (writer), approve (reviewer, re-entering the password), publish (editor). @param {string} url @param {string} id */
export async function signAndPublish(url, id) {
  const w = await login(url, WRITER);
  const submitted = must(await w.api("POST", `/api/v1/manage/pages/${id}/submit`, {}), "submit", 200);
  const r = await login(url, REVIEWER);
  must(
    await r.api("POST", `/api/v1/manage/pages/${id}/approve`, { revision: submitted.revision, password: DEMO_PASSWORD }),
    "approve",
    200,
  );
  const e = await login(url, EDITOR);
  return must(await e.api("POST", `/api/v1/manage/pages/${id}/publish`, {}), "publish", 200);
}

/** Unpublishes a page as the editor. @param {string} url @param {string} slug */
export async function unpublish(url, slug, reason = "withdrawn by a test") {
  const id = await pageId(url, slug);
  const e = await login(url, EDITOR);
  return must(await e.api("POST", `/api/v1/manage/pages/${id}/unpublish`, { reason }), "unpublish", 200);
}

/**
 * Registers a webhook as the admin; answers {id, secret, …}.
 * @param {string} url @param {string} hookUrl
 * @returns {Promise<{ id: string, secret: string }>}
 */
export async function registerWebhook(url, hookUrl, events = ["page.published", "page.unpublished"]) {
  const a = await login(url, ADMIN);
  return must(await a.api("POST", "/api/v1/manage/webhooks", { url: hookUrl, events }), "register webhook", 201);
}

/**
 * A preview token for the page with this slug, as the writer.
 * @param {string} url @param {string} slug
 * @returns {Promise<{ id: string, token: string, expiresAt: string, url: string }>}
 */
export async function previewToken(url, slug) {
  const w = await login(url, WRITER);
  const id = await pageId(url, slug);
  return { id, ...must(await w.api("POST", `/api/v1/manage/pages/${id}/preview-token`, {}), "preview token", 200, 201) };
}

/** Posts a reader review and approves it as the editor. @param {string} url @param {string} slug @param {object} review */
export async function approvedReview(url, slug, review) {
  const posted = must(await call(url, "", "POST", `/api/v1/pages/${slug}/reviews`, review), "post review", 202);
  const e = await login(url, EDITOR);
  must(await e.api("POST", `/api/v1/manage/reviews/${posted.id}/approve`, {}), "approve review", 200);
  return posted.id;
}

/** @param {number} ms */
export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/** @param {string} path */
function tail(path) {
  try {
    return readFileSync(path, "utf8").split("\n").slice(-30).join("\n");
  } catch {
    return "(no log)";
  }
}
