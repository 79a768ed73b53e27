// @ts-check
// Served for unknown paths and for pages that were unpublished.
import { renderNotFound } from "../lib/render.js";

export const data = { permalink: "/404.html" };

/** @param {{ monograph: { site: import("../lib/render.js").Site } }} d */
export function render(d) {
  return renderNotFound(d.monograph.site);
}
