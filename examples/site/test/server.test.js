// @ts-check
// The webhook receiver: only correctly signed, fresh deliveries start a rebuild, each event
// once, and rebuilds are coalesced. The rebuild itself is recorded here, not run (the
// browser test runs the real one against the real server).
import { signWebhook } from "@monograph-cms/client";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createSiteServer } from "../lib/server.js";

const secret = "whsec_test-secret";
const out = mkdtempSync(join(tmpdir(), "site-test-"));
mkdirSync(join(out, "ketamine"));
writeFileSync(join(out, "index.html"), "<h1>index</h1>");
writeFileSync(join(out, "404.html"), "<h1>Not found</h1>");
writeFileSync(join(out, "ketamine", "index.html"), "<h1>Ketamine</h1>");

/** @type {string[][]} */
const updates = [];
// Rebuilds wait on the gate, so a test can hold one open while more deliveries arrive.
/** @type {Promise<void>} */
let gate = Promise.resolve();
/** @type {string[]} */
const logs = [];
const server = createSiteServer({
  apiUrl: "http://127.0.0.1:9", // nothing listens: no test here reaches the API
  outDir: out,
  secret,
  log: (m) => logs.push(m),
  update: async (slugs) => {
    updates.push(slugs);
    await gate;
    return { rendered: slugs, removed: [], index: true, ms: 30 };
  },
});
let base = "";

before(async () => {
  await new Promise((r) => server.listen(0, "127.0.0.1", () => r(undefined)));
  const a = /** @type {import("node:net").AddressInfo} */ (server.address());
  base = `http://127.0.0.1:${a.port}`;
});
after(() => {
  server.close();
  rmSync(out, { recursive: true, force: true });
});

let n = 0;
/** @param {string} slug */
function payload(slug) {
  n++;
  return JSON.stringify({ id: `evt${n}`, event: "page.published", slug, revision: 2, occurredAt: new Date().toISOString() });
}

/** @param {string} body @param {string | undefined} sig */
async function deliver(body, sig) {
  const headers = /** @type {Record<string, string>} */ ({ "Content-Type": "application/json" });
  if (sig !== undefined) headers["Monograph-Signature"] = sig;
  const r = await fetch(`${base}/webhook`, { method: "POST", headers, body });
  return r.status;
}

describe("the webhook receiver", () => {
  it("refuses deliveries that are unsigned, wrongly signed or stale, and rebuilds nothing", async () => {
    const body = payload("ketamine");
    const cases = [
      ["no signature", undefined],
      ["another secret", await signWebhook("whsec_other", body)],
      ["another body", await signWebhook(secret, body + " ")],
      ["ten minutes old", await signWebhook(secret, body, Date.now() - 600_000)],
    ];
    for (const [name, sig] of cases) {
      assert.equal(await deliver(body, sig), 401, String(name));
    }
    await server.idle();
    assert.deepEqual(updates, []);
  });

  it("rebuilds the page a verified delivery names, once per event", async () => {
    const body = payload("ketamine");
    const sig = await signWebhook(secret, body);
    assert.equal(await deliver(body, sig), 202);
    assert.equal(await deliver(body, sig), 200, "a repeated delivery is acknowledged, not rebuilt again");
    await server.idle();
    assert.deepEqual(updates, [["ketamine"]]);
  });

  it("coalesces deliveries that arrive during a rebuild", async () => {
    updates.length = 0;
    /** @type {() => void} */
    let open = () => {};
    gate = new Promise((r) => (open = r));
    for (const slug of ["a", "b", "c"]) {
      const body = payload(slug);
      assert.equal(await deliver(body, await signWebhook(secret, body)), 202);
    }
    open();
    await server.idle();
    assert.deepEqual(updates, [["a"], ["b", "c"]]);
  });

  it("refuses a body over 64 KiB", async () => {
    const big = "x".repeat(70 * 1024);
    assert.equal(await deliver(big, await signWebhook(secret, big)), 413);
  });
});

describe("the static files", () => {
  it("serves pages, redirects to the slash, and answers 404 outside dist", async () => {
    const page = await fetch(`${base}/ketamine/`);
    assert.equal(page.status, 200);
    assert.equal(await page.text(), "<h1>Ketamine</h1>");
    assert.equal(page.headers.get("cache-control"), "no-cache");
    const redirect = await fetch(`${base}/ketamine`, { redirect: "manual" });
    assert.equal(redirect.status, 301);
    for (const p of ["/nope/", "/..%2f..%2fetc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/%00", "/%E0%A4%A"]) {
      const r = await fetch(base + p);
      assert.equal(r.status, 404, p);
      assert.equal(await r.text(), "<h1>Not found</h1>");
    }
  });

  it("answers 304 to a matching If-None-Match", async () => {
    const first = await fetch(`${base}/`);
    const etag = first.headers.get("etag") ?? "";
    const again = await fetch(`${base}/`, { headers: { "If-None-Match": etag } });
    assert.equal(again.status, 304);
  });
});
