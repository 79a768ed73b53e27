// The page's audit trail: every action on it, in order, with its chained hash.

import { useEffect, useState } from 'react';
import { errorMessage } from '../../api/client';
import type { AuditEvent, Page } from '../../api/types';
import { useApp } from '../../app-context';
import { ErrorBox, formatTime, Loading, personName, shortHash, Time } from '../../components/ui';
import { pagePath } from './paths';

function actorName(e: AuditEvent): string {
  return e.actorName ?? personName(e.actor);
}

function detailValue(v: unknown): string {
  if (typeof v === 'string') {
    if (/^sha256:[0-9a-f]{16,}$/.test(v)) return shortHash(v);
    if (/^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(v)) return formatTime(v);
    return v;
  }
  if (v && typeof v === 'object' && !Array.isArray(v) && 'name' in v) {
    const o = v as { name?: string; credentials?: string };
    return `${o.name ?? ''}${o.credentials ? ', ' + o.credentials : ''}`;
  }
  return JSON.stringify(v);
}

const DETAIL_LABELS: Record<string, string> = {
  contentHash: 'hash',
  approvalRevision: 'approved revision',
  nextReviewDue: 'next review due',
  signedAt: 'signed',
  publishedBy: 'published by',
};

function eventDetails(e: AuditEvent): string {
  if (!e.data) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(e.data)) {
    if (v === null || v === undefined || v === '' || k === 'password') continue;
    parts.push(`${DETAIL_LABELS[k] ?? k}: ${detailValue(v)}`);
  }
  return parts.join(' · ');
}

export function AuditTab({ page }: { page: Page }) {
  const { api } = useApp();
  const [events, setEvents] = useState<AuditEvent[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api
      .get<{ data: AuditEvent[] }>(`${pagePath(page.id)}/audit`)
      .then((r) => setEvents(r?.data ?? []))
      .catch((e) => setError(errorMessage(e)));
  }, [api, page.id, page.version]);
  return (
    <section className="tab-panel" aria-labelledby="h-audit">
      <h2 id="h-audit">Audit trail</h2>
      <p className="muted">Every action on this page, in order. Events are never changed or deleted; each one's hash chains to the one before it.</p>
      <ErrorBox error={error} />
      {!events ? (
        <Loading what="Loading audit trail" />
      ) : events.length === 0 ? (
        <p>No events yet.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Audit events of this page</caption>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Time</th>
                <th scope="col">Who</th>
                <th scope="col">Action</th>
                <th scope="col">Revision</th>
                <th scope="col">Details</th>
                <th scope="col">Hash</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e) => (
                <tr key={e.seq + ':' + e.hash}>
                  <td>{e.seq}</td>
                  <td>
                    <Time iso={e.at} />
                  </td>
                  <td>{actorName(e)}</td>
                  <td>
                    <span className="action">{e.action}</span>
                  </td>
                  <td>{e.revision ?? ''}</td>
                  <td className="details">{eventDetails(e)}</td>
                  <td>
                    <code title={e.hash}>{shortHash(e.hash)}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
