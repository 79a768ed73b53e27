package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

// publishForDelivery takes a new page through the real workflow: writer creates and submits,
// reviewer signs, editor publishes (at, when set, schedules it).
func publishForDelivery(tb testing.TB, s *Server, slug string, content map[string]any, at *time.Time) Page {
	tb.Helper()
	writer, reviewer, editor := s.Login(tb, Writer), s.Login(tb, Reviewer), s.Login(tb, Editor)
	p := writer.Create(tb, slug, content)
	p = writer.MustAction(tb, p.ID, "submit", nil)
	p = reviewer.Approve(tb, p)
	body := map[string]any{}
	if at != nil {
		body["at"] = at.UTC().Format(time.RFC3339)
	}
	return editor.MustAction(tb, p.ID, "publish", body)
}

// deliveryContent is valid content whose title and tags carry word, a marker that must never
// reach delivery unless the page is live.
func deliveryContent(title, word string) map[string]any {
	c := Content(title + " " + word)
	c["tags"] = []string{strings.ToLower(word)}
	return c
}

// TestNothingNotLiveIsReachable: drafts, a newer unreviewed (and an approved but
// unpublished) revision of a live page, a scheduled-not-yet-due page and an unpublished
// page are unreachable through delivery — by slug, in lists, in search, in sync, with any
// query parameter — and the live bytes of a page stay identical while its working copy
// moves on.
func TestNothingNotLiveIsReachable(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	if !s.Delivery(t) {
		t.Skip("delivery routes not wired in yet")
	}
	anon := s.Anon()
	writer, reviewer, editor := s.Login(t, Writer), s.Login(t, Reviewer), s.Login(t, Editor)

	live := publishForDelivery(t, s, "e2e-live", deliveryContent("Alpha", "Livemarker"), nil)
	liveBytes := anon.Do(t, "GET", "/api/v1/pages/e2e-live", nil)
	MustStatus(t, liveBytes, 200)
	liveLD := anon.Do(t, "GET", "/api/v1/pages/e2e-live?format=jsonld", nil)
	MustStatus(t, liveLD, 200)

	// A newer revision of the live page, saved and even approved, but not published.
	p := writer.MustSave(t, live.ID, live.Version, deliveryContent("Alpha", "Zebradraftword"))
	p = writer.MustAction(t, p.ID, "submit", nil)
	reviewer.Approve(t, p)
	// A newer revision again, plain draft.
	p = writer.Page(t, live.ID)
	writer.MustSave(t, live.ID, p.Version, deliveryContent("Alpha", "Yakdraftword"))

	// A draft that was never submitted.
	writer.Create(t, "e2e-draft", deliveryContent("Bravo", "Quokkadraft"))
	// A page approved but never published.
	ap := writer.Create(t, "e2e-approved", deliveryContent("Charlie", "Ocelotapproved"))
	ap = writer.MustAction(t, ap.ID, "submit", nil)
	reviewer.Approve(t, ap)
	// A page scheduled for an hour from now.
	at := s.Clock.Now().Add(time.Hour)
	sched := publishForDelivery(t, s, "e2e-scheduled", deliveryContent("Delta", "Narwhalsched"), &at)
	if sched.State != "scheduled" || sched.Live != nil {
		t.Fatalf("not scheduled: %+v", sched)
	}
	// A page published, then unpublished.
	gone := publishForDelivery(t, s, "e2e-gone", deliveryContent("Echo", "Pangolingone"), nil)
	editor.MustAction(t, gone.ID, "unpublish", map[string]any{"reason": "withdrawn for the test"})

	secrets := []string{"zebradraftword", "yakdraftword", "quokkadraft", "ocelotapproved", "narwhalsched", "pangolingone"}
	noSecret := func(r *Resp) {
		t.Helper()
		low := strings.ToLower(string(r.Body))
		for _, w := range secrets {
			if strings.Contains(low, w) {
				t.Errorf("%s %s leaks %q: %s", r.Method, r.Path, w, r.Body)
			}
		}
	}
	extras := []string{"", "?preview=true", "?state=draft&includeDrafts=1", "?revision=2&version=9",
		"?format=jsonld", "?token=x&draft=true&%24where=1", "?format=json&live=false&q=Zebradraftword"}

	// By slug.
	unknown := anon.Do(t, "GET", "/api/v1/pages/e2e-never-existed", nil)
	MustStatus(t, unknown, 404)
	for _, slug := range []string{"e2e-draft", "e2e-approved", "e2e-scheduled", "e2e-gone", "e2e-live"} {
		for _, x := range extras {
			r := anon.Do(t, "GET", "/api/v1/pages/"+slug+x, nil)
			noSecret(r)
			switch slug {
			case "e2e-gone":
				MustStatus(t, r, 410)
			case "e2e-live":
				MustStatus(t, r, 200)
			default:
				if r.Status != 404 || !bytes.Equal(r.Body, unknown.Body) {
					t.Errorf("%s%s: want the unknown-slug 404, got %s", slug, x, r)
				}
			}
		}
	}
	// The live page's bytes did not move while its working copy did.
	for _, x := range []string{"", "?preview=true&state=draft"} {
		if r := anon.Do(t, "GET", "/api/v1/pages/e2e-live"+x, nil); !bytes.Equal(r.Body, liveBytes.Body) ||
			r.Header.Get("ETag") != liveBytes.Header.Get("ETag") {
			t.Errorf("live bytes changed%s:\n%s\n%s", x, liveBytes.Body, r.Body)
		}
	}
	if r := anon.Do(t, "GET", "/api/v1/pages/e2e-live?format=jsonld", nil); !bytes.Equal(r.Body, liveLD.Body) {
		t.Error("live JSON-LD bytes changed")
	}

	// In lists and search.
	listed := func(query string) []string {
		t.Helper()
		r := anon.Do(t, "GET", "/api/v1/pages"+query, nil)
		MustStatus(t, r, 200)
		noSecret(r)
		var l struct {
			Data []struct {
				Slug string `json:"slug"`
			} `json:"data"`
		}
		r.Decode(t, &l)
		var out []string
		for _, d := range l.Data {
			out = append(out, d.Slug)
		}
		slices.Sort(out)
		return out
	}
	for _, q := range []string{"", "?limit=100", "?limit=100&state=draft&includeDrafts=true", "?sort=-publishedAt&limit=100&preview=1"} {
		if got := listed(q); !slices.Equal(got, []string{"e2e-live", "ketamine"}) {
			t.Errorf("list%s: %v", q, got)
		}
	}
	for _, w := range secrets {
		for _, q := range []string{"?q=" + w, "?tag=" + w, "?q=" + w + "&state=draft", "?q=" + strings.ToUpper(w)} {
			if got := listed(q); len(got) != 0 {
				t.Errorf("search %s: %v", q, got)
			}
		}
	}
	if got := listed("?q=livemarker"); !slices.Equal(got, []string{"e2e-live"}) {
		t.Errorf("search for the live word: %v", got)
	}

	// In sync.
	type change struct {
		Slug, Change string
	}
	syncOf := func(query string) []change {
		t.Helper()
		r := anon.Do(t, "GET", "/api/v1/sync"+query, nil)
		MustStatus(t, r, 200)
		noSecret(r)
		var out struct {
			Changes []change `json:"changes"`
		}
		r.Decode(t, &out)
		return out.Changes
	}
	zero := base64.RawURLEncoding.EncodeToString([]byte("v1:0"))
	for _, q := range []string{"", "?since=" + zero, "?since=" + zero + "&state=draft"} {
		for _, c := range syncOf(q) {
			switch {
			case c.Slug == "e2e-gone" && c.Change == "unpublished" && q != "":
			case (c.Slug == "e2e-live" || c.Slug == "ketamine") && c.Change == "published":
			default:
				t.Errorf("sync%s: %+v", q, c)
			}
		}
	}

	// The scheduled page goes live when its time comes, and at once in delivery: the first
	// request after the run answers it, with no wait and no retry. (Not timed: a time limit
	// would measure the machine, not the product.)
	s.Clock.Advance(2 * time.Hour)
	if _, err := s.App.Pages.RunScheduled(context.Background()); err != nil {
		t.Fatal(err)
	}
	MustStatus(t, anon.Do(t, "GET", "/api/v1/pages/e2e-scheduled", nil), 200)
}

