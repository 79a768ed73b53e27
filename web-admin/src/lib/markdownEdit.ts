// The Markdown toolbar's edits, as pure functions of the text and the selection: each returns
// the replacement of a range (so the textarea can insert it as typing does, keeping undo) and
// the selection after it.

export type Format = 'bold' | 'italic' | 'link' | 'list' | 'table';

export interface Edit {
  /** Replace text[from, to) with insert. */
  from: number;
  to: number;
  insert: string;
  /** The selection afterwards. */
  selStart: number;
  selEnd: number;
}

const PLACEHOLDER: Record<'bold' | 'italic' | 'link', string> = { bold: 'bold text', italic: 'italic text', link: 'link text' };

export function formatEdit(text: string, start: number, end: number, f: Format): Edit {
  const sel = text.slice(start, end);
  switch (f) {
    case 'bold':
    case 'italic': {
      const mark = f === 'bold' ? '**' : '_';
      const inner = sel || PLACEHOLDER[f];
      return { from: start, to: end, insert: mark + inner + mark, selStart: start + mark.length, selEnd: start + mark.length + inner.length };
    }
    case 'link': {
      const label = sel || PLACEHOLDER.link;
      const insert = `[${label}](https://)`;
      const url = start + label.length + 3;
      return { from: start, to: end, insert, selStart: url, selEnd: url + 'https://'.length };
    }
    case 'list': {
      // Every line the selection touches becomes a list item (or stops being one).
      const lineStart = text.lastIndexOf('\n', start - 1) + 1;
      const nl = text.indexOf('\n', Math.max(end - (end > start && text[end - 1] === '\n' ? 1 : 0), start));
      const lineEnd = nl === -1 ? text.length : nl;
      const lines = text.slice(lineStart, lineEnd).split('\n');
      const all = lines.every((l) => /^\s*[-*+] /.test(l) || l.trim() === '');
      const out = lines.map((l) => (all ? l.replace(/^(\s*)[-*+] /, '$1') : l.trim() === '' ? l : `- ${l}`)).join('\n');
      return { from: lineStart, to: lineEnd, insert: out, selStart: lineStart, selEnd: lineStart + out.length };
    }
    case 'table': {
      const table = '| Column | Column |\n| --- | --- |\n| Cell | Cell |';
      // A table is a block: blank lines around it.
      const before = start === 0 ? '' : text.slice(0, start).endsWith('\n\n') ? '' : text.slice(0, start).endsWith('\n') ? '\n' : '\n\n';
      const rest = text.slice(end);
      const after = rest === '' ? '' : rest.startsWith('\n\n') ? '' : rest.startsWith('\n') ? '\n' : '\n\n';
      const insert = before + table + after;
      const first = start + before.length + 2;
      return { from: start, to: end, insert, selStart: first, selEnd: first + 'Column'.length };
    }
  }
}

/** Applies an edit to text (for tests and as the fallback where the browser cannot insert
 * text as typing does). */
export function applyEdit(text: string, e: Edit): string {
  return text.slice(0, e.from) + e.insert + text.slice(e.to);
}

/** The items of a pasted text: one per line, list markers ("- ", "* ", "1. ") dropped, empty
 * lines skipped. A single line is not a list (it is pasted as typed). */
export function pastedItems(text: string): string[] | null {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.replace(/^\s*(?:[-*+•]|\d+[.)])\s+/, '').trim())
    .filter((l) => l !== '');
  return lines.length > 1 ? lines : null;
}
