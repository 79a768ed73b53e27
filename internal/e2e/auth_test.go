package e2e

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/app"
	"github.com/monograph-cms/monograph/internal/auth"
)

// Issue 2, Must show: on a fresh start /readyz is 200, a demo user logs in and calls
// GET /api/v1/auth/me, and no user JSON carries a password hash.
func TestBootLoginMe(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	anon := s.Anon()
	for _, path := range []string{"/healthz", "/readyz", "/api/openapi.json"} {
		MustStatus(t, anon.Do(t, "GET", path, nil), 200)
	}
	w := s.Login(t, Writer)
	if w.User.Email != Writer || w.User.ID == "" || len(w.User.Roles) != 1 || w.User.Roles[0] != "writer" {
		t.Fatalf("login user: %+v", w.User)
	}
	r := w.Do(t, "GET", "/api/v1/auth/me", nil)
	MustStatus(t, r, 200)
	var me User
	r.Decode(t, &me)
	if me.ID != w.User.ID || me.Email != Writer || me.Name != "Wendy Writer" {
		t.Fatalf("me: %s", r)
	}
	admin := s.Login(t, Admin)
	users := admin.Do(t, "GET", "/api/v1/manage/users", nil)
	MustStatus(t, users, 200)
	for _, body := range [][]byte{r.Body, users.Body} {
		// passwordChangeRequired is a flag, not a secret: look for the hash and its form.
		for _, leak := range []string{"hash", "argon2", "passwordhash", `"password"`} {
			if strings.Contains(strings.ToLower(string(body)), leak) {
				t.Fatalf("user JSON contains %q: %s", leak, body)
			}
		}
	}
	// The exact key set of the user JSON (docs/api.md).
	var m map[string]any
	r.Decode(t, &m)
	for k := range m {
		switch k {
		case "id", "email", "name", "roles", "credentials", "languages", "disabled", "passwordChangeRequired", "permissions", "createdAt":
		default:
			t.Errorf("user JSON has unexpected key %q", k)
		}
	}
}

// jwtSegment base64url-encodes v as JSON.
func jwtSegment(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

func signEd25519(priv ed25519.PrivateKey, header, claims map[string]any) string {
	in := jwtSegment(header) + "." + jwtSegment(claims)
	return in + "." + base64.RawURLEncoding.EncodeToString(ed25519.Sign(priv, []byte(in)))
}

func signHS256(key []byte, header, claims map[string]any) string {
	in := jwtSegment(header) + "." + jwtSegment(claims)
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(in))
	return in + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// serverKey reads the signing key the server generated into its data dir.
func serverKey(tb testing.TB, dataDir string) ed25519.PrivateKey {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(dataDir, "jwt-keys.pem"))
	if err != nil {
		tb.Fatal(err)
	}
	block, _ := pem.Decode(b)
	if block == nil {
		tb.Fatal("no PEM block in jwt-keys.pem")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		tb.Fatal(err)
	}
	return k.(ed25519.PrivateKey)
}

// tokenClaims decodes the payload of a JWT without verifying it.
func tokenClaims(tb testing.TB, token string) map[string]any {
	tb.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		tb.Fatalf("not a JWT: %q", token)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		tb.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		tb.Fatal(err)
	}
	return m
}

