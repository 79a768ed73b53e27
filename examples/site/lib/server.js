// @ts-check
// The example's small server: it serves the built site (dist/), receives Monograph's
// webhooks — verifying each signature before anything else — and rebuilds only the pages
// that changed, and relays the reader-review form to the API so the browser posts to its
// own origin. A production site would put dist/ on a CDN and run only the receiver.
import { verifyWebhook, WebhookVerificationError } from "@monograph-cms/client";
import { createReadStream, existsSync, readFileSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, normalize, resolve, sep } from "node:path";
import { gzipSync } from "node:zlib";

/** @typedef {import("./build.js").BuildResult} BuildResult */
/** @typedef {import("node:http").IncomingMessage} Req */
/** @typedef {import("node:http").ServerResponse} Res */

const TYPES = /** @type {Record<string, string>} */ ({
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
});

const MAX_WEBHOOK_BODY = 64 * 1024;
const MAX_REVIEW_BODY = 16 * 1024;
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * @typedef {object} SiteServerOptions
 * @property {string} apiUrl Monograph's origin
 * @property {string} outDir the built site
 * @property {string} secret the webhook's secret, as shown at registration
 * @property {(slugs: string[]) => Promise<BuildResult>} update renders what changed (lib/build.js updateSite)
 * @property {string} [webhookPath] [/webhook]
 * @property {number} [toleranceSeconds] the signature's clock tolerance [300]
 * @property {(msg: string) => void} [log]
 */

