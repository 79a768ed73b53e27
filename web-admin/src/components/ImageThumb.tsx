// An asset's picture in the admin. The admin shows assets that are not live (a draft's new
// diagram, one under review), which public delivery refuses on purpose; so the bytes are
// fetched with the signed-in user's token and shown from an object URL.

import { useEffect, useState } from 'react';
import { useApp } from '../app-context';
import { fetchImage } from '../lib/media';

export function ImageThumb({ id, alt, width = 320, className }: { id: string; alt: string; width?: number; className?: string }) {
  const { api } = useApp();
  const [src, setSrc] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let url: string | null = null;
    let gone = false;
    setSrc(null);
    setFailed(false);
    fetchImage(api, id, width).then(
      (u) => {
        if (gone) {
          if (u) URL.revokeObjectURL(u);
          return;
        }
        url = u;
        if (u) setSrc(u);
        else setFailed(true);
      },
      () => !gone && setFailed(true),
    );
    return () => {
      gone = true;
      if (url) URL.revokeObjectURL(url);
    };
  }, [api, id, width]);
  if (src) return <img className={`image-thumb${className ? ' ' + className : ''}`} src={src} alt={alt} data-asset={id} />;
  return (
    <span className={`image-thumb image-thumb-empty${className ? ' ' + className : ''}`} role="img" aria-label={alt || 'Image'} data-asset={id}>
      <span aria-hidden="true">{failed ? 'Picture unavailable' : 'Loading…'}</span>
    </span>
  );
}