// Issue 2, Must show: tokens with alg none, tampered claims, an HS256 signature made with any
// key, an expired exp, a wrong audience, a refresh token used as an access token, or 100 KB
// of dots → 401.
func TestTokenAttacks(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	w := s.Login(t, Writer)
	admin := s.Login(t, Admin)
	priv := serverKey(t, s.DataDir)
	pub := priv.Public().(ed25519.PublicKey)
	kid := auth.KeyID(pub)
	real := tokenClaims(t, w.Token)
	now := s.Clock.Now()

	// valid returns the claims of a token the server would accept, for the writer.
	valid := func() map[string]any {
		return map[string]any{
			"iss": "monograph", "aud": []string{"monograph-manage"}, "sub": w.User.ID, "sid": real["sid"],
			"jti": "test-" + strconv.FormatInt(time.Now().UnixNano(), 10), "typ": "access",
			"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(10 * time.Minute).Unix(),
		}
	}
	edHeader := map[string]any{"alg": "EdDSA", "typ": "JWT", "kid": kid}
	with := func(k string, v any) map[string]any {
		c := valid()
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}

	// Positive control: a token minted here with the server's key and the right claims
	// works, so each refusal below is for the one thing the case changes.
	MustStatus(t, w.WithToken(signEd25519(priv, edHeader, valid())).Do(t, "GET", "/api/v1/auth/me", nil), 200)
	MustStatus(t, w.Do(t, "GET", "/api/v1/auth/me", nil), 200)

	parts := strings.Split(w.Token, ".")
	tampered := real
	tampered["sub"] = admin.User.ID
	tamperedToken := parts[0] + "." + jwtSegment(tampered) + "." + parts[2]

	spki, _ := x509.MarshalPKIXPublicKey(pub)
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: spki})
	randomKey := make([]byte, 32)
	_, _ = rand.Read(randomKey)
	_, otherPriv, _ := ed25519.GenerateKey(rand.Reader)
	hsHeader := map[string]any{"alg": "HS256", "typ": "JWT", "kid": kid}

	cases := map[string]string{
		"alg none":                   jwtSegment(map[string]any{"alg": "none", "typ": "JWT", "kid": kid}) + "." + jwtSegment(valid()) + ".",
		"alg none uppercase":         jwtSegment(map[string]any{"alg": "NONE", "typ": "JWT"}) + "." + jwtSegment(valid()) + ".",
		"tampered sub":               tamperedToken,
		"HS256 with raw public key":  signHS256(pub, hsHeader, valid()),
		"HS256 with PEM public key":  signHS256(pubPEM, hsHeader, valid()),
		"HS256 with random key":      signHS256(randomKey, hsHeader, valid()),
		"HS256 with empty key":       signHS256(nil, hsHeader, valid()),
		"other Ed25519 key, our kid": signEd25519(otherPriv, edHeader, valid()),
		"unknown kid":                signEd25519(priv, map[string]any{"alg": "EdDSA", "typ": "JWT", "kid": "0000000000000000"}, valid()),
		"expired":                    signEd25519(priv, edHeader, with("exp", now.Add(-2*time.Minute).Unix())),
		"no exp":                     signEd25519(priv, edHeader, with("exp", nil)),
		"not yet valid":              signEd25519(priv, edHeader, with("nbf", now.Add(5*time.Minute).Unix())),
		"wrong audience":             signEd25519(priv, edHeader, with("aud", []string{"monograph-delivery"})),
		"no audience":                signEd25519(priv, edHeader, with("aud", nil)),
		"wrong issuer":               signEd25519(priv, edHeader, with("iss", "evil")),
		"no sub":                     signEd25519(priv, edHeader, with("sub", nil)),
		"unknown sub":                signEd25519(priv, edHeader, with("sub", "nosuchuser000000000000000")),
		"preview token":              signEd25519(priv, edHeader, with("typ", "preview")),
		"preview token and audience": signEd25519(priv, edHeader, map[string]any{"iss": "monograph", "aud": []string{"monograph-manage-preview"}, "typ": "preview", "page": "x", "jti": "p", "iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix()}),
		"refresh token":              w.RefreshToken,
		"100 KB of dots":             strings.Repeat(".", 100<<10),
		"garbage":                    "not-a-token",
		"signature stripped":         parts[0] + "." + parts[1] + ".",
	}
	// A real preview token, if the preview route exists yet.
	pages := w.Do(t, "GET", pagesPath, nil)
	MustStatus(t, pages, 200)
	var list struct {
		Data []Page `json:"data"`
	}
	pages.Decode(t, &list)
	if len(list.Data) > 0 {
		r := w.Do(t, "POST", pagesPath+"/"+list.Data[0].ID+"/preview-token", nil)
		if r.Status == 200 || r.Status == 201 {
			var pt struct {
				Token string `json:"token"`
			}
			r.Decode(t, &pt)
			cases["real preview token"] = pt.Token
		} else {
			t.Logf("no preview-token route yet (%d): only the minted preview token is tried", r.Status)
		}
	}

	for name, token := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			for _, path := range []string{"/api/v1/auth/me", pagesPath} {
				r := w.WithToken(token).Do(t, "GET", path, nil)
				MustProblem(t, r, 401, "unauthorized", "")
			}
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("refusal took %v", d) // a sanity bound, not a timing assertion
			}
		})
	}
	t.Run("no bearer", func(t *testing.T) {
		t.Parallel()
		MustProblem(t, s.Anon().Do(t, "GET", "/api/v1/auth/me", nil), 401, "unauthorized", "")
		MustProblem(t, s.Anon().Do(t, "GET", "/api/v1/auth/me", nil, "Authorization", "Basic d3JpdGVyOng="), 401, "unauthorized", "")
		MustProblem(t, s.Anon().Do(t, "GET", "/api/v1/auth/me", nil, "Authorization", "Bearer "), 401, "unauthorized", "")
	})
}

