// Marks, in a rendering of the new text (delivery's HTML, unchanged otherwise), what changed
// since an older rendering: a reviewer reads the page as readers will see it, with the
// changed words in place. Blocks (paragraphs, headings, list items, table rows) are aligned
// first; a changed block gets its inserted words in <ins class="chg"> and its removed words
// in <del class="chg">, a new block the class chg-new, a removed block comes back struck
// through with the class chg-removed.

import { cleanupSemantic, diffTokens } from './diff';

/** Word diff where punctuation is a token of its own, so "food." → "water." marks the word,
 * not the full stop the two share. */
function diffWords(a: string, b: string) {
  const tok = (s: string) => s.match(/\s+|[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu) ?? [];
  return cleanupSemantic(diffTokens(tok(a), tok(b)));
}

export interface Marked {
  html: string;
  /** Whether anything differs. */
  changed: boolean;
}

const LIST_LIKE = new Set(['UL', 'OL', 'TABLE', 'THEAD', 'TBODY', 'TFOOT', 'BLOCKQUOTE']);

/** The block elements of a rendering, in reading order: lists and tables give their items and
 * rows, since one changed item must not mark the whole list. */
function blocks(root: Element): Element[] {
  const out: Element[] = [];
  for (const el of Array.from(root.children)) {
    if (LIST_LIKE.has(el.tagName)) out.push(...blocks(el));
    else out.push(el);
  }
  return out;
}

const norm = (s: string | null) => (s ?? '').replace(/\s+/g, ' ').trim();

type Step = { op: 'equal'; a: number; b: number } | { op: 'delete'; a: number } | { op: 'insert'; b: number };

/** LCS alignment of two sequences of block texts. */
function align(a: string[], b: string[]): Step[] {
  const n = a.length;
  const m = b.length;
  const dp: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) dp[i][j] = a[i] === b[j] ? dp[i + 1][j + 1] + 1 : Math.max(dp[i + 1][j], dp[i][j + 1]);
  const out: Step[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) out.push({ op: 'equal', a: i++, b: j++ });
    else if (dp[i + 1][j] >= dp[i][j + 1]) out.push({ op: 'delete', a: i++ });
    else out.push({ op: 'insert', b: j++ });
  }
  while (i < n) out.push({ op: 'delete', a: i++ });
  while (j < m) out.push({ op: 'insert', b: j++ });
  return out;
}

/** The text nodes of el that belong to the new text (not our own <del> marks), with their
 * offsets in el's text. */
function textNodes(el: Element): { node: Text; start: number }[] {
  const doc = el.ownerDocument;
  const walker = doc.createTreeWalker(el, 4 /* NodeFilter.SHOW_TEXT */);
  const out: { node: Text; start: number }[] = [];
  let pos = 0;
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if ((n.parentElement as Element | null)?.closest('del.chg')) continue;
    out.push({ node: n as Text, start: pos });
    pos += (n as Text).data.length;
  }
  return out;
}

/** Wraps el's text from offset `from` to `to` in <ins class="chg">, node by node (a change may
 * span a <strong> or a link). */
function wrapInserted(el: Element, from: number, to: number) {
  for (const { node, start } of textNodes(el).reverse()) {
    const end = start + node.data.length;
    const a = Math.max(from, start);
    const b = Math.min(to, end);
    if (a >= b) continue;
    let piece = node;
    if (a > start) piece = piece.splitText(a - start);
    if (b < end) piece.splitText(b - a);
    const ins = el.ownerDocument.createElement('ins');
    ins.className = 'chg';
    piece.parentNode!.insertBefore(ins, piece);
    ins.appendChild(piece);
  }
}

