// A translation made from its source in one step: the language and the slug; the content
// starts as a copy of the source revision it will render (the live one, else the latest),
// for the translator to replace field by field beside the source.

import { useId, useState } from 'react';
import { ApiError, errorMessage } from '../../../api/client';
import type { Page } from '../../../api/types';
import { useApp } from '../../../app-context';
import { FieldMessage, invalidProps } from '../../../components/PasswordFields';
import { ErrorBox, Modal } from '../../../components/ui';
import { fieldErrorsFrom, type FieldErrors } from '../../../lib/problem';
import { getRevision } from '../../../lib/revisions';
import { defaultTranslationSlug, languageLabel, type Locale } from '../../../lib/translations';
import { navigate } from '../../../router';
import { pagePath } from '../paths';

export function CreateTranslationDialog({ source, targets, onClose }: { source: Page; targets: Locale[]; onClose: () => void }) {
  const { api, announce } = useApp();
  const [locale, setLocale] = useState(targets[0]?.tag ?? '');
  const [slug, setSlug] = useState(defaultTranslationSlug(source.slug, targets[0]?.tag ?? ''));
  const [slugEdited, setSlugEdited] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const id = useId();
  const base = source.live?.revision ?? source.revision;

  const create = async () => {
    setBusy(true);
    setError(null);
    setErrors({});
    try {
      const content = base === source.revision ? source.content : (await getRevision(api, source.id, base)).content;
      const r = await api.post<Page>(`${pagePath(source.id)}/translations`, { locale, slug: slug.trim(), content, sourceRevision: base });
      announce(`${languageLabel(locale)} translation created from revision ${base}.`);
      onClose();
      await navigate(`/pages/${encodeURIComponent(r.id)}`);
    } catch (e) {
      const fe = fieldErrorsFrom(e);
      if (e instanceof ApiError && e.code === 'slug_taken') fe.slug = [e.problem.detail || 'This slug is already used by another page.'];
      setErrors(fe);
      if (!fe.slug && !fe.locale) setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal open title="Add a translation" onClose={onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void create();
        }}
      >
        <div className="modal-body">
          <p>
            The translation starts as a copy of revision {base}
            {source.live ? ' (live)' : ''} of <strong>{source.content?.title || source.slug}</strong>. You then replace each field, with the source beside it; a reviewer who
            reads the language signs it.
          </p>
          <ErrorBox error={error} title="Not created." />
          <div className="field">
            <label htmlFor={`${id}-locale`}>Language</label>
            <select
              id={`${id}-locale`}
              value={locale}
              data-autofocus
              onChange={(e) => {
                setLocale(e.target.value);
                if (!slugEdited) setSlug(defaultTranslationSlug(source.slug, e.target.value));
              }}
              {...invalidProps(`${id}-locale`, errors.locale)}
            >
              {targets.map((t) => (
                <option key={t.tag} value={t.tag}>
                  {languageLabel(t.tag)}
                </option>
              ))}
            </select>
            <FieldMessage id={`${id}-locale-error`} messages={errors.locale} />
          </div>
          <div className="field">
            <label htmlFor={`${id}-slug`}>Slug of the translation</label>
            <p className="hint" id={`${id}-slug-hint`}>
              Its own address on websites: lowercase letters, digits and single hyphens.
            </p>
            <input
              id={`${id}-slug`}
              value={slug}
              maxLength={100}
              autoComplete="off"
              onChange={(e) => {
                setSlug(e.target.value.toLowerCase());
                setSlugEdited(true);
              }}
              {...invalidProps(`${id}-slug`, errors.slug, `${id}-slug-hint`)}
            />
            <FieldMessage id={`${id}-slug-error`} messages={errors.slug} />
          </div>
        </div>
        <div className="modal-actions">
          <button type="button" className="btn-secondary" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className="btn-primary" disabled={busy || !locale}>
            {busy ? 'Creating…' : 'Create translation'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
