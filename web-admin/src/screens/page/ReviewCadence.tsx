// The page's own medical-review cadence (a page setting, not content: no new revision).

import { useState } from 'react';
import type { Page } from '../../api/types';
import { useApp } from '../../app-context';
import { useAction } from '../../components/useAction';
import { pagePath } from './paths';

/** The page's own medical-review cadence: days from a signature to the next review due. */
export function ReviewCadence({ page, onPageChange }: { page: Page; onPageChange: (p: Page) => void }) {
  const { api, can, announce } = useApp();
  const [days, setDays] = useState(String(page.reviewIntervalDays || ''));
  const { busy, error, setError, run } = useAction();
  const canChange = can('page:settings');
  const save = async () => {
    const n = days.trim() === '' ? 0 : Number(days);
    if (!Number.isInteger(n) || n < 0 || n > 3650) {
      setError('Enter a whole number of days from 1 to 3650, or leave it empty for the default.');
      return;
    }
    await run(async () => {
      const p = await api.patch<Page>(pagePath(page.id), { reviewIntervalDays: n });
      onPageChange(p);
      announce('Review cadence saved');
    });
  };
  return (
    <section className="card" aria-labelledby="h-cadence">
      <h3 id="h-cadence">Review cadence</h3>
      <p className="muted">
        Days from a reviewer's signature to the next medical review. Empty means the site default. A change applies from the next signature.
      </p>
      {error && <p className="field-error" role="alert">{error}</p>}
      <div className="field">
        <label htmlFor="review-interval">Review every (days)</label>
        <input
          id="review-interval"
          type="number"
          min={1}
          max={3650}
          inputMode="numeric"
          value={days}
          disabled={!canChange || busy}
          onChange={(e) => setDays(e.target.value)}
        />
      </div>
      {canChange ? (
        <button type="button" className="btn-secondary" disabled={busy} onClick={save}>
          Save cadence
        </button>
      ) : (
        <p className="muted">Setting the cadence is not among your permissions.</p>
      )}
    </section>
  );
}
