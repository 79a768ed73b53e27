package editorial_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/content"
	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/teststore"
)

// sampleContent returns the ketamine sample (about 4.5 KB of realistic content).
func sampleContent(tb testing.TB) content.Content {
	tb.Helper()
	b, err := os.ReadFile("../app/samples/ketamine.json")
	if err != nil {
		tb.Fatal(err)
	}
	var doc struct {
		Content content.Content `json:"content"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		tb.Fatal(err)
	}
	return doc.Content
}

type noReauth struct{}

func (noReauth) ReauthenticatePassword(context.Context, string, string) error { return nil }

var benchWriter = cms.Principal{UserID: "bench-writer", Name: "Bench Writer", Roles: []cms.Role{cms.RoleWriter}}

// seedPages creates n pages with revisions revisions each.
func seedPages(tb testing.TB, svc *editorial.Service, c content.Content, n, revisions int) []editorial.Page {
	tb.Helper()
	ctx := context.Background()
	pages := make([]editorial.Page, n)
	for i := range n {
		cc := c
		cc.Title = fmt.Sprintf("%s %d", c.Title, i)
		p, err := svc.Create(ctx, benchWriter, fmt.Sprintf("drug-%d", i), cc, "")
		if err != nil {
			tb.Fatal(err)
		}
		for r := 1; r < revisions; r++ {
			cc.Summary = fmt.Sprintf("%s (rev %d)", c.Summary[:200], r)
			if p, _, err = svc.SaveContent(ctx, benchWriter, p.ID, p.Version, cc, ""); err != nil {
				tb.Fatal(err)
			}
		}
		pages[i] = p
	}
	return pages
}

// BenchmarkSaveContent measures sequential saves in-process on the test run's store holding
// 1,000 pages (BENCH_PAGES): each save writes its revision, the page and its audit event in
// one change. It reports the p50 and p99 latency of one save and saves per second.
func BenchmarkSaveContent(b *testing.B) {
	store := teststore.MustOpen(b)
	svc := editorial.NewService(editorial.Config{}, store, cms.SystemClock{}, noReauth{}, nil)
	c := sampleContent(b)
	pages := seedPages(b, svc, c, benchPages(), 1)
	ctx := context.Background()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	start := time.Now()
	i := 0
	for b.Loop() {
		p := &pages[i%len(pages)]
		cc := c
		cc.Summary = fmt.Sprintf("edit %d", i)
		t0 := time.Now()
		np, _, err := svc.SaveContent(ctx, benchWriter, p.ID, p.Version, cc, "")
		lat = append(lat, time.Since(t0))
		if err != nil {
			b.Fatal(err)
		}
		*p = np
		i++
	}
	elapsed := time.Since(start)
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "saves/s")
}

// BenchmarkGetAndList measures reading one page by id, listing 20 pages and searching by
// a misspelled name when the store holds 1,000 pages of 50 revisions each.
func BenchmarkGetAndList(b *testing.B) {
	if testing.Short() {
		b.Skip("seeding 50,000 revisions takes a while")
	}
	store := teststore.MustOpen(b)
	svc := editorial.NewService(editorial.Config{}, store, cms.SystemClock{}, noReauth{}, nil)
	pages := seedPages(b, svc, sampleContent(b), 1000, 50)
	ctx := context.Background()
	b.Run("get", func(b *testing.B) {
		i := 0
		for b.Loop() {
			if _, err := svc.Get(ctx, pages[i%len(pages)].ID); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("list", func(b *testing.B) {
		for b.Loop() {
			if _, err := svc.List(ctx, editorial.ListFilter{Limit: 21}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("search", func(b *testing.B) {
		for b.Loop() {
			if _, err := svc.List(ctx, editorial.ListFilter{Limit: 21, Query: "ketamne 500"}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// benchPages is the number of pages seeded (BENCH_PAGES, default 1,000).
func benchPages() int {
	if n, err := strconv.Atoi(os.Getenv("BENCH_PAGES")); err == nil && n > 0 {
		return n
	}
	return 1000
}
