package delivery

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/monograph-cms/monograph/internal/content"
	"github.com/monograph-cms/monograph/internal/workflow"
)

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestPageShape(t *testing.T) {
	f := newFixture(t)
	f.publish(livePage("p1", "ketamine", sampleContent("Ketamine"), 3, t0, t0.AddDate(1, 0, 0)))

	w := f.get(t, "GET", "/api/v1/pages/ketamine")
	if w.Code != 200 {
		t.Fatalf("status %d %s", w.Code, w.Body)
	}
	for k, want := range map[string]string{
		"Content-Type":           "application/json; charset=utf-8",
		"Cache-Control":          "public, max-age=60, stale-while-revalidate=300",
		"X-Content-Type-Options": "nosniff",
		"Vary":                   "Accept-Encoding",
		"Last-Modified":          "Sun, 01 Mar 2026 12:00:00 GMT",
	} {
		if got := w.Header().Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if et := w.Header().Get("ETag"); !strings.HasPrefix(et, `"`) || strings.HasPrefix(et, "W/") || len(et) < 10 {
		t.Errorf("ETag %q is not a strong tag", et)
	}
	m := decode(t, w)
	want := []string{"clinicalUses", "dir", "disclaimer", "disclaimerHtml", "drug", "locale", "medicalReview", "patientGuidance",
		"publishedAt", "references", "reviews", "revision", "routes", "sections", "sideEffects", "slug", "summary",
		"tags", "title", "translations", "updatedAt"}
	if got := keys(m); !slices.Equal(got, want) {
		t.Fatalf("keys %v\nwant %v", got, want)
	}
	if m["revision"].(float64) != 3 || m["publishedAt"] != "2026-03-01T12:00:00Z" {
		t.Errorf("revision/publishedAt: %v %v", m["revision"], m["publishedAt"])
	}
	sec := m["sections"].([]any)[0].(map[string]any)
	if sec["html"] != "<p><strong>Ketamine</strong> is a medicine.</p>\n" || sec["body"] != "**Ketamine** is a medicine." {
		t.Errorf("section %v", sec)
	}
	use := m["clinicalUses"].([]any)[0].(map[string]any)
	if use["descriptionHtml"] != "<p>Used for <em>pain</em>.</p>\n" {
		t.Errorf("clinical use %v", use)
	}
	if m["disclaimerHtml"] != "<p>Ask a clinician.</p>\n" {
		t.Errorf("disclaimerHtml %v", m["disclaimerHtml"])
	}
	mr := m["medicalReview"].(map[string]any)
	if got := keys(mr); !slices.Equal(got, []string{"nextReviewDue", "overdue", "reviewedAt", "reviewer"}) {
		t.Errorf("medicalReview keys %v", got)
	}
	if rv := mr["reviewer"].(map[string]any); rv["name"] != "Rosa Reviewer" || rv["credentials"] != "MD" || len(rv) != 2 {
		t.Errorf("reviewer %v", rv)
	}
	if mr["overdue"] != false || mr["reviewedAt"] != "2026-03-01T11:00:00Z" || mr["nextReviewDue"] != "2027-03-01T12:00:00Z" {
		t.Errorf("medicalReview %v", mr)
	}
	rv := m["reviews"].(map[string]any)
	if rv["count"].(float64) != 0 || rv["averageRating"] != nil || rv["kind"] != "reader_opinion" {
		t.Errorf("reviews %v", rv)
	}
	if bytes.Contains(w.Body.Bytes(), []byte("<")) {
		t.Error("the body carries a literal '<': HTML must be escaped in delivered JSON")
	}

	// HEAD: same headers, no body.
	h := f.get(t, "HEAD", "/api/v1/pages/ketamine")
	if h.Code != 200 || h.Body.Len() != 0 || h.Header().Get("ETag") != w.Header().Get("ETag") ||
		h.Header().Get("Content-Length") != w.Header().Get("Content-Length") {
		t.Errorf("HEAD: %d %q %v", h.Code, h.Body, h.Header())
	}
	// Unknown query parameters are ignored: the same bytes.
	x := f.get(t, "GET", "/api/v1/pages/ketamine?preview=true&draft=1&format=json&%zz=1")
	if x.Code != 200 || !bytes.Equal(x.Body.Bytes(), w.Body.Bytes()) {
		t.Errorf("with extra parameters: %d", x.Code)
	}
}

func TestReviewStats(t *testing.T) {
	f := newFixture(t)
	f.publish(livePage("p1", "ketamine", sampleContent("Ketamine"), 1, t0, t0.AddDate(1, 0, 0)))
	before := f.get(t, "GET", "/api/v1/pages/ketamine")
	f.svc.SetAllReviewStats(map[string]ReviewStats{"ketamine": {Count: 3, Average: 4.3333}})
	after := f.get(t, "GET", "/api/v1/pages/ketamine")
	rv := decode(t, after)["reviews"].(map[string]any)
	if rv["count"].(float64) != 3 || rv["averageRating"].(float64) != 4.33 || rv["kind"] != ReaderOpinionKind {
		t.Errorf("reviews %v", rv)
	}
	if before.Header().Get("ETag") == after.Header().Get("ETag") {
		t.Error("ETag unchanged while the bytes changed")
	}
	// Stats survive a republication.
	f.publish(livePage("p1", "ketamine", sampleContent("Ketamine"), 2, t0.Add(time.Hour), t0.AddDate(1, 0, 0)))
	if rv := decode(t, f.get(t, "GET", "/api/v1/pages/ketamine"))["reviews"].(map[string]any); rv["count"].(float64) != 3 {
		t.Errorf("after republication: %v", rv)
	}
}

func TestNotFoundAndGone(t *testing.T) {
	f := newFixture(t)
	f.publish(livePage("p1", "ketamine", sampleContent("Ketamine"), 1, t0, t0.AddDate(1, 0, 0)))
	gone := f.publish(livePage("p2", "withdrawn", sampleContent("Withdrawn"), 1, t0, t0.AddDate(1, 0, 0)))
	f.src.put(unpublish(gone, t0.Add(time.Hour)), true)
	// A never-published page: the store has it, delivery never serves it.
	draft := livePage("p3", "draft-only", sampleContent("Draft"), 1, t0, t0.AddDate(1, 0, 0))
	draft.LiveSnapshot, draft.Workflow.Live, draft.Workflow.State = nil, nil, workflow.StateDraft
	f.src.put(draft, false)
	f.svc.Apply(draft.live())
	if err := f.svc.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}

	ref := f.get(t, "GET", "/api/v1/pages/no-such-page")
	if ref.Code != 404 || ref.Header().Get("Content-Type") != "application/problem+json; charset=utf-8" {
		t.Fatalf("unknown: %d %v", ref.Code, ref.Header())
	}
	if m := decode(t, ref); m["code"] != "not_found" || m["status"].(float64) != 404 {
		t.Errorf("problem %v", m)
	}
	for _, path := range []string{
		"/api/v1/pages/draft-only", "/api/v1/pages/Ketamine", "/api/v1/pages/ketamine-", "/api/v1/pages/",
		"/api/v1/pages/" + strings.Repeat("a", 101), "/api/v1/pages/%24ne", "/api/v1/pages/ketamine/extra",
		"/api/v1/pages/draft-only?format=jsonld",
	} {
		w := f.get(t, "GET", path)
		if w.Code != 404 || !bytes.Equal(w.Body.Bytes(), ref.Body.Bytes()) || w.Header().Get("ETag") != "" {
			t.Errorf("%s: %d %s", path, w.Code, w.Body)
		}
	}
	w := f.get(t, "GET", "/api/v1/pages/withdrawn")
	if w.Code != 410 || decode(t, w)["code"] != "gone" {
		t.Errorf("unpublished: %d %s", w.Code, w.Body)
	}
	if w := f.get(t, "GET", "/api/v1/pages/withdrawn?format=jsonld"); w.Code != 410 {
		t.Errorf("unpublished JSON-LD: %d", w.Code)
	}
	if w := f.get(t, "POST", "/api/v1/pages/ketamine"); w.Code != 405 || w.Header().Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: %d %v", w.Code, w.Header())
	}
	if w := f.get(t, "GET", "/api/v1/pages/ketamine?format=xml"); w.Code != 400 {
		t.Errorf("format=xml: %d", w.Code)
	}
}

