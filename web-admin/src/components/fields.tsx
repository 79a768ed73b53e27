// Form controls of the page editor. Every control has a <label>; server errors for a field
// are shown under it, linked by aria-describedby and flagged with aria-invalid.

import { createContext, memo, useContext, useEffect, useId, useRef, useState, type ClipboardEvent, type ReactNode } from 'react';
import { useApp } from '../app-context';
import { errorMessage } from '../api/client';
import { applyEdit, formatEdit, pastedItems, type Format } from '../lib/markdownEdit';
import { rendererFor } from '../lib/renderer';
import { MarkdownImageButton } from './MediaPicker';
import { indexAfterMove, indexAfterRemove, insertItem, moveItem, removeItem, replaceItem } from '../lib/list';
import { errorsAt, hasErrorsUnder, type FieldErrors } from '../lib/problem';
import { FieldInLanguage } from '../screens/page/translations/context';

export interface FormErrorsState {
  errors: FieldErrors;
  remap: (listPath: string, mapIndex: (old: number) => number) => void;
  /** Forgets the server's error for a field once the writer edits it. */
  clear?: (path: string) => void;
}
export const FormErrors = createContext<FormErrorsState>({ errors: {}, remap: () => {} });

/** Whether Markdown fields show their own preview at first (off while the editor shows the
 * whole page beside the form). */
export const FieldPreviews = createContext(true);

export const fieldId = (path: string) => 'f-' + (path.replace(/[^a-zA-Z0-9]+/g, '-').replace(/-$/, '') || 'root');

function FieldErrorText({ path, id }: { path: string; id: string }) {
  const { errors } = useContext(FormErrors);
  const list = errorsAt(errors, path);
  if (!list.length) return null;
  return (
    <p className="field-error" id={id}>
      {list.join('; ')}
    </p>
  );
}

function useFieldA11y(path: string, hint?: string) {
  const { errors, clear } = useContext(FormErrors);
  const id = fieldId(path);
  const errId = id + '-error';
  const hintId = id + '-hint';
  const invalid = errorsAt(errors, path).length > 0;
  const describedBy = [hint ? hintId : '', invalid ? errId : ''].filter(Boolean).join(' ') || undefined;
  /** The control's onChange: forgets the field's server error, then passes the value on. */
  const changed =
    (onChange: (v: string) => void) => (e: { target: { value: string } }) => {
      if (invalid) clear?.(path);
      onChange(e.target.value);
    };
  return { id, errId, hintId, invalid, describedBy, changed };
}

type FieldA11y = ReturnType<typeof useFieldA11y>;

/** The frame every labelled control shares: its label (or a custom head), hint and error. */
function FieldFrame({
  a,
  path,
  label,
  hint,
  required,
  hideLabel,
  head,
  className = 'field',
  children,
}: {
  a: FieldA11y;
  path: string;
  label?: ReactNode;
  hint?: string;
  required?: boolean;
  hideLabel?: boolean;
  head?: ReactNode;
  className?: string;
  children: ReactNode;
}) {
  return (
    <div className={`${className}${a.invalid ? ' has-error' : ''}`} data-path={path}>
      {head ?? (
        <label htmlFor={a.id} className={hideLabel ? 'visually-hidden' : undefined}>
          {label}
          {required && <span className="req" aria-hidden="true"> *</span>}
        </label>
      )}
      {hint && (
        <p className="hint" id={a.hintId}>
          {hint}
        </p>
      )}
      {/* On a translation the source text is beside the control; rtl languages type rtl. */}
      <FieldInLanguage path={path}>{children}</FieldInLanguage>
      <FieldErrorText path={path} id={a.errId} />
    </div>
  );
}

export function TextField({
  path,
  label,
  value,
  onChange,
  hint,
  required,
  type = 'text',
  maxLength,
  placeholder,
  hideLabel,
  autoComplete,
  inputMode,
  pattern,
}: {
  path: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  hint?: string;
  required?: boolean;
  type?: string;
  maxLength?: number;
  placeholder?: string;
  hideLabel?: boolean;
  autoComplete?: string;
  inputMode?: 'numeric' | 'url' | 'text';
  pattern?: string;
}) {
  const a = useFieldA11y(path, hint);
  return (
    <FieldFrame a={a} path={path} label={label} hint={hint} required={required} hideLabel={hideLabel}>
      <input
        id={a.id}
        name={path}
        type={type}
        value={value}
        required={required}
        maxLength={maxLength}
        placeholder={placeholder}
        autoComplete={autoComplete ?? 'off'}
        inputMode={inputMode}
        pattern={pattern}
        aria-invalid={a.invalid || undefined}
        aria-describedby={a.describedBy}
        onChange={a.changed(onChange)}
      />
    </FieldFrame>
  );
}

