// Editing an image's metadata. The pixels cannot change here: a different picture is a new
// upload (a new sha256), so a signed page never shows other pixels than the ones signed.

import { useState } from 'react';
import { errorMessage } from '../../api/client';
import { useApp } from '../../app-context';
import { ImageThumb } from '../../components/ImageThumb';
import { ErrorBox, Modal } from '../../components/ui';
import { describeMediaError, metaOf, updateMedia, validateMeta, type MediaAsset, type MediaMeta } from '../../lib/media';
import { fieldErrorsFrom } from '../../lib/problem';
import { MediaErrors, MediaFields } from './MediaFields';
import { UsedBy } from './MediaCard';

export function EditMediaDialog({ asset, onClose, onSaved }: { asset: MediaAsset; onClose: () => void; onSaved: (a: MediaAsset) => void }) {
  const { api, announce } = useApp();
  const [meta, setMeta] = useState<MediaMeta>(metaOf(asset));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const save = async () => {
    const v = validateMeta(meta);
    setErrors(v);
    setError(null);
    if (Object.keys(v).length) {
      document.getElementById(`f-edit-${Object.keys(v)[0]}`)?.focus();
      return;
    }
    setBusy(true);
    try {
      const a = await updateMedia(api, asset.id, meta);
      announce('Image details saved.');
      onSaved(a);
    } catch (e) {
      const fields: Record<string, string> = {};
      for (const [k, msgs] of Object.entries(fieldErrorsFrom(e, ''))) if (k) fields[k] = msgs.join('; ');
      setErrors(fields);
      setError(describeMediaError(e, errorMessage));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal open title="Image details" onClose={onClose} wide>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <div className="modal-body media-edit">
          <div className="media-edit-image">
            <ImageThumb id={asset.id} alt={asset.decorative ? '' : asset.alt ?? ''} width={640} />
            <p className="muted small">
              sha256 <code>{asset.sha256.slice(0, 16)}…</code>
            </p>
            <UsedBy asset={asset} />
          </div>
          <div>
            <ErrorBox error={error} title="The details were not saved." />
            <MediaErrors errors={errors} prefix="edit" clear={(f) => setErrors(({ [f]: _, ...rest }) => rest)}>
              <MediaFields prefix="edit" meta={meta} onChange={setMeta} />
            </MediaErrors>
          </div>
        </div>
        <div className="modal-actions">
          <button type="button" className="btn-secondary" onClick={onClose} data-autofocus>
            Cancel
          </button>
          <button type="submit" className="btn-primary" disabled={busy}>
            Save details
          </button>
        </div>
      </form>
    </Modal>
  );
}
