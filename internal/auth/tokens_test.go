package auth

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/monograph-cms/monograph/internal/cms"
)

// tamper decodes the payload of token, lets edit change it, and re-encodes it keeping the
// original header and signature.
func tamper(tb testing.TB, token string, edit func(map[string]any)) string {
	tb.Helper()
	parts := strings.Split(token, ".")
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		tb.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		tb.Fatal(err)
	}
	edit(m)
	raw, err = json.Marshal(m)
	if err != nil {
		tb.Fatal(err)
	}
	parts[1] = base64.RawURLEncoding.EncodeToString(raw)
	return strings.Join(parts, ".")
}

// signWith signs claims with an arbitrary method and key, naming kid in the header.
func signWith(tb testing.TB, method jwt.SigningMethod, key any, kid string, c tokenClaims) string {
	tb.Helper()
	t := jwt.NewWithClaims(method, c)
	if kid != "" {
		t.Header["kid"] = kid
	}
	s, err := t.SignedString(key)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func TestVerifyAccess(t *testing.T) {
	clock := newTestClock()
	ks := MustKeySet(t)
	ti := MustIssuer(t, ks, clock)
	signing := ks.Signing()

	valid, exp, err := ti.IssueAccess("user-1", "family-1")
	if err != nil {
		t.Fatal(err)
	}
	if want := clock.Now().Add(15 * time.Minute); !exp.Equal(want) {
		t.Fatalf("expiresAt = %v, want %v", exp, want)
	}

	// base returns the claims of a valid access token issued now, for crafting variants.
	base := func() tokenClaims {
		c, _ := ti.claims(typeAccess, "test-aud", 15*time.Minute)
		c.Subject, c.SessionID = "user-1", "family-1"
		return c
	}
	signed := func(edit func(*tokenClaims)) string {
		c := base()
		edit(&c)
		s, err := ti.sign(c)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}

	otherIssuer, err := NewTokenIssuer(ks, "someone-else", "test-aud", 0, clock)
	if err != nil {
		t.Fatal(err)
	}
	wrongIss, _, _ := otherIssuer.IssueAccess("user-1", "family-1")
	otherAudience, err := NewTokenIssuer(ks, "test-iss", "other-aud", 0, clock)
	if err != nil {
		t.Fatal(err)
	}
	wrongAud, _, _ := otherAudience.IssueAccess("user-1", "family-1")
	stranger := MustIssuer(t, MustKeySet(t), clock) // same names, keys we do not hold
	unknownKid, _, _ := stranger.IssueAccess("user-1", "family-1")
	preview, _, err := ti.IssuePreview("page-1", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	refresh, _ := newRefreshToken()
	randomKey := make([]byte, 32)
	rand.Read(randomKey)

	tests := []struct {
		name  string
		token string
		cause error // if set, errors.Is(err, cause) must hold
	}{
		{name: "valid", token: valid},
		{"alg none", signWith(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, signing.ID, base()), jwt.ErrTokenSignatureInvalid},
		{"HS256 with the public key as secret", signWith(t, jwt.SigningMethodHS256, []byte(signing.Public), signing.ID, base()), jwt.ErrTokenSignatureInvalid},
		{"HS256 with a random key", signWith(t, jwt.SigningMethodHS256, randomKey, signing.ID, base()), jwt.ErrTokenSignatureInvalid},
		{"tampered sub", tamper(t, valid, func(m map[string]any) { m["sub"] = "admin-user" }), jwt.ErrTokenSignatureInvalid},
		{"tampered exp", tamper(t, valid, func(m map[string]any) { m["exp"] = m["exp"].(float64) + 86400 }), jwt.ErrTokenSignatureInvalid},
		{"tampered sid", tamper(t, valid, func(m map[string]any) { m["sid"] = "family-2" }), jwt.ErrTokenSignatureInvalid},
		{"expired beyond leeway", signed(func(c *tokenClaims) {
			c.IssuedAt = jwt.NewNumericDate(clock.Now().Add(-time.Hour))
			c.NotBefore = c.IssuedAt
			c.ExpiresAt = jwt.NewNumericDate(clock.Now().Add(-Leeway - time.Second))
		}), jwt.ErrTokenExpired},
		{"not yet valid", signed(func(c *tokenClaims) { c.NotBefore = jwt.NewNumericDate(clock.Now().Add(time.Hour)) }), jwt.ErrTokenNotValidYet},
		{"issued in the future", signed(func(c *tokenClaims) { c.IssuedAt = jwt.NewNumericDate(clock.Now().Add(time.Hour)) }), jwt.ErrTokenUsedBeforeIssued},
		{"wrong issuer", wrongIss, jwt.ErrTokenInvalidIssuer},
		{"wrong audience", wrongAud, jwt.ErrTokenInvalidAudience},
		{"missing exp", signed(func(c *tokenClaims) { c.ExpiresAt = nil }), jwt.ErrTokenRequiredClaimMissing},
		{"missing nbf", signed(func(c *tokenClaims) { c.NotBefore = nil }), jwt.ErrTokenRequiredClaimMissing},
		{"missing sub", signed(func(c *tokenClaims) { c.Subject = "" }), errMissingClaim},
		{"missing sid", signed(func(c *tokenClaims) { c.SessionID = "" }), errMissingClaim},
		{"missing typ", signed(func(c *tokenClaims) { c.Type = "" }), errWrongType},
		{"unknown kid", unknownKid, errUnknownKey},
		{"no kid", signWith(t, jwt.SigningMethodEdDSA, signing.Private, "", base()), errUnknownKey},
		{"preview token as access token", preview, jwt.ErrTokenInvalidAudience},
		{"preview typ with access audience", signed(func(c *tokenClaims) { c.Type = typePreview }), errWrongType},
		{"refresh token as access token", refresh, jwt.ErrTokenMalformed},
		{"100 KB of dots", strings.Repeat(".", 100<<10), errTokenTooLong},
		{"just over the length limit", valid + strings.Repeat("A", MaxTokenBytes-len(valid)+1), errTokenTooLong},
		{"garbage", "not a token at all", jwt.ErrTokenMalformed},
		{"three garbage segments", "a.b.c", jwt.ErrTokenMalformed},
		{"empty", "", jwt.ErrTokenMalformed},
		{"padded base64", strings.Replace(valid, ".", "=.", 1), jwt.ErrTokenMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			claims, err := ti.VerifyAccess(tc.token)
			if tc.token == valid {
				if err != nil {
					t.Fatalf("VerifyAccess(valid) = %v", err)
				}
				if claims.UserID != "user-1" || claims.SessionID != "family-1" || claims.TokenID == "" ||
					!claims.ExpiresAt.Equal(exp) || !claims.IssuedAt.Equal(clock.Now()) {
					t.Fatalf("claims = %+v", claims)
				}
				return
			}
			e := wantCode(t, err, cms.CodeUnauthorized, "invalid or expired access token")
			if e.Err == nil {
				t.Fatal("no cause in Err")
			}
			if tc.cause != nil && !errors.Is(err, tc.cause) {
				t.Fatalf("cause = %v, want %v", e.Err, tc.cause)
			}
			if claims != (AccessClaims{}) {
				t.Fatalf("claims = %+v on failure, want zero", claims)
			}
		})
	}
}

func TestVerifyAccessLifetime(t *testing.T) {
	clock := newTestClock()
	ti := MustIssuer(t, MustKeySet(t), clock)
	token, _, err := ti.IssueAccess("u", "s")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		after time.Duration
		ok    bool
	}{
		{"fresh", 0, true},
		{"just before expiry", 15*time.Minute - time.Second, true},
		{"inside the leeway", 15*time.Minute + Leeway - time.Second, true},
		{"past the leeway", 15*time.Minute + Leeway + time.Second, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			at := newTestClock()
			at.Advance(tc.after)
			v2, err := NewTokenIssuer(ti.keys, "test-iss", "test-aud", 0, at)
			if err != nil {
				t.Fatal(err)
			}
			_, err = v2.VerifyAccess(token)
			if (err == nil) != tc.ok {
				t.Fatalf("VerifyAccess after %v = %v, want ok=%v", tc.after, err, tc.ok)
			}
		})
	}
}

