// The pre-review checks of a page, each naming its field as a link that goes there.

import type { Check } from '../../../api/types';
import { fieldId } from '../../../components/fields';
import { describeField } from '../../../lib/problem';

/** The form control for a content path: its own element, or the first one under it
 * (`sideEffects` → the common side effects list). */
function fieldElement(path: string): HTMLElement | null {
  const id = fieldId(path);
  return document.getElementById(id) ?? document.querySelector<HTMLElement>(`[id^="${id}-"]`);
}

/** Focuses the field a check or an error is about and scrolls it into view; false when the
 * field is not on the screen (another tab). */
export function focusField(path: string): boolean {
  const el = fieldElement(path);
  if (!el) return false;
  const target = el.matches('input, select, textarea') ? el : el.querySelector<HTMLElement>('input, select, textarea, button');
  (target ?? el).focus();
  el.scrollIntoView({ block: 'center' });
  return true;
}

/** The pre-review checks; with onGoTo, each names its field as a link that goes there. */
export function ChecksList({ checks, onGoTo }: { checks?: Check[]; onGoTo?: (path: string) => void }) {
  if (!checks || checks.length === 0) return <p className="muted">No pre-review checks reported a problem.</p>;
  return (
    <ul className="checks">
      {checks.map((c) => {
        const path = (c.field ?? '').replace(/^content\./, '');
        return (
          <li key={c.id + (c.field ?? '')} className={`check check-${c.severity}`}>
            <span className={`badge sev-${c.severity}`}>{c.severity === 'blocker' ? 'Blocker' : 'Warning'}</span> {c.message}
            {path &&
              (onGoTo ? (
                <>
                  {' '}
                  <a
                    href={`#${fieldId(path)}`}
                    onClick={(e) => {
                      e.preventDefault();
                      onGoTo(path);
                    }}
                  >
                    Go to {describeField(path)}
                  </a>
                </>
              ) : (
                <span className="muted"> — {describeField(path)}</span>
              ))}
          </li>
        );
      })}
    </ul>
  );
}
