// @ts-check
// The site's pages as functions of the delivered data: the medication page and the index.
// Pure (no I/O but reading the stylesheet once), so the unit tests render recorded answers.
import { readFileSync } from "node:fs";
import { html, raw, scriptJSON } from "./html.js";

/** @typedef {import("@monograph-cms/client").DeliveredPage} DeliveredPage */
/** @typedef {import("@monograph-cms/client").JsonLdPage} JsonLdPage */
/** @typedef {import("@monograph-cms/client").PublicReview} PublicReview */
/** @typedef {import("@monograph-cms/client").PageListItem} PageListItem */
/** @typedef {import("@monograph-cms/client").RenderedClinicalUse["status"]} UseStatus */

/**
 * Everything one medication page is rendered from.
 * @typedef {{ page: DeliveredPage, jsonld: JsonLdPage, reviews: PublicReview[] }} Entry
 */

/**
 * The site: its name, and its public origin (for canonical and hreflang links and the
 * JSON-LD url; empty renders relative links).
 * @typedef {{ name: string, url: string }} Site
 */

// Inlined into every page: one request per page, and nothing render-blocking to fetch.
const css = readFileSync(new URL("./site.css", import.meta.url), "utf8");

const dateFmt = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });

/** "1 December 2026". @param {string} iso */
export function formatDate(iso) {
  return dateFmt.format(new Date(iso));
}

/** @type {Record<UseStatus, string>} */
const useStatus = { approved: "Approved use", off_label: "Off-label use", investigational: "Investigational" };

/** The path of a page on this site. @param {string} slug */
export function pagePath(slug) {
  return `/${slug}/`;
}

/**
 * The whole HTML document around a page's body.
 * @param {{ site: Site, title: string, description: string, path: string, lang?: string, dir?: string,
 *           head?: unknown, body: unknown, script?: string }} p
 */
function layout(p) {
  return html`<!doctype html>
<html lang="${p.lang ?? "en"}" dir="${p.dir ?? "ltr"}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${p.title}</title>
<meta name="description" content="${p.description}">
<link rel="canonical" href="${p.site.url + p.path}">
${p.head}
<style>${raw(css)}</style>
</head>
<body>
<header class="site"><a href="/" class="brand">${p.site.name}</a></header>
${p.body}
<footer class="site"><p>Medication information reviewed by licensed clinicians. It does not replace advice from your own clinician.</p></footer>
${p.script ? html`<script>${raw(p.script)}</script>` : ""}
</body>
</html>
`.value;
}

/**
 * The "Medically reviewed by … · next review due …" byline.
 * @param {DeliveredPage["medicalReview"]} mr
 */
export function byline(mr) {
  const who = mr.reviewer.credentials ? `${mr.reviewer.name}, ${mr.reviewer.credentials}` : mr.reviewer.name;
  return html`<p class="byline" data-testid="byline">Medically reviewed by <strong>${who}</strong>
 · reviewed <time datetime="${mr.reviewedAt}">${formatDate(mr.reviewedAt)}</time>
 · next review due <time datetime="${mr.nextReviewDue}">${formatDate(mr.nextReviewDue)}</time></p>
${mr.overdue ? html`<p class="notice overdue" role="note">This page's periodic medical review is overdue. The information was accurate when it was last reviewed.</p>` : ""}`;
}

/**
 * hreflang links for the page's live language versions (only when the API lists them).
 * @param {DeliveredPage} page @param {Site} site
 */
export function alternates(page, site) {
  const list = page.translations ?? [];
  if (list.length === 0) return "";
  const self = page.locale ?? "en";
  const all = list.some((t) => t.slug === page.slug) ? list : [{ locale: self, slug: page.slug }, ...list];
  return html`${all.map((t) => html`<link rel="alternate" hreflang="${t.locale}" href="${site.url + pagePath(t.slug)}">
`)}`;
}

/** @param {DeliveredPage} page */
function languageLinks(page) {
  const others = (page.translations ?? []).filter((t) => t.slug !== page.slug);
  if (others.length === 0) return "";
  return html`<nav class="languages" aria-label="Other languages"><ul>${others.map(
    (t) => html`<li><a href="${pagePath(t.slug)}" hreflang="${t.locale}" lang="${t.locale}">${t.locale}</a></li>`,
  )}</ul></nav>`;
}

/** @param {DeliveredPage} page */
function outdatedBanner(page) {
  const t = page.translation;
  if (!t || !t.outdated) return "";
  return html`<p class="notice outdated" role="note" data-testid="outdated">This translation may be out of date: the
 <a href="${pagePath(t.sourceSlug)}" hreflang="${t.sourceLocale}">${t.sourceLocale} original</a> has changed since it was translated.</p>`;
}