export function TextArea({
  path,
  label,
  value,
  onChange,
  hint,
  rows = 4,
  maxLength,
  required,
}: {
  path: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  hint?: string;
  rows?: number;
  maxLength?: number;
  required?: boolean;
}) {
  const a = useFieldA11y(path, hint);
  return (
    <FieldFrame a={a} path={path} label={label} hint={hint} required={required}>
      <textarea
        id={a.id}
        name={path}
        rows={rows}
        value={value}
        maxLength={maxLength}
        required={required}
        aria-invalid={a.invalid || undefined}
        aria-describedby={a.describedBy}
        onChange={a.changed(onChange)}
      />
      {maxLength && (
        <p className="counter" aria-hidden="true">
          {value.length} / {maxLength}
        </p>
      )}
    </FieldFrame>
  );
}

export function SelectField({
  path,
  label,
  value,
  onChange,
  options,
}: {
  path: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  options: { value: string; label: string; disabled?: boolean }[];
}) {
  const a = useFieldA11y(path);
  const known = options.some((o) => o.value === value);
  return (
    <FieldFrame a={a} path={path} label={label}>
      <select id={a.id} name={path} value={value} aria-invalid={a.invalid || undefined} aria-describedby={a.describedBy} onChange={a.changed(onChange)}>
        {!known && <option value={value}>{value || '—'}</option>}
        {options.map((o) => (
          <option key={o.value} value={o.value} disabled={o.disabled}>
            {o.label}
          </option>
        ))}
      </select>
    </FieldFrame>
  );
}

const MD_BUTTONS: { f: Format; label: string; title: string; icon: string; keys?: string }[] = [
  { f: 'bold', label: 'Bold', title: 'Bold (Ctrl+B)', icon: 'B', keys: 'Control+B Meta+B' },
  { f: 'italic', label: 'Italic', title: 'Italic (Ctrl+I)', icon: 'I', keys: 'Control+I Meta+I' },
  { f: 'link', label: 'Link', title: 'Link', icon: '🔗' },
  { f: 'list', label: 'Bulleted list', title: 'Bulleted list', icon: '•' },
  { f: 'table', label: 'Table', title: 'Table', icon: '▦' },
];

/** Markdown with a live preview rendered by the server exactly as delivery will render it. */
export function MarkdownField({ path, label, value, onChange, rows = 6, hint }: { path: string; label: string; value: string; onChange: (v: string) => void; rows?: number; hint?: string }) {
  const { api } = useApp();
  const a = useFieldA11y(path, hint);
  const previews = useContext(FieldPreviews);
  const [html, setHtml] = useState<string | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);
  const [showPreview, setShowPreview] = useState(previews);
  const seq = useRef(0);
  useEffect(() => {
    if (!showPreview) return;
    const my = ++seq.current;
    const renderer = rendererFor(api);
    const known = renderer.cached(value);
    if (known !== undefined) {
      setHtml(known);
      setPreviewError(null);
      return;
    }
    // Typing renders once the writer pauses, through the shared renderer (lib/renderer.ts).
    const t = window.setTimeout(
      () => {
        renderer
          .render(value)
          .then((h) => {
            if (my === seq.current) {
              setHtml(h);
              setPreviewError(null);
            }
          })
          .catch((e) => {
            if (my === seq.current) setPreviewError(errorMessage(e));
          });
      },
      html === null ? 0 : 350,
    );
    return () => window.clearTimeout(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [value, showPreview, api]);
  const previewId = a.id + '-preview';
  const area = useRef<HTMLTextAreaElement>(null);
  const format = (f: Format) => {
    const t = area.current;
    if (!t) return;
    const e = formatEdit(t.value, t.selectionStart, t.selectionEnd, f);
    t.focus();
    t.setSelectionRange(e.from, e.to);
    // Inserted as typing is, so Ctrl+Z undoes it; where the browser cannot, set the value.
    if (!document.execCommand?.('insertText', false, e.insert)) onChange(applyEdit(t.value, e));
    requestAnimationFrame(() => area.current?.setSelectionRange(e.selStart, e.selEnd));
  };
  const head = (
    <div className="markdown-head">
      <label htmlFor={a.id}>
        {label} <span className="muted">(Markdown)</span>
      </label>
      <div className="md-toolbar" role="toolbar" aria-label={`Format ${label}`}>
        {MD_BUTTONS.map((b) => (
          <button key={b.f} type="button" className="btn-icon md-button" aria-label={b.label} title={b.title} aria-keyshortcuts={b.keys} onClick={() => format(b.f)}>
            <span aria-hidden="true">{b.icon}</span>
          </button>
        ))}
        <MarkdownImageButton area={area} label={label} onChange={onChange} />
      </div>
      <button type="button" className="btn-link small" aria-expanded={showPreview} aria-controls={previewId} onClick={() => setShowPreview((s) => !s)}>
        {showPreview ? 'Hide preview' : 'Show preview'}
      </button>
    </div>
  );
  return (
    <FieldFrame a={a} path={path} hint={hint} head={head} className="field markdown-field">
      <div className={showPreview ? 'markdown-split' : undefined}>
        <textarea
          id={a.id}
          ref={area}
          name={path}
          rows={rows}
          value={value}
          aria-invalid={a.invalid || undefined}
          aria-describedby={a.describedBy}
          onChange={a.changed(onChange)}
          onKeyDown={(e) => {
            if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey) return;
            const f = e.key.toLowerCase() === 'b' ? 'bold' : e.key.toLowerCase() === 'i' ? 'italic' : null;
            if (!f) return;
            e.preventDefault();
            format(f);
          }}
        />
        {showPreview && (
          <section className="preview" id={previewId} aria-label={`Preview of ${label}`} tabIndex={0}>
            {previewError ? (
              <p className="muted">Preview unavailable: {previewError}</p>
            ) : html === null ? (
              <p className="muted">Rendering…</p>
            ) : html.trim() === '' ? (
              <p className="muted">Nothing to preview.</p>
            ) : (
              <div className="rendered" dangerouslySetInnerHTML={{ __html: html }} />
            )}
          </section>
        )}
      </div>
    </FieldFrame>
  );
}

