// What the people on this page said to each other: the writers' notes when submitting, the
// reviewers' comments when requesting changes or signing, newest first.

import type { AuditEvent } from '../../api/types';
import { Time } from '../../components/ui';

const SAID: Record<string, string> = { submit: 'submitted for review', request_changes: 'requested changes', approve: 'approved' };

export interface Remark {
  seq: number;
  at: string;
  who: string;
  what: string;
  revision: number;
  text: string;
}

/** The remarks in a page's audit trail, oldest first. */
export function remarksOf(events: AuditEvent[]): Remark[] {
  const out: Remark[] = [];
  for (const e of events) {
    if (!(e.action in SAID)) continue;
    const data = (e.data ?? {}) as Record<string, unknown>;
    const text = typeof data.note === 'string' ? data.note : typeof data.comment === 'string' ? data.comment : '';
    out.push({ seq: e.seq, at: e.at, who: e.actorName || e.actor, what: SAID[e.action], revision: e.revision, text });
  }
  return out;
}

export function Conversation({ remarks }: { remarks: Remark[] }) {
  const said = remarks.filter((r) => r.text).reverse();
  return (
    <section className="conversation" aria-labelledby="h-conversation">
      <h3 id="h-conversation">Notes and comments</h3>
      {said.length === 0 ? (
        <p className="muted">Nobody has left a note or comment on this page yet.</p>
      ) : (
        <ol className="remarks">
          {said.map((r) => (
            <li key={r.seq}>
              <p className="remark-head">
                <strong>{r.who}</strong> {r.what} · revision {r.revision} · <Time iso={r.at} />
              </p>
              <blockquote>{r.text}</blockquote>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
