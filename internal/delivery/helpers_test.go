package delivery

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/content"
	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/sqlitestore"
	"github.com/monograph-cms/monograph/internal/workflow"
)

// fakeClock is a settable clock.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// storeSource is the real embedded store as delivery's Source, counting full loads.
type storeSource struct {
	*sqlitestore.Store
	tb    testing.TB
	loads atomic.Int32
}

func (m *storeSource) EachLivePage(ctx context.Context, fn func(editorial.LivePage) error) error {
	m.loads.Add(1)
	return m.Store.EachLivePage(ctx, fn)
}

// testPage is a stored page with what delivery serves of it.
type testPage struct {
	editorial.Page
	LiveSnapshot *editorial.LiveSnapshot
}

func (p testPage) live() editorial.LivePage { return p.Page.LivePage(p.LiveSnapshot) }

// put stores p in one Change as the editorial service would: taking a change number when it
// changes what is live (publishing its LiveSnapshot, or unpublishing when that is nil). It
// returns the page as stored.
func (m *storeSource) put(p testPage, liveChange bool) testPage {
	m.tb.Helper()
	ctx := context.Background()
	ch := &editorial.Change{Page: p.Page}
	rev := editorial.Revision{PageID: p.ID, Number: p.Workflow.Revision, Content: p.Content, ContentHash: p.Workflow.ContentHash}
	cur, err := m.PageByID(ctx, p.ID)
	switch {
	case cms.IsCode(err, cms.CodeNotFound):
		ch.Create, ch.Page.Version, ch.Page.Audit = true, 1, editorial.AuditHead{}
		ch.Revisions = []editorial.Revision{rev}
	case err != nil:
		m.tb.Fatal(err)
	default:
		ch.ExpectVersion, ch.ExpectSeq = cur.Version, cur.Audit.Seq
		ch.Page.Version, ch.Page.Audit = cur.Version+1, cur.Audit
		if rev.Number != cur.Workflow.Revision {
			ch.Revisions = []editorial.Revision{rev}
		}
	}
	if liveChange {
		ch.Live = p.LiveSnapshot
		ch.Unpublish = p.LiveSnapshot == nil
	}
	if err := m.Commit(ctx, ch); err != nil {
		m.tb.Fatal(err)
	}
	return testPage{Page: ch.Page, LiveSnapshot: ch.Live}
}

// get returns the stored page and its live snapshot.
func (m *storeSource) get(id string) testPage {
	m.tb.Helper()
	ctx := context.Background()
	p, err := m.PageByID(ctx, id)
	if err != nil {
		m.tb.Fatal(err)
	}
	lp, err := m.LiveSnapshot(ctx, id)
	if err != nil && !cms.IsCode(err, cms.CodeNotFound) {
		m.tb.Fatal(err)
	}
	return testPage{Page: p, LiveSnapshot: lp.Snapshot}
}

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// sampleContent returns valid content for a page about drug name.
func sampleContent(name string) content.Content {
	return content.Content{
		Title:   name + " – Medical Uses & Safety",
		Summary: "What " + name + " is used for.",
		Drug: content.Drug{
			Name: name, GenericName: name + " hydrochloride", BrandNames: []string{name + "ex"},
			DrugClasses:      []string{"Analgesic"},
			ControlledStatus: []content.ControlledStatus{{Jurisdiction: "US", Schedule: "CIII"}},
		},
		Sections: []content.Section{
			{Key: content.SectionOverview, Title: "Overview", Body: "**" + name + "** is a medicine."},
		},
		ClinicalUses: []content.ClinicalUse{{Name: "Pain", Description: "Used for *pain*.", Status: content.UseApproved}},
		Routes:       []string{"oral"},
		SideEffects:  content.SideEffects{Common: []string{"nausea"}, Serious: []string{}},
		References:   []content.Reference{{Title: "A study", URL: "https://example.org/s", Publisher: "Journal", Year: 2023}},
		Disclaimer:   "Ask a clinician.",
		Tags:         []string{"pain"},
	}
}

