// The metadata of an image, shared by the upload form and the edit dialog: alt text (required
// unless the image is decorative), caption, credit, licence, source and licence expiry. Field
// errors (the form's own checks and the server's) show under their field like the page
// editor's, through the same FormErrors context; `prefix` keeps ids unique when the edit
// dialog is open over the upload form.

import { type ReactNode } from 'react';
import { FormErrors, TextArea, TextField, fieldId } from '../../components/fields';
import type { MediaMeta } from '../../lib/media';

export function MediaErrors({ errors, prefix, clear, children }: { errors: Record<string, string>; prefix: string; clear: (field: string) => void; children: ReactNode }) {
  const byPath: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(errors)) byPath[`${prefix}.${k}`] = [v];
  return (
    <FormErrors.Provider value={{ errors: byPath, remap: () => {}, clear: (p) => clear(p.slice(prefix.length + 1)) }}>{children}</FormErrors.Provider>
  );
}

export function MediaFields({ prefix, meta, onChange }: { prefix: string; meta: MediaMeta; onChange: (m: MediaMeta) => void }) {
  const set = <K extends keyof MediaMeta>(k: K, v: MediaMeta[K]) => onChange({ ...meta, [k]: v });
  const decorativeId = fieldId(`${prefix}.decorative`);
  return (
    <div className="media-fields">
      {/* A decorative image has no alt text (screen readers skip it): the field goes away
          while the box is ticked, and what was typed comes back if it is unticked. */}
      {!meta.decorative && (
        <TextArea
          path={`${prefix}.alt`}
          label="Alt text"
          hint="What the image shows, for people who cannot see it (WCAG 1.1.1). Say what matters on a medication page: the step, the dose, the marking on the pill."
          rows={2}
          maxLength={500}
          required
          value={meta.alt}
          onChange={(v) => set('alt', v)}
        />
      )}
      <div className="field check-field">
        <label className="check-label" htmlFor={decorativeId}>
          <input id={decorativeId} type="checkbox" checked={meta.decorative} onChange={(e) => set('decorative', e.target.checked)} /> Decorative: it adds nothing a reader
          needs, and screen readers skip it
        </label>
      </div>
      <TextField path={`${prefix}.caption`} label="Caption" value={meta.caption} onChange={(v) => set('caption', v)} />
      <div className="grid-2">
        <TextField path={`${prefix}.credit`} label="Credit" placeholder="Photo: …" value={meta.credit} onChange={(v) => set('credit', v)} />
        <TextField path={`${prefix}.license`} label="Licence" placeholder="CC BY 4.0, own work, licensed from …" value={meta.license} onChange={(v) => set('license', v)} />
      </div>
      <div className="grid-2">
        <TextField path={`${prefix}.sourceUrl`} label="Source URL" type="url" inputMode="url" placeholder="https://" value={meta.sourceUrl} onChange={(v) => set('sourceUrl', v)} />
        <TextField
          path={`${prefix}.licenseExpires`}
          label="Licence expires"
          hint="Leave empty when the licence does not expire. Pages using an expired image cannot be submitted for review."
          type="date"
          value={meta.licenseExpires}
          onChange={(v) => set('licenseExpires', v)}
        />
      </div>
    </div>
  );
}