func TestETagAndNotModified(t *testing.T) {
	f := newFixture(t)
	f.publish(livePage("p1", "ketamine", sampleContent("Ketamine"), 1, t0, t0.AddDate(1, 0, 0)))
	etag := f.get(t, "GET", "/api/v1/pages/ketamine").Header().Get("ETag")
	for _, tc := range []struct {
		name, hdr, val string
		want           int
	}{
		{"exact", "If-None-Match", etag, 304},
		{"in a list", "If-None-Match", `"x", ` + etag + `, "y"`, 304},
		{"weak form", "If-None-Match", "W/" + etag, 304},
		{"star", "If-None-Match", "*", 304},
		{"other", "If-None-Match", `"other"`, 200},
		{"since publication", "If-Modified-Since", "Sun, 01 Mar 2026 12:00:00 GMT", 304},
		{"before publication", "If-Modified-Since", "Sun, 01 Mar 2026 11:59:59 GMT", 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := f.get(t, "GET", "/api/v1/pages/ketamine", tc.hdr, tc.val)
			if w.Code != tc.want {
				t.Fatalf("status %d, want %d", w.Code, tc.want)
			}
			if tc.want == 304 && (w.Body.Len() != 0 || w.Header().Get("ETag") != etag) {
				t.Errorf("304 with body %q or ETag %q", w.Body, w.Header().Get("ETag"))
			}
		})
	}
	// A new revision changes the ETag; the old one no longer matches.
	f.publish(livePage("p1", "ketamine", sampleContent("Ketamine"), 2, t0.Add(time.Hour), t0.AddDate(1, 0, 0)))
	if w := f.get(t, "GET", "/api/v1/pages/ketamine", "If-None-Match", etag); w.Code != 200 {
		t.Errorf("after republication: %d", w.Code)
	}
	// Lists have ETags too.
	l := f.get(t, "GET", "/api/v1/pages?limit=5")
	if w := f.get(t, "GET", "/api/v1/pages?limit=5", "If-None-Match", l.Header().Get("ETag")); w.Code != 304 {
		t.Errorf("list: %d", w.Code)
	}
}

