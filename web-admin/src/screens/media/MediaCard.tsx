// One asset in the library: its picture, what it is, its licence (expiring and expired
// marked), the pages that use it, and its actions.

import { ImageThumb } from '../../components/ImageThumb';
import { Time } from '../../components/ui';
import { Link } from '../../router';
import { assetLabel, formatBytes, licenceState, licenceText, usesOf, type MediaAsset } from '../../lib/media';

export function LicenceBadge({ expires }: { expires?: string | null }) {
  const { state } = licenceState(expires);
  if (state === 'none') return null;
  const cls = state === 'expired' ? 'sev-blocker' : state === 'expiring' ? 'sev-warning' : 'licence-valid';
  return <span className={`badge ${cls}`}>{licenceText(expires)}</span>;
}

export function UsedBy({ asset }: { asset: MediaAsset }) {
  const uses = usesOf(asset);
  if (!uses.length) return <p className="muted small">Not used by any page.</p>;
  return (
    <div className="used-by">
      <p className="small">
        Used by {uses.length} page{uses.length === 1 ? '' : 's'}:
      </p>
      <ul className="small">
        {uses.map((u) => (
          <li key={u.key}>
            {u.pageId ? <Link to={`/pages/${encodeURIComponent(u.pageId)}`}>{u.label}</Link> : u.label}
            {u.where && <span className="muted"> ({u.where})</span>}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function MediaCard({ asset, onEdit, onDelete }: { asset: MediaAsset; onEdit?: () => void; onDelete?: () => void }) {
  const label = assetLabel(asset);
  return (
    <li className="card media-card" data-asset={asset.id}>
      <div className="media-card-image">
        <ImageThumb id={asset.id} alt={asset.decorative ? '' : asset.alt ?? ''} />
      </div>
      <div className="media-card-body">
        <h3 className="media-card-title">{asset.decorative ? <span className="muted">Decorative image</span> : asset.alt || <span className="muted">No alt text</span>}</h3>
        {asset.caption && <p className="small">{asset.caption}</p>}
        <p className="muted small">
          {asset.type.replace('image/', '').toUpperCase()} · {asset.width}×{asset.height} · {formatBytes(asset.bytes)}
          {asset.createdAt && (
            <>
              {' '}
              · <Time iso={asset.createdAt} />
            </>
          )}
        </p>
        {(asset.credit || asset.license) && (
          <p className="small">
            {asset.credit}
            {asset.credit && asset.license ? ' · ' : ''}
            {asset.license}
          </p>
        )}
        <LicenceBadge expires={asset.licenseExpires} />
        <UsedBy asset={asset} />
        {(onEdit || onDelete) && (
          <div className="button-row">
            {onEdit && (
              <button type="button" className="btn-secondary small" onClick={onEdit} aria-label={`Edit details of ${label}`}>
                Edit details
              </button>
            )}
            {onDelete && (
              <button type="button" className="btn-danger small" onClick={onDelete} aria-label={`Delete ${label}`}>
                Delete
              </button>
            )}
          </div>
        )}
      </div>
    </li>
  );
}
