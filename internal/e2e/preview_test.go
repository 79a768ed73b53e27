package e2e

import (
	"strings"
	"testing"
)

// TestPreview: a writer's preview token shows the page's latest (unpublished) revision in
// the delivery shape, not cacheable and not indexable; it opens only that page, and it is
// not an access token.
func TestPreview(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	tm := signIn(t, s)
	p := tm.writer.Create(t, "preview-me", Content("Draft only"))
	other := tm.writer.Create(t, "preview-other", Content("Other draft"))

	var tok struct {
		Token string `json:"token"`
		URL   string `json:"url"`
	}
	r := tm.writer.Do(t, "POST", pagesPath+"/"+p.ID+"/preview-token", nil)
	MustStatus(t, r, 200)
	r.Decode(t, &tok)
	if tok.Token == "" || !strings.HasSuffix(tok.URL, tok.Token) {
		t.Fatalf("preview token answer: %s", r.Body)
	}

	got := s.Anon().Do(t, "GET", tok.URL, nil)
	MustStatus(t, got, 200)
	if cc := got.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}
	if !strings.Contains(got.Header.Get("X-Robots-Tag"), "noindex") {
		t.Errorf("X-Robots-Tag %q, want noindex", got.Header.Get("X-Robots-Tag"))
	}
	body := got.JSON(t)
	if body["preview"] != true || body["title"] != "Draft only" {
		t.Fatalf("preview body: %s", got.Body)
	}
	// Still a draft: delivery does not serve it.
	MustStatus(t, deliver(t, s, "preview-me"), 404)

	// Scoped to its page; no token or a bad one is refused.
	MustProblem(t, s.Anon().Do(t, "GET", "/api/v1/preview/pages/"+other.ID+"?token="+tok.Token, nil), 401, "unauthorized", "")
	MustProblem(t, s.Anon().Do(t, "GET", "/api/v1/preview/pages/"+p.ID, nil), 401, "unauthorized", "")
	MustProblem(t, s.Anon().Do(t, "GET", "/api/v1/preview/pages/"+p.ID+"?token=x.y.z", nil), 401, "unauthorized", "")
	// Not an access token.
	MustProblem(t, s.Anon().WithToken(tok.Token).Do(t, "GET", "/api/v1/auth/me", nil), 401, "unauthorized", "")
}
