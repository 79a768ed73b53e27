// The server's locales (GET /api/v1/locales), asked once per session: the source language,
// the others, and which are written right to left. The admin keeps no list of its own.

import { useEffect, useState } from 'react';
import { ApiError, type ApiClient } from '../../../api/client';
import type { Locales } from '../../../lib/translations';

const cache = new WeakMap<ApiClient, Promise<Locales | null>>();

/** The locales, or null from a server that has none configured (no such route). */
export function loadLocales(api: ApiClient): Promise<Locales | null> {
  let p = cache.get(api);
  if (!p) {
    p = api.get<Locales>('/api/v1/locales', { auth: false }).catch((e) => {
      cache.delete(api); // ask again next time: a network failure is not an answer
      if (e instanceof ApiError && e.status === 404) return null;
      throw e;
    });
    cache.set(api, p);
  }
  return p;
}

export function useLocales(api: ApiClient): Locales | null {
  const [locales, setLocales] = useState<Locales | null>(null);
  useEffect(() => {
    let live = true;
    loadLocales(api)
      .then((l) => live && setLocales(l && Array.isArray(l.locales) ? l : null))
      .catch(() => {}); // without locales the screens show no languages
    return () => {
      live = false;
    };
  }, [api]);
  return locales;
}
