package auth

import (
	"sync"
	"time"
)

// maxVerified bounds the verified-token cache: far more sessions than a newsroom has signed
// in at once, and at most a few MB of tokens.
const maxVerified = 8192

// verifiedTokens remembers access tokens whose signature and claims checked out, until they
// expire, so the next requests of a session skip the Ed25519 verification (about 80 µs, the
// largest part of authenticating a request). Only that work is saved: the token's lifetime
// is compared with the clock on every use, and Authenticate still loads the user and the
// session for every request, so disabling a user or revoking a session takes effect at
// once. The cache is keyed by the whole token, which only a valid signature could have
// made; it is never filled from a token that failed.
type verifiedTokens struct {
	mu sync.Mutex
	m  map[string]AccessClaims
}

// get returns the claims of a verified token still valid at now.
func (v *verifiedTokens) get(token string, now time.Time) (AccessClaims, bool) {
	v.mu.Lock()
	c, ok := v.m[token]
	v.mu.Unlock()
	if !ok || !now.Before(c.ExpiresAt.Add(Leeway)) || now.Add(Leeway).Before(c.IssuedAt) {
		return AccessClaims{}, false
	}
	return c, true
}

// put remembers a verified token. When the cache is full, expired tokens are dropped, and
// if that frees nothing, everything is (the next requests verify again).
func (v *verifiedTokens) put(token string, c AccessClaims, now time.Time) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.m == nil {
		v.m = map[string]AccessClaims{}
	}
	if len(v.m) >= maxVerified {
		for t, old := range v.m {
			if !now.Before(old.ExpiresAt) {
				delete(v.m, t)
			}
		}
		if len(v.m) >= maxVerified {
			clear(v.m)
		}
	}
	v.m[token] = c
}