func TestGzip(t *testing.T) {
	f := newFixture(t)
	f.publish(livePage("p1", "ketamine", sampleContent("Ketamine"), 1, t0, t0.AddDate(1, 0, 0)))
	plain := f.get(t, "GET", "/api/v1/pages/ketamine")
	for _, tc := range []struct {
		ae   string
		gzip bool
	}{{"gzip", true}, {"br, gzip;q=0.5", true}, {"gzip;q=0", false}, {"identity", false}, {"", false}} {
		w := f.get(t, "GET", "/api/v1/pages/ketamine", "Accept-Encoding", tc.ae)
		if got := w.Header().Get("Content-Encoding") == "gzip"; got != tc.gzip {
			t.Errorf("%q: gzip %v", tc.ae, got)
			continue
		}
		if tc.gzip && w.Header().Get("ETag") == plain.Header().Get("ETag") {
			t.Errorf("%q: the gzip variant shares the identity ETag", tc.ae)
		}
	}
}

func TestOverdueFlips(t *testing.T) {
	f := newFixture(t)
	due := t0.Add(48 * time.Hour)
	f.publish(livePage("p1", "ketamine", sampleContent("Ketamine"), 1, t0, due))
	overdue := func() (bool, string) {
		w := f.get(t, "GET", "/api/v1/pages/ketamine")
		return decode(t, w)["medicalReview"].(map[string]any)["overdue"].(bool), w.Header().Get("ETag")
	}
	o1, e1 := overdue()
	f.clock.Advance(47 * time.Hour)
	if err := f.svc.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	o2, e2 := overdue()
	f.clock.Advance(2 * time.Hour)
	if err := f.svc.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	o3, e3 := overdue()
	if o1 || o2 || !o3 {
		t.Fatalf("overdue: %v %v %v", o1, o2, o3)
	}
	if e1 != e2 || e2 == e3 {
		t.Errorf("ETags %s %s %s: must change exactly when the bytes do", e1, e2, e3)
	}
	if lm := f.get(t, "GET", "/api/v1/pages/ketamine").Header().Get("Last-Modified"); lm != due.Format(http.TimeFormat) {
		t.Errorf("Last-Modified %s, want the due time", lm)
	}
}