// TestVerifiedTokenCache: a token verified once is answered from the cache, yet still
// expires on time, and a token differing from a cached one in any byte is verified afresh.
func TestVerifiedTokenCache(t *testing.T) {
	clock := newTestClock()
	ti := MustIssuer(t, MustKeySet(t), clock)
	token, _, err := ti.IssueAccess("u", "s")
	if err != nil {
		t.Fatal(err)
	}
	first, err := ti.VerifyAccess(token)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := ti.verified.get(token, clock.Now()); !ok {
		t.Fatal("a verified token was not remembered")
	}
	again, err := ti.VerifyAccess(token)
	if err != nil || again != first {
		t.Fatalf("cached verification %+v, %v; want %+v", again, err, first)
	}
	// One character inside the signature changed (not its last, whose low bits are padding).
	i := len(token) - 10
	forged := token[:i] + string(map[bool]byte{true: 'A', false: 'B'}[token[i] != 'A']) + token[i+1:]
	if _, err := ti.VerifyAccess(forged); !cms.IsCode(err, cms.CodeUnauthorized) {
		t.Fatalf("a token differing from a cached one in its signature was accepted: %v", err)
	}
	clock.Advance(15*time.Minute + Leeway + time.Second)
	if _, err := ti.VerifyAccess(token); !cms.IsCode(err, cms.CodeUnauthorized) {
		t.Fatalf("a cached token outlived its expiry: %v", err)
	}
}

