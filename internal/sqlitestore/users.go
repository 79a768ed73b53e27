package sqlitestore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/monograph-cms/monograph/internal/auth"
	"github.com/monograph-cms/monograph/internal/cms"
)

var (
	_ auth.UserStore    = (*Store)(nil)
	_ auth.RefreshStore = (*Store)(nil)
)

const userColumns = `id, email, name, roles, credentials, disabled, password_hash, created_at, updated_at,
	password_change_required, enrolment_hash, enrolment_expires, reset_hash, reset_expires, languages`

func scanUser(sc interface{ Scan(...any) error }) (auth.User, error) {
	var u auth.User
	var roles, langs string
	var created, updated int64
	var enrolHash, resetHash sql.NullString
	var enrolExpires, resetExpires sql.NullInt64
	if err := sc.Scan(&u.ID, &u.Email, &u.Name, &roles, &u.Credentials, &u.Disabled, &u.PasswordHash, &created, &updated,
		&u.PasswordChangeRequired, &enrolHash, &enrolExpires, &resetHash, &resetExpires, &langs); err != nil {
		return u, translate(err, "user")
	}
	if err := decode([]byte(langs), &u.Languages); err != nil {
		return u, err
	}
	u.CreatedAt, u.UpdatedAt = fromMS(created), fromMS(updated)
	u.Enrolment, u.Reset = accountToken(enrolHash, enrolExpires), accountToken(resetHash, resetExpires)
	return u, decode([]byte(roles), &u.Roles)
}

// accountToken is a one-time token from its columns, or nil when there is none.
func accountToken(hash sql.NullString, expires sql.NullInt64) *auth.AccountToken {
	if !hash.Valid {
		return nil
	}
	return &auth.AccountToken{Hash: hash.String, ExpiresAt: fromMS(expires.Int64)}
}

// tokenColumns are a one-time token's column values: NULLs for none.
func tokenColumns(t *auth.AccountToken) (hash, expires any) {
	if t == nil {
		return nil, nil
	}
	return t.Hash, ms(t.ExpiresAt)
}

// InsertUser stores a new user; cms.CodeConflict if the email is taken.
func (s *Store) InsertUser(ctx context.Context, u auth.User) error {
	roles, err := json.Marshal(u.Roles)
	if err != nil {
		return err
	}
	enrolHash, enrolExpires := tokenColumns(u.Enrolment)
	resetHash, resetExpires := tokenColumns(u.Reset)
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := s.exec(ctx, tx, `INSERT INTO users (`+userColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			u.ID, u.Email, u.Name, string(roles), u.Credentials, u.Disabled, u.PasswordHash, ms(u.CreatedAt), ms(u.UpdatedAt),
			u.PasswordChangeRequired, enrolHash, enrolExpires, resetHash, resetExpires, languagesColumn(u.Languages))
		return translate(err, "user")
	})
}

// UserByEmail returns the user with this (normalised) email.
func (s *Store) UserByEmail(ctx context.Context, email string) (auth.User, error) {
	return scanUser(s.row(ctx, `SELECT `+userColumns+` FROM users WHERE email = ?`, email))
}

// UserByID returns the user with this id. Every authenticated request asks, so users are
// kept in memory once read: this process is the only writer of the store (the data dir is
// locked), and every change of a user goes through InsertUser or UpdateUser below.
func (s *Store) UserByID(ctx context.Context, id string) (auth.User, error) {
	if u, ok := s.users.get(id); ok {
		return u, nil
	}
	gen := s.users.begin()
	u, err := scanUser(s.row(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if err == nil {
		s.users.put(id, u, gen)
	}
	return u, err
}

// ListUsers returns every user ordered by email.
func (s *Store) ListUsers(ctx context.Context) ([]auth.User, error) {
	rows, err := s.query(ctx, `SELECT `+userColumns+` FROM users ORDER BY email`)
	if err != nil {
		return nil, translate(err, "users")
	}
	defer rows.Close()
	out := []auth.User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, translate(rows.Err(), "users")
}

// CountUsers returns how many users exist (the demo seeding runs only on an empty store).
func (s *Store) CountUsers(ctx context.Context) (int64, error) {
	var n int64
	err := s.row(ctx, `SELECT count(*) FROM users`).Scan(&n)
	return n, translate(err, "users")
}

// UpdateUser replaces the mutable fields of a user; cms.CodeNotFound if there is none.
func (s *Store) UpdateUser(ctx context.Context, u auth.User) error {
	roles, err := json.Marshal(u.Roles)
	if err != nil {
		return err
	}
	defer s.users.forget(u.ID) // read again on next use, whatever happened
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, `UPDATE users SET name = ?, credentials = ?, roles = ?, disabled = ?, updated_at = ?, languages = ? WHERE id = ?`,
			u.Name, u.Credentials, string(roles), u.Disabled, ms(u.UpdatedAt), languagesColumn(u.Languages), u.ID)
		if err != nil {
			return translate(err, "user")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return cms.Errorf(cms.CodeNotFound, "user not found")
		}
		return nil
	})
}

