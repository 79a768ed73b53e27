// The page's revisions, newest first, and the differences between any two of them.

import { useEffect, useState } from 'react';
import { errorMessage } from '../../api/client';
import type { Page, RevisionSummary } from '../../api/types';
import { useApp } from '../../app-context';
import { DiffView } from '../../components/DiffView';
import { ErrorBox, Loading, personName, shortHash, Time } from '../../components/ui';
import { useAction } from '../../components/useAction';
import type { FieldChange } from '../../lib/diff';
import { loadDiff } from '../../lib/revisions';
import { pagePath } from './paths';

function revisionAuthor(r: RevisionSummary): string {
  return personName(r.author);
}

export function HistoryTab({ page }: { page: Page }) {
  const { api } = useApp();
  const [revs, setRevs] = useState<RevisionSummary[] | null>(null);
  const { busy, error, setError, run } = useAction();
  const [from, setFrom] = useState(Math.max(0, page.revision - 1));
  const [to, setTo] = useState(page.revision);
  const [changes, setChanges] = useState<FieldChange[] | null>(null);
  const [shown, setShown] = useState<{ from: number; to: number } | null>(null);

  useEffect(() => {
    api
      .get<{ data: RevisionSummary[] }>(`${pagePath(page.id)}/revisions`)
      .then((r) => setRevs([...(r?.data ?? [])].sort((a, b) => b.number - a.number)))
      .catch((e) => setError(errorMessage(e)));
  }, [api, page.id, page.revision]);

  const compare = (f = from, t = to) =>
    run(async () => {
      setChanges(await loadDiff(api, page.id, f, t));
      setShown({ from: f, to: t });
    });

  return (
    <section className="tab-panel" aria-labelledby="h-history">
      <h2 id="h-history">History</h2>
      <ErrorBox error={error} />
      {!revs ? (
        <Loading what="Loading revisions" />
      ) : (
        <>
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">Revisions, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Revision</th>
                  <th scope="col">Author</th>
                  <th scope="col">Saved</th>
                  <th scope="col">Note</th>
                  <th scope="col">Content hash</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {revs.map((r) => (
                  <tr key={r.number}>
                    <th scope="row">
                      {r.number}
                      {page.live?.revision === r.number && <span className="badge state-published">live</span>}
                      {page.approval?.revision === r.number && <span className="badge state-approved">approved</span>}
                    </th>
                    <td>{revisionAuthor(r)}</td>
                    <td>
                      <Time iso={r.createdAt} />
                    </td>
                    <td>{r.note ?? ''}</td>
                    <td>
                      <code>{shortHash(r.contentHash)}</code>
                    </td>
                    <td>
                      {r.number > 1 && (
                        <button
                          type="button"
                          className="btn-link small"
                          onClick={() => {
                            setFrom(r.number - 1);
                            setTo(r.number);
                            void compare(r.number - 1, r.number);
                          }}
                        >
                          Changes in {r.number}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <form
            className="compare-form"
            onSubmit={(e) => {
              e.preventDefault();
              void compare();
            }}
          >
            <div className="field">
              <label htmlFor="diff-from">Compare revision</label>
              <select id="diff-from" value={from} onChange={(e) => setFrom(Number(e.target.value))}>
                <option value={0}>empty page</option>
                {revs.map((r) => (
                  <option key={r.number} value={r.number}>
                    {r.number}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="diff-to">with revision</label>
              <select id="diff-to" value={to} onChange={(e) => setTo(Number(e.target.value))}>
                {revs.map((r) => (
                  <option key={r.number} value={r.number}>
                    {r.number}
                  </option>
                ))}
              </select>
            </div>
            <button type="submit" className="btn-secondary" disabled={busy}>
              Show differences
            </button>
          </form>
          {busy && <Loading what="Loading differences" />}
          {changes && shown && (
            <section aria-label={`Differences between revision ${shown.from} and ${shown.to}`}>
              <h3>
                Revision {shown.from || 'empty'} → {shown.to}
              </h3>
              <DiffView
                changes={changes}
                fromLabel={shown.from ? `Revision ${shown.from}` : 'Empty page'}
                toLabel={`Revision ${shown.to}`}
                headingLevel={4}
                defaultMode={shown.from ? 'side' : 'inline'}
              />
            </section>
          )}
        </>
      )}
    </section>
  );
}
