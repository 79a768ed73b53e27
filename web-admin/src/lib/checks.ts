// The server refuses a submission with `check_failed` and the ids of the failing blocking
// checks (`"checks": ["disclaimer_missing"]`); the page JSON has the same checks as objects.
// checksNamed turns the one into the other, so the dialog shows each check's words and field.

import type { Check } from '../api/types';

export function checksNamed(ids: unknown, known: Check[]): Check[] {
  if (!Array.isArray(ids)) return known.filter((c) => c.severity === 'blocker');
  return ids
    .filter((id): id is string => typeof id === 'string')
    .map((id) => known.find((c) => c.id === id) ?? { id, severity: 'blocker' as const, message: `The check “${id.replace(/_/g, ' ')}” failed.`, field: '' });
}
