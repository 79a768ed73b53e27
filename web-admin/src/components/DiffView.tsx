import { useId, useState } from 'react';
import type { DiffPart, FieldChange } from '../lib/diff';

function Parts({ parts, side }: { parts: DiffPart[]; side?: 'before' | 'after' }) {
  return (
    <>
      {parts.map((p, i) => {
        if (p.op === 'equal') return <span key={i}>{p.text}</span>;
        if (p.op === 'delete') {
          if (side === 'after') return null;
          return (
            <del key={i}>
              <span className="visually-hidden">[removed: </span>
              {p.text}
              <span className="visually-hidden">]</span>
            </del>
          );
        }
        if (side === 'before') return null;
        return (
          <ins key={i}>
            <span className="visually-hidden">[added: </span>
            {p.text}
            <span className="visually-hidden">]</span>
          </ins>
        );
      })}
    </>
  );
}

/** Two texts side by side: the left keeps deletions, the right insertions, both highlighted. */
export function SideBySide({ parts, leftLabel, rightLabel }: { parts: DiffPart[]; leftLabel: string; rightLabel: string }) {
  return (
    <div className="diff-side">
      <div className="diff-col">
        <p className="diff-col-label">{leftLabel}</p>
        <div className="diff-text">
          <Parts parts={parts} side="before" />
        </div>
      </div>
      <div className="diff-col">
        <p className="diff-col-label">{rightLabel}</p>
        <div className="diff-text">
          <Parts parts={parts} side="after" />
        </div>
      </div>
    </div>
  );
}

export function InlineDiff({ parts }: { parts: DiffPart[] }) {
  return (
    <div className="diff-text diff-inline">
      <Parts parts={parts} />
    </div>
  );
}

export function DiffView({
  changes,
  fromLabel,
  toLabel,
  headingLevel = 3,
  emptyText = 'No differences.',
  defaultMode = 'side',
}: {
  changes: FieldChange[];
  fromLabel: string;
  toLabel: string;
  headingLevel?: 3 | 4;
  emptyText?: string;
  defaultMode?: 'side' | 'inline';
}) {
  const [mode, setMode] = useState<'side' | 'inline'>(defaultMode);
  const name = useId();
  const H = headingLevel === 3 ? 'h3' : 'h4';
  return (
    <div className="diff-view">
      <fieldset className="segmented">
        <legend className="visually-hidden">Diff layout</legend>
        <label>
          <input type="radio" name={name} checked={mode === 'side'} onChange={() => setMode('side')} /> Side by side
        </label>
        <label>
          <input type="radio" name={name} checked={mode === 'inline'} onChange={() => setMode('inline')} /> Inline
        </label>
      </fieldset>
      <p className="diff-legend">
        <del>removed</del> <ins>added</ins> · {changes.length} changed field{changes.length === 1 ? '' : 's'}
      </p>
      {changes.length === 0 && <p className="muted">{emptyText}</p>}
      {changes.map((c, i) => (
        <div className="diff-field" key={c.path + ':' + i}>
          <H className="diff-field-label">{c.label}</H>
          {mode === 'side' ? <SideBySide parts={c.parts} leftLabel={fromLabel} rightLabel={toLabel} /> : <InlineDiff parts={c.parts} />}
        </div>
      ))}
    </div>
  );
}
