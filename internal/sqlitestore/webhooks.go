package sqlitestore

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/webhook"
)

var _ webhook.Store = (*Store)(nil)

const webhookColumns = `id, url, events, description, created_at, created_by, secret_rotated_at, sealed_secret, key_id`

func scanWebhook(sc interface{ Scan(...any) error }) (webhook.Webhook, error) {
	var w webhook.Webhook
	var events string
	var created, rotated int64
	if err := sc.Scan(&w.ID, &w.URL, &events, &w.Description, &created, &w.CreatedBy, &rotated, &w.SealedSecret, &w.KeyID); err != nil {
		return w, translate(err, "webhook")
	}
	w.CreatedAt, w.SecretRotatedAt = fromMS(created), fromMS(rotated)
	return w, decode([]byte(events), &w.Events)
}

// InsertWebhook stores a new webhook.
func (s *Store) InsertWebhook(ctx context.Context, w webhook.Webhook) error {
	events, err := json.Marshal(w.Events)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := s.exec(ctx, tx, `INSERT INTO webhooks (`+webhookColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			w.ID, w.URL, string(events), w.Description, ms(w.CreatedAt), w.CreatedBy, ms(w.SecretRotatedAt), w.SealedSecret, w.KeyID)
		return translate(err, "webhook")
	})
}

// Webhook reads one webhook.
func (s *Store) Webhook(ctx context.Context, id string) (webhook.Webhook, error) {
	return scanWebhook(s.row(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE id = ?`, id))
}

// Webhooks returns every webhook, oldest first.
func (s *Store) Webhooks(ctx context.Context) ([]webhook.Webhook, error) {
	rows, err := s.query(ctx, `SELECT `+webhookColumns+` FROM webhooks ORDER BY created_at, id`)
	if err != nil {
		return nil, translate(err, "webhooks")
	}
	defer rows.Close()
	out := []webhook.Webhook{}
	for rows.Next() {
		w, err := scanWebhook(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, translate(rows.Err(), "webhooks")
}

// DeleteWebhook removes a webhook and (by the foreign key) its delivery log.
func (s *Store) DeleteWebhook(ctx context.Context, id string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, `DELETE FROM webhooks WHERE id = ?`, id)
		if err != nil {
			return translate(err, "webhook")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return cms.Errorf(cms.CodeNotFound, "webhook not found")
		}
		return nil
	})
}

// SetWebhookSecret replaces the sealed secret of a webhook.
func (s *Store) SetWebhookSecret(ctx context.Context, id string, sealed []byte, keyID string, at time.Time) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, `UPDATE webhooks SET sealed_secret = ?, key_id = ?, secret_rotated_at = ? WHERE id = ?`,
			sealed, keyID, ms(at), id)
		if err != nil {
			return translate(err, "webhook")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return cms.Errorf(cms.CodeNotFound, "webhook not found")
		}
		return nil
	})
}

// PendingOutbox returns up to limit events not yet fanned out, oldest first.
func (s *Store) PendingOutbox(ctx context.Context, limit int) ([]editorial.OutboxEvent, error) {
	rows, err := s.query(ctx, `SELECT id, event, page_id, slug, revision, at FROM outbox
		WHERE fanned_out_at IS NULL ORDER BY at, id LIMIT ?`, limit)
	if err != nil {
		return nil, translate(err, "outbox")
	}
	defer rows.Close()
	out := []editorial.OutboxEvent{}
	for rows.Next() {
		var o editorial.OutboxEvent
		var at int64
		if err := rows.Scan(&o.ID, &o.Event, &o.PageID, &o.Slug, &o.Revision, &at); err != nil {
			return nil, translate(err, "outbox")
		}
		o.At = fromMS(at)
		out = append(out, o)
	}
	return out, translate(rows.Err(), "outbox")
}

const deliveryColumns = `id, webhook_id, event_id, event, slug, revision, occurred_at, status, attempts, last_status, last_error,
	created_at, updated_at, next_attempt_at, delivered_at, attempt_log, lease_until, lease_owner`

func scanDelivery(sc interface{ Scan(...any) error }) (webhook.Delivery, error) {
	var d webhook.Delivery
	var occurred, created, updated, next, lease int64
	var delivered sql.NullInt64
	var log string
	if err := sc.Scan(&d.ID, &d.WebhookID, &d.EventID, &d.Event, &d.Slug, &d.Revision, &occurred, &d.Status, &d.Attempts,
		&d.LastStatus, &d.LastError, &created, &updated, &next, &delivered, &log, &lease, &d.LeaseOwner); err != nil {
		return d, translate(err, "delivery")
	}
	d.OccurredAt, d.CreatedAt, d.UpdatedAt, d.NextAttemptAt = fromMS(occurred), fromMS(created), fromMS(updated), fromMS(next)
	d.DeliveredAt, d.LeaseUntil = fromMSPtr(delivered), fromMS(lease)
	return d, decode([]byte(log), &d.AttemptLog)
}

func attemptLog(d webhook.Delivery) (string, error) {
	log := d.AttemptLog
	if log == nil {
		log = []webhook.Attempt{}
	}
	b, err := json.Marshal(log)
	return string(b), err
}

// FanOut inserts the deliveries of one event (existing ones are left alone), then marks the
// event fanned out, in one transaction.
func (s *Store) FanOut(ctx context.Context, ev editorial.OutboxEvent, ds []webhook.Delivery, at time.Time) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		for _, d := range ds {
			log, err := attemptLog(d)
			if err != nil {
				return err
			}
			_, err = s.exec(ctx, tx, `INSERT INTO webhook_deliveries (`+deliveryColumns+`)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
				d.ID, d.WebhookID, d.EventID, d.Event, d.Slug, d.Revision, ms(d.OccurredAt), d.Status, d.Attempts, d.LastStatus,
				d.LastError, ms(d.CreatedAt), ms(d.UpdatedAt), ms(d.NextAttemptAt), msPtr(d.DeliveredAt), log, ms(d.LeaseUntil), d.LeaseOwner)
			if isForeignKey(err) {
				continue // the webhook was deleted meanwhile: nothing to deliver to
			}
			if err != nil {
				return translate(err, "delivery")
			}
		}
		_, err := s.exec(ctx, tx, `UPDATE outbox SET fanned_out_at = ? WHERE id = ?`, ms(at), ev.ID)
		return translate(err, "outbox event")
	})
}

