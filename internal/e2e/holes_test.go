package e2e

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/app"
	"github.com/monograph-cms/monograph/internal/auth"
	"github.com/monograph-cms/monograph/internal/teststore"
	"github.com/monograph-cms/monograph/policies"
)

// Issue 11, point 11: the smaller security holes — tokens signed with the server's key but
// with claims it never writes, preview links outliving the session that made them, IPv6
// spellings of internal webhook destinations, and policy files that would leave every
// request silently denied.

// TestHolesOddClaimsAre401: a token signed with the server's own key whose claims are
// missing or of the wrong JSON type is refused with 401, never a 500 and never accepted.
func TestHolesOddClaimsAre401(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	w := s.Login(t, Writer)
	p := w.Create(t, "odd-claims", Content("Odd claims"))
	priv := serverKey(t, s.DataDir)
	header := map[string]any{"alg": "EdDSA", "typ": "JWT", "kid": auth.KeyID(priv.Public().(ed25519.PublicKey))}
	sid := tokenClaims(t, w.Token)["sid"]
	now := s.Clock.Now().Unix()
	access := func(k string, v any, drop bool) string {
		c := map[string]any{
			"iss": "monograph", "aud": []string{"monograph-manage"}, "sub": w.User.ID, "sid": sid,
			"jti": "holes-" + strconv.FormatInt(time.Now().UnixNano(), 10), "typ": "access",
			"iat": now, "nbf": now, "exp": now + 600,
		}
		if drop {
			delete(c, k)
		} else if k != "" {
			c[k] = v
		}
		return signEd25519(priv, header, c)
	}
	// The control: the same claims, unchanged, are accepted.
	MustStatus(t, w.WithToken(access("", nil, false)).Do(t, "GET", "/api/v1/auth/me", nil), 200)

	cases := map[string]string{
		"no iat":              access("iat", nil, true),
		"iat null":            access("iat", nil, false),
		"exp as a string":     access("exp", strconv.FormatInt(now+600, 10), false),
		"iat as a string":     access("iat", strconv.FormatInt(now, 10), false),
		"nbf as a string":     access("nbf", strconv.FormatInt(now, 10), false),
		"exp as an object":    access("exp", map[string]any{"$gt": 0}, false),
		"exp 1e300":           access("exp", 1e300, false),
		"exp negative":        access("exp", -1, false),
		"iat negative":        access("iat", -1, false),
		"exp in year 9000":    access("exp", 221845392000, false),
		"sub as a number":     access("sub", 7, false),
		"sub as an object":    access("sub", map[string]any{"$ne": ""}, false),
		"sid as a number":     access("sid", 7, false),
		"typ as an array":     access("typ", []string{"access"}, false),
		"aud as a number":     access("aud", 7, false),
		"aud of numbers":      access("aud", []int{7}, false),
		"jti as a boolean":    access("jti", true, false),
		"iss as a number":     access("iss", 7, false),
		"no claims at all":    signEd25519(priv, header, map[string]any{}),
		"claims are a number": signedPayload(priv, header, 42),
		"claims are a list":   signedPayload(priv, header, []any{"exp", now + 600}),
	}
	for name, token := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			for _, path := range []string{"/api/v1/auth/me", pagesPath} {
				MustProblem(t, w.WithToken(token).Do(t, "GET", path, nil), 401, "unauthorized", "")
			}
		})
	}
	// The same for preview tokens, on the public preview route.
	preview := func(k string, v any, drop bool) string {
		c := map[string]any{
			"iss": "monograph", "aud": []string{"monograph-manage-preview"}, "typ": "preview", "page": p.ID,
			"sub": w.User.ID, "sid": sid, "jti": "holes-preview", "iat": now, "nbf": now, "exp": now + 600,
		}
		if drop {
			delete(c, k)
		} else {
			c[k] = v
		}
		return signEd25519(priv, header, c)
	}
	for name, token := range map[string]string{
		"no iat":          preview("iat", nil, true),
		"exp as a string": preview("exp", strconv.FormatInt(now+600, 10), false),
		"page as number":  preview("page", 7, false),
		"exp in 9000":     preview("exp", 221845392000, false),
		"no sub":          preview("sub", nil, true),
		"no sid":          preview("sid", nil, true),
	} {
		r := s.Anon().Do(t, "GET", "/api/v1/preview/pages/"+p.ID+"?token="+token, nil)
		if r.Status != 401 {
			t.Errorf("preview token with %s: %s", name, r)
		}
	}
}

// signedPayload signs any JSON value as a token's claims with the server's key.
func signedPayload(priv ed25519.PrivateKey, header map[string]any, claims any) string {
	in := jwtSegment(header) + "." + jwtSegment(claims)
	return in + "." + base64.RawURLEncoding.EncodeToString(ed25519.Sign(priv, []byte(in)))
}

// previewURL asks for a preview link of page id as c.
func previewURL(tb testing.TB, c *Client, id string) string {
	tb.Helper()
	r := c.Do(tb, "POST", pagesPath+"/"+id+"/preview-token", nil)
	MustStatus(tb, r, 200)
	var tok struct {
		URL string `json:"url"`
	}
	r.Decode(tb, &tok)
	return tok.URL
}

// TestHolesPreviewDiesWithSession: a preview link works only while the session that asked
// for it is open: logging out ends it; a link from another session of the same user lives on.
func TestHolesPreviewDiesWithSession(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	w := s.Login(t, Writer)
	other := s.Login(t, Writer) // a second session of the same user
	p := w.Create(t, "preview-logout", Content("Preview until logout"))
	link, otherLink := previewURL(t, w, p.ID), previewURL(t, other, p.ID)
	MustStatus(t, s.Anon().Do(t, "GET", link, nil), 200)

	MustStatus(t, w.Do(t, "POST", "/api/v1/auth/logout", nil), 204)
	MustProblem(t, s.Anon().Do(t, "GET", link, nil), 401, "unauthorized", "")
	MustStatus(t, s.Anon().Do(t, "GET", otherLink, nil), 200)
}

