// The languages a user may sign in (a reviewer approves a translation only in one of them),
// set by administrators on the Users screen from the server's locales.

import { useApp } from '../app-context';
import { FieldMessage } from '../components/PasswordFields';
import { languageLabel } from '../lib/translations';
import { useLocales } from './page/translations/useLocales';

export function LanguagesField({ idPrefix, languages, onChange, errors }: { idPrefix: string; languages: string[]; onChange: (l: string[]) => void; errors?: string[] }) {
  const { api } = useApp();
  const locales = useLocales(api);
  if (!locales || locales.locales.length < 2) return null;
  const errorId = `${idPrefix}-error`;
  const hintId = `${idPrefix}-hint`;
  // Tags the user holds that this server no longer lists stay visible, so they can be removed.
  const tags = [...locales.locales.map((l) => l.tag), ...languages.filter((t) => !locales.locales.some((l) => l.tag === t))];
  return (
    <fieldset className={`roles-field${errors?.length ? ' has-error' : ''}`} id={idPrefix} aria-describedby={[hintId, errors?.length ? errorId : ''].filter(Boolean).join(' ')}>
      <legend>Languages</legend>
      <p className="hint" id={hintId}>
        The languages this person reads well enough to sign a medical review in.
      </p>
      {tags.map((tag) => (
        <label key={tag} htmlFor={`${idPrefix}-${tag}`} className="check-label">
          <input id={`${idPrefix}-${tag}`} type="checkbox" checked={languages.includes(tag)} onChange={(e) => onChange(e.target.checked ? [...languages, tag] : languages.filter((x) => x !== tag))} />{' '}
          {languageLabel(tag)}
        </label>
      ))}
      <FieldMessage id={errorId} messages={errors} />
    </fieldset>
  );
}

/** The languages column of the users table. */
export function languagesText(languages: string[]): string {
  return languages.length ? languages.join(', ') : '—';
}