// SetPassword stores a new password and clears both one-time tokens; with p.Spend, only if
// that token is still the user's and unexpired (one conditional UPDATE, so it spends once).
func (s *Store) SetPassword(ctx context.Context, id string, p auth.PasswordUpdate) error {
	q := `UPDATE users SET password_hash = ?, password_change_required = ?, updated_at = ?,
		enrolment_hash = NULL, enrolment_expires = NULL, reset_hash = NULL, reset_expires = NULL WHERE id = ?`
	args := []any{p.Hash, p.ChangeRequired, ms(p.At), id}
	if p.Spend != nil {
		switch p.Spend.Kind {
		case auth.TokenEnrolment:
			q += ` AND enrolment_hash = ? AND enrolment_expires > ?`
		case auth.TokenReset:
			q += ` AND reset_hash = ? AND reset_expires > ?`
		default:
			return fmt.Errorf("sqlitestore: unknown token kind %q", p.Spend.Kind)
		}
		args = append(args, p.Spend.Hash, ms(p.At))
	}
	defer s.users.forget(id) // read again on next use, whatever happened
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, q, args...)
		if err != nil {
			return translate(err, "user")
		}
		if n, _ := res.RowsAffected(); n > 0 {
			return nil
		}
		var one int
		if err := s.txRow(ctx, tx, `SELECT 1 FROM users WHERE id = ?`, id).Scan(&one); err != nil {
			return translate(err, "user")
		}
		return cms.Errorf(cms.CodeConflict, "the token was spent, replaced or expired")
	})
}

// SetResetToken replaces the user's reset token.
func (s *Store) SetResetToken(ctx context.Context, id string, t auth.AccountToken, at time.Time) error {
	defer s.users.forget(id)
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, `UPDATE users SET reset_hash = ?, reset_expires = ?, updated_at = ? WHERE id = ?`,
			t.Hash, ms(t.ExpiresAt), ms(at), id)
		if err != nil {
			return translate(err, "user")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return cms.Errorf(cms.CodeNotFound, "user not found")
		}
		return nil
	})
}

const refreshColumns = `hash, family_id, user_id, created_at, expires_at, spent_at, revoked_at`

func scanRefresh(sc interface{ Scan(...any) error }) (auth.RefreshToken, error) {
	var t auth.RefreshToken
	var created, expires int64
	var spent, revoked sql.NullInt64
	if err := sc.Scan(&t.Hash, &t.FamilyID, &t.UserID, &created, &expires, &spent, &revoked); err != nil {
		return t, translate(err, "refresh token")
	}
	t.CreatedAt, t.ExpiresAt, t.SpentAt, t.RevokedAt = fromMS(created), fromMS(expires), fromMSPtr(spent), fromMSPtr(revoked)
	return t, nil
}

// InsertRefresh stores a refresh token record.
func (s *Store) InsertRefresh(ctx context.Context, t auth.RefreshToken) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := s.exec(ctx, tx, `INSERT INTO refresh_tokens (`+refreshColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			t.Hash, t.FamilyID, t.UserID, ms(t.CreatedAt), ms(t.ExpiresAt), msPtr(t.SpentAt), msPtr(t.RevokedAt))
		return translate(err, "refresh token")
	})
}

