// @ts-check
// HTML built with a tagged template that escapes every interpolated value, so text from the
// API (titles, reader reviews, reference names) can never become markup. The only way to
// insert markup is raw(), used for the sanitised HTML the server renders from Markdown
// (`html`, `descriptionHtml`, `disclaimerHtml`) and for the site's own fragments.

/** Markup that is inserted as is. */
export class Raw {
  /** @param {string} s */
  constructor(s) {
    this.value = s;
  }
  toString() {
    return this.value;
  }
}

/** @param {string} s */
export function raw(s) {
  return new Raw(s);
}

const ESC = /** @type {Record<string, string>} */ ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" });

/** Escapes text for an element's content or a quoted attribute. @param {unknown} v */
export function escape(v) {
  return String(v).replace(/[&<>"']/g, (c) => ESC[c] ?? c);
}

/** @param {unknown} v @returns {string} */
function part(v) {
  if (v === null || v === undefined || v === false) return "";
  if (v instanceof Raw) return v.value;
  if (Array.isArray(v)) return v.map(part).join("");
  return escape(v);
}

/**
 * html`<p>${text}</p>` — values are escaped; arrays are joined; null, undefined and false
 * render nothing; Raw values (other html`` results, raw()) are inserted as they are.
 * @param {TemplateStringsArray} strings
 * @param {unknown[]} values
 */
export function html(strings, ...values) {
  let out = strings[0] ?? "";
  values.forEach((v, i) => {
    out += part(v) + (strings[i + 1] ?? "");
  });
  return new Raw(out);
}

/**
 * JSON for a <script> element: "<" is escaped so no value can close the element, and the
 * line separators JavaScript once rejected are escaped too.
 * @param {unknown} v
 */
export function scriptJSON(v) {
  return new Raw(
    JSON.stringify(v)
      .replace(/</g, "\\u003c")
      .replace(/>/g, "\\u003e")
      .replace(/&/g, "\\u0026")
      .replace(/\u2028/g, "\\u2028")
      .replace(/\u2029/g, "\\u2029"),
  );
}
