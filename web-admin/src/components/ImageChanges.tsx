// In review: every picture that changed since the baseline revision, the old and the new side
// by side. A picture is signed by its bytes, so a replaced diagram must be seen as a picture,
// not as a changed asset id in the text diff.

import { useEffect, useMemo, useState } from 'react';
import type { ApiClient } from '../api/client';
import { errorMessage } from '../api/client';
import { useApp } from '../app-context';
import { imageChanges, imagePlace, type ImageChange } from '../lib/media';
import { getRevision } from '../lib/revisions';
import { ImageThumb } from './ImageThumb';
import { ErrorBox } from './ui';
import '../screens/media/media.css';

type Images = Parameters<typeof imageChanges>[1];

async function contentOf(api: ApiClient, pageId: string, revision: number): Promise<Images | null> {
  if (revision <= 0) return null;
  return (await getRevision(api, pageId, revision)).content as Images;
}

export function ImageChanges({
  pageId,
  from,
  content,
  fromLabel,
  toLabel,
  headingLevel = 4,
}: {
  pageId: string;
  from: number;
  content: unknown;
  fromLabel: string;
  toLabel: string;
  headingLevel?: 3 | 4;
}) {
  const H = headingLevel === 3 ? 'h3' : 'h4';
  const { api } = useApp();
  const [old, setOld] = useState<Images | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setOld(undefined);
    setError(null);
    contentOf(api, pageId, from).then(setOld, (e) => setError(errorMessage(e)));
  }, [api, pageId, from]);
  const changes = useMemo<ImageChange[]>(() => (old === undefined ? [] : imageChanges(old, (content ?? {}) as Images)), [old, content]);
  if (error) return <ErrorBox error={error} title="The earlier pictures could not be loaded." />;
  if (!changes.length) return null;
  return (
    <section className="image-changes" aria-labelledby="h-image-changes" data-testid="image-changes">
      <H id="h-image-changes">Pictures changed ({changes.length}): the reviewer signs these exact images</H>
      {changes.map((c) => (
        <div className="image-change" key={c.path}>
          <p className="small">
            <strong>{imagePlace(c.path)}</strong>
            {c.before && c.after ? ' · replaced' : c.after ? ' · added' : ' · removed'}
          </p>
          <div className="image-change-sides">
            <figure className="image-change-side before">
              <figcaption>{fromLabel} · before</figcaption>
              {c.before ? <ImageThumb id={c.before} alt={`Before: ${c.alt || 'picture'}`} width={640} /> : <p className="muted small">No picture here.</p>}
            </figure>
            <figure className="image-change-side after">
              <figcaption>{toLabel} · now</figcaption>
              {c.after ? <ImageThumb id={c.after} alt={`Now: ${c.alt || 'picture'}`} width={640} /> : <p className="muted small">Removed.</p>}
            </figure>
          </div>
        </div>
      ))}
    </section>
  );
}
