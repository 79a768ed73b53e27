package sqlitestore

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/notify"
)

var _ notify.Store = (*Store)(nil)

// notificationsMigration is the schema of notify.Store (appended to migrations in
// schema.go). A notification's id is a hash of (user, event), so the primary key is the
// "one notification per user and event" rule. The record is JSON; what queries filter or
// change (the user, the time, read and mail state) are columns.
const notificationsMigration = `
CREATE TABLE notifications (
	id            TEXT PRIMARY KEY,
	user_id       TEXT NOT NULL,
	at            INTEGER NOT NULL,
	read_at       INTEGER,
	mail_state    TEXT NOT NULL DEFAULT '',
	mail_attempts INTEGER NOT NULL DEFAULT 0,
	mail_next_at  INTEGER,
	mail_error    TEXT NOT NULL DEFAULT '',
	mail_sent_at  INTEGER,
	doc           BLOB NOT NULL -- JSON of the notification without its read and mail state
) WITHOUT ROWID;
CREATE INDEX notifications_user_at ON notifications (user_id, at DESC, id DESC);
CREATE INDEX notifications_unread ON notifications (user_id, at DESC, id DESC) WHERE read_at IS NULL;
CREATE INDEX notifications_mail_due ON notifications (mail_next_at) WHERE mail_state = 'pending';
`

// notificationsEventMigration reads each notification's event id from its JSON into an
// indexed generated column (appended to migrations in schema.go), for EventNotifications.
const notificationsEventMigration = `
ALTER TABLE notifications ADD COLUMN event_id TEXT
	GENERATED ALWAYS AS (json_extract(CAST(doc AS TEXT), '$.eventId')) VIRTUAL;
CREATE INDEX notifications_event ON notifications (event_id);
`

const notificationColumns = `doc, read_at, mail_state, mail_attempts, mail_next_at, mail_error, mail_sent_at`

func scanNotification(sc interface{ Scan(...any) error }) (notify.Notification, error) {
	var n notify.Notification
	var doc []byte
	var read, next, sent sql.NullInt64
	var state, mailErr string
	var attempts int
	if err := sc.Scan(&doc, &read, &state, &attempts, &next, &mailErr, &sent); err != nil {
		return n, translate(err, "notification")
	}
	if err := decode(doc, &n); err != nil {
		return n, err
	}
	n.ReadAt = fromMSPtr(read)
	n.Mail = notify.Mail{State: notify.MailState(state), Attempts: attempts, NextAt: fromMSPtr(next), Error: mailErr, SentAt: fromMSPtr(sent)}
	return n, nil
}

