// @ts-check
// The example site end to end, in Debian's headless Chromium (chromium-headless-shell, or
// CHROMIUM_PATH) driven by playwright-core: the real
// server with demo data (scripts/monograph-test-server.mjs), a draft saved on top of the
// live ketamine page, the site built once from the sync feed, then served by the example's
// server with its webhook registered. A change published through the API must reach the
// page through the signed webhook and the partial rebuild, and no draft ever does.
// Prints the page's weight and requests and the publish → rebuilt-page time (FIGURES lines).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { chromium } from "playwright-core";
import * as m from "../../../scripts/monograph-test-server.mjs";
import { buildSite, updateSite } from "../lib/build.js";
import { createSiteServer } from "../lib/server.js";

const CHROMIUM = process.env.CHROMIUM_PATH || process.env.CHROMIUM || "/usr/bin/chromium-headless-shell";
const DRAFT = "DRAFT-5c1e: words no reviewer has signed.";
const PUBLISHED = `Published through the API at ${new Date().toISOString()}.`;

/** @type {Awaited<ReturnType<typeof m.startServer>>} */
let api;
/** @type {ReturnType<typeof createSiteServer>} */
let site;
/** @type {import("playwright-core").Browser} */
let browser;
let siteUrl = "";
const work = mkdtempSync(join(tmpdir(), "monograph-site-e2e-"));
const outDir = join(work, "dist");
const stateDir = join(work, "state");

/** @param {string} name @param {unknown} value */
function figure(name, value) {
  console.log(`FIGURES ${name}: ${value}`);
}

before(async () => {
  api = await m.startServer();
  // A second page, to show that a publication rebuilds only the page it changed.
  await m.createAndPublish(api.url, "esketamine", {
    title: "Esketamine – Medical Uses & Safety",
    summary: "Esketamine: the S-enantiomer of ketamine, as a nasal spray.",
    drug: { name: "Esketamine", drugClasses: ["NMDA receptor antagonist"] },
    sections: [{ key: "overview", title: "What is esketamine?", body: "A nasal spray for treatment-resistant depression." }],
    references: [{ title: "Prescribing information", url: "https://example.org/label", publisher: "Example", year: 2024 }],
    disclaimer: "For information only; not medical advice.",
  });
  await m.saveDraft(api.url, "ketamine", (/** @type {any} */ c) => {
    c.sections[0].body += `\n\n${DRAFT}`;
    return c;
  });

  const t0 = performance.now();
  const built = await buildSite({ apiUrl: api.url, outDir, stateDir });
  figure("full build", `${built.rendered.length} pages in ${Math.round(performance.now() - t0)} ms`);

  const port = await m.freePort();
  siteUrl = `http://127.0.0.1:${port}`;
  const hook = await m.registerWebhook(api.url, `${siteUrl}/webhook`, ["page.published", "page.unpublished"]);
  site = createSiteServer({
    apiUrl: api.url,
    outDir,
    secret: hook.secret,
    log: (msg) => console.log(`site: ${msg}`),
    update: (also) => updateSite({ apiUrl: api.url, outDir, stateDir, also }),
  });
  await new Promise((r) => site.listen(port, "127.0.0.1", () => r(undefined)));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"],
  });
});

