package auth

import (
	"context"
	"time"
)

// UserStore keeps users. It is implemented by the store adapters (internal/sqlitestore, internal/mongostore). Errors other than the
// codes named here are store failures (cms.CodeUnavailable or an unexpected error).
type UserStore interface {
	// InsertUser stores a new user. It returns cms.CodeConflict if a user with the same
	// (normalised) email exists; the store must enforce this with a unique index.
	InsertUser(ctx context.Context, u User) error
	// UserByEmail returns the user with this normalised email, or cms.CodeNotFound.
	UserByEmail(ctx context.Context, email string) (User, error)
	// UserByID returns the user with this id, or cms.CodeNotFound.
	UserByID(ctx context.Context, id string) (User, error)
	// ListUsers returns every user, ordered by email.
	ListUsers(ctx context.Context) ([]User, error)
	// UpdateUser replaces the name, credentials, roles, disabled flag and updatedAt of the
	// user with u.ID (never its email or password hash). It returns cms.CodeNotFound if there
	// is no such user.
	UpdateUser(ctx context.Context, u User) error
	// SetPassword stores a new password for the user with id: passwordHash,
	// passwordChangeRequired and updatedAt from p, and clears both one-time tokens (a new
	// password, however set, voids every outstanding one). With p.Spend set the write is
	// conditional, in one update: it happens only if the user's token of that kind still has
	// that hash and expires after p.At, so a token is spent once however many requests
	// present it at the same moment; otherwise it returns cms.CodeConflict. An unknown id is
	// cms.CodeNotFound.
	SetPassword(ctx context.Context, id string, p PasswordUpdate) error
	// SetResetToken stores t as the user's password reset token, replacing (so voiding) any
	// earlier one, and sets updatedAt to at. An unknown id is cms.CodeNotFound.
	SetResetToken(ctx context.Context, id string, t AccountToken, at time.Time) error
}

// PasswordUpdate is a new password for SetPassword.
type PasswordUpdate struct {
	Hash           string // argon2id PHC string
	ChangeRequired bool
	At             time.Time // the new updatedAt, and the time a spent token must outlive
	// Spend, when set, is the one-time token the write spends.
	Spend *TokenSpend
}

// TokenSpend names the token a SetPassword spends: its kind and hash.
type TokenSpend struct {
	Kind TokenKind
	Hash string
}

// RefreshStore keeps refresh token records. It is implemented by the store adapters (internal/sqlitestore, internal/mongostore).
//
// A family counts as revoked once any of its records has RevokedAt set. That makes
// revocation stick even when a rotation inserts a new record concurrently with RevokeFamily.
type RefreshStore interface {
	// InsertRefresh stores a new record.
	InsertRefresh(ctx context.Context, t RefreshToken) error
	// SpendRefresh atomically marks the record with this hash as spent at now, in one
	// conditional update matching only if spentAt and revokedAt are both null, and returns
	// the record as it was before. It returns cms.CodeNotFound if no record has this hash,
	// and cms.CodeConflict if the record was already spent or revoked; with CodeConflict it
	// ALSO returns the record, so the caller can revoke the family of a reused token.
	SpendRefresh(ctx context.Context, hash string, now time.Time) (RefreshToken, error)
	// RevokeFamily sets revokedAt to now on every record of the family that is not yet
	// revoked. Revoking an unknown or already revoked family is not an error.
	RevokeFamily(ctx context.Context, familyID string, now time.Time) error
	// FamilyRevoked reports whether RevokeFamily was called for the family. A revocation
	// sticks, also for a family without records or whose records were since deleted as
	// expired, at least until every token of the family would have expired; a family never
	// revoked is not revoked.
	FamilyRevoked(ctx context.Context, familyID string) (bool, error)
	// UserFamilies returns the ids of the user's sessions: the distinct families with a
	// record of this user that is neither revoked nor expired at now, in any order.
	UserFamilies(ctx context.Context, userID string, now time.Time) ([]string, error)
	// DeleteExpiredRefresh deletes records whose expiresAt is before now and returns how many.
	// Spent records are kept until they expire: reuse detection needs them.
	DeleteExpiredRefresh(ctx context.Context, now time.Time) (int64, error)
}