// Issue 2: an access token stops working once its exp has passed on the server's clock.
func TestAccessTokenExpires(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	w := s.Login(t, Writer)
	MustStatus(t, w.Do(t, "GET", "/api/v1/auth/me", nil), 200)
	s.Clock.Advance(14 * time.Minute)
	MustStatus(t, w.Do(t, "GET", "/api/v1/auth/me", nil), 200)
	s.Clock.Advance(2*time.Minute + auth.Leeway)
	MustProblem(t, w.Do(t, "GET", "/api/v1/auth/me", nil), 401, "unauthorized", "")
	// The refresh token still opens a new session.
	r := s.Anon().Do(t, "POST", "/api/v1/auth/refresh", map[string]string{"refreshToken": w.RefreshToken})
	MustStatus(t, r, 200)
	var sess struct {
		AccessToken string `json:"accessToken"`
	}
	r.Decode(t, &sess)
	MustStatus(t, w.WithToken(sess.AccessToken).Do(t, "GET", "/api/v1/auth/me", nil), 200)
}

type session struct {
	AccessToken  string `json:"accessToken"`
	RefreshToken string `json:"refreshToken"`
}

func refresh(tb testing.TB, s *Server, token string) (*Resp, session) {
	tb.Helper()
	r := s.Anon().Do(tb, "POST", "/api/v1/auth/refresh", map[string]string{"refreshToken": token})
	var sess session
	if r.Status == 200 {
		r.Decode(tb, &sess)
	}
	return r, sess
}

// Issue 2, Must show: refresh-token reuse revokes the family; logout revokes.
func TestRefreshRotationReuseAndLogout(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	w := s.Login(t, Writer)
	other := s.Login(t, Writer) // a second session of the same user

	r, s2 := refresh(t, s, w.RefreshToken)
	MustStatus(t, r, 200)
	if s2.RefreshToken == w.RefreshToken || s2.AccessToken == "" {
		t.Fatal("refresh did not rotate the refresh token")
	}
	MustStatus(t, w.WithToken(s2.AccessToken).Do(t, "GET", "/api/v1/auth/me", nil), 200)
	r, s3 := refresh(t, s, s2.RefreshToken)
	MustStatus(t, r, 200)

	// Reuse of the first (spent) token: 401, and the whole family is revoked.
	r, _ = refresh(t, s, w.RefreshToken)
	MustProblem(t, r, 401, "unauthorized", "")
	r, _ = refresh(t, s, s3.RefreshToken)
	MustProblem(t, r, 401, "unauthorized", "")
	// The family is the session: its access tokens stop at once too.
	for _, tok := range []string{w.Token, s2.AccessToken, s3.AccessToken} {
		MustProblem(t, w.WithToken(tok).Do(t, "GET", "/api/v1/auth/me", nil), 401, "unauthorized", "")
	}
	// Another session of the same user is not affected.
	MustStatus(t, other.Do(t, "GET", "/api/v1/auth/me", nil), 200)

	// Logout revokes that one: 204, then its refresh and access tokens are refused.
	MustStatus(t, other.Do(t, "POST", "/api/v1/auth/logout", nil), 204)
	r, _ = refresh(t, s, other.RefreshToken)
	MustProblem(t, r, 401, "unauthorized", "")
	MustProblem(t, other.Do(t, "GET", "/api/v1/auth/me", nil), 401, "unauthorized", "")
	// Garbage refresh tokens.
	for _, tok := range []string{"", "x", strings.Repeat("A", 43), w.Token} {
		r, _ = refresh(t, s, tok)
		MustProblem(t, r, 401, "unauthorized", "")
	}
}