func TestKeyRotation(t *testing.T) {
	clock := newTestClock()
	old := MustKeySet(t)
	oldIssuer := MustIssuer(t, old, clock)
	oldToken, _, err := oldIssuer.IssueAccess("u", "s")
	if err != nil {
		t.Fatal(err)
	}
	fresh := MustKeySet(t)
	rotated, err := NewKeySet(fresh.Signing().Private, old.Signing().Private)
	if err != nil {
		t.Fatal(err)
	}
	ti := MustIssuer(t, rotated, clock)
	if _, err := ti.VerifyAccess(oldToken); err != nil {
		t.Fatalf("token of the old key after rotation: %v", err)
	}
	newToken, _, err := ti.IssueAccess("u", "s")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := oldIssuer.VerifyAccess(newToken); !cms.IsCode(err, cms.CodeUnauthorized) {
		t.Fatalf("new key's token verified by a server without it: %v", err)
	}
	if _, err := MustIssuer(t, fresh, clock).VerifyAccess(newToken); err != nil {
		t.Fatalf("new token is not signed by the first key: %v", err)
	}
}

func TestNewTokenIssuerRejects(t *testing.T) {
	ks := MustKeySet(t)
	tests := []struct {
		name     string
		keys     *KeySet
		iss, aud string
		ttl      time.Duration
	}{
		{"no keys", nil, "i", "a", 0},
		{"no issuer", ks, "", "a", 0},
		{"no audience", ks, "i", "", 0},
		{"ttl over 15 minutes", ks, "i", "a", 16 * time.Minute},
		{"negative ttl", ks, "i", "a", -time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewTokenIssuer(tc.keys, tc.iss, tc.aud, tc.ttl, nil); err == nil {
				t.Fatal("NewTokenIssuer accepted it")
			}
		})
	}
}

func TestPreviewTokens(t *testing.T) {
	clock := newTestClock()
	ti := MustIssuer(t, MustKeySet(t), clock)
	token, exp, err := ti.IssuePreview("page-1", 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := clock.Now().Add(DefaultPreviewTTL); !exp.Equal(want) {
		t.Fatalf("expiresAt = %v, want %v", exp, want)
	}
	access, _, err := ti.IssueAccess("u", "s")
	if err != nil {
		t.Fatal(err)
	}
	expired, _, err := ti.IssuePreview("page-1", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	later := newTestClock()
	later.Advance(time.Minute + Leeway + time.Second)
	tiLater, err := NewTokenIssuer(ti.keys, "test-iss", "test-aud", 0, later)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name   string
		ti     *TokenIssuer
		token  string
		pageID string
		ok     bool
	}{
		{"valid", ti, token, "page-1", true},
		{"other page", ti, token, "page-2", false},
		{"empty page", ti, token, "", false},
		{"access token as preview", ti, access, "page-1", false},
		{"expired", tiLater, expired, "page-1", false},
		{"tampered page", ti, tamper(t, token, func(m map[string]any) { m["page"] = "page-2" }), "page-2", false},
		{"garbage", ti, "x.y.z", "page-1", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.ti.VerifyPreview(tc.token, tc.pageID)
			if tc.ok {
				if err != nil {
					t.Fatalf("VerifyPreview = %v", err)
				}
				return
			}
			wantCode(t, err, cms.CodeUnauthorized, "invalid or expired preview token")
		})
	}

	for _, ttl := range []time.Duration{-time.Second, MaxPreviewTTL + time.Second} {
		if _, _, err := ti.IssuePreview("page-1", ttl); !cms.IsCode(err, cms.CodeInvalid) {
			t.Errorf("IssuePreview(ttl %v) = %v, want CodeInvalid", ttl, err)
		}
	}
}

func BenchmarkVerifyAccess(b *testing.B) {
	ti := MustIssuer(b, MustKeySet(b), cms.SystemClock{})
	token, _, err := ti.IssueAccess("user-1", "family-1")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ti.VerifyAccess(token); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyAccessTooLong(b *testing.B) {
	ti := MustIssuer(b, MustKeySet(b), cms.SystemClock{})
	token := strings.Repeat(".", 100<<10)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ti.VerifyAccess(token); err == nil {
			b.Fatal("accepted")
		}
	}
}
