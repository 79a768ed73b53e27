import { useEffect, useId, useRef, type ReactNode } from 'react';
import { STATE_LABELS } from '../lib/content';

const dtf = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' });

export function formatTime(iso?: string | null): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dtf.format(d);
}

export function Time({ iso }: { iso?: string | null }) {
  if (!iso) return <span>—</span>;
  return <time dateTime={iso}>{formatTime(iso)}</time>;
}

export function StateBadge({ state }: { state: string }) {
  return <span className={`badge state-${state}`}>{STATE_LABELS[state] ?? state}</span>;
}

export function ErrorBox({ error, title }: { error: string | null | undefined; title?: string }) {
  if (!error) return null;
  return (
    <div className="alert alert-error" role="alert">
      {title && <strong>{title} </strong>}
      {error}
    </div>
  );
}

export function Notice({ children, kind = 'info' }: { children: ReactNode; kind?: 'info' | 'success' | 'warning' }) {
  return <div className={`alert alert-${kind}`}>{children}</div>;
}

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p className="loading" role="status">
      {what}…
    </p>
  );
}

/** A modal dialog on the native <dialog> element: focus is kept inside, Escape closes it.
 * The element marked `data-autofocus` takes the focus when it opens (else the first control). */
export function Modal({
  open,
  title,
  onClose,
  children,
  wide,
  className,
}: {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ReactNode;
  wide?: boolean;
  className?: string;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      d.showModal();
      // showModal() focuses the first control: React's autoFocus ran while the dialog was
      // still hidden and was lost, so a reviewer who typed at once typed into the wrong field.
      d.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    }
    if (!open && d.open) d.close();
  }, [open]);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    const onCancel = (e: Event) => {
      e.preventDefault();
      onClose();
    };
    d.addEventListener('cancel', onCancel);
    return () => d.removeEventListener('cancel', onCancel);
  }, [onClose]);
  return (
    <dialog ref={ref} aria-labelledby={titleId} className={`modal${wide ? ' modal-wide' : ''}${className ? ' ' + className : ''}`}>
      {open && (
        <>
          <h2 id={titleId} className="modal-title">
            {title}
          </h2>
          {children}
        </>
      )}
    </dialog>
  );
}

export function shortHash(h?: string | null): string {
  if (!h) return '—';
  const [algo, hex] = h.includes(':') ? h.split(':', 2) : ['', h];
  return (algo ? algo + ':' : '') + hex.slice(0, 12) + '…';
}

export function personName(p: unknown): string {
  if (!p) return '—';
  if (typeof p === 'string') return p;
  if (typeof p === 'object') {
    const o = p as Record<string, unknown>;
    return String(o.name ?? o.email ?? o.id ?? '—');
  }
  return String(p);
}
