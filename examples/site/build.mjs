#!/usr/bin/env node
// Builds the site statically from Monograph's sync feed:
//   MONOGRAPH_URL=http://127.0.0.1:8080 node build.mjs            every live page → dist/
//   MONOGRAPH_URL=http://127.0.0.1:8080 node build.mjs --update   only what changed since the last build
// SITE_URL sets the public origin used in canonical links and JSON-LD; OUT_DIR and
// STATE_DIR move dist/ and .monograph/.
import { buildSite, updateSite } from "./lib/build.js";

const apiUrl = process.env.MONOGRAPH_URL || "http://127.0.0.1:8080";
const opts = { apiUrl, outDir: process.env.OUT_DIR, stateDir: process.env.STATE_DIR };
try {
  const r = process.argv.includes("--update") ? await updateSite(opts) : await buildSite(opts);
  console.log(
    `built ${r.rendered.length} page(s)${r.rendered.length ? ` (${r.rendered.join(", ")})` : ""}` +
      `${r.removed.length ? `, removed ${r.removed.join(", ")}` : ""} in ${Math.round(r.ms)} ms`,
  );
} catch (e) {
  console.error(`build failed: ${e instanceof Error ? e.message : e}`);
  if (e instanceof Error && e.cause) console.error(e.cause);
  process.exit(1);
}
