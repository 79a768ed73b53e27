#!/usr/bin/env node
// Serves the built site and rebuilds changed pages when Monograph's webhook says so:
//   MONOGRAPH_URL=http://127.0.0.1:8080 node server.mjs
// The webhook secret is MONOGRAPH_WEBHOOK_SECRET, else the one register-webhook.mjs kept.
// PORT (default 4321) and HOST (default 127.0.0.1) say where it listens; the webhook to
// register is http://HOST:PORT/webhook. Builds the whole site first when dist/ is missing.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { buildSite, updateSite } from "./lib/build.js";
import { createSiteServer } from "./lib/server.js";

const apiUrl = process.env.MONOGRAPH_URL || "http://127.0.0.1:8080";
const port = Number(process.env.PORT || 4321);
const host = process.env.HOST || "127.0.0.1";
const outDir = process.env.OUT_DIR || join(import.meta.dirname, "dist");
const stateDir = process.env.STATE_DIR;
const kept = join(stateDir || join(import.meta.dirname, ".monograph"), "webhook.json");
const secret = process.env.MONOGRAPH_WEBHOOK_SECRET || (existsSync(kept) ? JSON.parse(readFileSync(kept, "utf8")).secret : "");

if (!secret.startsWith("whsec_")) {
  console.error("server: no webhook secret: run `npm run register-webhook`, or set MONOGRAPH_WEBHOOK_SECRET to the secret shown at registration");
  process.exit(2);
}
if (!existsSync(join(outDir, "index.html"))) {
  const r = await buildSite({ apiUrl, outDir, stateDir });
  console.log(`built ${r.rendered.length} page(s) in ${Math.round(r.ms)} ms`);
}
const server = createSiteServer({
  apiUrl,
  outDir,
  secret,
  update: (also) => updateSite({ apiUrl, outDir, stateDir, also }),
});
server.listen(port, host, () => {
  console.log(`site: http://${host}:${port}/  (webhook: http://${host}:${port}/webhook)`);
});
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => server.close(() => process.exit(0)));
