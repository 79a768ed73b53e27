// The page editor: the content form, saving with If-Match, the conflict merge, local drafts,
// server field errors at their fields, and "submit for review".

import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, errorMessage } from '../api/client';
import type { Check, Content, Page } from '../api/types';
import { useApp } from '../app-context';
import { ContentForm } from '../components/ContentForm';
import { fieldId, FormErrors, TextField, type FormErrorsState } from '../components/fields';
import { ErrorBox, Modal, Notice } from '../components/ui';
import { contentForSave, deepEqual, emptyContent, normalizeContent } from '../lib/content';
import { clearDraft, loadDraft, saveDraft } from '../lib/drafts';
import { describeField, fieldErrorsFrom, remapListErrors, type FieldErrors } from '../lib/problem';
import { navigate, useBlocker } from '../router';
import { ConflictMerge } from './ConflictMerge';

interface Base {
  version: number | null;
  content: Content;
}

function ErrorSummary({ errors, focusSignal }: { errors: FieldErrors; focusSignal: number }) {
  const ref = useRef<HTMLDivElement>(null);
  const keys = Object.keys(errors);
  // Move focus to the summary after a refused save (not while the writer fixes fields).
  useEffect(() => {
    if (focusSignal) ref.current?.focus();
  }, [focusSignal]);
  if (!keys.length) return null;
  return (
    <div className="alert alert-error error-summary" role="alert" tabIndex={-1} ref={ref}>
      <h2>The page could not be saved</h2>
      <ul>
        {keys.map((k) => (
          <li key={k}>
            {k && document.getElementById(fieldId(k)) ? (
              <a
                href={`#${fieldId(k)}`}
                onClick={(e) => {
                  e.preventDefault();
                  const el = document.getElementById(fieldId(k));
                  const target = el?.matches('input, select, textarea') ? el : el?.querySelector<HTMLElement>('input, select, textarea, button');
                  (target ?? el)?.focus();
                  el?.scrollIntoView({ block: 'center' });
                }}
              >
                {describeField(k)}
              </a>
            ) : (
              <span>{describeField(k)}</span>
            )}
            : {errors[k].join('; ')}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function ChecksList({ checks }: { checks?: Check[] }) {
  if (!checks || checks.length === 0) return <p className="muted">No pre-review checks reported a problem.</p>;
  return (
    <ul className="checks">
      {checks.map((c) => (
        <li key={c.id + (c.field ?? '')} className={`check check-${c.severity}`}>
          <span className={`badge sev-${c.severity}`}>{c.severity === 'blocker' ? 'Blocker' : 'Warning'}</span> {c.message}
          {c.field && <span className="muted"> — {describeField(c.field.replace(/^content\./, ''))}</span>}
        </li>
      ))}
    </ul>
  );
}

/** The form for an existing page (page given) or a new one (page null). */
export function PageEditor({ page, onPageChange, visible = true }: { page: Page | null; onPageChange?: (p: Page) => void; visible?: boolean }) {
  const { api, user, drafts, confirm, announce, hasRole } = useApp();
  const pageId = page?.id ?? 'new';
  const initial = useMemo<Base>(() => ({ version: page?.version ?? null, content: page ? normalizeContent(page.content) : emptyContent() }), [pageId]); // eslint-disable-line react-hooks/exhaustive-deps
  const [base, setBase] = useState<Base>(initial);
  const [content, setContent] = useState<Content>(initial.content);
  const [slug, setSlug] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [refused, setRefused] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [conflict, setConflict] = useState<Page | null>(null);
  const [restored, setRestored] = useState<number | null>(null);
  const [submitOpen, setSubmitOpen] = useState(false);
  const dirty = !deepEqual(content, base.content) || (page === null && slug !== '');

  // Offer the local draft kept from an earlier visit (or a lost session).
  useEffect(() => {
    const d = loadDraft(drafts, user.id, pageId);
    if (!d) return;
    if (page === null) {
      setContent(normalizeContent(d.content));
      setSlug(d.slug ?? '');
      setRestored(d.savedAt);
      return;
    }
    const server = normalizeContent(page.content);
    if (deepEqual(normalizeContent(d.content), server)) {
      clearDraft(drafts, user.id, pageId);
      return;
    }
    setContent(normalizeContent(d.content));
    setRestored(d.savedAt);
    if (d.baseVersion !== page.version && d.baseContent && !deepEqual(normalizeContent(d.baseContent), server)) {
      // Someone saved since this draft was started: merge.
      setBase({ version: d.baseVersion, content: normalizeContent(d.baseContent) });
      setConflict(page);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [pageId]);

  // Keep the draft on this device until the server has it.
  useEffect(() => {
    if (dirty) {
      saveDraft(drafts, user.id, { pageId, baseVersion: base.version, baseContent: base.content, content, slug, savedAt: Date.now() });
    } else {
      clearDraft(drafts, user.id, pageId);
    }
  }, [content, slug, base, dirty, drafts, user.id, pageId]);

  // Follow the page when it changes elsewhere (workflow actions bump the version).
  useEffect(() => {
    if (!page || conflict) return;
    const server = normalizeContent(page.content);
    if (deepEqual(server, base.content)) {
      if (page.version !== base.version) setBase({ version: page.version, content: base.content });
    } else if (!dirty && page.version !== base.version) {
      setBase({ version: page.version, content: server });
      setContent(server);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [page]);

  useBlocker(dirty, async (to) => {
    if (page && to.startsWith(`/pages/${page.id}`)) return true; // another tab of this page: the editor stays
    return confirm({
      title: 'Leave without saving?',
      message: 'You have unsaved changes on this page. They are kept as a draft on this device, but nobody else will see them until you save.',
      confirmLabel: 'Leave this page',
      cancelLabel: 'Stay and keep editing',
      danger: true,
    });
  });

  const formErrors = useMemo<FormErrorsState>(
    () => ({
      errors,
      remap: (listPath, mapIndex) => setErrors((e) => remapListErrors(e, listPath, mapIndex)),
      clear: (path) =>
        setErrors((e) => {
          const rest = { ...e };
          delete rest[path];
          return rest;
        }),
    }),
    [errors],
  );

  const openConflict = useCallback(async () => {
    if (!page) return;
    const res = await api.request<Page>('GET', `/api/v1/manage/pages/${encodeURIComponent(page.id)}`);
    setConflict(res.data);
  }, [api, page]);

  const save = async (toSave: Content = content, version: number | null = base.version) => {
    setSaving(true);
    setError(null);
    setErrors({});
    try {
      if (page === null) {
        const res = await api.request<Page>('POST', '/api/v1/manage/pages', { body: { slug: slug.trim(), content: contentForSave(toSave) } });
        clearDraft(drafts, user.id, 'new');
        setBase({ version: res.data.version, content: normalizeContent(res.data.content) });
        setContent(normalizeContent(res.data.content));
        setSlug('');
        announce(`Page created: revision ${res.data.revision}.`);
        await navigate(`/pages/${encodeURIComponent(res.data.id)}`, { replace: true, force: true });
        return;
      }
      const res = await api.request<Page>('PUT', `/api/v1/manage/pages/${encodeURIComponent(page.id)}/content`, {
        body: contentForSave(toSave),
        ifMatch: version ?? page.version,
      });
      const saved = normalizeContent(res.data.content);
      clearDraft(drafts, user.id, page.id);
      setBase({ version: res.data.version, content: saved });
      setContent(saved);
      setRestored(null);
      onPageChange?.(res.data);
      announce(`Saved: revision ${res.data.revision}.`);
    } catch (e) {
      if (e instanceof ApiError && (e.status === 412 || e.code === 'version_conflict')) {
        try {
          await openConflict();
        } catch (e2) {
          setError('Someone else saved this page first, and their version could not be loaded: ' + errorMessage(e2));
        }
      } else if (e instanceof ApiError && e.code === 'slug_taken') {
        setErrors({ slug: [e.problem.detail || 'This slug is already used by another page.'] });
        setRefused((n) => n + 1);
      } else {
        const fe = fieldErrorsFrom(e);
        if (Object.keys(fe).length) {
          setErrors(fe);
          setRefused((n) => n + 1);
        } else setError(errorMessage(e));
      }
    } finally {
      setSaving(false);
    }
  };

  const onMerge = (merged: Content, andSave: boolean) => {
    const theirs = conflict!;
    const theirContent = normalizeContent(theirs.content);
    setConflict(null);
    setBase({ version: theirs.version, content: theirContent });
    setContent(merged);
    onPageChange?.(theirs);
    if (andSave) void save(merged, theirs.version);
    else announce('The merged version is in the editor. Save when ready.');
  };

  const discardDraft = async () => {
    const ok = await confirm({
      title: 'Discard your changes?',
      message: 'Your unsaved changes will be lost and the form will show the saved version.',
      confirmLabel: 'Discard changes',
      danger: true,
    });
    if (!ok) return;
    setContent(base.content);
    setSlug('');
    setErrors({});
    setRestored(null);
    clearDraft(drafts, user.id, pageId);
  };

  // A published page may go back to a reviewer unchanged: its periodic medical review.
  const canSubmit =
    page && hasRole('writer', 'editor') && (page.state === 'draft' || page.state === 'changes_requested' || page.state === 'published');

  return (
    <div className="editor" hidden={!visible}>
      <form
        className="editor-form"
        aria-label={page ? 'Edit page content' : 'New page'}
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <div className="editor-toolbar" role="toolbar" aria-label="Editor actions">
          <span className={`save-state${dirty ? ' dirty' : ''}`} role="status">
            {saving ? 'Saving…' : dirty ? 'Unsaved changes' : page ? `Saved · revision ${page.revision}` : 'Not saved yet'}
          </span>
          <div className="toolbar-buttons">
            {dirty && (
              <button type="button" className="btn-secondary" onClick={discardDraft} disabled={saving}>
                Discard changes
              </button>
            )}
            <button type="submit" className="btn-primary" disabled={saving || (!dirty && page !== null)}>
              {page ? 'Save' : 'Create page'}
            </button>
            {canSubmit && (
              <button type="button" className="btn-secondary" disabled={dirty || saving} title={dirty ? 'Save your changes first' : undefined} onClick={() => setSubmitOpen(true)}>
                {page?.state === 'published' ? 'Submit for periodic review' : 'Submit for review'}
              </button>
            )}
          </div>
        </div>
        {restored && (
          <Notice kind="warning">
            Your unsaved changes from {new Date(restored).toLocaleString('en-GB')} were restored from this device.{' '}
            <button type="button" className="btn-link" onClick={discardDraft}>
              Discard them
            </button>
          </Notice>
        )}
        {page?.state === 'changes_requested' && <ChangesRequestedNote page={page} />}
        <ErrorBox error={error} title="Not saved." />
        <ErrorSummary errors={errors} focusSignal={refused} />
        <FormErrors.Provider value={formErrors}>
          {page === null && (
            <section className="form-section" aria-labelledby="h-address">
              <h2 id="h-address">Address</h2>
              <TextField
                path="slug"
                label="Slug"
                required
                hint="The page's address on websites: lowercase letters, digits and single hyphens, e.g. ketamine."
                maxLength={100}
                value={slug}
                onChange={(v) => setSlug(v.toLowerCase())}
              />
            </section>
          )}
          {page && page.checks && page.checks.length > 0 && (
            <section className="form-section" aria-labelledby="h-checks">
              <h2 id="h-checks">Pre-review checks</h2>
              <ChecksList checks={page.checks} />
            </section>
          )}
          <ContentForm content={content} onChange={setContent} />
        </FormErrors.Provider>
        <div className="editor-footer">
          <button type="submit" className="btn-primary" disabled={saving || (!dirty && page !== null)}>
            {page ? 'Save' : 'Create page'}
          </button>
        </div>
      </form>
      {conflict && <ConflictMerge base={base.content} mine={content} theirs={conflict} busy={saving} onApply={onMerge} onCancel={() => setConflict(null)} />}
      {submitOpen && page && <SubmitDialog page={page} onClose={() => setSubmitOpen(false)} onDone={(p) => onPageChange?.(p)} />}
    </div>
  );
}

function ChangesRequestedNote({ page }: { page: Page }) {
  const { api } = useApp();
  const [comment, setComment] = useState<string | null>(null);
  useEffect(() => {
    api
      .get<{ data: { action: string; data?: Record<string, unknown> | null }[] }>(`/api/v1/manage/pages/${encodeURIComponent(page.id)}/audit`)
      .then((r) => {
        const ev = [...(r?.data ?? [])].reverse().find((e) => /request.?changes|changes.?requested/i.test(e.action));
        const c = ev?.data?.comment;
        if (typeof c === 'string') setComment(c);
      })
      .catch(() => {});
  }, [api, page.id, page.version]);
  return (
    <Notice kind="warning">
      <strong>Changes requested by the reviewer.</strong> {comment ? <q>{comment}</q> : 'See the audit trail for the comment.'}
    </Notice>
  );
}

function SubmitDialog({ page, onClose, onDone }: { page: Page; onClose: () => void; onDone: (p: Page) => void }) {
  const { api, announce } = useApp();
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [blockers, setBlockers] = useState<Check[]>([]);
  const blocking = (page.checks ?? []).filter((c) => c.severity === 'blocker');
  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      const p = await api.post<Page>(`/api/v1/manage/pages/${encodeURIComponent(page.id)}/submit`, note.trim() ? { note: note.trim() } : {});
      announce('Submitted for medical review.');
      onDone(p);
      onClose();
    } catch (e) {
      if (e instanceof ApiError && e.code === 'check_failed') {
        setError('The page cannot go to review until the blocking checks below are fixed.');
        const list = (e.problem.checks as Check[] | undefined) ?? (e.problem.errors ?? []).map((x, i) => ({ id: String(i), severity: 'blocker' as const, message: x.message, field: x.field }));
        setBlockers(list);
      } else if (e instanceof ApiError && e.status === 409) {
        setError('The page is not in a state that can be submitted (it may already be in review). Reload to see its current state.');
      } else setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open title="Submit for medical review" onClose={onClose}>
      <div className="modal-body">
        <p>
          Revision {page.revision} will be sent to the medical reviewers. Any later edit returns the page to draft and needs a new
          review.
        </p>
        {blocking.length > 0 && (
          <Notice kind="warning">
            {blocking.length} blocking check{blocking.length === 1 ? '' : 's'} reported: <ChecksList checks={blocking} />
          </Notice>
        )}
        <div className="field">
          <label htmlFor="submit-note">Note for the reviewer (optional)</label>
          <textarea id="submit-note" rows={3} value={note} onChange={(e) => setNote(e.target.value)} />
        </div>
        <ErrorBox error={error} />
        {blockers.length > 0 && <ChecksList checks={blockers} />}
      </div>
      <div className="modal-actions">
        <button type="button" className="btn-secondary" onClick={onClose} disabled={busy}>
          Cancel
        </button>
        <button type="button" className="btn-primary" onClick={submit} disabled={busy}>
          {busy ? 'Submitting…' : 'Submit for review'}
        </button>
      </div>
    </Modal>
  );
}