/** Figures with srcset, only when the API delivers images. @param {DeliveredPage} page */
function images(page) {
  const list = page.images ?? [];
  return list.map(
    (img) => html`<figure class="image">
<img src="${img.src}"${img.srcset ? html` srcset="${img.srcset}" sizes="(min-width: 48rem) 46rem, 100vw"` : ""} width="${img.width}" height="${img.height}" alt="${img.alt}" loading="lazy" decoding="async">
${img.caption || img.credit ? html`<figcaption>${img.caption ?? ""}${img.credit ? html` <span class="credit">${img.credit}</span>` : ""}</figcaption>` : ""}
</figure>`,
  );
}

/** @param {DeliveredPage["drug"]} drug @param {string[]} routes */
function drugFacts(drug, routes) {
  /** @type {[string, string][]} */
  const rows = [];
  if (drug.genericName) rows.push(["Generic name", drug.genericName]);
  if (drug.brandNames?.length) rows.push(["Brand names", drug.brandNames.join(", ")]);
  if (drug.drugClasses?.length) rows.push(["Drug class", drug.drugClasses.join(", ")]);
  if (routes.length) rows.push(["Routes", routes.join(", ")]);
  for (const c of drug.controlledStatus ?? []) rows.push([`Controlled (${c.jurisdiction})`, c.schedule]);
  if (rows.length === 0) return "";
  return html`<aside class="facts" aria-label="Drug facts"><dl>${rows.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl></aside>`;
}

/** @param {Entry} e @param {Site} site */
function readerReviews(e, site) {
  const { page, reviews } = e;
  const stats = page.reviews;
  void site;
  return html`<section class="reader-reviews" id="reviews" aria-labelledby="reviews-h">
<h2 id="reviews-h">Reader reviews</h2>
<p class="note">Opinions of readers, not medical advice and not part of the medical review.${
    stats.count > 0 && stats.averageRating !== null
      ? html` Average rating <strong>${stats.averageRating.toFixed(1)}</strong> of 5 from ${stats.count} ${stats.count === 1 ? "review" : "reviews"}.`
      : ""
  }</p>
${
  reviews.length
    ? html`<ul class="reviews">${reviews.map(
        (r) => html`<li><p class="rating" aria-label="${r.rating} of 5">${"★".repeat(r.rating)}${"☆".repeat(5 - r.rating)}</p>
<blockquote>${r.body}</blockquote><p class="who">${r.name}, <time datetime="${r.createdAt}">${formatDate(r.createdAt)}</time></p></li>`,
      )}</ul>`
    : html`<p>No reader reviews yet.</p>`
}
<form class="review-form" method="post" action="/reviews/${page.slug}" data-slug="${page.slug}">
<h3>Share your experience</h3>
<p><label>Your name <input name="name" required maxlength="100" autocomplete="nickname"></label></p>
<p><label>Rating <select name="rating" required>${[5, 4, 3, 2, 1].map((n) => html`<option value="${n}">${n}</option>`)}</select></label></p>
<p><label>Your review <textarea name="body" required maxlength="5000" rows="4"></textarea></label></p>
<p><button type="submit">Send for moderation</button></p>
<p class="form-status" role="status" aria-live="polite"></p>
</form>
</section>`;
}

// Posts the review form as JSON to the site's own origin (server.mjs relays it to the API)
// and shows the outcome in place; without JavaScript the form posts normally.
const reviewScript = `document.querySelectorAll("form.review-form").forEach(function (f) {
  f.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var out = f.querySelector(".form-status"), d = new FormData(f);
    var body = { name: String(d.get("name")), rating: Number(d.get("rating")), body: String(d.get("body")) };
    fetch("/api/v1/pages/" + encodeURIComponent(f.dataset.slug) + "/reviews", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
    }).then(function (r) {
      if (r.status === 202) { f.reset(); out.textContent = "Thank you. Your review is held for moderation and will appear once an editor approves it."; return; }
      return r.json().then(function (p) {
        var fields = (p.errors || []).map(function (e) { return e.field + ": " + e.message; }).join("; ");
        out.textContent = "Not sent: " + (fields || p.detail || r.status);
      });
    }).catch(function () { out.textContent = "Not sent: the network failed. Please try again."; });
  });
});`;

/**
 * The medication page.
 * @param {Entry} e @param {Site} site
 */
