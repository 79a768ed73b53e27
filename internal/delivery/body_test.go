package delivery

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// pagesFixture publishes n pages with a body of roughly 2 KB each and a hot cache budget.
func pagesFixture(tb testing.TB, n int, budget int64) *fixture {
	return pagesFixtureWith(tb, n, func(c *Config) { c.HotBytes = budget })
}

// pagesFixtureWith is pagesFixture with the configuration edited by tweak.
func pagesFixtureWith(tb testing.TB, n int, tweak func(*Config)) *fixture {
	f := newFixtureWith(tb, tweak)
	for i := 0; i < n; i++ {
		c := sampleContent(slugN(i))
		c.Sections[0].Body = strings.Repeat("A paragraph about "+slugN(i)+". ", 60)
		f.publish(livePage(slugN(i), slugN(i), c, 1, t0.Add(time.Duration(i)*time.Minute), t0.AddDate(1, 0, 0)))
	}
	return f
}

func gunzip(tb testing.TB, b []byte) []byte {
	tb.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		tb.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// checkHotCache fails unless the cache's accounting matches its ring, stays within the
// budget, and holds only bodies of the current snapshot.
func checkHotCache(tb testing.TB, f *fixture) (pages int) {
	tb.Helper()
	c := f.svc.hot
	c.mu.Lock()
	defer c.mu.Unlock()
	current := map[*pageBody]bool{}
	for _, e := range f.svc.cur.Load().byID {
		current[e.page], current[e.jsonLD] = true, true
	}
	var sum int64
	for i, pb := range c.ring {
		if pb.slot != i {
			tb.Fatalf("ring[%d] thinks it is at %d", i, pb.slot)
		}
		if !current[pb] {
			tb.Errorf("ring[%d] holds a body that left the snapshot", i)
		}
		sum += int64(len(*pb.hot.Load()))
	}
	if sum != c.used || c.used > c.budget {
		tb.Fatalf("hot cache: ring holds %d bytes, used says %d, budget %d", sum, c.used, c.budget)
	}
	return len(c.ring)
}

// TestPagesBeyondTheHotBudget: with a budget of a few pages, every page and JSON-LD
// document is still served with the same bytes, ETag and length as when all of them fit,
// by identity and by gzip, whether the pages outside the budget are inflated or read from
// the spill file.
func TestPagesBeyondTheHotBudget(t *testing.T) {
	const n = 30
	all := pagesFixture(t, n, 1<<30)
	probe := all.get(t, "GET", "/api/v1/pages/"+slugN(0))
	budget := int64(3*probe.Body.Len() + 100)
	for _, tc := range []struct {
		name  string
		spill bool
	}{{"inflated", false}, {"spill file", true}} {
		t.Run(tc.name, func(t *testing.T) {
			small := pagesFixtureWith(t, n, func(c *Config) {
				c.HotBytes = budget
				if tc.spill {
					c.SpillDir = t.TempDir()
				}
			})
			servesLikeAll(t, all, small, n, probe)
			if spilled := small.svc.hot.spill.size() > 0; spilled != tc.spill {
				t.Fatalf("spill file written: %v, want %v", spilled, tc.spill)
			}
		})
	}
}

// servesLikeAll fails unless small serves every page and JSON-LD document of n exactly as
// all does.
func servesLikeAll(t *testing.T, all, small *fixture, n int, probe *httptest.ResponseRecorder) {
	t.Helper()
	if got := checkHotCache(t, small); got > 3 {
		t.Fatalf("%d pages cached within a budget of 3", got)
	}
	for round := 0; round < 2; round++ {
		for i := 0; i < 2*n; i++ {
			path := "/api/v1/pages/" + slugN(i/2)
			if i%2 == 1 {
				path += "?format=jsonld"
			}
			want := all.get(t, "GET", path)
			for _, tc := range []struct{ name, ae string }{{"identity", ""}, {"gzip", "gzip"}} {
				got := small.get(t, "GET", path, "Accept-Encoding", tc.ae)
				wantG := all.get(t, "GET", path, "Accept-Encoding", tc.ae)
				body := got.Body.Bytes()
				if tc.ae == "gzip" {
					body = gunzip(t, body)
				}
				if got.Code != 200 || !bytes.Equal(body, want.Body.Bytes()) {
					t.Fatalf("%s %s: %d, bytes differ from the fully cached server's", tc.name, path, got.Code)
				}
				for _, h := range []string{"ETag", "Content-Length", "Last-Modified", "Content-Encoding", "Vary"} {
					if got.Header().Get(h) != wantG.Header().Get(h) {
						t.Fatalf("%s %s: %s %q, want %q", tc.name, path, h, got.Header().Get(h), wantG.Header().Get(h))
					}
				}
				if nm := small.get(t, "GET", path, "Accept-Encoding", tc.ae, "If-None-Match", got.Header().Get("ETag")); nm.Code != 304 {
					t.Fatalf("%s %s: If-None-Match → %d", tc.name, path, nm.Code)
				}
			}
			checkHotCache(t, small)
		}
	}
	if w := small.get(t, "HEAD", "/api/v1/pages/"+slugN(7)); w.Code != 200 || w.Body.Len() != 0 || w.Header().Get("Content-Length") != probe.Header().Get("Content-Length") {
		t.Errorf("HEAD: %d, %d body bytes, length %s", w.Code, w.Body.Len(), w.Header().Get("Content-Length"))
	}
}

// TestHotCacheKeepsWhatIsServed: CLOCK gives a page served between misses a second chance,
// so a popular page stays cached while a scan of cold pages passes through.
func TestHotCacheKeepsWhatIsServed(t *testing.T) {
	f := pagesFixture(t, 40, 1<<30)
	size := int64(f.get(t, "GET", "/api/v1/pages/"+slugN(0)).Body.Len())
	f = pagesFixture(t, 40, 4*size+100)
	popular := f.svc.cur.Load().bySlug[slugN(0)].page
	f.get(t, "GET", "/api/v1/pages/"+slugN(0))
	f.get(t, "GET", "/api/v1/pages/"+slugN(0)) // missed twice: cached
	for i := 1; i < 40; i++ {
		f.get(t, "GET", "/api/v1/pages/"+slugN(i))
		f.get(t, "GET", "/api/v1/pages/"+slugN(i)) // the second miss: it gets in, evicting one
		if popular.hot.Load() == nil {
			t.Fatalf("the popular page was evicted by page %d", i)
		}
		f.get(t, "GET", "/api/v1/pages/"+slugN(0))
	}
	checkHotCache(t, f)
}

// TestHotCacheFollowsPublications: republished and unpublished pages leave the cache, so
// the budget counts only what is live, and readers racing with publications get whole,
// correct pages (run with -race).
func TestHotCacheFollowsPublications(t *testing.T) {
	t.Run("inflated", func(t *testing.T) { followPublications(t, pagesFixture(t, 20, 5*2600)) })
	t.Run("spill file compacted", func(t *testing.T) {
		f := pagesFixtureWith(t, 20, func(c *Config) { c.HotBytes, c.SpillDir = 5*2600, t.TempDir() })
		f.svc.hot.spill.slack = 0 // compact whenever the file doubles
		followPublications(t, f)
		if f.svc.hot.spill.compactions == 0 {
			t.Fatal("the spill file was never compacted")
		}
	})
}

func followPublications(t *testing.T, f *fixture) {
	const n = 20
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(seed uint64) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, 1))
			for {
				select {
				case <-stop:
					return
				default:
				}
				i := rng.IntN(n)
				ae := []string{"", "gzip"}[rng.IntN(2)]
				r := f.get(t, "GET", "/api/v1/pages/"+slugN(i), "Accept-Encoding", ae)
				if r.Code == 410 {
					continue
				}
				body := r.Body.Bytes()
				if ae == "gzip" {
					body = gunzip(t, body)
				}
				if r.Code != 200 || !bytes.Contains(body, []byte(`"slug":"`+slugN(i)+`"`)) || !json.Valid(body) {
					t.Errorf("%s: %d %.80q", slugN(i), r.Code, body)
					return
				}
			}
		}(uint64(w))
	}
	for round := 2; round < 6; round++ {
		for i := 0; i < n; i++ {
			c := sampleContent(slugN(i))
			c.Sections[0].Body = strings.Repeat("Revised paragraph. ", 40+round)
			p := livePage(slugN(i), slugN(i), c, round, t0.Add(time.Hour), t0.AddDate(1, 0, 0))
			if i%5 == 0 && round == 5 {
				p = unpublish(p, t0.Add(2*time.Hour))
			}
			f.publish(p)
		}
	}
	close(stop)
	wg.Wait()
	checkHotCache(t, f)
}

