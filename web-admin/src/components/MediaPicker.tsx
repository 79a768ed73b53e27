// Choosing an image from the media library (or uploading one on the spot) for a page: in
// the page's images list and in Markdown fields, where it places `![alt](asset:<id>)`.

import { useCallback, useEffect, useId, useRef, useState, type RefObject, type SyntheticEvent } from 'react';
import { createPortal } from 'react-dom';
import { errorMessage } from '../api/client';
import { useApp } from '../app-context';
import { applyEdit } from '../lib/markdownEdit';
import { assetLabel, insertImageEdit, listMedia, type MediaAsset } from '../lib/media';
import { UploadForm } from '../screens/media/UploadForm';
import { ImageThumb } from './ImageThumb';
import { ErrorBox, Loading, Modal } from './ui';
import '../screens/media/media.css';

export function MediaPicker({ title = 'Choose an image', onPick, onClose }: { title?: string; onPick: (a: MediaAsset) => void; onClose: () => void }) {
  const { api, can } = useApp();
  const [q, setQ] = useState('');
  const [search, setSearch] = useState('');
  const [items, setItems] = useState<MediaAsset[] | null>(null);
  const [cursor, setCursor] = useState<string | undefined>();
  const [error, setError] = useState<string | null>(null);
  const [uploading, setUploading] = useState(false);
  const searchId = useId();
  const load = useCallback(
    async (c?: string) => {
      try {
        const r = await listMedia(api, q, c);
        setItems((cur) => (c ? [...(cur ?? []), ...r.data] : r.data));
        setCursor(r.nextCursor || undefined);
        setError(null);
      } catch (e) {
        setError(errorMessage(e));
      }
    },
    [api, q],
  );
  useEffect(() => void load(), [load]);

  // In <body>, not inside the page editor's form (a form in a form is invalid); and its
  // submits and keys stay here: React passes them up to the editor's form otherwise, where
  // Enter is swallowed and Ctrl+S saves.
  const stop = (e: SyntheticEvent) => e.stopPropagation();
  return createPortal(
    <div onSubmit={stop} onKeyDown={stop}>
      <Modal open title={title} onClose={onClose} wide className="media-picker">
        <div className="modal-body">
          <form
            className="filters"
            role="search"
            aria-label="Images"
            onSubmit={(e) => {
              e.preventDefault();
              setQ(search.trim());
            }}
          >
            <div className="field">
              <label htmlFor={searchId}>Search images</label>
              <input id={searchId} type="search" value={search} data-autofocus onChange={(e) => setSearch(e.target.value)} />
            </div>
            <button type="submit" className="btn-secondary">
              Search
            </button>
          </form>
          <ErrorBox error={error} />
          {!items && !error ? (
            <Loading what="Loading images" />
          ) : items && items.length === 0 ? (
            <p className="muted">{q ? 'No images match.' : 'The library has no images yet.'}</p>
          ) : items ? (
            <ul className="picker-grid" aria-label="Images to choose from">
              {items.map((a) => (
                <li key={a.id}>
                  <button type="button" className="picker-choice" onClick={() => onPick(a)} aria-label={`Use ${assetLabel(a)}`}>
                    <ImageThumb id={a.id} alt="" />
                    <span aria-hidden="true">{assetLabel(a)}</span>
                  </button>
                </li>
              ))}
            </ul>
          ) : null}
          {cursor && (
            <button type="button" className="btn-secondary small" onClick={() => void load(cursor)}>
              Load more
            </button>
          )}
          {can('media:write') && (
            <div className="picker-upload">
              <button type="button" className="btn-link" aria-expanded={uploading} onClick={() => setUploading((u) => !u)}>
                {uploading ? 'Hide the upload form' : 'Upload a new image'}
              </button>
              {uploading && <UploadForm prefix="picker" onUploaded={onPick} />}
            </div>
          )}
        </div>
        <div className="modal-actions">
          <button type="button" className="btn-secondary" onClick={onClose}>
            Cancel
          </button>
        </div>
      </Modal>
    </div>,
    document.body,
  );
}

/** The Markdown toolbar's "Image" button: picks an image and places it at the cursor, as
 * typing would (so Ctrl+Z takes it out again). */
export function MarkdownImageButton({ area, label, onChange }: { area: RefObject<HTMLTextAreaElement | null>; label: string; onChange: (v: string) => void }) {
  const { can } = useApp();
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  // Where the cursor was when the picker opened: the dialog takes the focus away.
  const sel = useRef<[number, number]>([0, 0]);
  if (!can('media:read')) return null;
  const place = (a: MediaAsset) => {
    setOpen(false);
    const t = area.current;
    if (!t) return;
    const e = insertImageEdit(t.value, sel.current[0], sel.current[1], a.decorative ? '' : a.alt ?? '', a.id);
    requestAnimationFrame(() => {
      t.focus();
      t.setSelectionRange(e.from, e.to);
      if (!document.execCommand?.('insertText', false, e.insert)) onChange(applyEdit(t.value, e));
      requestAnimationFrame(() => area.current?.setSelectionRange(e.selStart, e.selEnd));
    });
  };
  return (
    <>
      <button
        ref={button}
        type="button"
        className="btn-icon md-button"
        aria-label="Image"
        title={`Insert an image into ${label}`}
        aria-haspopup="dialog"
        onClick={() => {
          const t = area.current;
          sel.current = t ? [t.selectionStart, t.selectionEnd] : [0, 0];
          setOpen(true);
        }}
      >
        {/* A drawn picture: an emoji needs a font that is not everywhere. */}
        <svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
          <rect x="1.5" y="2.5" width="13" height="11" rx="1" fill="none" stroke="currentColor" />
          <circle cx="5.5" cy="6" r="1.3" fill="currentColor" />
          <path d="M2.5 12.5 6.5 8.5l2.5 2.5 2-2 2.5 3.5z" fill="currentColor" />
        </svg>
      </button>
      {open && (
        <MediaPicker
          title={`Insert an image into ${label}`}
          onPick={place}
          onClose={() => {
            setOpen(false);
            button.current?.focus();
          }}
        />
      )}
    </>
  );
}