// InsertNotifications stores the notifications not stored yet, in one transaction.
func (s *Store) InsertNotifications(ctx context.Context, ns []notify.Notification) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		for _, n := range ns {
			m := n.Mail
			n.ReadAt, n.Mail = nil, notify.Mail{}
			doc, err := json.Marshal(n)
			if err != nil {
				return err
			}
			if _, err := s.exec(ctx, tx, `INSERT INTO notifications (id, user_id, at, read_at, mail_state, mail_attempts, mail_next_at, mail_error, mail_sent_at, doc)
				VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
				n.ID, n.UserID, ms(n.At), string(m.State), m.Attempts, msPtr(m.NextAt), m.Error, msPtr(m.SentAt), doc); err != nil {
				return translate(err, "notification")
			}
		}
		return nil
	})
}

// Notifications returns one user's notifications, newest first.
func (s *Store) Notifications(ctx context.Context, f notify.Filter) ([]notify.Notification, error) {
	q := `SELECT ` + notificationColumns + ` FROM notifications WHERE user_id = ?`
	args := []any{f.UserID}
	if f.Unread {
		q += ` AND read_at IS NULL`
	}
	if f.BeforeAt != nil {
		t := ms(*f.BeforeAt)
		q, args = q+` AND (at < ? OR (at = ? AND id < ?))`, append(args, t, t, f.BeforeID)
	}
	q += ` ORDER BY at DESC, id DESC`
	if f.Limit > 0 {
		q, args = q+` LIMIT ?`, append(args, f.Limit)
	}
	return s.notificationRows(ctx, q, args...)
}

func (s *Store) notificationRows(ctx context.Context, q string, args ...any) ([]notify.Notification, error) {
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, translate(err, "notifications")
	}
	defer rows.Close()
	out := []notify.Notification{}
	for rows.Next() {
		n, err := scanNotification(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, translate(rows.Err(), "notifications")
}

// UnreadNotifications counts a user's unread notifications (through the partial index).
func (s *Store) UnreadNotifications(ctx context.Context, userID string) (int, error) {
	var n int
	err := s.row(ctx, `SELECT count(*) FROM notifications WHERE user_id = ? AND read_at IS NULL`, userID).Scan(&n)
	return n, translate(err, "notifications")
}

// EventNotifications counts the notifications about one event (through notifications_event).
func (s *Store) EventNotifications(ctx context.Context, eventID string) (int, error) {
	var n int
	err := s.row(ctx, `SELECT count(*) FROM notifications WHERE event_id = ?`, eventID).Scan(&n)
	return n, translate(err, "notifications")
}

// MarkNotificationsRead marks the user's unread notifications read: those with these
// ids, or all of them when ids is nil.
func (s *Store) MarkNotificationsRead(ctx context.Context, userID string, ids []string, at time.Time) (int, error) {
	total := 0
	err := s.write(ctx, func(tx *sql.Tx) error {
		total = 0
		if ids == nil {
			res, err := s.exec(ctx, tx, `UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL`, ms(at), userID)
			if err != nil {
				return translate(err, "notifications")
			}
			n, _ := res.RowsAffected()
			total = int(n)
			return nil
		}
		for _, id := range ids {
			res, err := s.exec(ctx, tx, `UPDATE notifications SET read_at = ? WHERE id = ? AND user_id = ? AND read_at IS NULL`, ms(at), id, userID)
			if err != nil {
				return translate(err, "notifications")
			}
			n, _ := res.RowsAffected()
			total += int(n)
		}
		return nil
	})
	return total, err
}

// NotifyCursor returns the notification job's position in the verifiable log. The first
// read creates it at the log's size: a database that had events before notifications
// existed starts after them, so nobody is told about history.
func (s *Store) NotifyCursor(ctx context.Context) (int64, error) {
	var v int64
	err := s.row(ctx, `SELECT value FROM meta WHERE key = 'notify_cursor'`).Scan(&v)
	if !cms.IsCode(translate(err, "notification cursor"), cms.CodeNotFound) {
		return v, translate(err, "notification cursor")
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		// Every event has its leaf when it is committed here, so the log's size is one past
		// the largest leaf.
		if _, err := s.exec(ctx, tx, `INSERT INTO meta (key, value) VALUES ('notify_cursor', (SELECT coalesce(max(log_index) + 1, 0) FROM audit))
			ON CONFLICT (key) DO NOTHING`); err != nil {
			return translate(err, "notification cursor")
		}
		return translate(s.txRow(ctx, tx, `SELECT value FROM meta WHERE key = 'notify_cursor'`).Scan(&v), "notification cursor")
	})
	return v, err
}

// AdvanceNotifyCursor moves the cursor if it is still at from.
func (s *Store) AdvanceNotifyCursor(ctx context.Context, from, to int64) error {
	if _, err := s.NotifyCursor(ctx); err != nil { // creates it when it is not there yet
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, `UPDATE meta SET value = ? WHERE key = 'notify_cursor' AND value = ?`, to, from)
		if err != nil {
			return translate(err, "notification cursor")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return cms.Errorf(cms.CodeVersionConflict, "the notification cursor moved")
		}
		return nil
	})
}

// MailDue returns pending mails due at now, oldest first.
func (s *Store) MailDue(ctx context.Context, now time.Time, limit int) ([]notify.Notification, error) {
	return s.notificationRows(ctx, `SELECT `+notificationColumns+` FROM notifications
		WHERE mail_state = 'pending' AND mail_next_at <= ? ORDER BY mail_next_at, id LIMIT ?`, ms(now), limit)
}

// ClaimMail starts a try of a pending mail if nobody else did.
func (s *Store) ClaimMail(ctx context.Context, id string, attempts int, until time.Time) (bool, error) {
	won := false
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, `UPDATE notifications SET mail_attempts = ?, mail_next_at = ?
			WHERE id = ? AND mail_state = 'pending' AND mail_attempts = ?`, attempts+1, ms(until), id, attempts)
		if err != nil {
			return translate(err, "notification")
		}
		n, _ := res.RowsAffected()
		won = n == 1
		return nil
	})
	return won, err
}

// SetMail replaces a notification's mail status.
func (s *Store) SetMail(ctx context.Context, id string, m notify.Mail) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, `UPDATE notifications SET mail_state = ?, mail_attempts = ?, mail_next_at = ?, mail_error = ?, mail_sent_at = ? WHERE id = ?`,
			string(m.State), m.Attempts, msPtr(m.NextAt), m.Error, msPtr(m.SentAt), id)
		if err != nil {
			return translate(err, "notification")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return cms.Errorf(cms.CodeNotFound, "notification not found")
		}
		return nil
	})
}