func TestJSONLD(t *testing.T) {
	f := newFixture(t)
	c := sampleContent("Ketamine")
	c.Title = "Ketamine </script><script>alert(1)</script>"
	f.publish(livePage("p1", "ketamine", c, 1, t0, t0.AddDate(1, 0, 0)))
	w := f.get(t, "GET", "/api/v1/pages/ketamine?format=jsonld")
	if w.Code != 200 || w.Header().Get("Content-Type") != "application/ld+json; charset=utf-8" {
		t.Fatalf("%d %v", w.Code, w.Header())
	}
	if bytes.Contains(w.Body.Bytes(), []byte("</script")) {
		t.Error("JSON-LD carries a literal </script")
	}
	if w.Header().Get("ETag") == f.get(t, "GET", "/api/v1/pages/ketamine").Header().Get("ETag") {
		t.Error("JSON-LD and JSON share an ETag")
	}
	var d struct {
		Context      string `json:"@context"`
		Type         string `json:"@type"`
		URL          string `json:"url"`
		Name         string `json:"name"`
		Description  string `json:"description"`
		LastReviewed string `json:"lastReviewed"`
		ReviewedBy   struct {
			Type, Name, HonorificSuffix string
		} `json:"reviewedBy"`
		About struct {
			Type               string `json:"@type"`
			Name               string `json:"name"`
			NonProprietaryName string `json:"nonProprietaryName"`
			DrugClass          []struct {
				Type string `json:"@type"`
				Name string `json:"name"`
			} `json:"drugClass"`
			LegalStatus []struct {
				Type               string                `json:"@type"`
				Name               string                `json:"name"`
				ApplicableLocation struct{ Name string } `json:"applicableLocation"`
			} `json:"legalStatus"`
		} `json:"about"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &d); err != nil {
		t.Fatal(err)
	}
	if d.Context != "https://schema.org" || d.Type != "MedicalWebPage" || d.URL != "/ketamine" || d.Name != c.Title ||
		d.Description != c.Summary || d.LastReviewed != "2026-03-01" {
		t.Errorf("page %+v", d)
	}
	if d.ReviewedBy.Name != "Rosa Reviewer" || d.ReviewedBy.HonorificSuffix != "MD" {
		t.Errorf("reviewedBy %+v", d.ReviewedBy)
	}
	a := d.About
	if a.Type != "Drug" || a.Name != "Ketamine" || a.NonProprietaryName != "Ketamine hydrochloride" ||
		len(a.DrugClass) != 1 || a.DrugClass[0].Name != "Analgesic" || a.DrugClass[0].Type != "DrugClass" ||
		len(a.LegalStatus) != 1 || a.LegalStatus[0].Name != "CIII" || a.LegalStatus[0].ApplicableLocation.Name != "US" {
		t.Errorf("about %+v", a)
	}
}

func TestListFiltersAndSort(t *testing.T) {
	f := newFixture(t)
	mk := func(id, slug, name, class, tag string, at time.Time) {
		c := sampleContent(name)
		c.Drug.DrugClasses = []string{class}
		c.Tags = []string{tag}
		c.Drug.BrandNames = []string{"Brand" + name}
		f.publish(livePage(id, slug, c, 1, at, at.AddDate(1, 0, 0)))
	}
	mk("a", "zolpidem", "Zolpidem", "Hypnotic", "sleep", t0)
	mk("b", "aspirin", "Aspirin", "NSAID", "pain", t0.Add(2*time.Hour))
	mk("c", "ibuprofen", "Ibuprofen", "NSAID", "pain", t0.Add(time.Hour))
	mk("d", "morphine", "Morphine", "Opioid", "Pain", t0.Add(3*time.Hour))

	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"", []string{"aspirin", "ibuprofen", "morphine", "zolpidem"}},
		{"sort=title", []string{"aspirin", "ibuprofen", "morphine", "zolpidem"}},
		{"sort=-publishedAt", []string{"morphine", "aspirin", "ibuprofen", "zolpidem"}},
		{"drugClass=nsaid", []string{"aspirin", "ibuprofen"}},
		{"tag=PAIN", []string{"aspirin", "ibuprofen", "morphine"}},
		{"q=IBU", []string{"ibuprofen"}},           // title, case-insensitive
		{"q=morphine+hydro", []string{"morphine"}}, // generic name
		{"q=brandzol", []string{"zolpidem"}},       // brand name
		{"q=sleep", []string{"zolpidem"}},          // tag
		{"q=Zolpidm", []string{"zolpidem"}},        // a letter missing
		{"q=z%C3%B3lpidem", []string{"zolpidem"}},  // an accent
		{"q=mor&sort=-publishedAt", []string{"morphine"}},
		{"q=.*", nil},  // literal, not a pattern
		{"q=%5E", nil}, // ^ literal
		{"q=a&drugClass=nsaid&tag=pain", []string{"aspirin"}}, // a word starting with "a"
		{"q=ibu&drugClass=nsaid&tag=pain", []string{"ibuprofen"}},
		{"limit=2&foo=bar&state=draft&$where=1", []string{"aspirin", "ibuprofen"}},
	} {
		t.Run(tc.query, func(t *testing.T) {
			got, _ := f.listSlugs(t, "/api/v1/pages?"+tc.query)
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
	for _, tc := range []struct{ query, field string }{
		{"limit=0", "limit"}, {"limit=101", "limit"}, {"limit=x", "limit"}, {"limit=-1", "limit"},
		{"sort=slug", "sort"}, {"cursor=%21%21", "cursor"}, {"q=" + strings.Repeat("x", 201), "q"},
	} {
		t.Run("bad "+tc.query, func(t *testing.T) {
			w := f.get(t, "GET", "/api/v1/pages?"+tc.query)
			if w.Code != 400 || w.Header().Get("Content-Type") != "application/problem+json; charset=utf-8" {
				t.Fatalf("%d %s", w.Code, w.Body)
			}
			m := decode(t, w)
			errs, _ := m["errors"].([]any)
			if m["code"] != "invalid" || len(errs) != 1 || errs[0].(map[string]any)["field"] != tc.field {
				t.Errorf("problem %v", m)
			}
		})
	}
	// A cursor of one sort order is refused by the other.
	_, next := f.listSlugs(t, "/api/v1/pages?limit=1")
	if w := f.get(t, "GET", "/api/v1/pages?sort=-publishedAt&cursor="+next); w.Code != 400 {
		t.Errorf("cursor across sorts: %d", w.Code)
	}
	// List items have exactly the documented fields.
	w := f.get(t, "GET", "/api/v1/pages?limit=1")
	item := decode(t, w)["data"].([]any)[0].(map[string]any)
	if got := keys(item); !slices.Equal(got, []string{"drug", "locale", "publishedAt", "revision", "slug", "summary", "title"}) {
		t.Errorf("item keys %v", got)
	}
	if got := keys(item["drug"].(map[string]any)); !slices.Equal(got, []string{"drugClasses", "name"}) {
		t.Errorf("item drug keys %v", got)
	}
}

// TestCursorUnderConcurrentPublishing pages through the list while other pages are
// published and unpublished between requests: every page that stayed live throughout is
// seen exactly once, and no page is seen twice.
func TestCursorUnderConcurrentPublishing(t *testing.T) {
	for _, sortBy := range []string{"title", "-publishedAt"} {
		t.Run(sortBy, func(t *testing.T) {
			f := newFixture(t)
			pages := map[string]testPage{}
			for i := 0; i < 40; i += 2 { // even numbers first; odd ones appear while paging
				p := f.publish(livePage(slugN(i), slugN(i), sampleContent(slugN(i)), 1, t0.Add(time.Duration(i)*time.Minute), t0.AddDate(1, 0, 0)))
				pages[p.Slug] = p
			}
			stayed := map[string]bool{}
			for s := range pages {
				stayed[s] = true
			}
			seen := map[string]int{}
			cur, step := "", 0
			for {
				target := "/api/v1/pages?limit=3&sort=" + url.QueryEscape(sortBy)
				if cur != "" {
					target += "&cursor=" + cur
				}
				got, next := f.listSlugs(t, target)
				for _, s := range got {
					seen[s]++
				}
				// Between requests: publish a new page (odd number, anywhere in the order),
				// and unpublish one that is live.
				step++
				odd := slugN(2*step + 1)
				f.publish(livePage(odd, odd, sampleContent(odd), 1, t0.Add(time.Duration(2*step+1)*time.Minute), t0.AddDate(1, 0, 0)))
				victim := slugN((step * 14) % 40 / 2 * 2)
				if p, ok := pages[victim]; ok && stayed[victim] {
					delete(stayed, victim)
					p = f.src.put(unpublish(p, t0.Add(time.Hour)), true)
					f.svc.Apply(p.live())
				}
				if next == "" {
					break
				}
				cur = next
			}
			for s, n := range seen {
				if n > 1 {
					t.Errorf("%s seen %d times", s, n)
				}
			}
			for s := range stayed {
				if seen[s] != 1 {
					t.Errorf("%s stayed live but was seen %d times", s, seen[s])
				}
			}
		})
	}
}

func TestListCache(t *testing.T) {
	f := newFixture(t)
	f.publish(livePage("a", "aspirin", sampleContent("Aspirin"), 1, t0, t0.AddDate(1, 0, 0)))
	a := f.get(t, "GET", "/api/v1/pages?limit=5&q=asp")
	b := f.get(t, "GET", "/api/v1/pages?q=ASP&limit=5&ignored=1")
	if !bytes.Equal(a.Body.Bytes(), b.Body.Bytes()) || a.Header().Get("ETag") != b.Header().Get("ETag") {
		t.Error("equivalent queries answer differently")
	}
	sn := f.svc.cur.Load()
	sn.listMu.RLock()
	n := len(sn.lists)
	sn.listMu.RUnlock()
	if n != 2 {
		t.Errorf("%d raw queries cached, want 2", n)
	}
	// A publication replaces the snapshot, and with it every cached list.
	f.publish(livePage("b", "asparaginase", sampleContent("Asparaginase"), 1, t0, t0.AddDate(1, 0, 0)))
	if got, _ := f.listSlugs(t, "/api/v1/pages?limit=5&q=asp"); len(got) != 2 {
		t.Errorf("after publication: %v", got)
	}
}

func TestSync(t *testing.T) {
	f := newFixture(t)
	type change struct {
		Slug, Change string
		Revision     int
		Seq          int64
	}
	sync := func(since string) ([]change, string) {
		target := "/api/v1/sync"
		if since != "" {
			target += "?since=" + since
		}
		w := f.get(t, "GET", target)
		if w.Code != 200 {
			t.Fatalf("%s: %d %s", target, w.Code, w.Body)
		}
		var r struct {
			Changes []change `json:"changes"`
			Next    string   `json:"next"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		return r.Changes, r.Next
	}
	a := f.publish(livePage("a", "aspirin", sampleContent("Aspirin"), 1, t0, t0.AddDate(1, 0, 0)))
	f.publish(livePage("b", "ibuprofen", sampleContent("Ibuprofen"), 1, t0, t0.AddDate(1, 0, 0)))
	f.src.put(unpublish(a, t0), true)
	f.svc.Apply(f.src.get("a").live())

	all, next := sync("")
	if len(all) != 1 || all[0].Slug != "ibuprofen" || all[0].Change != "published" {
		t.Errorf("everything live: %+v", all)
	}
	// Changes seen less than SyncGrace ago are not passed by the token yet.
	if n, _ := decodeToken(next); n != 0 {
		t.Errorf("next %d right after the changes, want 0", n)
	}
	changes, _ := sync(next)
	if len(changes) != 2 || changes[0].Slug != "ibuprofen" || changes[1].Slug != "aspirin" || changes[1].Change != "unpublished" || changes[1].Revision != 1 {
		t.Errorf("since 0: %+v", changes)
	}
	f.clock.Advance(f.svc.cfg.SyncGrace + time.Second)
	_, next = sync(next)
	if n, _ := decodeToken(next); n != 3 {
		t.Errorf("next %d after the grace, want 3", n)
	}
	if changes, _ := sync(next); len(changes) != 0 {
		t.Errorf("nothing new: %+v", changes)
	}
	// An out-of-order commit: change 4 is taken, change 5 commits first, then 4.
	p4 := livePage("c", "codeine", sampleContent("Codeine"), 1, t0, t0.AddDate(1, 0, 0))
	p4 = f.src.put(p4, true)
	p5 := f.publish(livePage("d", "diclofenac", sampleContent("Diclofenac"), 1, t0, t0.AddDate(1, 0, 0)))
	changes, next2 := sync(next)
	if len(changes) != 1 || changes[0].Seq != p5.LiveSeq {
		t.Errorf("before the late commit: %+v", changes)
	}
	f.clock.Advance(time.Second)
	f.svc.Apply(p4.live()) // commits late
	changes, _ = sync(next2)
	if !slices.ContainsFunc(changes, func(c change) bool { return c.Slug == "codeine" }) {
		t.Errorf("the late commit was skipped: %+v", changes)
	}
	if w := f.get(t, "GET", "/api/v1/sync?since=garbage"); w.Code != 400 {
		t.Errorf("bad token: %d", w.Code)
	}
}

