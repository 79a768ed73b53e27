// What readers see (the live revision) against the working copy.

import { useEffect, useState } from 'react';
import { errorMessage } from '../../api/client';
import type { Page } from '../../api/types';
import { useApp } from '../../app-context';
import { DiffView } from '../../components/DiffView';
import { ImageChanges } from '../../components/ImageChanges';
import { ErrorBox, Loading, personName, StateBadge, Time } from '../../components/ui';
import { normalizeContent } from '../../lib/content';
import { diffContent, type FieldChange } from '../../lib/diff';
import { getRevision } from '../../lib/revisions';

export function LiveTab({ page }: { page: Page }) {
  const { api } = useApp();
  const [changes, setChanges] = useState<FieldChange[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!page.live) return;
    setChanges(null);
    getRevision(api, page.id, page.live.revision)
      .then((rev) => setChanges(diffContent(normalizeContent(rev.content), normalizeContent(page.content))))
      .catch((e) => setError(errorMessage(e)));
  }, [api, page]);
  return (
    <section className="tab-panel" aria-labelledby="h-live">
      <h2 id="h-live">Live revision and working copy</h2>
      {!page.live ? (
        <p>
          Nothing of this page is live{page.unpublished ? ' (it was unpublished)' : ''}. Readers get 404{page.unpublished ? ' / 410' : ''} for <code>/api/v1/pages/{page.slug}</code>.
        </p>
      ) : (
        <>
          <p>
            Readers see revision <strong>{page.live.revision}</strong> (published <Time iso={page.live.publishedAt} />
            {page.live.publishedBy ? <> by {personName(page.live.publishedBy)}</> : null}). The working copy is revision <strong>{page.revision}</strong> (
            <StateBadge state={page.state} />
            ).{' '}
            <a href={`/api/v1/pages/${encodeURIComponent(page.slug)}`} target="_blank" rel="noreferrer">
              Open the published JSON
            </a>
          </p>
          <ErrorBox error={error} />
          <ImageChanges
            pageId={page.id}
            from={page.live.revision}
            content={page.content}
            fromLabel={`Live (revision ${page.live.revision})`}
            toLabel={`Working copy (revision ${page.revision})`}
            headingLevel={3}
          />
          {!changes && !error ? (
            <Loading />
          ) : changes ? (
            <DiffView
              changes={changes}
              fromLabel={`Live (revision ${page.live.revision})`}
              toLabel={`Working copy (revision ${page.revision})`}
              emptyText="The working copy is the same as the live revision."
            />
          ) : null}
        </>
      )}
    </section>
  );
}