after(async () => {
  await browser?.close();
  site?.close();
  await api?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe("the example site", () => {
  it("shows the live ketamine page: byline, JSON-LD, and no draft text", async () => {
    const page = await browser.newPage();
    const errors = /** @type {string[]} */ ([]);
    page.on("pageerror", (e) => errors.push(e.message));
    /** @type {import("playwright-core").Request[]} */
    const requests = [];
    page.on("requestfinished", (r) => void requests.push(r));
    const res = await page.goto(`${siteUrl}/ketamine/`, { waitUntil: "load" });
    assert.equal(res?.status(), 200);

    const byline = await page.getByTestId("byline").innerText();
    assert.match(byline, /^Medically reviewed by Rosa Reviewer, MD · reviewed \d{1,2} \w+ \d{4} · next review due \d{1,2} \w+ \d{4}$/);
    const ld = JSON.parse(await page.locator('script[type="application/ld+json"]').innerText());
    assert.equal(ld["@type"], "MedicalWebPage");
    assert.deepEqual(ld.reviewedBy, { "@type": "Person", name: "Rosa Reviewer", honorificSuffix: "MD" });
    assert.equal(ld.about.name, "Ketamine");
    assert.equal(await page.locator("h1").innerText(), "Ketamine – Medical Uses, Mechanism & Safety");
    const text = await page.content();
    assert.ok(!text.includes("DRAFT-5c1e"), "the draft's text is on the site");
    for (const h of ["Clinical uses", "Side effects", "For patients", "Reader reviews"]) {
      assert.ok(await page.getByRole("heading", { name: h }).isVisible(), h);
    }
    assert.deepEqual(errors, []);

    // Lighthouse-style figures: what the browser fetched for this page, cold.
    let bytes = 0;
    for (const r of requests) bytes += (await r.sizes()).responseBodySize + (await r.sizes()).responseHeadersSize;
    const html = await page.evaluate(() => document.documentElement.outerHTML.length);
    const timing = await page.evaluate(() => {
      const nav = /** @type {PerformanceNavigationTiming} */ (performance.getEntriesByType("navigation")[0]);
      return { dcl: Math.round(nav.domContentLoadedEventEnd), load: Math.round(nav.loadEventEnd) };
    });
    figure("ketamine page requests", requests.length);
    figure("ketamine page transfer bytes (gzip, with headers)", bytes);
    figure("ketamine page HTML bytes (uncompressed)", html);
    figure("ketamine page DOMContentLoaded / load ms (loopback)", `${timing.dcl} / ${timing.load}`);
    // The document, then only the page's signed images (the demo page has one diagram).
    const others = requests.slice(1).map((r) => new URL(r.url()).pathname);
    assert.ok(others.every((p) => p.startsWith("/media/")), `styles and scripts are inline: ${others}`);
    assert.equal(others.length, 1, "one request per image, nothing else");
    await page.close();
  });

  it("finds ketamine from the index's search", async () => {
    const page = await browser.newPage();
    await page.goto(`${siteUrl}/`);
    await page.getByLabel("Search medications").fill("esket");
    assert.equal(await page.locator("#pages li:visible").count(), 1);
    await page.getByLabel("Search medications").fill("dissociative");
    await page.getByRole("link", { name: /Ketamine/ }).click();
    await page.waitForURL(`${siteUrl}/ketamine/`);
    await page.close();
  });

  it("sends a reader review for moderation from the page's form", async () => {
    const page = await browser.newPage();
    await page.goto(`${siteUrl}/ketamine/`);
    await page.getByLabel("Your name").fill("Robin");
    await page.getByLabel("Rating").selectOption("4");
    await page.getByLabel("Your review").fill("Clear about the risks.");
    await page.getByRole("button", { name: "Send for moderation" }).click();
    await page.getByText("held for moderation").waitFor();
    await page.close();
  });

  it("shows a change published through the API once the webhook has rebuilt the page, and only that page", async () => {
    const other = statSync(join(outDir, "esketamine", "index.html")).mtimeMs;
    const live = await m.liveContent(api.url, "ketamine");
    live.sections[0].body += `\n\n${PUBLISHED}`;
    /** @type {import("../lib/build.js").BuildResult[]} */
    const rebuilds = [];
    site.onRebuilt((r) => rebuilds.push(r));

    await m.publishEdit(api.url, "ketamine", () => live);
    const published = performance.now();
    let shown = 0;
    for (const until = Date.now() + 30_000; Date.now() < until; ) {
      const html = await (await fetch(`${siteUrl}/ketamine/`)).text();
      if (html.includes(PUBLISHED)) {
        shown = performance.now();
        break;
      }
      await m.sleep(20);
    }
    assert.ok(shown > 0, "the published change did not reach the site within 30 s");
    figure("publish → rebuilt page via the webhook, ms", Math.round(shown - published));
    await site.idle();
    figure("partial rebuild, ms", rebuilds.map((r) => Math.round(r.ms)).join(", "));

    const page = await browser.newPage();
    await page.goto(`${siteUrl}/ketamine/`);
    assert.ok(await page.getByText(PUBLISHED).isVisible());
    assert.ok(!(await page.content()).includes("DRAFT-5c1e"), "a draft reached the site");
    await page.close();
    // The Spanish translation is rebuilt too: its source moved on, so it now says it may be
    // out of date.
    assert.deepEqual(rebuilds.flatMap((r) => r.rendered).sort(), ["ketamina", "ketamine"]);
    assert.equal(statSync(join(outDir, "esketamine", "index.html")).mtimeMs, other, "an unchanged page was rewritten");
  });

  it("removes an unpublished page", async () => {
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let timer;
    const gone = new Promise((resolve, reject) => {
      site.onRebuilt((b) => b.removed.includes("esketamine") && resolve(undefined));
      timer = setTimeout(() => reject(new Error("no rebuild within 30 s")), 30_000);
    });
    await m.unpublish(api.url, "esketamine");
    await gone.finally(() => clearTimeout(timer));
    assert.equal((await fetch(`${siteUrl}/esketamine/`)).status, 404);
    assert.ok(!(await (await fetch(`${siteUrl}/`)).text()).includes("Esketamine"));
  });
});
