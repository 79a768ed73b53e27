// Uploading an image: dropped on the drop zone or chosen with the file picker (the zone is
// the picker's label, so the keyboard reaches it as a button-like file input), then described.
// The form checks what it can before sending (alt text, size); the server decides the type
// from the bytes and its refusals are said in words.

import { useEffect, useId, useRef, useState, type DragEvent } from 'react';
import { errorMessage } from '../../api/client';
import { useApp } from '../../app-context';
import { ErrorBox } from '../../components/ui';
import { fieldErrorsFrom } from '../../lib/problem';
import { ACCEPTED_TYPES, describeMediaError, emptyMeta, formatBytes, uploadMedia, validateMeta, type MediaAsset, type MediaMeta } from '../../lib/media';
import { MediaErrors, MediaFields } from './MediaFields';

export function UploadForm({ prefix = 'upload', onUploaded, headingId }: { prefix?: string; onUploaded: (a: MediaAsset) => void; headingId?: string }) {
  const { api, announce } = useApp();
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const [meta, setMeta] = useState<MediaMeta>(emptyMeta());
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [over, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const inputId = useId();
  const fileErrId = inputId + '-error';

  useEffect(() => {
    if (!file) {
      setPreview(null);
      return;
    }
    const u = URL.createObjectURL(file);
    setPreview(u);
    return () => URL.revokeObjectURL(u);
  }, [file]);

  const choose = (f: File | null | undefined) => {
    if (!f) return;
    setFile(f);
    setErrors(({ file: _, ...rest }) => rest);
    setError(null);
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    choose(e.dataTransfer.files?.[0]);
  };

  const submit = async () => {
    const v = validateMeta(meta, file, true);
    setErrors(v);
    setError(null);
    if (Object.keys(v).length) {
      // The first field to fix takes the focus.
      const first = Object.keys(v)[0];
      requestAnimationFrame(() => (first === 'file' ? input.current : document.getElementById(`f-${prefix}-${first}`))?.focus());
      return;
    }
    setBusy(true);
    try {
      const a = await uploadMedia(api, file!, meta);
      announce(a.created ? 'Image uploaded.' : 'This image was already in the library: its existing entry is shown.');
      setFile(null);
      setMeta(emptyMeta());
      if (input.current) input.current.value = '';
      onUploaded(a);
    } catch (e) {
      const byField = fieldErrorsFrom(e, '');
      const fields: Record<string, string> = {};
      for (const [k, msgs] of Object.entries(byField)) if (k) fields[k] = msgs.join('; ');
      setErrors(fields);
      setError(describeMediaError(e, errorMessage));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="upload-form"
      noValidate
      aria-labelledby={headingId}
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <ErrorBox error={error} title="The image was not uploaded." />
      <div
        className={`drop-zone${over ? ' drop-over' : ''}${errors.file ? ' has-error' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
        data-testid="drop-zone"
      >
        {preview ? <img className="drop-preview" src={preview} alt="" /> : null}
        <div>
          <label htmlFor={inputId} className="drop-label">
            <strong>Drop an image here</strong> or choose a file
          </label>
          <p className="hint">JPEG, PNG or WebP, up to 10 MB. Location and camera data are removed from the stored file.</p>
          <input
            id={inputId}
            ref={input}
            type="file"
            accept={ACCEPTED_TYPES.join(',')}
            aria-invalid={errors.file ? true : undefined}
            aria-describedby={errors.file ? fileErrId : undefined}
            onChange={(e) => choose(e.target.files?.[0])}
          />
          {file && (
            <p className="small" data-testid="chosen-file">
              {file.name} · {formatBytes(file.size)}
            </p>
          )}
          {errors.file && (
            <p className="field-error" id={fileErrId}>
              {errors.file}
            </p>
          )}
        </div>
      </div>
      <MediaErrors errors={errors} prefix={prefix} clear={(f) => setErrors(({ [f]: _, ...rest }) => rest)}>
        <MediaFields prefix={prefix} meta={meta} onChange={setMeta} />
      </MediaErrors>
      <button type="submit" className="btn-primary" disabled={busy}>
        {busy ? 'Uploading…' : 'Upload image'}
      </button>
    </form>
  );
}
