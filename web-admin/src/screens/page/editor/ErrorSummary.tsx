// The list of a refused save's field errors, each a link to its field; it takes the focus
// after the refusal.

import { useEffect, useRef } from 'react';
import { fieldId } from '../../../components/fields';
import { describeField, type FieldErrors } from '../../../lib/problem';

export function ErrorSummary({ errors, focusSignal }: { errors: FieldErrors; focusSignal: number }) {
  const ref = useRef<HTMLDivElement>(null);
  const keys = Object.keys(errors);
  // Move focus to the summary after a refused save (not while the writer fixes fields).
  useEffect(() => {
    if (focusSignal) ref.current?.focus();
  }, [focusSignal]);
  if (!keys.length) return null;
  return (
    <div className="alert alert-error error-summary" role="alert" tabIndex={-1} ref={ref}>
      <h2>The page could not be saved</h2>
      <ul>
        {keys.map((k) => (
          <li key={k}>
            {k && document.getElementById(fieldId(k)) ? (
              <a
                href={`#${fieldId(k)}`}
                onClick={(e) => {
                  e.preventDefault();
                  const el = document.getElementById(fieldId(k));
                  const target = el?.matches('input, select, textarea') ? el : el?.querySelector<HTMLElement>('input, select, textarea, button');
                  (target ?? el)?.focus();
                  el?.scrollIntoView({ block: 'center' });
                }}
              >
                {describeField(k)}
              </a>
            ) : (
              <span>{describeField(k)}</span>
            )}
            : {errors[k].join('; ')}
          </li>
        ))}
      </ul>
    </div>
  );
}