// TestHotCacheDoorkeeper: a crawl that asks for every cold page once changes nothing in the
// cache; a page missed twice in a row gets in.
func TestHotCacheDoorkeeper(t *testing.T) {
	f := pagesFixture(t, 40, 1<<30)
	size := int64(f.get(t, "GET", "/api/v1/pages/"+slugN(0)).Body.Len())
	f = pagesFixture(t, 40, 4*size+100)
	cached := func() map[*pageBody]bool {
		f.svc.hot.mu.Lock()
		defer f.svc.hot.mu.Unlock()
		m := map[*pageBody]bool{}
		for _, pb := range f.svc.hot.ring {
			m[pb] = true
		}
		return m
	}
	before := cached()
	for i := 0; i < 40; i++ {
		if before[f.svc.cur.Load().bySlug[slugN(i)].page] {
			continue // crawl the cold pages only
		}
		if w := f.get(t, "GET", "/api/v1/pages/"+slugN(i)); w.Code != 200 {
			t.Fatalf("%s: %d", slugN(i), w.Code)
		}
	}
	if after := cached(); len(after) != len(before) || !func() bool {
		for pb := range after {
			if !before[pb] {
				return false
			}
		}
		return true
	}() {
		t.Fatalf("a crawl of cold pages changed the cache")
	}
	cold := f.svc.cur.Load().bySlug[slugN(5)].page
	if cold.hot.Load() != nil {
		t.Fatal("page 5 should be cold: the load caches the last pages published")
	}
	f.get(t, "GET", "/api/v1/pages/"+slugN(5))
	if cold.hot.Load() == nil {
		t.Fatalf("a page missed twice in a row is not cached")
	}
	checkHotCache(t, f)
}