export function renderPage(e, site) {
  const { page } = e;
  const ld = { ...e.jsonld, url: site.url + pagePath(page.slug) };
  const head = html`<meta name="robots" content="index, follow">
${alternates(page, site)}<script type="application/ld+json">${scriptJSON(ld)}</script>`;
  const body = html`<main>
<article class="monograph" data-revision="${page.revision}">
${languageLinks(page)}${outdatedBanner(page)}
<h1>${page.title}</h1>
${byline(page.medicalReview)}
<p class="summary">${page.summary}</p>
${drugFacts(page.drug, page.routes)}
${images(page)}
${page.sections.map((s) => html`<section class="section section-${s.key}" id="${s.key}"><h2>${s.title}</h2>${raw(s.html)}</section>`)}
${
  page.clinicalUses.length
    ? html`<section class="clinical-uses" id="clinical-uses"><h2>Clinical uses</h2><dl>${page.clinicalUses.map(
        (u) => html`<dt>${u.name} <span class="status status-${u.status}">${useStatus[u.status] ?? u.status}</span></dt><dd>${raw(u.descriptionHtml)}</dd>`,
      )}</dl></section>`
    : ""
}
${
  page.sideEffects.common.length || page.sideEffects.serious.length
    ? html`<section class="side-effects" id="side-effects"><h2>Side effects</h2>
${page.sideEffects.common.length ? html`<h3>Common</h3><ul>${page.sideEffects.common.map((s) => html`<li>${s}</li>`)}</ul>` : ""}
${page.sideEffects.serious.length ? html`<h3>Serious</h3><ul class="serious">${page.sideEffects.serious.map((s) => html`<li>${s}</li>`)}</ul>` : ""}
</section>`
    : ""
}
${
  page.patientGuidance.length
    ? html`<section class="guidance" id="guidance"><h2>For patients</h2><ul>${page.patientGuidance.map((g) => html`<li>${g}</li>`)}</ul></section>`
    : ""
}
${
  page.references.length
    ? html`<section class="references" id="references"><h2>References</h2><ol>${page.references.map(
        (r) => html`<li><a href="${r.url}" rel="noopener noreferrer">${r.title}</a>. ${r.publisher}${r.year ? html`, ${r.year}` : ""}.</li>`,
      )}</ol></section>`
    : ""
}
${page.disclaimerHtml ? html`<section class="disclaimer" id="disclaimer" aria-label="Disclaimer">${raw(page.disclaimerHtml)}</section>` : ""}
${page.tags.length ? html`<p class="tags">${page.tags.map((t) => html`<span class="tag">${t}</span> `)}</p>` : ""}
<p class="updated">Published <time datetime="${page.publishedAt}">${formatDate(page.publishedAt)}</time> · revision ${page.revision}</p>
</article>
${readerReviews(e, site)}
</main>`;
  return layout({
    site,
    title: `${page.title} | ${site.name}`,
    description: page.summary,
    path: pagePath(page.slug),
    lang: page.locale,
    dir: page.dir,
    head,
    body,
    script: reviewScript,
  });
}

/** Folds case and accents for the index's search. @param {string} s */
export function fold(s) {
  return s.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

// Filters the index as the reader types: every word must occur in a page's title, drug,
// classes or summary (accents and case ignored).
const searchScript = `(function () {
  var q = document.getElementById("q"), items = document.querySelectorAll("#pages li"), none = document.getElementById("none");
  function fold(s) { return s.normalize("NFD").replace(/\\p{M}/gu, "").toLowerCase(); }
  function run() {
    var words = fold(q.value).split(/\\s+/).filter(Boolean), shown = 0;
    items.forEach(function (li) {
      var hay = li.getAttribute("data-search"), ok = words.every(function (w) { return hay.indexOf(w) >= 0; });
      li.hidden = !ok; if (ok) shown++;
    });
    none.hidden = shown > 0;
  }
  q.addEventListener("input", run); run();
})();`;

/**
 * The index: every live page, with search.
 * @param {PageListItem[]} items @param {Site} site
 */
export function renderIndex(items, site) {
  const sorted = [...items].sort((a, b) => a.title.localeCompare(b.title, "en"));
  const body = html`<main>
<h1>Medications</h1>
<form class="search" role="search" onsubmit="return false"><label for="q">Search medications</label>
<input id="q" type="search" placeholder="Name, class or use" autocomplete="off"></form>
<ul id="pages" class="pages">${sorted.map(
    (p) => html`<li data-search="${fold([p.title, p.drug.name, p.drug.drugClasses.join(" "), p.summary].join(" "))}">
<h2><a href="${pagePath(p.slug)}">${p.title}</a></h2>
<p>${p.summary}</p>
${p.drug.drugClasses.length ? html`<p class="classes">${p.drug.drugClasses.join(" · ")}</p>` : ""}
</li>`,
  )}</ul>
<p id="none" hidden>No medication matches.</p>
</main>`;
  return layout({
    site,
    title: `Medications | ${site.name}`,
    description: `Medically reviewed information about ${sorted.length} medications.`,
    path: "/",
    body,
    script: searchScript,
  });
}

/** The 404 page. @param {Site} site */
export function renderNotFound(site) {
  return layout({
    site,
    title: `Not found | ${site.name}`,
    description: "This page does not exist or was withdrawn.",
    path: "/404.html",
    body: html`<main><h1>Not found</h1><p>This page does not exist or was withdrawn. <a href="/">All medications</a></p></main>`,
  });
}

/** What the index needs of a delivered page. @param {DeliveredPage} p @returns {PageListItem} */
export function listItem(p) {
  return {
    slug: p.slug,
    title: p.title,
    summary: p.summary,
    drug: { name: p.drug.name, drugClasses: p.drug.drugClasses ?? [] },
    publishedAt: p.publishedAt,
    revision: p.revision,
    locale: p.locale,
  };
}