func TestPollReload(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	// Another process publishes: only the store knows.
	f.src.put(livePage("a", "aspirin", sampleContent("Aspirin"), 1, t0, t0.AddDate(1, 0, 0)), true)
	if w := f.get(t, "GET", "/api/v1/pages/aspirin"); w.Code != 404 {
		t.Fatalf("before the poll: %d", w.Code)
	}
	if err := f.svc.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if w := f.get(t, "GET", "/api/v1/pages/aspirin"); w.Code != 200 {
		t.Fatalf("after the poll: %d", w.Code)
	}
	f.clock.Advance(time.Minute) // past the one recheck that follows a load
	if err := f.svc.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	// Changes made (and applied) here do not cost a reload.
	loads := f.src.loads.Load()
	f.publish(livePage("b", "ibuprofen", sampleContent("Ibuprofen"), 1, t0, t0.AddDate(1, 0, 0)))
	_ = f.svc.Tick(ctx)
	f.clock.Advance(time.Minute)
	_ = f.svc.Tick(ctx)
	if n := f.src.loads.Load() - loads; n != 0 {
		t.Errorf("%d reloads for a change applied in-process", n)
	}
	// A stale Apply (older change number) does not undo a newer state.
	old := f.src.get("a")
	newer := unpublish(old, t0)
	newer = f.src.put(newer, true)
	f.svc.Apply(newer.live())
	f.svc.Apply(old.live())
	if w := f.get(t, "GET", "/api/v1/pages/aspirin"); w.Code != 410 {
		t.Errorf("stale apply won: %d", w.Code)
	}
}