// PruneOutbox removes events fanned out before the given time.
func (s *Store) PruneOutbox(ctx context.Context, before time.Time) (int, error) {
	return s.deleteWhere(ctx, `DELETE FROM outbox WHERE fanned_out_at IS NOT NULL AND fanned_out_at < ?`, ms(before))
}

func (s *Store) deleteWhere(ctx context.Context, q string, args ...any) (int, error) {
	var n int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, q, args...)
		if err != nil {
			return translate(err, "delete")
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return int(n), err
}

// PendingDeliveries returns pending deliveries with their times only, earliest first.
func (s *Store) PendingDeliveries(ctx context.Context, limit int) ([]webhook.Delivery, error) {
	rows, err := s.query(ctx, `SELECT id, next_attempt_at, lease_until FROM webhook_deliveries
		WHERE status = 'pending' ORDER BY next_attempt_at, id LIMIT ?`, limit)
	if err != nil {
		return nil, translate(err, "deliveries")
	}
	defer rows.Close()
	out := []webhook.Delivery{}
	for rows.Next() {
		var d webhook.Delivery
		var next, lease int64
		if err := rows.Scan(&d.ID, &next, &lease); err != nil {
			return nil, translate(err, "deliveries")
		}
		d.NextAttemptAt, d.LeaseUntil = fromMS(next), fromMS(lease)
		out = append(out, d)
	}
	return out, translate(rows.Err(), "deliveries")
}

// ClaimDelivery takes a due, unleased pending delivery and counts the attempt.
func (s *Store) ClaimDelivery(ctx context.Context, id, owner string, now, leaseUntil time.Time) (webhook.Delivery, bool, error) {
	var d webhook.Delivery
	var ok bool
	err := s.write(ctx, func(tx *sql.Tx) error {
		var err error
		d, err = scanDelivery(s.txRow(ctx, tx, `UPDATE webhook_deliveries SET lease_until = ?, lease_owner = ?, attempts = attempts + 1
			WHERE id = ? AND status = 'pending' AND next_attempt_at <= ? AND lease_until <= ? RETURNING `+deliveryColumns,
			ms(leaseUntil), owner, id, ms(now), ms(now)))
		if cms.IsCode(err, cms.CodeNotFound) {
			return nil
		}
		ok = err == nil
		return err
	})
	return d, ok, err
}

// FinishAttempt records an attempt's outcome and frees the lease, if owner holds it.
func (s *Store) FinishAttempt(ctx context.Context, d webhook.Delivery, owner string) (bool, error) {
	log, err := attemptLog(d)
	if err != nil {
		return false, err
	}
	var n int64
	err = s.write(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, `UPDATE webhook_deliveries SET status = ?, last_status = ?, last_error = ?, updated_at = ?,
			next_attempt_at = ?, delivered_at = ?, attempt_log = ?, lease_until = ?, lease_owner = '' WHERE id = ? AND lease_owner = ?`,
			d.Status, d.LastStatus, d.LastError, ms(d.UpdatedAt), ms(d.NextAttemptAt), msPtr(d.DeliveredAt), log, ms(time.Time{}), d.ID, owner)
		if err != nil {
			return translate(err, "delivery")
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return n == 1, err
}

// PruneDeliveries removes finished deliveries last updated before the given time.
func (s *Store) PruneDeliveries(ctx context.Context, before time.Time) (int, error) {
	return s.deleteWhere(ctx, `DELETE FROM webhook_deliveries WHERE status IN ('delivered', 'failed') AND updated_at < ?`, ms(before))
}

// ReleaseLeases frees every lease.
func (s *Store) ReleaseLeases(ctx context.Context) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := s.exec(ctx, tx, `UPDATE webhook_deliveries SET lease_until = ?, lease_owner = '' WHERE lease_owner <> ''`, ms(time.Time{}))
		return translate(err, "deliveries")
	})
}

// Deliveries returns a page of one webhook's log, newest first.
func (s *Store) Deliveries(ctx context.Context, f webhook.DeliveryFilter) ([]webhook.Delivery, error) {
	q := `SELECT ` + deliveryColumns + ` FROM webhook_deliveries WHERE webhook_id = ?`
	args := []any{f.WebhookID}
	if f.BeforeAt != nil {
		t := ms(*f.BeforeAt)
		q += ` AND (created_at < ? OR (created_at = ? AND id < ?))`
		args = append(args, t, t, f.BeforeID)
	}
	q += ` ORDER BY created_at DESC, id DESC`
	if f.Limit > 0 {
		q += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, translate(err, "deliveries")
	}
	defer rows.Close()
	out := []webhook.Delivery{}
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, translate(rows.Err(), "deliveries")
}