/** Puts <del class="chg">text</del> at offset `at` of el's text. */
function insertDeleted(el: Element, at: number, text: string) {
  const del = el.ownerDocument.createElement('del');
  del.className = 'chg';
  del.textContent = text;
  const nodes = textNodes(el);
  const hit = nodes.find(({ node, start }) => at >= start && at < start + node.data.length);
  if (hit) {
    let rest: Node = at > hit.start ? hit.node.splitText(at - hit.start) : hit.node;
    // Before an insertion that starts here, not inside it: "<del>old</del><ins>new</ins>".
    while (rest.parentElement?.matches('ins.chg') && rest.parentElement.firstChild === rest) rest = rest.parentElement;
    rest.parentNode!.insertBefore(del, rest);
  } else {
    const last = nodes[nodes.length - 1];
    if (last) last.node.parentNode!.insertBefore(del, last.node.nextSibling);
    else el.appendChild(del);
  }
}

/** Marks the words of el that differ from oldText. */
function markWords(el: Element, oldText: string) {
  const parts = diffWords(oldText, el.textContent ?? '');
  // From the end, so that the offsets of what comes before stay valid.
  let pos = parts.reduce((n, p) => (p.op === 'delete' ? n : n + p.text.length), 0);
  for (let i = parts.length - 1; i >= 0; i--) {
    const p = parts[i];
    if (p.op === 'delete') {
      insertDeleted(el, pos, p.text);
      continue;
    }
    pos -= p.text.length;
    if (p.op === 'insert' && p.text.trim()) wrapInserted(el, pos, pos + p.text.length);
  }
}

/** A removed block, struck through, to show where it was. */
function removedCopy(old: Element, doc: Document): Element {
  const copy = doc.importNode(old, true) as Element;
  copy.classList.add('chg-removed');
  const del = doc.createElement('del');
  del.className = 'chg';
  while (copy.firstChild) del.appendChild(copy.firstChild);
  copy.appendChild(del);
  return copy;
}

/** Marks in newHtml what changed since oldHtml (null: the whole thing is new). */
export function markChanges(oldHtml: string | null, newHtml: string, doc: Document = document): Marked {
  // A document of its own: nothing parsed here loads or runs.
  const own = doc.implementation.createHTMLDocument('');
  const b = own.createElement('div');
  b.innerHTML = newHtml;
  if (oldHtml === null) {
    const changed = norm(b.textContent) !== '';
    for (const el of blocks(b)) el.classList.add('chg-new');
    return { html: b.innerHTML, changed };
  }
  const a = own.createElement('div');
  a.innerHTML = oldHtml;
  const ab = blocks(a);
  const bb = blocks(b);
  const steps = align(
    ab.map((e) => e.tagName + ':' + norm(e.textContent)),
    bb.map((e) => e.tagName + ':' + norm(e.textContent)),
  );
  let changed = false;
  for (let k = 0; k < steps.length; ) {
    if (steps[k].op === 'equal') {
      k++;
      continue;
    }
    changed = true;
    // A run of deletions and insertions: pair them in order (an edited paragraph), the
    // rest are whole blocks added or removed.
    const dels: number[] = [];
    const inss: number[] = [];
    while (k < steps.length && steps[k].op !== 'equal') {
      const s = steps[k++];
      if (s.op === 'delete') dels.push(s.a);
      else if (s.op === 'insert') inss.push(s.b);
    }
    const pairs = Math.min(dels.length, inss.length);
    for (let p = 0; p < pairs; p++) markWords(bb[inss[p]], ab[dels[p]].textContent ?? '');
    for (const i of inss.slice(pairs)) bb[i].classList.add('chg-new');
    // Removed blocks go where they were: before the next block of the new text, or after
    // the last one.
    const next = k < steps.length ? bb[(steps[k] as { b: number }).b] : null;
    for (const i of dels.slice(pairs)) {
      const copy = removedCopy(ab[i], own);
      const anchor = next ?? (bb.length ? bb[bb.length - 1] : null);
      if (!anchor) b.appendChild(copy);
      else if (next) anchor.parentNode!.insertBefore(copy, anchor);
      else anchor.parentNode!.insertBefore(copy, anchor.nextSibling);
    }
  }
  return { html: b.innerHTML, changed };
}