/** @param {Req} req @param {number} limit @returns {Promise<Buffer | undefined>} undefined when over limit */
function readBody(req, limit) {
  return new Promise((resolveBody, reject) => {
    /** @type {Buffer[]} */
    const chunks = [];
    let size = 0;
    let over = false;
    req.on("data", (/** @type {Buffer} */ c) => {
      size += c.length;
      if (size > limit) over = true;
      else chunks.push(c);
    });
    req.on("end", () => resolveBody(over ? undefined : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** @param {Res} res @param {number} status @param {unknown} body */
function json(res, status, body) {
  res.writeHead(status, { "Content-Type": "application/json", "Cache-Control": "no-store" }).end(JSON.stringify(body));
}

/** @param {SiteServerOptions} o */
export function createSiteServer(o) {
  const outDir = resolve(o.outDir);
  const log = o.log ?? ((m) => console.log(m));
  const webhookPath = o.webhookPath ?? "/webhook";
  /** Event ids handled: deliveries come at least once. */
  const seen = new Set();
  /** @type {Set<string>} */
  const pending = new Set();
  /** @type {Promise<void> | undefined} */
  let running;
  /** @type {((r: BuildResult) => void)[]} */
  const listeners = [];

  // One rebuild at a time; deliveries arriving meanwhile are coalesced into the next.
  function schedule(/** @type {string} */ slug) {
    pending.add(slug);
    if (running) return;
    running = (async () => {
      while (pending.size > 0) {
        const slugs = [...pending];
        pending.clear();
        try {
          const r = await o.update(slugs);
          log(`rebuilt ${r.rendered.join(", ") || "nothing"}${r.removed.length ? `; removed ${r.removed.join(", ")}` : ""} in ${Math.round(r.ms)} ms`);
          for (const l of listeners) l(r);
        } catch (e) {
          // The feed is the source of truth: the next delivery (or a retry) catches up.
          log(`rebuild failed: ${e instanceof Error ? e.message : e}`);
        }
      }
      running = undefined;
    })();
  }

  /** @param {Req} req @param {Res} res */
  async function webhook(req, res) {
    const body = await readBody(req, MAX_WEBHOOK_BODY);
    if (!body) return json(res, 413, { error: "body too large" });
    let payload;
    try {
      payload = await verifyWebhook({
        secret: o.secret,
        header: req.headers["monograph-signature"]?.toString(),
        body,
        toleranceSeconds: o.toleranceSeconds,
      });
    } catch (e) {
      if (e instanceof WebhookVerificationError) {
        log(`webhook refused: ${e.reason}`);
        return json(res, 401, { error: e.reason });
      }
      throw e;
    }
    if (seen.has(payload.id)) return json(res, 200, { duplicate: true });
    seen.add(payload.id);
    if (seen.size > 10_000) seen.delete(seen.values().next().value);
    if (SLUG.test(payload.slug)) schedule(payload.slug);
    // Acknowledge at once: the rebuild runs after the answer, so a slow build never makes
    // Monograph time out and send the event again.
    json(res, 202, { accepted: payload.id });
  }

  /** Relays a review to the API; JSON from the page's script, or a plain form post. @param {Req} req @param {Res} res @param {string} slug @param {boolean} form */
  async function review(req, res, slug, form) {
    const body = await readBody(req, MAX_REVIEW_BODY);
    if (!body) return json(res, 413, { error: "body too large" });
    let text = body.toString("utf8");
    if (form) {
      const f = new URLSearchParams(text);
      text = JSON.stringify({ name: f.get("name") ?? "", rating: Number(f.get("rating")), body: f.get("body") ?? "" });
    }
    /** @type {Record<string, string>} */
    const headers = { "Content-Type": form ? "application/json" : String(req.headers["content-type"] ?? "") };
    // Monograph limits reviews per client: it believes this only when told to trust this
    // server (--trusted-proxies).
    const client = req.socket.remoteAddress;
    if (client) headers["X-Forwarded-For"] = client;
    const up = await fetch(`${o.apiUrl}/api/v1/pages/${slug}/reviews`, { method: "POST", headers, body: text });
    const answer = await up.text();
    if (!form) {
      res.writeHead(up.status, {
        "Content-Type": up.headers.get("Content-Type") ?? "application/json",
        "Cache-Control": "no-store",
        ...(up.headers.get("Retry-After") ? { "Retry-After": String(up.headers.get("Retry-After")) } : {}),
      });
      return res.end(answer);
    }
    let message = "Thank you. Your review is held for moderation and will appear once an editor approves it.";
    if (up.status !== 202) {
      try {
        const p = JSON.parse(answer);
        message = `Not sent: ${(p.errors ?? []).map((/** @type {{field: string, message: string}} */ e) => `${e.field}: ${e.message}`).join("; ") || p.detail}`;
      } catch {
        message = `Not sent (HTTP ${up.status}).`;
      }
    }
    res.writeHead(up.status === 202 ? 200 : up.status, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
    res.end(`<!doctype html><meta charset="utf-8"><title>Review</title><p>${message.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`)}</p><p><a href="/${slug}/#reviews">Back to the page</a></p>`);
  }

  /** @param {Req} req @param {Res} res @param {string} pathname */
  function staticFile(req, res, pathname) {
    let file = "";
    try {
      file = resolve(join(outDir, normalize(decodeURIComponent(pathname))));
    } catch {
      // Not a path (malformed escapes): answered as missing, like anything outside dist.
    }
    const inside = file === outDir || file.startsWith(outDir + sep);
    if (inside && existsSync(file) && statSync(file).isDirectory()) {
      if (!pathname.endsWith("/")) {
        res.writeHead(301, { Location: `${pathname}/` }).end();
        return;
      }
      file = join(file, "index.html");
    }
    let status = 200;
    if (!inside || !existsSync(file)) {
      status = 404;
      file = join(outDir, "404.html");
      if (!existsSync(file)) return res.writeHead(404, { "Content-Type": "text/plain" }).end("not found");
    }
    const st = statSync(file);
    const etag = `W/"${st.size.toString(36)}-${Math.floor(st.mtimeMs).toString(36)}"`;
    const type = TYPES[extname(file)] ?? "application/octet-stream";
    /** @type {Record<string, string>} */
    const headers = {
      "Content-Type": type,
      // Pages change on every publication: caches revalidate, and get a 304 when nothing did.
      "Cache-Control": type.startsWith("text/html") ? "no-cache" : "public, max-age=3600",
      ETag: etag,
      "X-Content-Type-Options": "nosniff",
      "Referrer-Policy": "strict-origin-when-cross-origin",
      Vary: "Accept-Encoding",
    };
    if (status === 200 && req.headers["if-none-match"] === etag) return res.writeHead(304, headers).end();
    if (/\bgzip\b/.test(String(req.headers["accept-encoding"] ?? "")) && /^text\/|json|svg/.test(type)) {
      const gz = gzipSync(readFileSync(file));
      res.writeHead(status, { ...headers, "Content-Encoding": "gzip", "Content-Length": String(gz.length) });
      return res.end(req.method === "HEAD" ? undefined : gz);
    }
    res.writeHead(status, { ...headers, "Content-Length": String(st.size) });
    if (req.method === "HEAD") return res.end();
    createReadStream(file).pipe(res);
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://site.invalid");
    const p = url.pathname;
    /** @type {RegExpExecArray | null} */
    let m;
    (async () => {
      if (p === webhookPath) {
        if (req.method !== "POST") return json(res, 405, { error: "POST only" });
        return await webhook(req, res);
      }
      if ((m = /^\/api\/v1\/pages\/([^/]+)\/reviews$/.exec(p)) && req.method === "POST" && SLUG.test(m[1] ?? "")) {
        return await review(req, res, m[1] ?? "", false);
      }
      if ((m = /^\/reviews\/([^/]+)$/.exec(p)) && req.method === "POST" && SLUG.test(m[1] ?? "")) {
        return await review(req, res, m[1] ?? "", true);
      }
      if (req.method !== "GET" && req.method !== "HEAD") return json(res, 405, { error: "GET or HEAD" });
      staticFile(req, res, p);
    })().catch((e) => {
      log(`error: ${e instanceof Error ? e.stack : e}`);
      if (!res.headersSent) json(res, 502, { error: "upstream failed" });
      else res.end();
    });
  });

  return Object.assign(server, {
    /** Calls fn after every rebuild. @param {(r: BuildResult) => void} fn */
    onRebuilt(fn) {
      listeners.push(fn);
    },
    /** Resolves once no rebuild is running or pending. */
    async idle() {
      while (running) await running;
    },
  });
}
