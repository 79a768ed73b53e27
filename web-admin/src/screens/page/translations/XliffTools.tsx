// XLIFF 2.1 for translation agencies and CAT tools: download the source revision's
// translatable fields for this translation's language, and bring a translated file back as a
// new revision (If-Match). A file the server refuses is refused whole, naming its units.

import { useId, useRef, useState } from 'react';
import { ApiError, errorMessage } from '../../../api/client';
import type { Page } from '../../../api/types';
import { useApp } from '../../../app-context';
import { useAction } from '../../../components/useAction';
import { translationFacts, xliffFileName } from '../../../lib/translations';
import { pagePath } from '../paths';

export function XliffTools({ page, sourceId, onPageChange }: { page: Page; sourceId: string; onPageChange: (p: Page) => void }) {
  const { api, can, announce } = useApp();
  const locale = translationFacts(page).locale ?? '';
  const exp = useAction();
  const imp = useAction();
  const [unitErrors, setUnitErrors] = useState<string[]>([]);
  const [file, setFile] = useState<File | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const fileId = useId();

  const download = () =>
    exp.run(async () => {
      const r = await api.request<string>('GET', `${pagePath(sourceId)}/xliff?target=${encodeURIComponent(locale)}`, { headers: { Accept: 'application/xliff+xml, application/problem+json' } });
      const text = typeof r.data === 'string' ? r.data : String(r.data ?? '');
      const url = URL.createObjectURL(new Blob([text], { type: 'application/xliff+xml' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = xliffFileName(page.slug, locale);
      document.body.appendChild(a);
      a.click();
      a.remove();
      window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
      announce('XLIFF file downloaded.');
    });

  const upload = () =>
    imp.run(
      async () => {
        if (!file) throw new Error('Choose an XLIFF file first.');
        setUnitErrors([]);
        const body = await file.text();
        const r = await api.request<Page>('PUT', `${pagePath(sourceId)}/translations/${encodeURIComponent(locale)}/xliff`, {
          raw: { body, contentType: 'application/xliff+xml' },
          ifMatch: page.version,
        });
        onPageChange(r.data);
        setFile(null);
        if (input.current) input.current.value = '';
        announce(`XLIFF imported: revision ${r.data.revision}.`);
      },
      {
        describe: (e) => {
          // The units the server refused, by id (their field paths).
          if (e instanceof ApiError) setUnitErrors((e.problem.errors ?? []).map((x) => (x.field ? `${x.field}: ${x.message}` : x.message)));
          return e instanceof ApiError && e.status === 412 ? 'Someone saved this translation since you opened it. Reload it, then import again.' : errorMessage(e);
        },
      },
    );

  return (
    <div className="xliff-tools" role="group" aria-labelledby={`${fileId}-h`}>
      <h3 id={`${fileId}-h`}>XLIFF for translation tools</h3>
      <button type="button" className="btn-secondary small" disabled={exp.busy} onClick={() => void download()}>
        Export XLIFF
      </button>
      {exp.error && <p className="field-error">{exp.error}</p>}
      {can('page:save') && (
        <div className="xliff-import">
          <label htmlFor={fileId}>Translated XLIFF file</label>
          <input id={fileId} ref={input} type="file" accept=".xlf,.xliff,.xml,application/xliff+xml" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
          <button type="button" className="btn-secondary small" disabled={imp.busy || !file} onClick={() => void upload()}>
            Import as a new revision
          </button>
          {imp.error && (
            <div className="field-error" role="alert">
              <p>Not imported: {imp.error}</p>
              {unitErrors.length > 0 && (
                <ul>
                  {unitErrors.map((u) => (
                    <li key={u}>{u}</li>
                  ))}
                </ul>
              )}
            </div>
          )}
        </div>
      )}
    </div>
  );
}
