import { describe, expect, it } from 'vitest';
import { applyEdit, formatEdit, pastedItems, type Format } from './markdownEdit';

// The text with [ and ] marking the selection, before and after.
function run(marked: string, f: Format): string {
  const start = marked.indexOf('[');
  const end = marked.indexOf(']') - 1;
  const text = marked.replace('[', '').replace(']', '');
  const e = formatEdit(text, start, end, f);
  const out = applyEdit(text, e);
  return out.slice(0, e.selStart) + '[' + out.slice(e.selStart, e.selEnd) + ']' + out.slice(e.selEnd);
}

describe('formatEdit', () => {
  it.each([
    { f: 'bold', text: 'Take [with food] daily.', want: 'Take **[with food]** daily.' },
    { f: 'bold', text: 'Take []daily.', want: 'Take **[bold text]**daily.' },
    { f: 'italic', text: '[rare]', want: '_[rare]_' },
    { f: 'link', text: 'See [the label].', want: 'See [the label]([https://]).' },
    { f: 'list', text: 'nausea\n[dizzi]ness\nrash', want: 'nausea\n[- dizziness]\nrash' },
    { f: 'list', text: '[nausea\ndizziness]', want: '[- nausea\n- dizziness]' },
    { f: 'list', text: '[- nausea\n- dizziness]', want: '[nausea\ndizziness]' },
    { f: 'table', text: 'Doses:[]', want: 'Doses:\n\n| [Column] | Column |\n| --- | --- |\n| Cell | Cell |' },
  ] as { f: Format; text: string; want: string }[])('$f: $text', ({ f, text, want }) => {
    expect(run(text, f)).toBe(want);
  });
});

describe('pastedItems', () => {
  it.each([
    { text: 'nausea\ndizziness\r\n\n- rash\n2. headache', want: ['nausea', 'dizziness', 'rash', 'headache'] },
    { text: '• one\n• two', want: ['one', 'two'] },
    { text: 'just one line', want: null },
    { text: 'one\n\n', want: null },
  ])('$text', ({ text, want }) => {
    expect(pastedItems(text)).toEqual(want);
  });
});
