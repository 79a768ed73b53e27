#!/usr/bin/env node
// Registers this site's webhook with Monograph, once: signs in as an admin, registers
// SITE_WEBHOOK_URL for page.published and page.unpublished, and keeps the secret (shown only
// at registration) in .monograph/webhook.json, mode 0600, where server.mjs finds it. Does
// nothing when the webhook kept there is still registered.
//   MONOGRAPH_URL            Monograph's origin [http://127.0.0.1:8080]
//   MONOGRAPH_ADMIN_EMAIL    [admin@example.com, the demo admin]
//   MONOGRAPH_ADMIN_PASSWORD [monograph-demo, the demo password: set your own anywhere else]
//   SITE_WEBHOOK_URL         [http://127.0.0.1:4321/webhook]
// The server must be allowed to reach a loopback address for the default URL
// (MONOGRAPH_WEBHOOK_ALLOW_PRIVATE=true, local development only).
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const api = (process.env.MONOGRAPH_URL || "http://127.0.0.1:8080").replace(/\/+$/, "");
const email = process.env.MONOGRAPH_ADMIN_EMAIL || "admin@example.com";
const password = process.env.MONOGRAPH_ADMIN_PASSWORD || "monograph-demo";
const hookUrl = process.env.SITE_WEBHOOK_URL || "http://127.0.0.1:4321/webhook";
const stateDir = process.env.STATE_DIR || join(import.meta.dirname, ".monograph");
const file = join(stateDir, "webhook.json");

/** @param {string} path @param {RequestInit} init */
async function call(path, init) {
  const r = await fetch(api + path, init);
  const body = await r.json().catch(() => ({}));
  return { status: r.status, body };
}

const login = await call("/api/v1/auth/login", {
  method: "POST",
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify({ email, password }),
});
if (login.status !== 200) {
  console.error(`register-webhook: cannot sign in as ${email} at ${api}: ${login.status} ${login.body.detail ?? ""}`);
  process.exit(1);
}
const auth = { Authorization: `Bearer ${login.body.accessToken}` };

if (existsSync(file)) {
  const kept = JSON.parse(readFileSync(file, "utf8"));
  if (kept.api === api && kept.url === hookUrl && (await call(`/api/v1/manage/webhooks/${kept.id}`, { headers: auth })).status === 200) {
    console.log(`register-webhook: ${hookUrl} is registered already (${kept.id})`);
    process.exit(0);
  }
}
const created = await call("/api/v1/manage/webhooks", {
  method: "POST",
  headers: { ...auth, "Content-Type": "application/json" },
  body: JSON.stringify({ url: hookUrl, events: ["page.published", "page.unpublished"], description: "example site (examples/site)" }),
});
if (created.status !== 201) {
  const why = (created.body.errors ?? []).map((/** @type {{field: string, message: string}} */ e) => `${e.field}: ${e.message}`).join("; ");
  console.error(`register-webhook: ${created.status} ${created.body.detail ?? ""} ${why}`);
  if (created.status === 400 && /private|loopback/i.test(JSON.stringify(created.body))) {
    console.error("register-webhook: start the server with MONOGRAPH_WEBHOOK_ALLOW_PRIVATE=true to reach a loopback URL (development only)");
  }
  process.exit(1);
}
mkdirSync(stateDir, { recursive: true });
writeFileSync(file, JSON.stringify({ api, url: hookUrl, id: created.body.id, secret: created.body.secret }, null, 2) + "\n", { mode: 0o600 });
chmodSync(file, 0o600);
console.log(`register-webhook: registered ${hookUrl} (${created.body.id}); secret kept in ${file}`);
