// The page's images list in the editor's preview: each picture with the alt text and caption
// readers get (this page's, else the library's). Websites decide where page images go; the
// preview shows them after the text so the writer sees what they publish.

import { useEffect, useState } from 'react';
import { useApp } from '../app-context';
import { assetOnce, type ImageRef, type MediaAsset } from '../lib/media';
import { ImageThumb } from './ImageThumb';
import '../screens/media/media.css';

function Figure({ image }: { image: ImageRef }) {
  const { api } = useApp();
  const [asset, setAsset] = useState<MediaAsset | null>(null);
  useEffect(() => {
    let gone = false;
    void assetOnce(api, image.asset).then((a) => !gone && setAsset(a));
    return () => {
      gone = true;
    };
  }, [api, image.asset]);
  const alt = image.alt || (asset?.decorative ? '' : asset?.alt ?? '');
  const caption = image.caption || asset?.caption || '';
  return (
    <figure className="preview-image">
      <ImageThumb id={image.asset} alt={alt} width={640} />
      {(caption || asset?.credit) && (
        <figcaption className="small">
          {caption}
          {asset?.credit ? <span className="muted"> {asset.credit}</span> : null}
        </figcaption>
      )}
    </figure>
  );
}

export function ImagePreview({ images }: { images?: ImageRef[] }) {
  const shown = (images ?? []).filter((im) => im?.asset);
  if (!shown.length) return null;
  return (
    <section className="preview-images" aria-label="Page images">
      {shown.map((im, i) => (
        <Figure key={im.asset + i} image={im} />
      ))}
    </section>
  );
}
