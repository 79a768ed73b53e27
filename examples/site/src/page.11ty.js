// @ts-check
// One medication page per delivered page handed to this build (all of them on a full
// build, only the changed ones on an update), at /<slug>/.
import { pagePath, renderPage } from "../lib/render.js";

/** @typedef {{ monograph: { site: import("../lib/render.js").Site }, entry: import("../lib/render.js").Entry }} Data */

export const data = {
  pagination: { data: "monograph.render", size: 1, alias: "entry" },
  /** @param {Data} d */
  permalink: (d) => `${pagePath(d.entry.page.slug)}index.html`,
  eleventyExcludeFromCollections: true,
};

/** @param {Data} d */
export function render(d) {
  return renderPage(d.entry, d.monograph.site);
}