// Issue 2, Must show: a disabled user's still-valid access token → 401 on the next request;
// a role change applies on the next request.
func TestDisableAndRoleChangeApplyAtOnce(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	admin := s.Login(t, Admin)
	w := s.Login(t, Writer)
	w2 := s.Login(t, Writer2)
	MustStatus(t, w.Do(t, "GET", "/api/v1/auth/me", nil), 200)

	r := admin.Do(t, "PATCH", "/api/v1/manage/users/"+w.User.ID, map[string]any{"disabled": true})
	MustStatus(t, r, 200)
	MustProblem(t, w.Do(t, "GET", "/api/v1/auth/me", nil), 401, "unauthorized", "")
	MustProblem(t, w.Do(t, "GET", pagesPath, nil), 401, "unauthorized", "")
	rr, _ := refresh(t, s, w.RefreshToken)
	MustProblem(t, rr, 401, "unauthorized", "")
	// A disabled account's login looks exactly like a wrong password.
	bad := s.Anon().Do(t, "POST", "/api/v1/auth/login", map[string]string{"email": Writer, "password": app.DemoPassword})
	wrong := s.Anon().Do(t, "POST", "/api/v1/auth/login", map[string]string{"email": Writer2, "password": "wrong-password-1"})
	MustProblem(t, bad, 401, "unauthorized", "")
	if string(bad.Body) != string(wrong.Body) {
		t.Fatalf("disabled and wrong-password logins differ:\n%s\n%s", bad.Body, wrong.Body)
	}

	// writer2 → reviewer: page creation is refused, the audit log allowed, at once.
	MustStatus(t, w2.Do(t, "GET", "/api/v1/manage/audit", nil), 403)
	MustStatus(t, w2.Do(t, "POST", pagesPath, map[string]any{"slug": "before-change", "content": Content("Before")}), 201)
	r = admin.Do(t, "PATCH", "/api/v1/manage/users/"+w2.User.ID, map[string]any{"roles": []string{"reviewer"}})
	MustStatus(t, r, 200)
	MustProblem(t, w2.Do(t, "POST", pagesPath, map[string]any{"slug": "after-change", "content": Content("After")}), 403, "forbidden", "")
	MustStatus(t, w2.Do(t, "GET", "/api/v1/manage/audit", nil), 200)
	me := w2.Do(t, "GET", "/api/v1/auth/me", nil)
	MustStatus(t, me, 200)
	var u User
	me.Decode(t, &u)
	if len(u.Roles) != 1 || u.Roles[0] != "reviewer" {
		t.Fatalf("roles after change: %v", u.Roles)
	}
	// A user who is not admin cannot manage users, whatever the body.
	MustProblem(t, w2.Do(t, "PATCH", "/api/v1/manage/users/"+w2.User.ID, map[string]any{"roles": []string{"admin"}}), 403, "forbidden", "")
}

// Issue 2, Must show: 40 failed logins on one account with a changing X-Forwarded-For → 429
// with Retry-After; the right password is refused too while the account is limited.
func TestLoginRateLimit(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	anon := s.Anon()
	// Unknown email and wrong password answer alike.
	unknown := anon.Do(t, "POST", "/api/v1/auth/login", map[string]string{"email": "nobody@example.com", "password": "wrong-password-0"})
	first := anon.Do(t, "POST", "/api/v1/auth/login", map[string]string{"email": Writer, "password": "wrong-password-0"})
	MustProblem(t, unknown, 401, "unauthorized", "")
	MustProblem(t, first, 401, "unauthorized", "")
	if string(unknown.Body) != string(first.Body) {
		t.Fatalf("unknown email and wrong password differ:\n%s\n%s", unknown.Body, first.Body)
	}
	limitedAt := 0
	for i := 1; i < 40; i++ {
		xff := fmt.Sprintf("203.0.113.%d", i)
		r := anon.Do(t, "POST", "/api/v1/auth/login", map[string]string{"email": Writer, "password": fmt.Sprintf("wrong-password-%d", i)},
			"X-Forwarded-For", xff, "X-Real-Ip", xff)
		switch r.Status {
		case 401:
			if limitedAt != 0 {
				t.Fatalf("attempt %d: 401 after being rate limited at %d", i+1, limitedAt)
			}
		case 429:
			if limitedAt == 0 {
				limitedAt = i + 1
			}
			MustProblem(t, r, 429, "rate_limited", "")
			ra, err := strconv.Atoi(r.Header.Get("Retry-After"))
			if err != nil || ra < 1 || ra > 15*60 {
				t.Fatalf("attempt %d: Retry-After %q", i+1, r.Header.Get("Retry-After"))
			}
		default:
			t.Fatalf("attempt %d: %s", i+1, r)
		}
	}
	if limitedAt == 0 || limitedAt > 31 {
		t.Fatalf("not rate limited within 40 attempts (first 429 at %d)", limitedAt)
	}
	t.Logf("first 429 at attempt %d", limitedAt)
	r := anon.Do(t, "POST", "/api/v1/auth/login", map[string]string{"email": Writer, "password": app.DemoPassword}, "X-Forwarded-For", "198.51.100.7")
	MustProblem(t, r, 429, "rate_limited", "")
	// The window passes: the right password works again.
	s.Clock.Advance(16 * time.Minute)
	s.Login(t, Writer)
}