// livePage returns a page whose revision rev of c is live, published at at and due for review
// at due.
func livePage(id, slug string, c content.Content, rev int, at, due time.Time) testPage {
	hash := content.Hash(c.Normalized())
	appr := workflow.Approval{
		Revision: rev, ContentHash: hash, Reviewer: workflow.Signer{ID: "r1", Name: "Rosa Reviewer", Credentials: "MD"},
		SignedAt: at.Add(-time.Hour), Meaning: workflow.MeaningApproved, NextReviewDue: due,
	}
	live := &workflow.Live{Revision: rev, ContentHash: hash, Approval: appr, PublishedAt: at,
		PublishedBy: workflow.Signer{ID: "e1", Name: "Eddie Editor"}}
	return testPage{
		Page: editorial.Page{
			ID: id, Slug: slug, Content: c,
			Workflow: workflow.Page{State: workflow.StatePublished, Revision: rev, ContentHash: hash, Approval: &appr, Live: live},
		},
		LiveSnapshot: &editorial.LiveSnapshot{
			Revision: rev, ContentHash: hash, Rendered: content.Render(c), Approval: appr,
			PublishedAt: at, PublishedBy: live.PublishedBy,
		},
	}
}

// unpublish returns p taken down at at.
func unpublish(p testPage, at time.Time) testPage {
	p.Workflow.Unpublished = &workflow.Unpublished{Revision: p.Workflow.Live.Revision, At: at, Reason: "withdrawn"}
	p.Workflow.Live = nil
	p.Workflow.State = workflow.StateApproved
	p.LiveSnapshot = nil
	return p
}

// fixture is a Service over the embedded store with a fake clock.
type fixture struct {
	src   *storeSource
	clock *fakeClock
	svc   *Service
	h     http.Handler
}

func newFixture(tb testing.TB) *fixture { return newFixtureWith(tb, func(*Config) {}) }

// newFixtureWith is newFixture with the configuration edited by tweak.
func newFixtureWith(tb testing.TB, tweak func(*Config)) *fixture {
	tb.Helper()
	st, err := sqlitestore.Open(context.Background(), sqlitestore.Config{DataDir: tb.TempDir(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = st.Close(context.Background()) })
	f := &fixture{src: &storeSource{Store: st, tb: tb}, clock: &fakeClock{now: t0}}
	cfg := Config{MaxAge: time.Minute, StaleWhileRevalidate: 5 * time.Minute,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	tweak(&cfg)
	f.svc = New(cfg, f.src, f.clock)
	tb.Cleanup(func() { _ = f.svc.Close() })
	f.h = f.svc.Handler()
	return f
}

// publish stores and applies a live page.
func (f *fixture) publish(p testPage) testPage {
	p = f.src.put(p, true)
	f.svc.Apply(p.live())
	return p
}

// get performs a request against the handler.
func (f *fixture) get(tb testing.TB, method, target string, hdr ...string) *httptest.ResponseRecorder {
	tb.Helper()
	r := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	return w
}

func decode(tb testing.TB, w *httptest.ResponseRecorder) map[string]any {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
		tb.Fatalf("decode %q: %v", w.Body.String(), err)
	}
	return m
}

// listSlugs fetches a list and returns its slugs and next cursor.
func (f *fixture) listSlugs(tb testing.TB, target string) ([]string, string) {
	tb.Helper()
	w := f.get(tb, "GET", target)
	if w.Code != 200 {
		tb.Fatalf("%s: %d %s", target, w.Code, w.Body)
	}
	var l struct {
		Data []struct {
			Slug string `json:"slug"`
		} `json:"data"`
		NextCursor string `json:"nextCursor"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &l); err != nil {
		tb.Fatal(err)
	}
	var out []string
	for _, d := range l.Data {
		out = append(out, d.Slug)
	}
	return out, l.NextCursor
}

func slugN(i int) string { return fmt.Sprintf("drug-%03d", i) }
