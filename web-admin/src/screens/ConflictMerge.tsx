// Shown when someone else saved the page first (412 version_conflict): every field either side
// changed, their version beside the local draft, and a choice per field. Nothing is taken
// silently; fields both changed must be decided by the writer.

import { useMemo, useState } from 'react';
import type { Content, Page } from '../api/types';
import type { DiffPart } from '../lib/diff';
import { Modal, personName, Time } from '../components/ui';
import { applyMerge, defaultChoices, mergeFields, unresolved, type Choice } from '../lib/merge';
import { normalizeContent } from '../lib/content';

/** One person's change to the common version: their added words in their colour, removed
 * words struck through, each named for screen readers. */
function Changes({ parts, who }: { parts: DiffPart[]; who: string }) {
  return (
    <div className="diff-text">
      {parts.map((p, i) =>
        p.op === 'equal' ? (
          <span key={i}>{p.text}</span>
        ) : p.op === 'insert' ? (
          <ins key={i}>
            <span className="visually-hidden">[added by {who}: </span>
            {p.text}
            <span className="visually-hidden">]</span>
          </ins>
        ) : (
          <del key={i}>
            <span className="visually-hidden">[removed by {who}: </span>
            {p.text}
            <span className="visually-hidden">]</span>
          </del>
        ),
      )}
    </div>
  );
}

const STATUS_TEXT: Record<string, string> = {
  theirs: 'Changed by them — you did not touch it.',
  mine: 'Changed by you — they did not touch it.',
  'both-same': 'You both made the same change.',
  conflict: 'Changed by both of you — choose which version to keep.',
};

export function ConflictMerge({
  base,
  mine,
  theirs,
  busy,
  onApply,
  onCancel,
}: {
  base: Content | null;
  mine: Content;
  theirs: Page;
  busy: boolean;
  onApply: (merged: Content, save: boolean) => void;
  onCancel: () => void;
}) {
  const theirContent = useMemo(() => normalizeContent(theirs.content), [theirs]);
  const fields = useMemo(() => mergeFields(base, mine, theirContent), [base, mine, theirContent]);
  const [choices, setChoices] = useState<Record<string, Choice | undefined>>(() => defaultChoices(fields));
  const open = unresolved(fields, choices);
  const apply = (save: boolean) => onApply(applyMerge(mine, theirContent, fields, choices), save);
  const who = personName(theirs.updatedBy);

  return (
    <Modal open title="Someone else saved this page first" onClose={onCancel} wide className="conflict-dialog">
      <div className="modal-body">
        <p>
          While you were editing, <strong>{personName(theirs.updatedBy)}</strong> saved a new version (revision {theirs.revision}
          {theirs.updatedAt ? (
            <>
              , <Time iso={theirs.updatedAt} />
            </>
          ) : null}
          ). Nothing has been overwritten, and your draft is kept on this device. Review each difference below and choose which
          version to keep, then save the merged page.
        </p>
        <p className="merge-legend">
          <span className="legend-them">Words {who} added</span> <span className="legend-you">Words you added</span> <del>Words removed</del> — each column shows one person's
          changes to the version you both started from.
        </p>
        {fields.length === 0 && <p>Your draft and their version are the same: nothing to merge.</p>}
        <ol className="merge-list">
          {fields.map((f) => {
            const name = `merge-${f.path}`;
            const choice = choices[f.path];
            return (
              <li key={f.path} className={`merge-field merge-${f.status}${choice === undefined ? ' unresolved' : ''}`} data-path={f.path}>
                <fieldset>
                  <legend>
                    <span className="merge-label">{f.label}</span> <span className="merge-status">{STATUS_TEXT[f.status]}</span>
                  </legend>
                  <div className="diff-side merge-sides">
                    <div className="diff-col by-them">
                      <p className="diff-col-label">{f.status === 'mine' ? 'Their version (unchanged)' : `Their version: what ${who} changed`}</p>
                      <Changes parts={f.theirChange} who={who} />
                    </div>
                    <div className="diff-col by-you">
                      <p className="diff-col-label">{f.status === 'theirs' ? 'Your draft (unchanged)' : 'Your draft: what you changed'}</p>
                      <Changes parts={f.myChange} who="you" />
                    </div>
                  </div>
                  <div className="merge-choice">
                    <label>
                      <input type="radio" name={name} checked={choice === 'theirs'} onChange={() => setChoices((c) => ({ ...c, [f.path]: 'theirs' }))} /> Take their version
                    </label>
                    <label>
                      <input type="radio" name={name} checked={choice === 'mine'} onChange={() => setChoices((c) => ({ ...c, [f.path]: 'mine' }))} /> Keep my version
                    </label>
                  </div>
                </fieldset>
              </li>
            );
          })}
        </ol>
      </div>
      <div className="modal-actions">
        {open.length > 0 && (
          <p className="muted" role="status">
            Choose a version for {open.length} field{open.length === 1 ? '' : 's'} changed by both of you.
          </p>
        )}
        <button type="button" className="btn-secondary" onClick={onCancel} disabled={busy}>
          Not now
        </button>
        <button type="button" className="btn-secondary" onClick={() => apply(false)} disabled={busy || open.length > 0}>
          Put merge in the editor
        </button>
        <button type="button" className="btn-primary" onClick={() => apply(true)} disabled={busy || open.length > 0}>
          {busy ? 'Saving…' : 'Save merged version'}
        </button>
      </div>
    </Modal>
  );
}