// TestHolesPreviewDiesWithAccount: disabling the user who asked for a preview link ends it.
func TestHolesPreviewDiesWithAccount(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	w := s.Login(t, Writer2)
	admin := s.Login(t, Admin)
	p := w.Create(t, "preview-disabled", Content("Preview until disabled"))
	link := previewURL(t, w, p.ID)
	MustStatus(t, s.Anon().Do(t, "GET", link, nil), 200)

	MustStatus(t, admin.Do(t, "PATCH", "/api/v1/manage/users/"+w.User.ID, map[string]any{"disabled": true}), 200)
	MustProblem(t, s.Anon().Do(t, "GET", link, nil), 401, "unauthorized", "")
}

// TestHolesPreviewDiesWithRole: a link stops working once its creator's roles no longer
// allow previews (here under a policy where writers may not preview).
func TestHolesPreviewDiesWithRole(t *testing.T) {
	t.Parallel()
	policy := filepath.Join(t.TempDir(), "policy.csv")
	text := strings.Replace(policies.Policy, "p, writer, page, preview\n", "", 1)
	if text == policies.Policy {
		t.Fatal("the shipped policy no longer grants writers page:preview; adjust this test")
	}
	if err := os.WriteFile(policy, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	s := MustStart(t, WithConfig(func(c *app.Config) { c.CasbinPolicy = policy }))
	ed := s.Login(t, Editor)
	admin := s.Login(t, Admin)
	p := ed.Create(t, "preview-role", Content("Preview until demoted"))
	link := previewURL(t, ed, p.ID)
	MustStatus(t, s.Anon().Do(t, "GET", link, nil), 200)

	MustStatus(t, admin.Do(t, "PATCH", "/api/v1/manage/users/"+ed.User.ID, map[string]any{"roles": []string{"writer"}}), 200)
	MustProblem(t, s.Anon().Do(t, "GET", link, nil), 401, "unauthorized", "")
}

// TestHolesWebhookIPv6Spellings: webhook URLs naming an internal IPv4 address through an
// IPv6 form (translated, compatible, NAT64, 6to4, Teredo) are refused like the address.
func TestHolesWebhookIPv6Spellings(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	admin := s.Login(t, Admin)
	for _, url := range []string{
		"http://[::ffff:0:127.0.0.1]/",
		"http://[::ffff:0:a9fe:a9fe]/latest/meta-data/",
		"http://[::ffff:0:10.0.0.1]:8080/",
		"http://[::127.0.0.1]/",
		"http://[64:ff9b::10.0.0.1]/",
		"http://[64:ff9b:1::a00:1]/",
		"http://[2002:a9fe:a9fe::1]/",
		"http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",
	} {
		r := admin.Do(t, "POST", webhooksPath, map[string]any{"url": url, "events": []string{"page.published"}})
		MustProblem(t, r, 400, "invalid", "url")
	}
}

// TestHolesBrokenPolicyRefusesStart: a truncated or misspelt policy, or a model without its
// matchers, stops the server from starting with a message naming the file and the line,
// instead of a server that answers 403 to everything.
func TestHolesBrokenPolicyRefusesStart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	shipped := strings.TrimRight(policies.Policy, "\n")
	approveLine := 1 + strings.Count(policies.Policy[:strings.Index(policies.Policy, "p, reviewer, page, approve")], "\n")
	typo := write("typo.csv", strings.Replace(policies.Policy, "p, reviewer, page, approve", "p, reviewer, page, aprove", 1))
	truncated := write("truncated.csv", shipped[:len(shipped)-3])
	// The last line's action as the cut leaves it, whichever line the policy ends with.
	lastAction := shipped[strings.LastIndex(shipped, ", ")+2:]
	cutAction := lastAction[:len(lastAction)-3]
	noMatchers := write("model.conf", policies.Model[:strings.Index(policies.Model, "[matchers]")])

	for _, tc := range []struct {
		name, model, policy string
		want                []string
	}{
		{"typo", "", typo, []string{typo, fmt.Sprintf("line %d", approveLine), `unknown action "aprove"`}},
		{"truncated", "", truncated, []string{truncated, fmt.Sprintf("unknown action %q", cutAction)}},
		{"no matchers", noMatchers, "", []string{noMatchers, "matchers"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := app.DefaultConfig()
			cfg.Addr = "127.0.0.1:0"
			cfg.DataDir = t.TempDir()
			cfg.MongoURI = os.Getenv("MONGODB_URI")
			cfg.Database = teststore.DatabaseName(t.Name())
			cfg.CasbinModel, cfg.CasbinPolicy = tc.model, tc.policy
			ctx := context.Background()
			a, err := app.Open(ctx, cfg, app.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Hasher: cheapHasher(t)})
			if err == nil {
				err = a.Serve(ctx)
				closeCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
				_ = a.Close(closeCtx)
				cancel()
			}
			if err == nil {
				t.Fatal("the server started")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}

	// The same through the command line: a non-zero exit with the message.
	err, _, stderr := runBinary(t, "", "serve", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--casbin-policy", typo)
	if err == nil || !strings.Contains(stderr, typo) || !strings.Contains(stderr, `unknown action "aprove"`) {
		t.Fatalf("serve with a misspelt policy: %v\n%s", err, stderr)
	}
}