// TestOnlyLiveSnapshotServed: the working copy of a live page never reaches delivery, and a
// snapshot that disagrees with the workflow's live facts is refused (fail closed).
func TestOnlyLiveSnapshotServed(t *testing.T) {
	f := newFixture(t)
	p := livePage("a", "aspirin", sampleContent("Aspirin"), 1, t0, t0.AddDate(1, 0, 0))
	p.Content.Title = "UNREVIEWED DRAFT TITLE"
	p.Content.Sections[0].Body = "unreviewed-draft-words"
	f.publish(p)
	for _, path := range []string{"/api/v1/pages/aspirin", "/api/v1/pages/aspirin?format=jsonld", "/api/v1/pages", "/api/v1/pages?q=unreviewed", "/api/v1/sync"} {
		if b := f.get(t, "GET", path).Body.String(); strings.Contains(strings.ToLower(b), "unreviewed") {
			t.Errorf("%s leaks the working copy: %s", path, b)
		}
	}
	bad := livePage("b", "tampered", sampleContent("Tampered"), 2, t0, t0.AddDate(1, 0, 0))
	bad.LiveSnapshot.ContentHash = "sha256:other"
	f.publish(bad)
	if w := f.get(t, "GET", "/api/v1/pages/tampered"); w.Code != 404 {
		t.Errorf("tampered snapshot served: %d", w.Code)
	}
	unsigned := livePage("c", "unsigned", sampleContent("Unsigned"), 1, t0, t0.AddDate(1, 0, 0))
	unsigned.LiveSnapshot.Approval.Meaning = ""
	f.publish(unsigned)
	if w := f.get(t, "GET", "/api/v1/pages/unsigned"); w.Code != 404 {
		t.Errorf("unsigned snapshot served: %d", w.Code)
	}
}

