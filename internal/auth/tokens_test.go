package auth

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strconv"
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
func signWith(tb testing.TB, method jwt.SigningMethod, key any, kid string, c jwt.Claims) string {
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
	preview, _, err := ti.IssuePreview("page-1", "user-1", "family-1", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	refresh, _ := newRefreshToken()
	randomKey := make([]byte, 32)
	rand.Read(randomKey)

	// raw signs, with the server's key, the valid claims as a JSON object edited by edit:
	// claims of the wrong JSON type that no issuer of ours would write, yet that a stolen or
	// misused key could sign, must be refused (401), never panic (500) nor pass.
	raw := func(edit func(m map[string]any)) string {
		c := base()
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		edit(m)
		return signWith(t, jwt.SigningMethodEdDSA, signing.Private, signing.ID, rawClaims(m))
	}
	now := float64(clock.Now().Unix())

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

		{"missing iat", signed(func(c *tokenClaims) { c.IssuedAt = nil }), errMissingIssuedAt},
		{"iat null", raw(func(m map[string]any) { m["iat"] = nil }), errMissingIssuedAt},
		{"exp null", raw(func(m map[string]any) { m["exp"] = nil }), jwt.ErrTokenRequiredClaimMissing},
		{"exp as a string", raw(func(m map[string]any) { m["exp"] = strconv.FormatFloat(now+600, 'f', -1, 64) }), errBadNumericDate},
		{"iat as a string", raw(func(m map[string]any) { m["iat"] = strconv.FormatFloat(now, 'f', -1, 64) }), errBadNumericDate},
		{"nbf as a string", raw(func(m map[string]any) { m["nbf"] = strconv.FormatFloat(now, 'f', -1, 64) }), errBadNumericDate},
		{"EXP (other case) as a string", raw(func(m map[string]any) {
			delete(m, "exp")
			m["EXP"] = strconv.FormatFloat(now+600, 'f', -1, 64)
		}), errBadNumericDate},
		{"exp as a boolean", raw(func(m map[string]any) { m["exp"] = true }), errBadNumericDate},
		{"exp as an object", raw(func(m map[string]any) { m["exp"] = map[string]any{"$gt": 0} }), errBadNumericDate},
		{"exp as an array", raw(func(m map[string]any) { m["exp"] = []any{now + 600} }), errBadNumericDate},
		{"exp 1e300", raw(func(m map[string]any) { m["exp"] = 1e300 }), errBadNumericDate},
		{"exp beyond int64 seconds", raw(func(m map[string]any) { m["exp"] = 1e19 }), errBadNumericDate},
		{"exp -1e300", raw(func(m map[string]any) { m["exp"] = -1e300 }), errBadNumericDate},
		{"exp negative", raw(func(m map[string]any) { m["exp"] = -1 }), errBadNumericDate},
		{"iat negative", raw(func(m map[string]any) { m["iat"] = -1 }), errBadNumericDate},
		{"nbf negative", raw(func(m map[string]any) { m["nbf"] = -1 }), errBadNumericDate},
		{"exp in the year 9000", raw(func(m map[string]any) { m["exp"] = 221845392000 }), errLifetime},
		{"exp longer than an access token lives", raw(func(m map[string]any) { m["exp"] = now + MaxAccessTTL.Seconds() + Leeway.Seconds() + 1 }), errLifetime},
		{"exp before iat", raw(func(m map[string]any) { m["exp"] = now - 1; m["iat"] = now }), errLifetime},
		{"sub as a number", raw(func(m map[string]any) { m["sub"] = 42 }), jwt.ErrTokenMalformed},
		{"sub as an object", raw(func(m map[string]any) { m["sub"] = map[string]any{"$ne": ""} }), jwt.ErrTokenMalformed},
		{"sub null", raw(func(m map[string]any) { m["sub"] = nil }), errMissingClaim},
		{"sid as a number", raw(func(m map[string]any) { m["sid"] = 1 }), jwt.ErrTokenMalformed},
		{"jti as a number", raw(func(m map[string]any) { m["jti"] = 1 }), jwt.ErrTokenMalformed},
		{"typ as a number", raw(func(m map[string]any) { m["typ"] = 1 }), jwt.ErrTokenMalformed},
		{"typ as an array", raw(func(m map[string]any) { m["typ"] = []string{typeAccess} }), jwt.ErrTokenMalformed},
		{"iss as a number", raw(func(m map[string]any) { m["iss"] = 1 }), jwt.ErrTokenMalformed},
		{"aud as a number", raw(func(m map[string]any) { m["aud"] = 1 }), jwt.ErrTokenMalformed},
		{"aud as an array of numbers", raw(func(m map[string]any) { m["aud"] = []any{1} }), jwt.ErrTokenMalformed},
		{"aud empty", raw(func(m map[string]any) { m["aud"] = []any{} }), jwt.ErrTokenRequiredClaimMissing},
		{"aud null", raw(func(m map[string]any) { m["aud"] = nil }), jwt.ErrTokenRequiredClaimMissing},
		{"no registered claims at all", signWith(t, jwt.SigningMethodEdDSA, signing.Private, signing.ID, rawClaims{"x": 1}), jwt.ErrTokenRequiredClaimMissing},
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

// tamperSigned decodes the payload of token, lets edit change it, and signs the result with
// ti's key: a token our key signed, with claims our issuer never writes.
func tamperSigned(tb testing.TB, ti *TokenIssuer, token string, edit func(map[string]any)) string {
	tb.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(strings.Split(token, ".")[1])
	if err != nil {
		tb.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		tb.Fatal(err)
	}
	edit(m)
	k := ti.keys.Signing()
	return signWith(tb, jwt.SigningMethodEdDSA, k.Private, k.ID, rawClaims(m))
}

// rawClaims is a JWT payload of any shape, signed as is.
type rawClaims = jwt.MapClaims

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
	token, exp, err := ti.IssuePreview("page-1", "user-1", "family-1", 0)
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
	expired, _, err := ti.IssuePreview("page-1", "user-1", "family-1", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	later := newTestClock()
	later.Advance(time.Minute + Leeway + time.Second)
	tiLater, err := NewTokenIssuer(ti.keys, "test-iss", "test-aud", 0, later)
	if err != nil {
		t.Fatal(err)
	}

	// signed returns a preview token for page-1 with edited claims, signed by ti.
	signed := func(edit func(*tokenClaims)) string {
		c, _ := ti.claims(typePreview, "test-aud-preview", time.Hour)
		c.PageID, c.Subject, c.SessionID = "page-1", "user-1", "family-1"
		edit(&c)
		s, err := ti.sign(c)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}

	tests := []struct {
		name   string
		ti     *TokenIssuer
		token  string
		pageID string
		ok     bool
	}{
		{"crafted like IssuePreview", ti, signed(func(*tokenClaims) {}), "page-1", true},
		{"no creator (unbound)", ti, signed(func(c *tokenClaims) { c.Subject = "" }), "page-1", false},
		{"no session (unbound)", ti, signed(func(c *tokenClaims) { c.SessionID = "" }), "page-1", false},
		{"no jti", ti, signed(func(c *tokenClaims) { c.ID = "" }), "page-1", false},
		{"missing iat", ti, signed(func(c *tokenClaims) { c.IssuedAt = nil }), "page-1", false},
		{"lives longer than MaxPreviewTTL", ti, signed(func(c *tokenClaims) {
			c.ExpiresAt = jwt.NewNumericDate(clock.Now().Add(MaxPreviewTTL + time.Second))
		}), "page-1", false},
		{"exp as a string", ti, tamperSigned(t, ti, signed(func(*tokenClaims) {}), func(m map[string]any) {
			m["exp"] = strconv.FormatFloat(m["exp"].(float64), 'f', -1, 64)
		}), "page-1", false},
		{"tampered sub", ti, tamper(t, token, func(m map[string]any) { m["sub"] = "user-2" }), "page-1", false},
		{"tampered sid", ti, tamper(t, token, func(m map[string]any) { m["sid"] = "family-2" }), "page-1", false},
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
			claims, err := tc.ti.VerifyPreview(tc.token, tc.pageID)
			if tc.ok {
				if err != nil {
					t.Fatalf("VerifyPreview = %v", err)
				}
				if claims.PageID != "page-1" || claims.UserID != "user-1" || claims.SessionID != "family-1" || claims.ExpiresAt.IsZero() {
					t.Fatalf("claims = %+v", claims)
				}
				return
			}
			if claims != (PreviewClaims{}) {
				t.Fatalf("claims = %+v on failure, want zero", claims)
			}
			wantCode(t, err, cms.CodeUnauthorized, "invalid or expired preview token")
		})
	}

	for _, args := range [][3]string{{"", "u", "s"}, {"p", "", "s"}, {"p", "u", ""}} {
		if _, _, err := ti.IssuePreview(args[0], args[1], args[2], time.Minute); err == nil {
			t.Errorf("IssuePreview%q issued a token", args)
		}
	}
	for _, ttl := range []time.Duration{-time.Second, MaxPreviewTTL + time.Second} {
		if _, _, err := ti.IssuePreview("page-1", "user-1", "family-1", ttl); !cms.IsCode(err, cms.CodeInvalid) {
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
