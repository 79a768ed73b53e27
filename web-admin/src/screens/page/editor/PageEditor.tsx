// The page editor: the content form, saving with If-Match, the conflict merge, local drafts,
// server field errors at their fields, the whole page beside the form, and "submit for review".

import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { ApiError, errorMessage } from '../../../api/client';
import type { Check, Content, Page } from '../../../api/types';
import { useApp } from '../../../app-context';
import { ContentForm } from '../../../components/ContentForm';
import { FieldPreviews, FormErrors, TextField, type FormErrorsState } from '../../../components/fields';
import { PreviewPane } from '../../../components/PreviewPane';
import { ErrorBox, formatTime, Notice, personName } from '../../../components/ui';
import { actionOf, offered, refusal } from '../../../lib/actions';
import { contentForSave, deepEqual, normalizeContent } from '../../../lib/content';
import { clearDraft } from '../../../lib/drafts';
import { fieldErrorsFrom, remapListErrors, type FieldErrors } from '../../../lib/problem';
import { seedRenderer } from '../../../lib/reader';
import { rendererFor } from '../../../lib/renderer';
import { savedNotice, saveWarning } from '../../../lib/saveWarning';
import { navigate, useBlocker } from '../../../router';
import { ConflictMerge } from '../../ConflictMerge';
import { previewOf } from '../rendered';
import { useTranslating } from '../translations/context';
import { useSavedElsewhere } from '../useSavedElsewhere';
import { ChangesRequestedNote } from './ChangesRequestedNote';
import { ChecksList, focusField } from './ChecksList';
import { ErrorSummary } from './ErrorSummary';
import { SubmitDialog } from './SubmitDialog';
import { useDraft } from './useDraft';