type FocusTarget = { index: number; action: 'up' | 'down' | 'remove' | 'first' } | { index: -1; action: 'add' };

/** A list of items that can be added to, removed and reordered with buttons. Focus follows
 * the item that moved, so the whole list can be arranged from the keyboard. */
export function ListEditor<T>({
  path,
  legend,
  items,
  onChange,
  newItem,
  noun,
  renderItem,
  hint,
  itemTitle,
  compact,
  itemDeps = '',
  collapse,
}: {
  path: string;
  legend: string;
  items: T[];
  onChange: (items: T[]) => void;
  newItem: () => T;
  noun: string;
  renderItem: (item: T, index: number, update: (item: T) => void) => ReactNode;
  hint?: string;
  itemTitle?: (item: T, index: number) => string;
  compact?: boolean;
  /** What an item's rendering depends on besides the item itself (e.g. the section keys
   * in use): items are re-rendered only when it, their item or their index changes. */
  itemDeps?: string;
  /** Collapsible items: whether one is collapsed, and the toggle. */
  collapse?: { isCollapsed: (item: T) => boolean; toggle: (item: T) => void };
}) {
  const { errors, remap } = useContext(FormErrors);
  // The latest list and callbacks, for items that were not re-rendered since (typing in one
  // section must not re-render the eleven others, nor undo their edits with an old list).
  const latest = useRef({ items, onChange, renderItem });
  latest.current = { items, onChange, renderItem };
  const updaters = useRef<((v: T) => void)[]>([]);
  const updater = (i: number) =>
    (updaters.current[i] ??= (v: T) => latest.current.onChange(replaceItem(latest.current.items, i, v)));
  const listRef = useRef<HTMLOListElement>(null);
  const addRef = useRef<HTMLButtonElement>(null);
  const [focus, setFocus] = useState<FocusTarget | null>(null);
  const hintId = useId();
  const groupErrors = errorsAt(errors, path);

  useEffect(() => {
    if (!focus) return;
    setFocus(null);
    if (focus.action === 'add') {
      addRef.current?.focus();
      return;
    }
    const li = listRef.current?.children[focus.index] as HTMLElement | undefined;
    if (!li) {
      addRef.current?.focus();
      return;
    }
    if (focus.action === 'first') {
      li.querySelector<HTMLElement>('input, select, textarea')?.focus();
      return;
    }
    const btn = li.querySelector<HTMLButtonElement>(`[data-action="${focus.action}"]`);
    if (btn && !btn.disabled) btn.focus();
    else li.querySelector<HTMLButtonElement>('[data-action="up"]:not(:disabled), [data-action="down"]:not(:disabled), [data-action="remove"]')?.focus();
  }, [focus]);

  const move = (from: number, to: number, action: 'up' | 'down') => {
    onChange(moveItem(items, from, to));
    remap(path, (old) => indexAfterMove(old, from, to, items.length));
    setFocus({ index: to, action });
  };
  const remove = (i: number) => {
    onChange(removeItem(items, i));
    remap(path, (old) => indexAfterRemove(old, i));
    if (items.length <= 1) setFocus({ index: -1, action: 'add' });
    else setFocus({ index: Math.min(i, items.length - 2), action: 'remove' });
  };
  const add = () => {
    onChange(insertItem(items, items.length, newItem()));
    setFocus({ index: items.length, action: 'first' });
  };
  const label = (item: T, i: number) => (itemTitle ? itemTitle(item, i) : `${cap(noun)} ${i + 1}`);

  return (
    <fieldset className={`list-editor${compact ? ' compact' : ''}${hasErrorsUnder(errors, path) ? ' has-error' : ''}`} id={fieldId(path)} data-path={path} aria-describedby={hint ? hintId : undefined}>
      <legend>{legend}</legend>
      {hint && (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      )}
      {groupErrors.length > 0 && <p className="field-error">{groupErrors.join('; ')}</p>}
      {items.length === 0 && <p className="muted empty">No {plural(noun)} yet.</p>}
      <ol ref={listRef} className="list-items">
        {items.map((item, i) => (
          <li key={i} className={`list-item${hasErrorsUnder(errors, `${path}[${i}]`) ? ' has-error' : ''}`}>
            <div className="list-item-col">
              {collapse && (
                <button
                  type="button"
                  className="btn-link collapse-toggle"
                  aria-expanded={!collapse.isCollapsed(item)}
                  aria-controls={`${fieldId(path)}-${i}-fields`}
                  onClick={() => collapse.toggle(item)}
                >
                  <span aria-hidden="true">{collapse.isCollapsed(item) ? '▸' : '▾'}</span> {cap(label(item, i))}
                </button>
              )}
              <div id={`${fieldId(path)}-${i}-fields`} className="list-item-main" hidden={collapse?.isCollapsed(item)}>
                <ItemBody item={item} index={i} deps={itemDeps} render={latest} update={updater(i)} />
              </div>
            </div>
            <div className="list-item-tools" role="group" aria-label={`Arrange ${label(item, i)}`}>
              <button type="button" className="btn-icon" data-action="up" disabled={i === 0} aria-label={`Move ${label(item, i)} up`} title="Move up" onClick={() => move(i, i - 1, 'up')}>
                ↑
              </button>
              <button
                type="button"
                className="btn-icon"
                data-action="down"
                disabled={i === items.length - 1}
                aria-label={`Move ${label(item, i)} down`}
                title="Move down"
                onClick={() => move(i, i + 1, 'down')}
              >
                ↓
              </button>
              <button type="button" className="btn-icon danger" data-action="remove" aria-label={`Remove ${label(item, i)}`} title="Remove" onClick={() => remove(i)}>
                ✕
              </button>
            </div>
          </li>
        ))}
      </ol>
      <button type="button" ref={addRef} className="btn-secondary small" onClick={add}>
        + Add {noun}
      </button>
    </fieldset>
  );
}

