// The whole page as readers will see it, beside the editor: it follows the section being
// edited, renders once the writer pauses (through the shared renderer, so only changed text
// is sent), and offers a preview link to share the saved revision.

import { useEffect, useRef, useState } from 'react';
import { errorMessage } from '../api/client';
import type { Content } from '../api/types';
import { useApp } from '../app-context';
import { blockKeyOf, readerBlocks, readerSourceOf, type ReaderBlock } from '../lib/reader';
import { rendererFor } from '../lib/renderer';
import { previewLink } from '../screens/page/rendered';
import { useTextLanguage } from '../screens/page/translations/context';
import { ReaderView } from './ReaderView';
import { ImagePreview } from './ImagePreview';
import { formatTime } from './ui';

export function PreviewPane({ content, activePath, pageId, savedRevision }: { content: Content; activePath: string | null; pageId: string | null; savedRevision?: number }) {
  const { api } = useApp();
  const textLanguage = useTextLanguage(); // dir="rtl" for right-to-left pages
  const [shown, setShown] = useState<{ title: string; blocks: ReaderBlock[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const seq = useRef(0);
  const pane = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const my = ++seq.current;
    const t = window.setTimeout(
      () => {
        readerSourceOf(content, (md) => rendererFor(api).render(md)).then(
          (src) => {
            if (my === seq.current) {
              setShown({ title: src.title, blocks: readerBlocks(src) });
              setError(null);
            }
          },
          (e) => my === seq.current && setError(errorMessage(e)),
        );
      },
      shown ? 300 : 0,
    );
    return () => window.clearTimeout(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [content, api]);

  const active = blockKeyOf(activePath, content);
  useEffect(() => {
    if (!active || !pane.current) return;
    const el = pane.current.querySelector<HTMLElement>(`[data-block="${CSS.escape(active)}"]`);
    if (!el) return;
    const box = pane.current.getBoundingClientRect();
    const r = el.getBoundingClientRect();
    if (r.top < box.top || r.bottom > box.bottom) pane.current.scrollTo({ top: pane.current.scrollTop + r.top - box.top - 8, behavior: 'smooth' });
  }, [active, shown]);

  return (
    <aside className="preview-pane" aria-labelledby="h-preview-pane">
      <div className="preview-pane-head">
        <h2 id="h-preview-pane">As readers will see it</h2>
        {pageId && <PreviewLink pageId={pageId} revision={savedRevision} />}
      </div>
      <div className="preview-pane-body" ref={pane} tabIndex={0} aria-label="Preview of the whole page" {...textLanguage}>
        {error && <p className="muted">Preview unavailable: {error}</p>}
        {shown ? <ReaderView title={shown.title || 'Untitled'} blocks={shown.blocks} level={3} label="The page as readers will see it" activeKey={active} /> : !error && <p className="muted">Rendering…</p>}
        <ImagePreview images={content.images} />
      </div>
    </aside>
  );
}

/** "Open preview link": a link anyone can open for 30 minutes, showing the saved revision as
 * a website would. */
function PreviewLink({ pageId, revision }: { pageId: string; revision?: number }) {
  const { api } = useApp();
  const [link, setLink] = useState<{ href: string; expiresAt: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const make = async () => {
    setBusy(true);
    setError(null);
    try {
      setLink(await previewLink(api, pageId));
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  if (!link)
    return (
      <div className="preview-link">
        <button type="button" className="btn-secondary small" disabled={busy} onClick={make}>
          Make a preview link
        </button>
        {error && <span className="field-error">{error}</span>}
      </div>
    );
  const url = new URL(link.href, window.location.origin).toString();
  return (
    <div className="preview-link">
      <a href={link.href} target="_blank" rel="noopener noreferrer" data-testid="preview-link">
        Open preview link
      </a>
      <span className="muted small">
        {' '}
        Saved revision{revision ? ` ${revision}` : ''}, for anyone with the link until {formatTime(link.expiresAt)}.{' '}
      </span>
      <button type="button" className="btn-link small" onClick={() => void navigator.clipboard?.writeText(url)}>
        Copy link
      </button>
    </div>
  );
}
