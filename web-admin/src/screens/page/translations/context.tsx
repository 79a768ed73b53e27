// What the form fields of a page need to know about its language: the text direction and
// language of what is typed, and, on a translation, the source text each field renders. The
// fields (components/fields.tsx) ask this context; without a provider nothing changes.

import { createContext, useContext, type ReactNode } from 'react';
import { isTranslatableField, sourceTextAt, type TextDir } from '../../../lib/translations';

export interface FieldLanguage {
  /** Whether the page is a translation (known from the page before anything is loaded). */
  translation: boolean;
  /** The page's language and direction (from the server's locales). */
  lang: string | null;
  dir: TextDir;
  /** On a translation: the source revision's content it renders, and how to name it. */
  source: unknown | null;
  sourceLang: string | null;
  sourceDir: TextDir;
  sourceLabel: string;
}

export const FieldLanguageContext = createContext<FieldLanguage | null>(null);

/** Whether the form being shown is a translation (source text beside its fields). */
export function useTranslating(): boolean {
  return useContext(FieldLanguageContext)?.translation ?? false;
}

/** The direction and language of the page's text, for previews: attributes to spread on the
 * element holding rendered text (empty without a language). */
export function useTextLanguage(): { dir?: TextDir; lang?: string } {
  const c = useContext(FieldLanguageContext);
  if (!c) return {};
  return { dir: c.dir, lang: c.lang ?? undefined };
}

/** A field's control, with the source text read-only beside it on a translation and the
 * page's direction applied to what is typed and previewed. */
export function FieldInLanguage({ path, children }: { path: string; children: ReactNode }) {
  const c = useContext(FieldLanguageContext);
  if (!c || !isTranslatableField(path)) return <>{children}</>;
  const target = (
    <div className="translate-target" dir={c.dir} lang={c.lang ?? undefined}>
      {children}
    </div>
  );
  if (!c.translation) return target;
  const text = sourceTextAt(c.source, path);
  return (
    <div className="translate-pair">
      <div className="translate-source" data-testid="source-text">
        <p className="translate-source-label">{c.sourceLabel}</p>
        {c.source == null ? (
          <p className="muted small">Loading the source…</p>
        ) : text === undefined ? (
          <p className="muted small">Not in the source.</p>
        ) : (
          <div className="translate-source-text" dir={c.sourceDir} lang={c.sourceLang ?? undefined}>
            {text === '' ? <span className="muted small">(empty)</span> : text}
          </div>
        )}
      </div>
      {target}
    </div>
  );
}
