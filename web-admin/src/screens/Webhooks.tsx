import { useAction } from '../components/useAction';
import { useCallback, useEffect, useState } from 'react';
import { errorMessage } from '../api/client';
import { WEBHOOK_EVENTS, type ListResponse, type Webhook, type WebhookDelivery } from '../api/types';
import { useApp } from '../app-context';
import { ErrorBox, Loading, Notice, Time } from '../components/ui';

export function Webhooks() {
  const { api, announce, confirm } = useApp();
  const [hooks, setHooks] = useState<Webhook[] | null>(null);
  const { busy, error, setError, run } = useAction();
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [events, setEvents] = useState<string[]>(['page.published', 'page.unpublished']);
  const [created, setCreated] = useState<Webhook | null>(null);
  const [open, setOpen] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const r = await api.get<ListResponse<Webhook>>('/api/v1/manage/webhooks');
      setHooks(r?.data ?? []);
    } catch (e) {
      setError(errorMessage(e));
    }
  }, [api]);
  useEffect(() => void load(), [load]);

  const create = () =>
    run(async () => {
      const body: Record<string, unknown> = { url: url.trim(), events };
      if (description.trim()) body.description = description.trim();
      const h = await api.post<Webhook>('/api/v1/manage/webhooks', body);
      setCreated(h);
      setUrl('');
      setDescription('');
      announce('Webhook created. Copy its secret now: it is shown only once.');
      await load();
    });

  const rotate = async (h: Webhook) => {
    const ok = await confirm({
      title: 'Rotate the secret?',
      message: `A new secret is made for ${h.url} and shown once; deliveries are signed with it from now on, so the receiving website must be given the new secret.`,
      confirmLabel: 'Rotate secret',
    });
    if (!ok) return;
    try {
      const w = await api.post<Webhook>(`/api/v1/manage/webhooks/${encodeURIComponent(h.id)}/rotate-secret`, {});
      setCreated(w);
      announce('New secret made. Copy it now: it is shown only once.');
      await load();
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  const remove = async (h: Webhook) => {
    const ok = await confirm({ title: 'Delete this webhook?', message: `No more events will be sent to ${h.url}.`, confirmLabel: 'Delete webhook', danger: true });
    if (!ok) return;
    try {
      await api.delete(`/api/v1/manage/webhooks/${encodeURIComponent(h.id)}`);
      announce('Webhook deleted.');
      if (created?.id === h.id) setCreated(null);
      await load();
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  return (
    <>
      <h1>Webhooks</h1>
      <p className="muted">
        Websites are told when pages are published, unpublished or due for review. Each delivery is signed with the webhook's secret (header{' '}
        <code>Monograph-Signature</code>).
      </p>
      <ErrorBox error={error} />
      {created?.secret && (
        <Notice kind="success">
          <strong>Secret for {created.url}:</strong> <code className="secret">{created.secret}</code>
          <br />
          Copy it now and store it with the receiving website: it will not be shown again.{' '}
          <button type="button" className="btn-link" onClick={() => void navigator.clipboard?.writeText(created.secret!).then(() => announce('Secret copied.'))}>
            Copy secret
          </button>
        </Notice>
      )}
      <section className="card" aria-labelledby="h-new-hook">
        <h2 id="h-new-hook">New webhook</h2>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void create();
          }}
        >
          <div className="field">
            <label htmlFor="hook-url">Receiver URL</label>
            <input id="hook-url" type="url" required placeholder="https://example.org/hooks/monograph" value={url} onChange={(e) => setUrl(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="hook-description">Description (optional)</label>
            <input id="hook-description" value={description} onChange={(e) => setDescription(e.target.value)} />
          </div>
          <fieldset>
            <legend>Events</legend>
            {WEBHOOK_EVENTS.map((ev) => (
              <label key={ev} className="check-label">
                <input type="checkbox" checked={events.includes(ev)} onChange={(e) => setEvents(e.target.checked ? [...events, ev] : events.filter((x) => x !== ev))} /> {ev}
              </label>
            ))}
          </fieldset>
          <button type="submit" className="btn-primary" disabled={busy || !url.trim() || events.length === 0}>
            Create webhook
          </button>
        </form>
      </section>
      <h2>Webhooks</h2>
      {!hooks ? (
        <Loading />
      ) : hooks.length === 0 ? (
        <p>No webhooks yet.</p>
      ) : (
        <ul className="hook-list">
          {hooks.map((h) => (
            <li key={h.id} className="card">
              <div className="hook-head">
                <div>
                  <strong className="hook-url">{h.url}</strong>
                  {h.description && <div>{h.description}</div>}
                  <div className="muted small">
                    {h.events.join(', ')}
                    {h.createdAt && (
                      <>
                        {' '}
                        · created <Time iso={h.createdAt} />
                      </>
                    )}
                  </div>
                </div>
                <div className="button-row">
                  <button
                    type="button"
                    className="btn-secondary small"
                    aria-expanded={open === h.id}
                    aria-label={`${open === h.id ? 'Hide deliveries' : 'Delivery log'} for ${h.url}`}
                    onClick={() => setOpen(open === h.id ? null : h.id)}
                  >
                    {open === h.id ? 'Hide deliveries' : 'Delivery log'}
                  </button>
                  <button type="button" className="btn-secondary small" onClick={() => rotate(h)} aria-label={`Rotate secret for ${h.url}`}>
                    Rotate secret
                  </button>
                  <button type="button" className="btn-danger small" onClick={() => remove(h)} aria-label={`Delete webhook ${h.url}`}>
                    Delete
                  </button>
                </div>
              </div>
              {open === h.id && <Deliveries hook={h} />}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function Deliveries({ hook }: { hook: Webhook }) {
  const { api } = useApp();
  const [list, setList] = useState<WebhookDelivery[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api
      .get<ListResponse<WebhookDelivery>>(`/api/v1/manage/webhooks/${encodeURIComponent(hook.id)}/deliveries`)
      .then((r) => setList(r?.data ?? []))
      .catch((e) => setError(errorMessage(e)));
  }, [api, hook.id]);
  if (error) return <ErrorBox error={error} />;
  if (!list) return <Loading what="Loading deliveries" />;
  if (list.length === 0) return <p className="muted">Nothing delivered yet.</p>;
  return (
    <div className="table-wrap">
      <table>
        <caption className="visually-hidden">Deliveries to {hook.url}</caption>
        <thead>
          <tr>
            <th scope="col">Event</th>
            <th scope="col">Page</th>
            <th scope="col">Status</th>
            <th scope="col">Attempts</th>
            <th scope="col">Last response</th>
            <th scope="col">Last error</th>
            <th scope="col">Delivered / next attempt</th>
          </tr>
        </thead>
        <tbody>
          {list.map((d) => (
            <tr key={d.id}>
              <td>
                {d.event ?? ''}
                <div className="muted small">
                  <Time iso={d.occurredAt ?? d.createdAt ?? d.at} />
                </div>
              </td>
              <td>
                {d.slug ?? ''}
                {d.revision ? <span className="muted"> · rev {d.revision}</span> : null}
              </td>
              <td>{d.status ?? ''}</td>
              <td>{d.attempts ?? ''}</td>
              <td>{d.lastStatus ?? d.statusCode ?? d.responseStatus ?? '—'}</td>
              <td className="details">{d.lastError ?? d.error ?? ''}</td>
              <td>{d.deliveredAt ? <Time iso={d.deliveredAt} /> : d.nextAttemptAt ? <>next <Time iso={d.nextAttemptAt} /></> : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
