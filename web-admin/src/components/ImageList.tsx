// The page's images list (`images: [{asset, alt, caption}]`): each entry a picture from the
// media library, with alt text and a caption for this page (the library's are used when
// left empty). The reviewer signs the exact pixels: choosing another picture is an edit.

import { useContext, useState } from 'react';
import { errorsAt } from '../lib/problem';
import type { ImageRef } from '../lib/media';
import { fieldId, FormErrors, ListEditor, TextField } from './fields';
import { ImageThumb } from './ImageThumb';
import { MediaPicker } from './MediaPicker';

function ImageItem({ image, index, update }: { image: ImageRef; index: number; update: (im: ImageRef) => void }) {
  const [picking, setPicking] = useState(false);
  const { errors, clear } = useContext(FormErrors);
  const path = `images[${index}].asset`;
  const assetErrors = errorsAt(errors, path);
  const errId = fieldId(path) + '-error';
  return (
    <div className="image-item" data-path={path}>
      <div>{image.asset ? <ImageThumb id={image.asset} alt={image.alt || `Image ${index + 1}`} /> : <p className="muted small">No picture chosen.</p>}</div>
      <div>
        <button
          type="button"
          id={fieldId(path)}
          className="btn-secondary small"
          aria-haspopup="dialog"
          aria-invalid={assetErrors.length ? true : undefined}
          aria-describedby={assetErrors.length ? errId : undefined}
          onClick={() => setPicking(true)}
        >
          {image.asset ? `Replace image ${index + 1}…` : `Choose image ${index + 1}…`}
        </button>
        {assetErrors.length > 0 && (
          <p className="field-error" id={errId}>
            {assetErrors.join('; ')}
          </p>
        )}
        <TextField
          path={`images[${index}].alt`}
          label={`Image ${index + 1} alt text`}
          hint="For this page; the library's alt text is used when empty."
          value={image.alt ?? ''}
          onChange={(v) => update(withOptional({ ...image }, 'alt', v))}
        />
        <TextField path={`images[${index}].caption`} label={`Image ${index + 1} caption`} value={image.caption ?? ''} onChange={(v) => update(withOptional({ ...image }, 'caption', v))} />
      </div>
      {picking && (
        <MediaPicker
          title={`Choose image ${index + 1}`}
          onClose={() => setPicking(false)}
          onPick={(a) => {
            setPicking(false);
            if (assetErrors.length) clear?.(path);
            update({ ...image, asset: a.id });
            requestAnimationFrame(() => document.getElementById(fieldId(path))?.focus());
          }}
        />
      )}
    </div>
  );
}

/** An empty alt or caption is left out, so it reads as "use the library's". */
function withOptional(im: ImageRef, k: 'alt' | 'caption', v: string): ImageRef {
  if (v === '') delete im[k];
  else im[k] = v;
  return im;
}

export function ImageListField({ images, onChange }: { images: ImageRef[]; onChange: (images: ImageRef[] | undefined) => void }) {
  return (
    <ListEditor<ImageRef>
      path="images"
      legend="Images"
      hint="Pictures for the page (pill identification, packaging, technique diagrams). Place an image inside a text with the Image button of its toolbar."
      noun="image"
      items={images}
      // No images is no `images` member at all: the page hashes as it did before images.
      onChange={(v) => onChange(v.length ? v : undefined)}
      newItem={() => ({ asset: '' })}
      itemTitle={(im, i) => `image ${i + 1}${im.alt ? ` (${im.alt})` : ''}`}
      renderItem={(im, i, update) => <ImageItem image={im} index={i} update={update} />}
    />
  );
}
