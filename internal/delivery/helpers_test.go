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
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/content"
	"github.com/monograph-cms/monograph/internal/editorial"
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

// memSource is a test double of this package's Source interface: a map of pages and a
// counter, as the store would hold them.
type memSource struct {
	mu    sync.Mutex
	pages map[string]editorial.Page
	seq   int64
	loads int
}

func (m *memSource) EachLivePage(_ context.Context, fn func(editorial.Page) error) error {
	m.mu.Lock()
	var list []editorial.Page
	for _, p := range m.pages {
		if p.LiveSnapshot != nil || p.Workflow.Unpublished != nil {
			list = append(list, p)
		}
	}
	m.loads++
	m.mu.Unlock()
	for _, p := range list {
		if err := fn(p); err != nil {
			return err
		}
	}
	return nil
}

func (m *memSource) ChangeSeq(context.Context) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.seq, nil
}

// put stores p, taking a change number first when it changes what is live (as the editorial
// service does), and returns the stored page.
func (m *memSource) put(p editorial.Page, liveChange bool) editorial.Page {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.pages == nil {
		m.pages = map[string]editorial.Page{}
	}
	if liveChange {
		m.seq++
		p.LiveSeq = m.seq
		if p.LiveSnapshot != nil {
			p.LiveSnapshot.Seq = m.seq
		}
	}
	m.pages[p.ID] = p
	return p
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
func livePage(id, slug string, c content.Content, rev int, at, due time.Time) editorial.Page {
	hash := content.Hash(c.Normalized())
	appr := workflow.Approval{
		Revision: rev, ContentHash: hash, Reviewer: workflow.Signer{ID: "r1", Name: "Rosa Reviewer", Credentials: "MD"},
		SignedAt: at.Add(-time.Hour), Meaning: workflow.MeaningApproved, NextReviewDue: due,
	}
	live := &workflow.Live{Revision: rev, ContentHash: hash, Approval: appr, PublishedAt: at,
		PublishedBy: workflow.Signer{ID: "e1", Name: "Eddie Editor"}}
	return editorial.Page{
		ID: id, Slug: slug, Content: c,
		Workflow: workflow.Page{State: workflow.StatePublished, Revision: rev, ContentHash: hash, Approval: &appr, Live: live},
		LiveSnapshot: &editorial.LiveSnapshot{
			Revision: rev, ContentHash: hash, Rendered: content.Render(c), Approval: appr,
			PublishedAt: at, PublishedBy: live.PublishedBy,
		},
	}
}

// unpublish returns p taken down at at.
func unpublish(p editorial.Page, at time.Time) editorial.Page {
	p.Workflow.Unpublished = &workflow.Unpublished{Revision: p.Workflow.Live.Revision, At: at, Reason: "withdrawn"}
	p.Workflow.Live = nil
	p.Workflow.State = workflow.StateApproved
	p.LiveSnapshot = nil
	return p
}

// fixture is a Service over a memSource with a fake clock.
type fixture struct {
	src   *memSource
	clock *fakeClock
	svc   *Service
	h     http.Handler
}

func newFixture(tb testing.TB) *fixture { return newFixtureWith(tb, func(*Config) {}) }

// newFixtureWith is newFixture with the configuration edited by tweak.
func newFixtureWith(tb testing.TB, tweak func(*Config)) *fixture {
	tb.Helper()
	f := &fixture{src: &memSource{}, clock: &fakeClock{now: t0}}
	cfg := Config{MaxAge: time.Minute, StaleWhileRevalidate: 5 * time.Minute,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	tweak(&cfg)
	f.svc = New(cfg, f.src, f.clock)
	f.h = f.svc.Handler()
	return f
}

// publish stores and applies a live page.
func (f *fixture) publish(p editorial.Page) editorial.Page {
	p = f.src.put(p, true)
	f.svc.Apply(p)
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
