// @ts-check
// The index of every live page, with search.
import { renderIndex } from "../lib/render.js";

export const data = { permalink: "/index.html" };

/** @param {{ monograph: { site: import("../lib/render.js").Site, index: import("@monograph-cms/client").PageListItem[] } }} d */
export function render(d) {
  return renderIndex(d.monograph.index, d.monograph.site);
}
