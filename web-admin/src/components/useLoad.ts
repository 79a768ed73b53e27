import { useCallback, useEffect, useRef, useState } from 'react';
import { errorMessage } from '../api/client';

/**
 * Loads something for a screen: the data (null until loaded), the error message, and reload().
 * It loads again whenever `deps` change; an answer to an older load never overwrites a newer
 * one (a quick switch between pages must not show the previous page).
 */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const generation = useRef(0);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const reload = useCallback(async (): Promise<T | null> => {
    const g = ++generation.current;
    try {
      const d = await load();
      if (g === generation.current) {
        setData(d);
        setError(null);
      }
      return d;
    } catch (e) {
      if (g === generation.current) setError(errorMessage(e));
      return null;
    }
  }, deps);
  useEffect(() => {
    setData(null);
    void reload();
  }, [reload]);
  return { data, setData, error, reload };
}
