package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"
)

// refreshTokenBytes is the entropy of a refresh token: 256 bits, far beyond guessing.
const refreshTokenBytes = 32

// refreshTokenLen is the length of a refresh token string (unpadded base64url).
var refreshTokenLen = base64.RawURLEncoding.EncodedLen(refreshTokenBytes)

// RefreshToken is the stored record of one refresh token. Only the SHA-256 of the token is
// kept, so a copy of the database does not hand out sessions. A family is the chain of tokens
// that rotation produces from one login; its id is the access tokens' "sid".
type RefreshToken struct {
	Hash      string     `bson:"_id" json:"-"` // hex SHA-256 of the token string
	FamilyID  string     `bson:"familyId" json:"familyId"`
	UserID    string     `bson:"userId" json:"userId"`
	CreatedAt time.Time  `bson:"createdAt" json:"createdAt"`
	ExpiresAt time.Time  `bson:"expiresAt" json:"expiresAt"`
	SpentAt   *time.Time `bson:"spentAt" json:"spentAt,omitempty"`     // nil (stored as null) until used
	RevokedAt *time.Time `bson:"revokedAt" json:"revokedAt,omitempty"` // nil (stored as null) unless revoked
}

// HashRefreshToken returns the stored form of a refresh token: the hex SHA-256 of the string.
// A plain hash suffices (no salt or argon2): the token is 256 random bits, not a password.
func HashRefreshToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// newRefreshToken returns a new random refresh token and its hash.
func newRefreshToken() (token, hash string) {
	b := make([]byte, refreshTokenBytes)
	rand.Read(b) // crypto/rand.Read never fails (it crashes the program instead)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashRefreshToken(token)
}

// wellFormedRefreshToken reports whether s could be a refresh token, so garbage is refused
// without a store round trip.
func wellFormedRefreshToken(s string) bool {
	if len(s) != refreshTokenLen {
		return false
	}
	_, err := base64.RawURLEncoding.Strict().DecodeString(s)
	return err == nil
}
