// Above a translation's editor: which source revision it renders, whether the source has
// moved on since ("outdated"), exactly what changed in the source since that base (the
// server's source-diff), rebasing onto the newer source revision, and XLIFF for agencies.

import { useEffect, useState } from 'react';
import type { Page } from '../../../api/types';
import { useApp } from '../../../app-context';
import { DiffView } from '../../../components/DiffView';
import { ErrorBox, Loading, Notice, Time } from '../../../components/ui';
import { useAction } from '../../../components/useAction';
import type { FieldChange } from '../../../lib/diff';
import { normalizeServerDiff } from '../../../lib/serverDiff';
import { languageLabel, rebaseTarget, translationFacts, type Locales } from '../../../lib/translations';
import { Link } from '../../../router';
import { pagePath } from '../paths';
import { XliffTools } from './XliffTools';

interface SourceDiff {
  changes: FieldChange[];
  from: number;
  to: number | null;
}

export function TranslationPanel({ page, onPageChange, locales, sourceError }: { page: Page; onPageChange: (p: Page) => void; locales: Locales | null; sourceError: string | null }) {
  const { api, can, confirm, announce } = useApp();
  const facts = translationFacts(page);
  const of = facts.translationOf!;
  const sourceLang = languageLabel(locales?.source ?? 'source');
  const [source, setSource] = useState<Page | null>(null);
  const [diff, setDiff] = useState<SourceDiff | null>(null);
  // After a rebase the source-diff since the new base is empty: the changes just taken on
  // stay on screen, since they are what the translator now has to render.
  const [rebased, setRebased] = useState<SourceDiff | null>(null);
  const load = useAction();
  const rebase = useAction();

  useEffect(() => {
    void load.run(async () => {
      const [src, raw] = await Promise.all([api.get<Page>(pagePath(of.id)), api.get<unknown>(`${pagePath(page.id)}/source-diff`)]);
      setSource(src);
      const r = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
      setDiff({ changes: normalizeServerDiff(raw) ?? [], from: typeof r.from === 'number' ? r.from : of.revision, to: typeof r.to === 'number' ? r.to : null });
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, page.id, of.id, of.revision]);

  const target = source ? rebaseTarget(source, of) : null;
  const doRebase = async () => {
    if (!target) return;
    const ok = await confirm({
      title: `Rebase onto ${sourceLang} revision ${target}?`,
      message: `The translation gets a new revision that renders ${sourceLang} revision ${target} instead of ${of.revision}. Like any new revision it needs a new medical signature before it can go live, and its current approval, if any, no longer counts. Update the text to say what the changes shown here say.`,
      confirmLabel: `Rebase onto revision ${target}`,
    });
    if (!ok) return;
    await rebase.run(async () => {
      const r = await api.request<Page>('POST', `${pagePath(page.id)}/rebase`, { body: { sourceRevision: target }, ifMatch: page.version });
      if (diff && diff.changes.length) setRebased({ ...diff, to: diff.to ?? target });
      onPageChange(r.data);
      announce(`Rebased onto ${sourceLang} revision ${target}: revision ${r.data.revision} of the translation needs a new signature.`);
    });
  };

  const shown = rebased ?? diff;
  return (
    <section className="translation-panel" aria-labelledby="h-translation">
      <h2 id="h-translation">{languageLabel(facts.locale ?? '')} translation</h2>
      <p>
        Renders{' '}
        {source ? (
          <Link to={`/pages/${encodeURIComponent(of.id)}`} lang={locales?.source}>
            {source.content?.title || source.slug}
          </Link>
        ) : (
          'the source page'
        )}{' '}
        as of {sourceLang} revision <strong>{of.revision}</strong>. The reviewer who signs it signs that it faithfully renders that revision.
      </p>
      <ErrorBox error={sourceError} title="The source text could not be loaded." />
      {facts.outdated && (
        <div className="alert alert-warning" role="status" data-testid="translation-outdated">
          <strong>This translation may be out of date.</strong> A newer {sourceLang} text
          {source?.live ? (
            <>
              {' '}
              (revision {source.live.revision}) went live <Time iso={source.live.publishedAt} />
            </>
          ) : (
            ' went live'
          )}{' '}
          after revision {of.revision}, which this translation renders.
        </div>
      )}
      <ErrorBox error={load.error} title="The source changes could not be loaded." />
      <ErrorBox error={rebase.error} title="Not rebased." />
      {!shown && !load.error ? (
        <Loading what="Loading the source changes" />
      ) : shown ? (
        <details className="source-diff" open={shown.changes.length > 0} data-testid="source-diff">
          <summary>
            {rebased ? 'The source changes you took on with the rebase' : 'Source changes since this translation’s base'}: {shown.changes.length} field
            {shown.changes.length === 1 ? '' : 's'}
          </summary>
          <DiffView
            changes={shown.changes}
            fromLabel={`${sourceLang} revision ${shown.from}`}
            toLabel={`${sourceLang} revision ${shown.to ?? target ?? '—'}`}
            emptyText={`The ${sourceLang} text has not changed since revision ${shown.from}.`}
          />
        </details>
      ) : null}
      <div className="translation-actions">
        {target && can('page:save') && (
          <>
            <button type="button" className="btn-secondary" disabled={rebase.busy} onClick={() => void doRebase()} aria-describedby="rebase-hint">
              Rebase onto source revision {target}
            </button>
            <p className="hint" id="rebase-hint">
              A rebase is a new revision of the translation: it needs a new medical signature.
            </p>
          </>
        )}
        {rebased && <Notice kind="warning">Rebased. Bring the translation in line with the changes above, then submit it for review.</Notice>}
        <XliffTools page={page} sourceId={of.id} onPageChange={onPageChange} />
      </div>
    </section>
  );
}