// TestLoadLeavesTheHotCacheToRequests: a full load (a start) caches no identity bytes, so
// a library served to gzip clients does not hold them; an identity request then serves
// the very bytes a publication built and, while the budget has room, caches them at once.
func TestLoadLeavesTheHotCacheToRequests(t *testing.T) {
	const n = 10
	f := pagesFixture(t, n, 1<<30)
	if got := checkHotCache(t, f); got != n {
		t.Fatalf("publications cached %d pages, want %d", got, n)
	}
	started := New(f.svc.cfg, f.src, f.clock)
	if err := started.Reload(t.Context()); err != nil {
		t.Fatal(err)
	}
	g := &fixture{src: f.src, clock: f.clock, svc: started, h: started.Handler()}
	if got := checkHotCache(t, g); got != 0 {
		t.Fatalf("a load cached %d pages", got)
	}
	for i := 0; i < n; i++ {
		path := "/api/v1/pages/" + slugN(i)
		for _, ae := range []string{"gzip", "", ""} {
			want, got := f.get(t, "GET", path, "Accept-Encoding", ae), g.get(t, "GET", path, "Accept-Encoding", ae)
			if got.Code != 200 || !bytes.Equal(got.Body.Bytes(), want.Body.Bytes()) || got.Header().Get("ETag") != want.Header().Get("ETag") {
				t.Fatalf("%s (Accept-Encoding %q): %d, not the bytes the publication built", path, ae, got.Code)
			}
		}
		if started.cur.Load().bySlug[slugN(i)].page.hot.Load() == nil {
			t.Fatalf("%s: not cached after an identity request with room in the budget", path)
		}
	}
	if got := checkHotCache(t, g); got != n {
		t.Fatalf("%d pages cached after identity requests, want %d", got, n)
	}
}
