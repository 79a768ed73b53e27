package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"
)

// TokenKind says what a one-time account token is for.
type TokenKind string

// The one-time account tokens: an enrolment token lets the person an admin created an
// account for set their first password; a reset token lets them set a new one.
const (
	TokenEnrolment TokenKind = "enrolment"
	TokenReset     TokenKind = "reset"
)

// Token lifetimes: long enough to reach a new colleague over a weekend, short enough for a
// reset link that travels through a help desk.
const (
	EnrolmentTTL = 72 * time.Hour
	ResetTTL     = time.Hour
)

// AccountToken is the stored form of a one-time token: the hex SHA-256 of the token string
// and its expiry. The token itself is shown once and never stored, so a copy of the
// database hands out no passwords.
type AccountToken struct {
	Hash      string    `bson:"hash" json:"-"`
	ExpiresAt time.Time `bson:"expiresAt" json:"-"`
}

// IssuedToken is a new one-time token as shown, once, to the admin who asked for it:
// {"token","expiresAt"}.
type IssuedToken struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// accountSecretLen is the length of a token's secret: 256 random bits in unpadded
// base64url, like a refresh token.
var accountSecretLen = base64.RawURLEncoding.EncodedLen(32)

// maxTokenUserID bounds the user id part of a token (ids are 26 characters).
const maxTokenUserID = 64

// newAccountToken returns a new token for the user, "<userID>.<secret>", and its stored
// form. The user id lets a token be checked with one read by key (no index on token
// hashes); it is no secret, the 256 random bits are.
func newAccountToken(userID string, expires time.Time) (IssuedToken, AccountToken) {
	b := make([]byte, 32)
	rand.Read(b) // crypto/rand.Read never fails (it crashes the program instead)
	token := userID + "." + base64.RawURLEncoding.EncodeToString(b)
	return IssuedToken{Token: token, ExpiresAt: expires}, AccountToken{Hash: hashAccountToken(token), ExpiresAt: expires}
}

// hashAccountToken returns the stored form of a token: the hex SHA-256 of the string. A
// plain hash suffices (no salt, no argon2): the secret is 256 random bits, not a password.
func hashAccountToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// tokenUserID returns the user id of a well-formed token, so garbage is refused without a
// store round trip.
func tokenUserID(token string) (string, bool) {
	id, secret, ok := strings.Cut(token, ".")
	if !ok || id == "" || len(id) > maxTokenUserID || len(secret) != accountSecretLen {
		return "", false
	}
	if _, err := base64.RawURLEncoding.Strict().DecodeString(secret); err != nil {
		return "", false
	}
	return id, true
}

// matches reports whether token is the stored token t and still valid at now. The hashes
// are compared in constant time (they are of secrets).
func (t *AccountToken) matches(token string, now time.Time) bool {
	if t == nil || t.Hash == "" {
		return false
	}
	same := subtle.ConstantTimeCompare([]byte(t.Hash), []byte(hashAccountToken(token))) == 1
	return same && now.Before(t.ExpiresAt)
}
