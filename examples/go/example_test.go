package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/app"
	"github.com/monograph-cms/monograph/internal/auth"
	"github.com/monograph-cms/monograph/internal/webhook"
)

const secret = "whsec_example-secret"

// The example's verifier against the server's own signer (internal/webhook.Sign).
func TestVerifySignature(t *testing.T) {
	body := []byte(`{"id":"e1","event":"page.published","slug":"ketamine","revision":2,"occurredAt":"2026-12-01T00:00:00Z"}`)
	at := time.Unix(1_796_000_000, 0)
	good := webhook.Sign(secret, body, at)
	wrong := strings.Repeat("0", 64)
	for _, tc := range []struct {
		name   string
		secret string
		header string
		body   []byte
		now    time.Time
		want   error
	}{
		{"as signed", secret, good, body, at, nil},
		{"4 minutes later", secret, good, body, at.Add(4 * time.Minute), nil},
		{"6 minutes later: a replay", secret, good, body, at.Add(6 * time.Minute), ErrStale},
		{"6 minutes earlier: a wrong clock", secret, good, body, at.Add(-6 * time.Minute), ErrStale},
		{"another secret", "whsec_other", good, body, at, ErrMismatch},
		{"another body", secret, good, append(bytes.Clone(body), ' '), at, ErrMismatch},
		{"a wrong v1 beside the right one", secret, strings.Replace(good, "v1=", "v1="+wrong+",v1=", 1), body, at, nil},
		{"no header", secret, "", body, at, ErrNoSignature},
		{"no v1", secret, "t=1796000000", body, at, ErrNoSignature},
		{"no t", secret, "v1=" + wrong, body, at, ErrNoSignature},
		{"a short v1", secret, good[:len(good)-2], body, at, ErrNoSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := VerifySignature(tc.secret, tc.header, tc.body, tc.now, 5*time.Minute); !errors.Is(err, tc.want) {
				t.Fatalf("VerifySignature = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestReceiver(t *testing.T) {
	var got []Event
	rc := &Receiver{Secret: secret, Handle: func(ev Event) { got = append(got, ev) }}
	body := `{"id":"e1","event":"page.unpublished","slug":"ketamine","revision":2,"occurredAt":"2026-12-01T00:00:00Z"}`
	post := func(sig, b string) int {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(b))
		if sig != "" {
			r.Header.Set("Monograph-Signature", sig)
		}
		w := httptest.NewRecorder()
		rc.ServeHTTP(w, r)
		return w.Code
	}
	now := time.Now()
	for _, tc := range []struct {
		name string
		sig  string
		body string
		want int
	}{
		{"unsigned", "", body, http.StatusUnauthorized},
		{"signed with another secret", webhook.Sign("whsec_other", []byte(body), now), body, http.StatusUnauthorized},
		{"stale", webhook.Sign(secret, []byte(body), now.Add(-time.Hour)), body, http.StatusUnauthorized},
		{"signed, not an event", webhook.Sign(secret, []byte(`[]`), now), `[]`, http.StatusBadRequest},
		{"signed", webhook.Sign(secret, []byte(body), now), body, http.StatusNoContent},
		{"delivered again", webhook.Sign(secret, []byte(body), now), body, http.StatusNoContent},
	} {
		if code := post(tc.sig, tc.body); code != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, code, tc.want)
		}
	}
	if len(got) != 1 || got[0].Event != "page.unpublished" || got[0].Slug != "ketamine" {
		t.Fatalf("handled %+v, want the one event once", got)
	}
	w := httptest.NewRecorder()
	rc.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	if w.Code != http.StatusMethodNotAllowed {
		t.Fatalf("GET: %d", w.Code)
	}
}

// The example against the real server (the embedded store in a temporary directory, demo
// data): the ETag round trip, and a real, signed webhook delivery to the Receiver.
func TestAgainstTheServer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the server")
	}
	base := startServer(t)
	ctx := context.Background()
	f := &Fetcher{BaseURL: base}

	p, fromCache, err := f.Page(ctx, "ketamine")
	if err != nil || fromCache || p.MedicalReview.Reviewer.Name != "Rosa Reviewer" {
		t.Fatalf("first fetch: %+v cache=%v err=%v", p, fromCache, err)
	}
	again, fromCache, err := f.Page(ctx, "ketamine")
	if err != nil || !fromCache || again.Revision != p.Revision {
		t.Fatalf("second fetch: %+v cache=%v err=%v, want the copy held", again, fromCache, err)
	}

	events := make(chan Event, 4)
	// The receiver needs the secret, which registration shows: it answers 503 (and
	// Monograph retries) until it has it.
	var rc atomic.Pointer[Receiver]
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h := rc.Load(); h != nil {
			h.ServeHTTP(w, r)
			return
		}
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer recv.Close()
	admin := login(t, base, "admin@example.com")
	var hook struct {
		Secret string `json:"secret"`
	}
	call(t, base, admin, "POST", "/api/v1/manage/webhooks", map[string]any{"url": recv.URL + "/hook", "events": []string{"page.unpublished"}}, http.StatusCreated, &hook)
	rc.Store(&Receiver{Secret: hook.Secret, Handle: func(ev Event) { events <- ev }})

	editor := login(t, base, "editor@example.com")
	var list struct {
		Data []struct {
			ID   string `json:"id"`
			Slug string `json:"slug"`
		} `json:"data"`
	}
	call(t, base, editor, "GET", "/api/v1/manage/pages?q=ketamine", nil, http.StatusOK, &list)
	if len(list.Data) == 0 {
		t.Fatal("no ketamine page")
	}
	call(t, base, editor, "POST", "/api/v1/manage/pages/"+list.Data[0].ID+"/unpublish", map[string]any{"reason": "example test"}, http.StatusOK, nil)

	select {
	case ev := <-events:
		if ev.Event != "page.unpublished" || ev.Slug != "ketamine" {
			t.Fatalf("event %+v", ev)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no verified delivery within 30 s")
	}
	_, _, err = f.Page(ctx, "ketamine")
	var prob *Problem
	if !errors.As(err, &prob) || prob.Status != http.StatusGone || prob.Code != "gone" {
		t.Fatalf("after unpublishing: %v, want 410 gone", err)
	}
}

func startServer(t *testing.T) string {
	t.Helper()
	cfg := app.DefaultConfig()
	cfg.Addr = "127.0.0.1:0"
	cfg.DataDir = t.TempDir()
	cfg.LogLevel = "error"
	cfg.WebhookAllowPrivate = true // the receiver is on loopback
	hasher, err := auth.NewHasher(auth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a, err := app.Open(ctx, cfg, app.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Hasher: hasher})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = a.Close(ctx)
	})
	if err := a.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	if err := a.Serve(ctx); err != nil {
		t.Fatal(err)
	}
	return a.URL()
}

func login(t *testing.T, base, email string) string {
	t.Helper()
	var s struct {
		AccessToken string `json:"accessToken"`
	}
	call(t, base, "", "POST", "/api/v1/auth/login", map[string]string{"email": email, "password": app.DemoPassword}, http.StatusOK, &s)
	return s.AccessToken
}

func call(t *testing.T, base, token, method, path string, body any, want int, out any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, base+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		t.Fatalf("%s %s: %d %s", method, path, res.StatusCode, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
	}
}