type ItemBodyProps<T> = {
  item: T;
  index: number;
  deps: string;
  render: { current: { renderItem: (item: T, index: number, update: (item: T) => void) => ReactNode } };
  update: (item: T) => void;
};

function ItemBodyInner<T>({ item, index, render, update }: ItemBodyProps<T>) {
  return <div className="list-item-body">{render.current.renderItem(item, index, update)}</div>;
}

/** One list item's fields, re-rendered only when the item, its index or the list's itemDeps
 * change (field errors reach them through context either way). */
const ItemBody = memo(ItemBodyInner, (a, b) => a.item === b.item && a.index === b.index && a.deps === b.deps && a.update === b.update) as typeof ItemBodyInner;

/** A list of short texts (brand names, routes, tags…). */
export function StringList({ path, legend, items, onChange, noun, hint }: { path: string; legend: string; items: string[]; onChange: (v: string[]) => void; noun: string; hint?: string }) {
  // Lines pasted into an item become items: the one pasted into (when it was empty) and new
  // ones after it, so a list copied from a document arrives as a list.
  const onPaste = (e: ClipboardEvent<HTMLDivElement>) => {
    const lines = pastedItems(e.clipboardData.getData('text/plain'));
    const at = /\[(\d+)\]$/.exec((e.target as HTMLElement).closest('[data-path]')?.getAttribute('data-path') ?? '');
    if (!lines || !at) return;
    e.preventDefault();
    const i = Number(at[1]);
    const keep = items[i]?.trim() ? 1 : 0;
    onChange([...items.slice(0, i + keep), ...lines, ...items.slice(i + 1)]);
  };
  return (
    <div onPaste={onPaste}>
      <ListEditor
        path={path}
        legend={legend}
        items={items}
        onChange={onChange}
        newItem={() => ''}
        noun={noun}
        hint={hint}
        compact
        renderItem={(item, i, update) => <TextField path={`${path}[${i}]`} label={`${cap(noun)} ${i + 1}`} hideLabel value={item} onChange={update} />}
      />
    </div>
  );
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const plural = (s: string) => (/(s|x|ch|sh)$/.test(s) ? s + 'es' : /[^aeiou]y$/.test(s) ? s.slice(0, -1) + 'ies' : s + 's');
