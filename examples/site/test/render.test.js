// @ts-check
// The page and index templates against answers the real server gave (recorded by the
// client's `npm run record`), and against the translation and media fields the contract
// promises but the server does not deliver yet.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { byline, fold, formatDate, listItem, renderIndex, renderPage } from "../lib/render.js";

/** @typedef {import("../lib/render.js").Entry} Entry */
/** @typedef {import("@monograph-cms/client").DeliveredPage} DeliveredPage */

const recorded = JSON.parse(readFileSync(new URL("../../../clients/typescript/test/fixtures/recorded.json", import.meta.url), "utf8"));
/** @type {DeliveredPage} */
const page = recorded.page.body;
/** @type {Entry} */
const entry = { page, jsonld: recorded.jsonld.body, reviews: recorded.reviews.body.data };
const site = { name: "Test Medicines", url: "https://meds.example" };

/** The JSON-LD of a rendered page. @param {string} doc */
function jsonLd(doc) {
  const m = /<script type="application\/ld\+json">(.*?)<\/script>/s.exec(doc);
  assert.ok(m, "no JSON-LD script");
  return JSON.parse(m[1] ?? "");
}

describe("the medication page", () => {
  const doc = renderPage(entry, site);

  it("shows the medical reviewer, the review date and the next review due", () => {
    const mr = page.medicalReview;
    assert.match(doc, new RegExp(`Medically reviewed by <strong>${mr.reviewer.name}, ${mr.reviewer.credentials}</strong>`));
    assert.ok(doc.includes(`next review due <time datetime="${mr.nextReviewDue}">${formatDate(mr.nextReviewDue)}</time>`));
    assert.ok(!doc.includes("overdue"));
  });

  it("flags an overdue review", () => {
    const b = byline({ ...page.medicalReview, overdue: true }).value;
    assert.match(b, /periodic medical review is overdue/);
  });

  it("carries the JSON-LD with the site's own URL", () => {
    const ld = jsonLd(doc);
    assert.equal(ld["@type"], "MedicalWebPage");
    assert.equal(ld.reviewedBy.name, page.medicalReview.reviewer.name);
    assert.equal(ld.url, "https://meds.example/ketamine/");
  });

  it("renders every section, clinical use, side effect, reference and the disclaimer", () => {
    for (const s of page.sections) assert.ok(doc.includes(s.html), s.key);
    for (const u of page.clinicalUses) assert.ok(doc.includes(u.descriptionHtml), u.name);
    for (const s of [...page.sideEffects.common, ...page.sideEffects.serious]) assert.ok(doc.includes(s), s);
    for (const r of page.references) assert.ok(doc.includes(`href="${r.url.replace(/&/g, "&amp;")}"`), r.url);
    assert.ok(doc.includes(page.disclaimerHtml));
  });

  it("shows approved reader reviews as reader opinions, with the form", () => {
    assert.match(doc, /Opinions of readers, not medical advice/);
    assert.ok(doc.includes("Clear and useful."));
    assert.match(doc, /<form class="review-form" method="post" action="\/reviews\/ketamine"/);
  });

  it("renders no hreflang, no outdated banner and no images when the API sends none", () => {
    // The recorded demo page carries its diagram: take it away to see a page without images.
    const bare = renderPage({ ...entry, page: { ...page, images: [], media: [] } }, site);
    assert.ok(!bare.includes("hreflang"));
    assert.ok(!bare.includes('data-testid="outdated"'));
    assert.ok(!bare.includes("<img"));
    assert.match(bare, /<html lang="en" dir="ltr">/);
  });

  it("escapes text from readers and from the API, so none becomes markup", () => {
    const evil = "</script><script>alert(1)</script>";
    /** @type {Entry} */
    const e = {
      page: { ...page, title: `<b>${evil}</b>` },
      jsonld: { ...entry.jsonld, name: evil },
      reviews: [{ ...entry.reviews[0], name: "<img src=x onerror=alert(1)>", body: evil }],
    };
    const d = renderPage(e, site);
    assert.ok(!d.includes("<script>alert(1)"));
    assert.ok(!d.includes("<img src=x"));
    assert.ok(d.includes("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert.equal(jsonLd(d).name, evil);
  });
});

describe("translations and media, when the API delivers them", () => {
  /** @type {DeliveredPage} */
  const es = {
    ...page,
    slug: "ketamina",
    locale: "es",
    dir: "ltr",
    translation: { sourceLocale: "en", sourceSlug: "ketamine", outdated: true, sourceReviewedAt: page.publishedAt },
    translations: [
      { locale: "en", slug: "ketamine" },
      { locale: "es", slug: "ketamina" },
    ],
    images: [
      {
        src: "/media/abc/ketamine.webp",
        srcset: "/media/abc/ketamine-480.webp 480w, /media/abc/ketamine-960.webp 960w",
        width: 960,
        height: 640,
        alt: "Ketamine vial",
        caption: "A vial",
        credit: "Photo: Example",
      },
    ],
  };
  const doc = renderPage({ ...entry, page: es }, site);

  it("declares the language and links every language version with hreflang", () => {
    assert.match(doc, /<html lang="es" dir="ltr">/);
    assert.ok(doc.includes('<link rel="alternate" hreflang="en" href="https://meds.example/ketamine/">'));
    assert.ok(doc.includes('<link rel="alternate" hreflang="es" href="https://meds.example/ketamina/">'));
    assert.match(doc, /<a href="\/ketamine\/" hreflang="en" lang="en">en<\/a>/);
  });

  it("warns that an outdated translation may be out of date", () => {
    assert.match(doc, /This translation may be out of date/);
    const translation = { sourceLocale: "en", sourceSlug: "ketamine", outdated: false, sourceReviewedAt: page.publishedAt };
    const current = renderPage({ ...entry, page: { ...es, translation } }, site);
    assert.ok(!current.includes("may be out of date"));
  });

  it("renders images with srcset, dimensions, alt text and credit", () => {
    assert.ok(doc.includes('srcset="/media/abc/ketamine-480.webp 480w, /media/abc/ketamine-960.webp 960w"'));
    assert.match(doc, /<img src="\/media\/abc\/ketamine.webp"[^>]* width="960" height="640" alt="Ketamine vial"/);
    assert.match(doc, /<figcaption>A vial <span class="credit">Photo: Example<\/span><\/figcaption>/);
  });

  it("adds the page itself to hreflang when the list leaves it out", () => {
    const d = renderPage({ ...entry, page: { ...es, translations: [{ locale: "en", slug: "ketamine" }] } }, site);
    assert.ok(d.includes('hreflang="es" href="https://meds.example/ketamina/"'));
  });
});

describe("the index", () => {
  const items = [...recorded.listFirst.body.data, ...recorded.listNext.body.data];
  const doc = renderIndex(items, site);

  it("lists every page, sorted by title, with search text folded", () => {
    const order = [...doc.matchAll(/<h2><a href="\/([a-z0-9-]+)\/">/g)].map((m) => m[1]);
    assert.deepEqual(order, ["esketamine", "ketamine"]);
    assert.match(doc, /<input id="q" type="search"/);
    assert.equal(fold("Kétamine ÅB"), "ketamine ab");
  });

  it("builds its entries from delivered pages", () => {
    assert.deepEqual(listItem(page), items.find((i) => i.slug === "ketamine"));
  });
});