/** The form for an existing page (page given) or a new one (page null). */
export function PageEditor({ page, onPageChange, visible = true }: { page: Page | null; onPageChange?: (p: Page) => void; visible?: boolean }) {
  const { api, user, drafts, confirm, announce } = useApp();
  const pageId = page?.id ?? 'new';
  const { base, setBase, content, setContent, slug, setSlug, restored, setRestored, dirty, markSaved } = useDraft(page, (p) => setConflict(p));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [refused, setRefused] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [conflict, setConflict] = useState<Page | null>(null);
  const [submitOpen, setSubmitOpen] = useState(false);
  // What the last save undid (a review request, an approval), kept on screen while the page
  // stays in draft: the server's answer, not a guess.
  const [returned, setReturned] = useState<string | null>(null);
  // The pre-review checks of what is typed, once the writer pauses (the server's rules, on
  // the unsaved content); the saved page's own checks otherwise.
  const [liveChecks, setLiveChecks] = useState<Check[] | null>(null);
  useEffect(() => {
    if (!dirty) {
      setLiveChecks(null);
      return;
    }
    let stale = false;
    const t = window.setTimeout(() => {
      api
        .post<{ checks: Check[] }>('/api/v1/manage/checks', contentForSave(content))
        .then((r) => !stale && setLiveChecks(r?.checks ?? []))
        .catch(() => {}); // content the server refuses is reported when saving
    }, 800);
    return () => {
      stale = true;
      window.clearTimeout(t);
    };
  }, [api, content, dirty]);
  const shownChecks = liveChecks ?? page?.checks ?? [];
  // The whole page beside the form where there is room for both (the toolbar toggles it).
  // Not on a translation: there each field has its source beside it and needs the width.
  const translating = useTranslating();
  const [paneOpen, setPaneOpen] = useState(() => !translating && typeof window !== 'undefined' && window.innerWidth >= 1200);
  const [activePath, setActivePath] = useState<string | null>(null);
  // Opening a page asks for its preview once (two requests) and every preview of unchanged
  // text comes from it, rather than one render request per Markdown field.
  useEffect(() => {
    if (!page) return;
    rendererFor(api).hold(previewOf(api, page.id).then((p) => seedRenderer((md, html) => rendererFor(api).seed(md, html), p)));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [pageId]);

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

  // Someone else's save, seen while this editor is open: taken in at once when nothing here
  // is unsaved (or their save changed no content), else announced before the writer saves.
  const watch = useSavedElsewhere(api, page, visible && page !== null && !conflict);
  const savedElsewhere = watch.newer && page && watch.newer.version > page.version ? watch.newer : null;
  useEffect(() => {
    const n = watch.newer;
    if (!n || !page) return;
    if (n.version <= page.version) {
      watch.dismiss();
      return;
    }
    if (!dirty || deepEqual(normalizeContent(n.content), base.content)) {
      onPageChange?.(n);
      watch.dismiss();
      if (!deepEqual(normalizeContent(n.content), base.content)) announce(`${personName(n.updatedBy)} saved revision ${n.revision}; the editor shows it.`);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [watch.newer, page?.version]);

  useEffect(() => {
    if (page && page.state !== 'draft') setReturned(null);
  }, [page?.state]); // eslint-disable-line react-hooks/exhaustive-deps

  const save = async (toSave: Content = content, version: number | null = base.version, before: Page | null = page) => {
    setSaving(true);
    setError(null);
    setErrors({});
    try {
      if (page === null) {
        const res = await api.request<Page>('POST', '/api/v1/manage/pages', { body: { slug: slug.trim(), content: contentForSave(toSave) } });
        clearDraft(drafts, user.id, 'new');
        markSaved(toSave);
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
      markSaved(saved);
      setBase({ version: res.data.version, content: saved });
      setContent(saved);
      setRestored(null);
      onPageChange?.(res.data);
      const notice = before ? savedNotice(before, res.data) : null;
      setReturned(notice);
      announce(notice ?? `Saved: revision ${res.data.revision}.`);
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

  /** Saves after an explicit act (a Save button, Ctrl/Cmd+S), asking first when the save
   * would undo a review request or an approval of the page as last known. */
  const requestSave = async (toSave: Content = content, version: number | null = base.version, known: Page | null = page) => {
    if (saving) return;
    const w = saveWarning(known, formatTime);
    if (w) {
      const ok = await confirm({ title: w.title, message: w.message, confirmLabel: 'Save and return to draft', cancelLabel: 'Keep editing', danger: true });
      if (!ok) return;
    }
    await save(toSave, version, known);
  };

  // Enter in a one-line field never saves the whole page (a half-typed title would become a
  // revision); saving is the Save button or Ctrl/Cmd+S.
  const onKeyDown = (e: KeyboardEvent<HTMLFormElement>) => {
    const t = e.target as HTMLElement;
    if (e.nativeEvent.isComposing) return; // Enter that ends an IME composition is typing
    if (e.key === 'Enter' && t instanceof HTMLInputElement) {
      e.preventDefault();
      return;
    }
    if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === 's') {
      e.preventDefault();
      if (dirty || page === null) void requestSave();
    }
  };

  // Ctrl/Cmd+S saves from anywhere on the editor's screen (the outline, the preview pane),
  // never the browser's "save page"; inside a dialog it does nothing.
  const saveKey = useRef(() => {});
  saveKey.current = () => {
    if (dirty || page === null) void requestSave();
  };
  useEffect(() => {
    if (!visible) return;
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.defaultPrevented || !(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey || e.key.toLowerCase() !== 's') return;
      e.preventDefault();
      if ((e.target as Element | null)?.closest?.('dialog')) return;
      saveKey.current();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [visible]);

  const onMerge = (merged: Content, andSave: boolean) => {
    const theirs = conflict!;
    const theirContent = normalizeContent(theirs.content);
    setConflict(null);
    setBase({ version: theirs.version, content: theirContent });
    setContent(merged);
    onPageChange?.(theirs);
    if (andSave) void requestSave(merged, theirs.version, theirs);
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

  // Whether and why not the page can go to review: the server's answer (page.actions).
  const submitAction = actionOf(page, 'submit');
  const canSubmit = page && offered(submitAction);
  const submitRefusal = dirty ? 'Save your changes first.' : refusal(submitAction);

  return (
    <div className="editor" hidden={!visible}>
      <div className={paneOpen ? 'editor-split' : undefined}>
        <form
          className="editor-form"
          aria-label={page ? 'Edit page content' : 'New page'}
          noValidate
          onSubmit={(e) => e.preventDefault()}
          onKeyDown={onKeyDown}
          onFocus={(e) => setActivePath((e.target as HTMLElement).closest('[data-path]')?.getAttribute('data-path') ?? null)}
        >
          <div className="editor-toolbar" role="toolbar" aria-label="Editor actions">
            <span className={`save-state${dirty ? ' dirty' : ''}`} role="status">
              {saving ? 'Saving…' : dirty ? 'Unsaved changes' : page ? `Saved · revision ${page.revision}` : 'Not saved yet'}
            </span>
            <div className="toolbar-buttons">
              <button type="button" className="btn-secondary" aria-pressed={paneOpen} onClick={() => setPaneOpen((o) => !o)}>
                Page preview
              </button>
              {dirty && (
                <button type="button" className="btn-secondary" onClick={discardDraft} disabled={saving}>
                  Discard changes
                </button>
              )}
              <button type="button" className="btn-primary" disabled={saving || (!dirty && page !== null)} aria-keyshortcuts="Control+S Meta+S" onClick={() => void requestSave()}>
                {page ? 'Save' : 'Create page'}
              </button>
              {canSubmit && (
                <button
                  type="button"
                  className="btn-secondary"
                  // A known blocker leaves the button on: the dialog names it and links to its field.
                  disabled={dirty || saving || (!submitAction.allowed && submitAction.reason !== 'check_failed')}
                  title={submitRefusal ?? undefined}
                  aria-describedby={submitRefusal ? 'submit-refusal' : undefined}
                  onClick={() => setSubmitOpen(true)}
                >
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
          {canSubmit && submitRefusal && (
            <p className="hint submit-refusal" id="submit-refusal">
              Not ready for review: {submitRefusal}
            </p>
          )}
          {savedElsewhere && (
            <div className="alert alert-warning saved-elsewhere" role="alert">
              <strong>
                {personName(savedElsewhere.updatedBy)} saved revision {savedElsewhere.revision}
              </strong>{' '}
              at {formatTime(savedElsewhere.updatedAt)} while you were editing. Your changes are not saved yet: bring theirs in before you save.{' '}
              <button
                type="button"
                className="btn-secondary small"
                onClick={() => {
                  setConflict(savedElsewhere);
                  watch.dismiss();
                }}
              >
                Merge their changes now
              </button>
            </div>
          )}
          {returned && <Notice kind="warning">{returned}</Notice>}
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
            {shownChecks.length > 0 && (
              <section className="form-section" aria-labelledby="h-checks">
                <h2 id="h-checks">Pre-review checks{liveChecks ? <span className="muted small"> · as typed, not saved yet</span> : null}</h2>
                <ChecksList checks={shownChecks} onGoTo={focusField} />
              </section>
            )}
            <FieldPreviews.Provider value={!paneOpen}>
              <ContentForm content={content} onChange={setContent} />
            </FieldPreviews.Provider>
          </FormErrors.Provider>
          <div className="editor-footer">
            <button type="button" className="btn-primary" disabled={saving || (!dirty && page !== null)} onClick={() => void requestSave()}>
              {page ? 'Save' : 'Create page'}
            </button>
          </div>
        </form>
        {paneOpen && visible && <PreviewPane content={content} activePath={activePath} pageId={page?.id ?? null} savedRevision={page?.revision} />}
      </div>
      {conflict && <ConflictMerge base={base.content} mine={content} theirs={conflict} busy={saving} onApply={onMerge} onCancel={() => setConflict(null)} />}
      {submitOpen && page && (
        <SubmitDialog
          page={page}
          onClose={() => setSubmitOpen(false)}
          onDone={(p) => onPageChange?.(p)}
          onGoTo={(path) => {
            setSubmitOpen(false);
            // The dialog closes first: a modal dialog keeps the focus inside it.
            window.setTimeout(() => focusField(path), 0);
          }}
        />
      )}
    </div>
  );
}