// SpendRefresh marks the unspent, unrevoked token spent and returns it as it was;
// cms.CodeConflict (with the record) if it was spent or revoked.
func (s *Store) SpendRefresh(ctx context.Context, hash string, now time.Time) (auth.RefreshToken, error) {
	var before auth.RefreshToken
	err := s.write(ctx, func(tx *sql.Tx) error {
		var err error
		before, err = scanRefresh(s.txRow(ctx, tx, `SELECT `+refreshColumns+` FROM refresh_tokens WHERE hash = ?`, hash))
		if err != nil {
			return err
		}
		if before.SpentAt != nil || before.RevokedAt != nil {
			return cms.Errorf(cms.CodeConflict, "refresh token already used")
		}
		_, err = s.exec(ctx, tx, `UPDATE refresh_tokens SET spent_at = ? WHERE hash = ?`, ms(now), hash)
		return translate(err, "refresh token")
	})
	return before, err
}

// RevokeFamily revokes every record of the family and records the revoked session.
func (s *Store) RevokeFamily(ctx context.Context, familyID string, now time.Time) error {
	defer s.sessions.forget(familyID)
	return s.write(ctx, func(tx *sql.Tx) error {
		if _, err := s.exec(ctx, tx, `INSERT INTO revoked_sessions (family_id, revoked_at) VALUES (?, ?) ON CONFLICT DO NOTHING`,
			familyID, ms(now)); err != nil {
			return translate(err, "session")
		}
		_, err := s.exec(ctx, tx, `UPDATE refresh_tokens SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL`, ms(now), familyID)
		return translate(err, "refresh tokens")
	})
}

// FamilyRevoked reports whether the family (session) was revoked: one read by key, on every
// authenticated request.
// The answer is kept in memory once read, as users are (see UserByID).
func (s *Store) FamilyRevoked(ctx context.Context, familyID string) (bool, error) {
	if revoked, ok := s.sessions.get(familyID); ok {
		return revoked, nil
	}
	gen := s.sessions.begin()
	var n int
	if err := s.row(ctx, `SELECT count(*) FROM revoked_sessions WHERE family_id = ?`, familyID).Scan(&n); err != nil {
		return false, translate(err, "session")
	}
	s.sessions.put(familyID, n > 0, gen)
	return n > 0, nil
}

// UserFamilies returns the user's open sessions (index refresh_user).
func (s *Store) UserFamilies(ctx context.Context, userID string, now time.Time) ([]string, error) {
	rows, err := s.query(ctx, `SELECT DISTINCT family_id FROM refresh_tokens WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ?`,
		userID, ms(now))
	if err != nil {
		return nil, translate(err, "refresh tokens")
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var f string
		if err := rows.Scan(&f); err != nil {
			return nil, translate(err, "refresh tokens")
		}
		out = append(out, f)
	}
	return out, translate(rows.Err(), "refresh tokens")
}

// DeleteExpiredRefresh deletes expired records and forgets long-revoked sessions.
func (s *Store) DeleteExpiredRefresh(ctx context.Context, now time.Time) (int64, error) {
	var n int64
	defer s.sessions.clear() // sessions forgotten here read again
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, `DELETE FROM refresh_tokens WHERE expires_at < ?`, ms(now))
		if err != nil {
			return translate(err, "refresh tokens")
		}
		n, _ = res.RowsAffected()
		// A revoked session's tokens have all expired one refresh lifetime after revocation.
		cutoff := now.Add(-auth.DefaultRefreshTTL - 24*time.Hour)
		_, err = s.exec(ctx, tx, `DELETE FROM revoked_sessions WHERE revoked_at < ?`, ms(cutoff))
		return translate(err, "sessions")
	})
	return n, err
}

// memo is a small in-memory map of what the store answered, for the lookups every request
// makes. Only this process writes the store, and each write drops what it changes.
//
// A lookup that read the store before a write committed must not keep its (old) answer
// after the write dropped it: every drop moves a generation on, and an answer is kept only
// if no drop happened since its lookup began (begin, then put).
type memo[V any] struct {
	mu  sync.RWMutex
	m   map[string]V
	gen uint64
}

// begin returns the generation to hand to put for a lookup starting now.
func (c *memo[V]) begin() uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.gen
}

// maxMemo bounds a memo; past it, it starts over.
const maxMemo = 10000

func (c *memo[V]) get(k string) (V, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	v, ok := c.m[k]
	return v, ok
}

func (c *memo[V]) put(k string, v V, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return // something was dropped since the lookup began: it may have read an old value
	}
	if c.m == nil || len(c.m) >= maxMemo {
		c.m = map[string]V{}
	}
	c.m[k] = v
}

func (c *memo[V]) forget(k string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, k)
	c.gen++
}

func (c *memo[V]) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m = nil
	c.gen++
}