// TestPublishVisibleAtOnce: a publication is in delivery (by slug and in the list's search)
// as soon as the publish request returns — the first request after it answers, with no wait
// and no retry, though the slug was asked for (404) before — and an unpublication turns it
// into 410 as fast.
func TestPublishVisibleAtOnce(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	if !s.Delivery(t) {
		t.Skip("delivery routes not wired in yet")
	}
	anon := s.Anon()
	writer, reviewer, editor := s.Login(t, Writer), s.Login(t, Reviewer), s.Login(t, Editor)
	p := writer.Create(t, "e2e-fresh", deliveryContent("Foxtrot", "Freshword"))
	MustStatus(t, anon.Do(t, "GET", "/api/v1/pages/e2e-fresh", nil), 404)
	p = writer.MustAction(t, p.ID, "submit", nil)
	p = reviewer.Approve(t, p)
	editor.MustAction(t, p.ID, "publish", map[string]any{})
	r := anon.Do(t, "GET", "/api/v1/pages/e2e-fresh", nil)
	if r.Status != 200 {
		t.Fatalf("the first request after publish: %d", r.Status)
	}
	var page map[string]any
	if err := json.Unmarshal(r.Body, &page); err != nil {
		t.Fatal(err)
	}
	mr, _ := page["medicalReview"].(map[string]any)
	if rv, _ := mr["reviewer"].(map[string]any); rv["name"] != reviewer.User.Name || rv["credentials"] != reviewer.User.Credentials {
		t.Errorf("medicalReview %v", page["medicalReview"])
	}
	if !strings.Contains(string(anon.Do(t, "GET", "/api/v1/pages?q=freshword", nil).Body), "e2e-fresh") {
		t.Error("not in search at once")
	}
	editor.MustAction(t, p.ID, "unpublish", map[string]any{"reason": "test"})
	if r := anon.Do(t, "GET", "/api/v1/pages/e2e-fresh", nil); r.Status != 410 {
		t.Errorf("after unpublish: %s", r)
	}
	if strings.Contains(string(anon.Do(t, "GET", "/api/v1/pages?q=freshword", nil).Body), "e2e-fresh") {
		t.Error("still listed after unpublish")
	}
}
