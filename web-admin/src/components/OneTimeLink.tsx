// A link that sets a password (enrolment or reset), shown once: the server keeps only its
// hash, so closing this dialog is the last chance to copy it.

import { useRef, useState } from 'react';
import type { AccountToken } from '../api/types';
import { accountLink, type LinkKind } from '../lib/account';
import { BASE } from '../router';
import { Modal, Time } from './ui';

async function copyText(text: string, fallback: HTMLInputElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No clipboard permission (or an insecure origin): select the text and use the old way.
    if (!fallback) return false;
    fallback.focus();
    fallback.select();
    try {
      return document.execCommand('copy');
    } catch {
      return false;
    }
  }
}

export function OneTimeLinkDialog({ kind, who, token, onClose }: { kind: LinkKind; who: string; token: AccountToken; onClose: () => void }) {
  const link = accountLink(kind, token.token, window.location.origin, BASE);
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<boolean | null>(null);
  const title = kind === 'enrol' ? `Enrolment link for ${who}` : `Password reset link for ${who}`;
  return (
    <Modal open title={title} onClose={onClose}>
      <div className="modal-body one-time-link">
        <p>
          {kind === 'enrol'
            ? `Send this link to ${who}. With it they choose their own password and can then sign in.`
            : `Send this link to ${who}. With it they choose a new password; any earlier reset link no longer works.`}{' '}
          <strong>It is shown only this once</strong> and works once, until <Time iso={token.expiresAt} />.
        </p>
        <div className="field">
          <label htmlFor="one-time-link">Link</label>
          <div className="link-row">
            <input id="one-time-link" ref={input} readOnly value={link} className="mono" onFocus={(e) => e.currentTarget.select()} data-autofocus />
            <button
              type="button"
              className="btn-secondary"
              onClick={async () => {
                setCopied(await copyText(link, input.current));
              }}
            >
              Copy link
            </button>
          </div>
          <p className="hint" role="status">
            {copied === true ? 'Copied to the clipboard.' : copied === false ? 'Could not copy: select the link and copy it by hand.' : ''}
          </p>
        </div>
      </div>
      <div className="modal-actions">
        <button type="button" className="btn-primary" onClick={onClose}>
          Done
        </button>
      </div>
    </Modal>
  );
}
