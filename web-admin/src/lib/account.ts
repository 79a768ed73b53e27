// Account links and account errors: pure helpers for the users screen and the password
// screens.

import { ApiError } from '../api/client';
import { fieldErrorsFrom, type FieldErrors } from './problem';

export type LinkKind = 'enrol' | 'reset';

/** The admin-UI address a person opens to set their password. The token travels in the
 * fragment: browsers never send it to a server, so it stays out of access logs and Referer
 * headers. */
export function accountLink(kind: LinkKind, token: string, origin: string, base = '/admin'): string {
  return `${origin}${base}/${kind}#token=${encodeURIComponent(token)}`;
}

/** The token of an account link: from the fragment (`#token=…`), or the query as written by
 * hand (`?token=…`). Empty when there is none. */
export function tokenFromLocation(hash: string, search: string): string {
  for (const part of [hash.replace(/^#/, ''), search.replace(/^\?/, '')]) {
    const t = new URLSearchParams(part).get('token');
    if (t && t.trim()) return t.trim();
  }
  return '';
}

/**
 * The form fields an account error belongs to. The server's `errors[].field` wins (renamed
 * through `rename`, e.g. newPassword → the form's own name); a problem without fields is put
 * at `byCode[code]` when its code has a home on this form. Unknown problems map to nothing,
 * and the caller shows them as a general error.
 */
export function accountFieldErrors(e: unknown, byCode: Record<string, string> = {}, rename: Record<string, string> = {}): FieldErrors {
  const out: FieldErrors = {};
  for (const [k, v] of Object.entries(fieldErrorsFrom(e, ''))) {
    if (!k) continue;
    const name = rename[k] ?? k;
    (out[name] ??= []).push(...v);
  }
  if (Object.keys(out).length === 0 && e instanceof ApiError && byCode[e.code]) {
    out[byCode[e.code]] = [e.problem.detail || e.problem.title || e.code];
  }
  return out;
}
