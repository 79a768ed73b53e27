// /admin/preview/<id>#token=… : a page's working copy as a website would show it, for anyone
// who was given the link (no session; the token is in the fragment, which browsers never send
// to a server, and opens this one page for 30 minutes).

import { useEffect, useState } from 'react';
import { ApiError, errorMessage, type ApiClient } from '../api/client';
import type { components } from '../api/schema.gen';
import { ReaderView } from '../components/ReaderView';
import { formatTime, Loading } from '../components/ui';
import { readerBlocks } from '../lib/reader';

type PreviewPage = components['schemas']['PreviewPage'];

export function PublicPreview({ api, id }: { api: ApiClient; id: string }) {
  const [page, setPage] = useState<PreviewPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [hash, setHash] = useState(() => window.location.hash);
  useEffect(() => {
    const onHash = () => setHash(window.location.hash);
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    setPage(null);
    setError(null);
    const token = new URLSearchParams(hash.slice(1)).get('token') ?? '';
    api
      .request<PreviewPage>('GET', `/api/v1/preview/pages/${encodeURIComponent(id)}?token=${encodeURIComponent(token)}`, { auth: false })
      .then((r) => setPage(r.data))
      .catch((e) => setError(e instanceof ApiError && e.status === 401 ? 'This preview link has expired or is not valid. Ask for a new one.' : errorMessage(e)));
  }, [api, id, hash]);
  const r = page?.medicalReview?.reviewer;
  return (
    <main id="main" className="public-preview">
      <p className="preview-banner" role="note">
        Preview{page ? ` of revision ${page.revision}` : ''}: not necessarily published or medically approved.
        {page?.medicalReview && ` Approved by ${r?.name} on ${formatTime(page.medicalReview.reviewedAt)}.`}
      </p>
      {error ? (
        <>
          <h1>Preview</h1>
          <p className="alert alert-error">{error}</p>
        </>
      ) : !page ? (
        <Loading what="Loading the preview" />
      ) : (
        <ReaderView title={page.title} blocks={readerBlocks(page)} level={1} reviewedBy={r ? r.name + (r.credentials ? `, ${r.credentials}` : '') : null} label="Page preview" />
      )}
    </main>
  );
}
