// The media library: upload images (with their alt text and licence), find them, see which
// pages use them and when their licence ends, edit their details and delete unused ones. The
// server refuses to delete an image a live or working revision uses; that refusal is shown
// with the pages to change first.

import { useCallback, useEffect, useId, useState } from 'react';
import { ApiError, errorMessage } from '../api/client';
import { useApp } from '../app-context';
import { ErrorBox, Loading } from '../components/ui';
import { assetLabel, describeMediaError, listMedia, mediaPath, type MediaAsset } from '../lib/media';
import { EditMediaDialog } from './media/EditMediaDialog';
import { MediaCard } from './media/MediaCard';
import { UploadForm } from './media/UploadForm';
import './media/media.css';

export function MediaLibrary() {
  const { api, can, confirm, announce } = useApp();
  const [q, setQ] = useState('');
  const [search, setSearch] = useState('');
  const [items, setItems] = useState<MediaAsset[] | null>(null);
  const [cursor, setCursor] = useState<string | undefined>();
  const [error, setError] = useState<string | null>(null);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [editing, setEditing] = useState<MediaAsset | null>(null);
  const searchId = useId();
  const write = can('media:write');
  const remove = can('media:delete');

  const load = useCallback(async () => {
    setError(null);
    try {
      const r = await listMedia(api, q);
      setItems(r.data);
      setCursor(r.nextCursor || undefined);
    } catch (e) {
      setError(errorMessage(e));
    }
  }, [api, q]);
  useEffect(() => {
    setItems(null);
    void load();
  }, [load]);

  const more = async () => {
    try {
      const r = await listMedia(api, q, cursor);
      setItems((cur) => [...(cur ?? []), ...r.data]);
      setCursor(r.nextCursor || undefined);
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  const del = async (a: MediaAsset) => {
    setRefusal(null);
    const ok = await confirm({
      title: 'Delete this image?',
      message: `“${assetLabel(a)}” and its stored files are deleted. Pages cannot use it any more.`,
      confirmLabel: 'Delete image',
      danger: true,
    });
    if (!ok) return;
    try {
      await api.delete(mediaPath(a.id));
      announce('Image deleted.');
      setItems((cur) => cur?.filter((x) => x.id !== a.id) ?? null);
    } catch (e) {
      setRefusal(`“${assetLabel(a)}”: ${describeMediaError(e, errorMessage)}`);
      requestAnimationFrame(() => document.querySelector('[data-testid="media-refusal"]')?.scrollIntoView({ block: 'center' }));
      // The server's answer says which pages use it now: show them on the card.
      if (e instanceof ApiError && e.code === 'asset_in_use') void load();
    }
  };

  return (
    <>
      <div className="screen-head">
        <h1>Media library</h1>
      </div>
      <p className="muted">
        Images are part of what a medical reviewer signs: a page shows exactly the pixels that were approved, and a new or replaced image is published only with a new signature.
      </p>
      {write && (
        <section className="card" aria-labelledby="h-upload">
          <h2 id="h-upload">Upload an image</h2>
          <UploadForm
            headingId="h-upload"
            onUploaded={(a) => {
              setItems((cur) => [a, ...(cur ?? []).filter((x) => x.id !== a.id)]);
            }}
          />
        </section>
      )}
      <h2 id="h-library">Images</h2>
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
          <input id={searchId} type="search" value={search} placeholder="Alt text, caption, credit or licence" onChange={(e) => setSearch(e.target.value)} />
        </div>
        <button type="submit" className="btn-secondary">
          Search
        </button>
      </form>
      <ErrorBox error={error} title="The images could not be loaded." />
      <div aria-live="polite">
        {refusal && (
          <div className="alert alert-error" role="alert" data-testid="media-refusal">
            <strong>Not deleted. </strong>
            {refusal}{' '}
            <button type="button" className="btn-link" onClick={() => setRefusal(null)}>
              Dismiss
            </button>
          </div>
        )}
      </div>
      {!items && !error ? (
        <Loading what="Loading images" />
      ) : items && items.length === 0 ? (
        <p className="empty-state">{q ? 'No images match.' : 'No images yet.'}</p>
      ) : items ? (
        <ul className="media-grid" aria-labelledby="h-library">
          {items.map((a) => (
            <MediaCard key={a.id} asset={a} onEdit={write ? () => setEditing(a) : undefined} onDelete={remove ? () => void del(a) : undefined} />
          ))}
        </ul>
      ) : null}
      {cursor && (
        <button type="button" className="btn-secondary" onClick={more}>
          Load more
        </button>
      )}
      {editing && (
        <EditMediaDialog
          asset={editing}
          onClose={() => setEditing(null)}
          onSaved={(a) => {
            setItems((cur) => cur?.map((x) => (x.id === a.id ? { ...x, ...a } : x)) ?? null);
            setEditing(null);
          }}
        />
      )}
    </>
  );
}