// TestNoScriptInDeliveredHTML publishes content full of script, event handlers and
// javascript: URLs and checks every delivered HTML field.
func TestNoScriptInDeliveredHTML(t *testing.T) {
	f := newFixture(t)
	evil := []string{
		"<script>alert(1)</script>",
		`<img src=x onerror="alert(1)">`,
		"[click](javascript:alert(1))",
		"[click](JaVaScRiPt:alert(1))",
		"[click](&#106;avascript:alert(1))",
		"![x](javascript:alert(1))",
		`<a href="javascript:alert(1)">x</a>`,
		"<svg onload=alert(1)>",
		"<iframe src=\"https://evil.example\"></iframe>",
		"[x](data:text/html;base64,PHNjcmlwdD4=)",
		"<div style=\"background:url(javascript:alert(1))\">x</div>",
		"`<script>` in code is text\n\n```html\n<script>alert(1)</script>\n```",
		"<https://ok.example/?q=\"><script>alert(1)</script>>",
		"[x](https://ok.example \"t\\\" onmouseover=\\\"alert(1)\")",
	}
	c := sampleContent("Evil")
	c.Sections = nil
	for i, e := range evil {
		key := content.SectionOther
		c.Sections = append(c.Sections, content.Section{Key: key, Title: "s" + string(rune('a'+i)), Body: e})
	}
	c.ClinicalUses[0].Description = strings.Join(evil, "\n\n")
	c.Disclaimer = strings.Join(evil, "\n\n")
	f.publish(livePage("e", "evil", c, 1, t0, t0.AddDate(1, 0, 0)))
	w := f.get(t, "GET", "/api/v1/pages/evil")
	if bytes.Contains(bytes.ToLower(w.Body.Bytes()), []byte("<script")) {
		t.Error("a literal <script reaches the delivered bytes")
	}
	var page struct {
		Sections []struct {
			HTML string `json:"html"`
		} `json:"sections"`
		ClinicalUses []struct {
			DescriptionHTML string `json:"descriptionHtml"`
		} `json:"clinicalUses"`
		DisclaimerHTML string `json:"disclaimerHtml"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &page); err != nil {
		t.Fatal(err)
	}
	htmls := []string{page.DisclaimerHTML, page.ClinicalUses[0].DescriptionHTML}
	for _, s := range page.Sections {
		htmls = append(htmls, s.HTML)
	}
	for _, h := range htmls {
		if bad := unsafeHTML(h); bad != "" {
			t.Errorf("delivered HTML has %s: %s", bad, h)
		}
	}
}

// unsafeHTML parses h as a browser would and names the first element, attribute or URL
// that could run script or load active content; "" when there is none.
func unsafeHTML(h string) string {
	z := html.NewTokenizer(strings.NewReader(h))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			switch tok.Data {
			case "script", "iframe", "object", "embed", "svg", "math", "style", "form", "base", "link", "meta":
				return "element " + tok.Data
			}
			for _, a := range tok.Attr {
				key, val := strings.ToLower(a.Key), strings.ToLower(strings.TrimSpace(a.Val))
				if strings.HasPrefix(key, "on") || key == "style" || key == "srcdoc" {
					return "attribute " + key
				}
				if (key == "href" || key == "src") && !strings.HasPrefix(val, "https://") && !strings.HasPrefix(val, "http://") &&
					!strings.HasPrefix(val, "mailto:") && strings.Contains(val, ":") {
					return "URL " + val
				}
			}
		}
	}
}

func TestOwns(t *testing.T) {
	s := New(Config{}, newFixture(t).src, nil)
	for path, want := range map[string]bool{
		"/api/v1/pages":                      true,
		"/api/v1/pages/ketamine":             true,
		"/api/v1/pages/":                     true,
		"/api/v1/pages/ketamine/x":           true,
		"/api/v1/sync":                       true,
		"/api/v1/pages/ketamine/reviews":     false,
		"/api/v1/pages/ketamine/reviews/abc": false,
		"/api/v1/pagesx":                     false,
		"/api/v1/manage/pages":               false,
		"/healthz":                           false,
		"/api/v1/sync/x":                     false,
	} {
		r, _ := http.NewRequest("GET", path, nil)
		if got := s.Owns(r); got != want {
			t.Errorf("Owns(%s) = %v", path, got)
		}
	}
}

func TestEncodePreview(t *testing.T) {
	p := livePage("a", "aspirin", sampleContent("Aspirin"), 1, t0, t0.AddDate(1, 0, 0))
	p.Content.Title = "Newer working title"
	p.Workflow.Revision = 2
	p.Workflow.ContentHash = content.Hash(p.Content.Normalized())
	p.Workflow.State = workflow.StateDraft
	b, err := EncodePreview(p.Page, t0)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m["preview"] != true || m["title"] != "Newer working title" || m["revision"].(float64) != 2 || m["medicalReview"] != nil {
		t.Errorf("preview %v", m)
	}
	if m["publishedAt"] != "2026-03-01T12:00:00Z" || m["state"] != "draft" {
		t.Errorf("preview dates/state %v %v", m["publishedAt"], m["state"])
	}
}
