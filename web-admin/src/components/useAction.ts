import { useState } from 'react';
import { errorMessage } from '../api/client';

/**
 * The busy flag and error message of a form action. run() clears the error, marks the form
 * busy while fn runs, and on failure shows describe(e) (the API's message by default) and
 * calls onError.
 */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async (fn: () => Promise<void>, opts: { describe?: (e: unknown) => string; onError?: () => void } = {}) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (e) {
      setError((opts.describe ?? errorMessage)(e));
      opts.onError?.();
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, run };
}
