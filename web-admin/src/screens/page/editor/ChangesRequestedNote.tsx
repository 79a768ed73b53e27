// The reviewer's comment on a page sent back to its writers.

import { useEffect, useState } from 'react';
import type { Page } from '../../../api/types';
import { useApp } from '../../../app-context';
import { Notice } from '../../../components/ui';

export function ChangesRequestedNote({ page }: { page: Page }) {
  const { api } = useApp();
  const [comment, setComment] = useState<string | null>(null);
  useEffect(() => {
    api
      .get<{ data: { action: string; data?: Record<string, unknown> | null }[] }>(`/api/v1/manage/pages/${encodeURIComponent(page.id)}/audit`)
      .then((r) => {
        const ev = [...(r?.data ?? [])].reverse().find((e) => /request.?changes|changes.?requested/i.test(e.action));
        const c = ev?.data?.comment;
        if (typeof c === 'string') setComment(c);
      })
      .catch(() => {});
  }, [api, page.id, page.version]);
  return (
    <Notice kind="warning">
      <strong>Changes requested by the reviewer.</strong> {comment ? <q>{comment}</q> : 'See the audit trail for the comment.'}
    </Notice>
  );
}
