// The outline of a long page's sections: each entry jumps to its section; from the keyboard,
// Alt+↑/↓ moves a section, Alt+Home/End to the top or bottom (↑/↓ alone go to the next
// entry); with a mouse, entries can be dragged. Sections can be collapsed from here.

import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { Section } from '../api/types';
import { useApp } from '../app-context';
import { SECTION_KEY_LABELS } from '../lib/content';

export function sectionName(s: Section, i: number): string {
  return `${i + 1}. ${s.title || SECTION_KEY_LABELS[s.key] || s.key}`;
}

export function SectionOutline({
  sections,
  onMove,
  onJump,
  allCollapsed,
  onCollapseAll,
}: {
  sections: Section[];
  onMove: (from: number, to: number) => void;
  onJump: (i: number) => void;
  allCollapsed: boolean;
  onCollapseAll: (collapse: boolean) => void;
}) {
  const { announce } = useApp();
  const list = useRef<HTMLOListElement>(null);
  const [focusAt, setFocusAt] = useState<number | null>(null);
  const [dragFrom, setDragFrom] = useState<number | null>(null);
  const n = sections.length;

  useEffect(() => {
    if (focusAt === null) return;
    list.current?.querySelectorAll<HTMLButtonElement>('.outline-jump')[focusAt]?.focus();
    setFocusAt(null);
  }, [focusAt]);

  const move = (from: number, to: number) => {
    const target = Math.max(0, Math.min(n - 1, to));
    if (target === from) return;
    const name = sections[from].title || SECTION_KEY_LABELS[sections[from].key] || sections[from].key;
    onMove(from, target);
    setFocusAt(target);
    announce(`Section “${name}” moved to position ${target + 1} of ${n}.`);
  };

  const onKey = (e: KeyboardEvent<HTMLButtonElement>, i: number) => {
    const to = e.altKey
      ? { ArrowUp: i - 1, ArrowDown: i + 1, Home: 0, End: n - 1 }[e.key]
      : undefined;
    if (to !== undefined) {
      e.preventDefault();
      move(i, to);
      return;
    }
    if (!e.altKey && (e.key === 'ArrowUp' || e.key === 'ArrowDown')) {
      e.preventDefault();
      setFocusAt(Math.max(0, Math.min(n - 1, i + (e.key === 'ArrowUp' ? -1 : 1))));
    }
  };

  if (n === 0) return null;
  return (
    <nav className="outline" aria-labelledby="h-outline">
      <div className="outline-head">
        <h3 id="h-outline">Outline</h3>
        <button type="button" className="btn-link small" onClick={() => onCollapseAll(!allCollapsed)}>
          {allCollapsed ? 'Expand all sections' : 'Collapse all sections'}
        </button>
      </div>
      <p className="hint" id="outline-hint">
        Select a section to go to it. Alt+↑ or Alt+↓ moves it; Alt+Home or Alt+End moves it to the top or bottom.
      </p>
      <ol ref={list} className="outline-list">
        {sections.map((s, i) => (
          <li
            key={i}
            draggable
            className={dragFrom === i ? 'dragging' : undefined}
            onDragStart={(e) => {
              setDragFrom(i);
              e.dataTransfer.effectAllowed = 'move';
              e.dataTransfer.setData('text/plain', String(i));
            }}
            onDragEnd={() => setDragFrom(null)}
            onDragOver={(e) => e.preventDefault()}
            onDrop={(e) => {
              e.preventDefault();
              const from = Number(e.dataTransfer.getData('text/plain'));
              setDragFrom(null);
              if (Number.isInteger(from)) move(from, i);
            }}
          >
            <button type="button" className="outline-jump" aria-describedby="outline-hint" aria-keyshortcuts="Alt+ArrowUp Alt+ArrowDown Alt+Home Alt+End" onClick={() => onJump(i)} onKeyDown={(e) => onKey(e, i)}>
              {sectionName(s, i)}
            </button>
          </li>
        ))}
      </ol>
    </nav>
  );
}
