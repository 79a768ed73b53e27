package delivery

import (
	"bytes"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// spillFixture publishes n pages into a server whose hot cache holds none of them, so every
// identity response of a page comes from the spill file (or, failing that, is inflated);
// the log goes to logs.
func spillFixture(t *testing.T, n int, dir string, logs *bytes.Buffer) *fixture {
	t.Helper()
	return pagesFixtureWith(t, n, func(c *Config) {
		c.HotBytes, c.SpillDir = 1, dir
		c.Logger = slog.New(slog.NewTextHandler(logs, nil))
	})
}

// identityOf returns the identity response of slug's page.
func identityOf(t *testing.T, f *fixture, slug string) []byte {
	t.Helper()
	w := f.get(t, "GET", "/api/v1/pages/"+slug)
	if w.Code != 200 {
		t.Fatalf("%s: %d", slug, w.Code)
	}
	return w.Body.Bytes()
}

// fromSpill returns slug's page bytes as the spill file holds them, failing if it has none.
func fromSpill(t *testing.T, f *fixture, slug string) []byte {
	t.Helper()
	pb := f.svc.cur.Load().bySlug[slug].page
	out := make([]byte, pb.size())
	if !f.svc.hot.spill.read(pb, out) {
		t.Fatalf("%s: not read from the spill file", slug)
	}
	return out
}

// TestSpillHoldsEveryLivePage: every page and JSON-LD document of the snapshot is in the
// spill file with its exact bytes, and the file has no name in the data dir (nothing is
// left behind, nothing else can open it); an empty name a crash left is removed.
func TestSpillHoldsEveryLivePage(t *testing.T) {
	const n = 12
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ".delivery-spill-123456"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	f := spillFixture(t, n, dir, &logs)
	for i := range n {
		want := gunzip(t, f.get(t, "GET", "/api/v1/pages/"+slugN(i), "Accept-Encoding", "gzip").Body.Bytes())
		if got := fromSpill(t, f, slugN(i)); !bytes.Equal(got, want) {
			t.Fatalf("%s: the spill file holds other bytes than the gzip response", slugN(i))
		}
		if got := identityOf(t, f, slugN(i)); !bytes.Equal(got, want) {
			t.Fatalf("%s: identity response differs from the gzip one", slugN(i))
		}
		ld := f.svc.cur.Load().bySlug[slugN(i)].jsonLD
		if ld.at.Load() == nil {
			t.Fatalf("%s: JSON-LD not in the spill file", slugN(i))
		}
	}
	if entries, err := os.ReadDir(dir); err != nil || len(entries) != 0 {
		t.Fatalf("data dir holds %v (%v), want nothing: the spill file is unlinked", entries, err)
	}
	if logs.Len() != 0 {
		t.Fatalf("logged: %s", logs.String())
	}
}

// TestSpillDamageServesTheGzipBytes: bytes changed in the spill file (a disk fault, or
// anything writing to it) are caught by their checksum; the page is then served from its
// gzip bytes, unchanged, and no longer read from the file; the fault is logged once.
func TestSpillDamageServesTheGzipBytes(t *testing.T) {
	var logs bytes.Buffer
	f := spillFixture(t, 6, t.TempDir(), &logs)
	want := map[string][]byte{}
	for i := range 6 {
		want[slugN(i)] = gunzip(t, f.get(t, "GET", "/api/v1/pages/"+slugN(i), "Accept-Encoding", "gzip").Body.Bytes())
	}
	for _, slug := range []string{slugN(2), slugN(4)} {
		at := f.svc.cur.Load().bySlug[slug].page.at.Load()
		if _, err := at.f.WriteAt([]byte(`{"forged":true}`), at.off+10); err != nil {
			t.Fatal(err)
		}
		if got := identityOf(t, f, slug); !bytes.Equal(got, want[slug]) {
			t.Fatalf("%s: served damaged bytes %.60q", slug, got)
		}
		if f.svc.cur.Load().bySlug[slug].page.at.Load() != nil {
			t.Fatalf("%s: still read from the spill file after a checksum mismatch", slug)
		}
	}
	if c := strings.Count(logs.String(), "spill file gave wrong bytes"); c != 1 {
		t.Fatalf("logged the fault %d times, want once:\n%s", c, logs.String())
	}
	for i := range 6 {
		if got := identityOf(t, f, slugN(i)); !bytes.Equal(got, want[slugN(i)]) {
			t.Fatalf("%s: bytes changed", slugN(i))
		}
	}
}

// TestSpillWithoutAUsableDir: when the file cannot be made, pages are inflated, served
// alike, and the log says what to check.
func TestSpillWithoutAUsableDir(t *testing.T) {
	var logs bytes.Buffer
	f := spillFixture(t, 4, filepath.Join(t.TempDir(), "missing"), &logs)
	all := pagesFixture(t, 4, 1<<30)
	for i := range 4 {
		if got, want := identityOf(t, f, slugN(i)), identityOf(t, all, slugN(i)); !bytes.Equal(got, want) {
			t.Fatalf("%s: bytes differ", slugN(i))
		}
		if f.svc.cur.Load().bySlug[slugN(i)].page.at.Load() != nil {
			t.Fatalf("%s: has a place in a file that could not be made", slugN(i))
		}
	}
	if c := strings.Count(logs.String(), "cannot create the file"); c != 1 || !strings.Contains(logs.String(), "check free space and permissions") {
		t.Fatalf("want one warning saying what to check, logged:\n%s", logs.String())
	}
}

// TestSpillCompacts: republishing every page again and again keeps the file within twice
// what is live (plus the slack), every live page is read from the compacted file with its
// bytes, and a body that left the snapshot before a compaction (a request still holding the
// old snapshot) still serves its own bytes.
func TestSpillCompacts(t *testing.T) {
	const n = 8
	var logs bytes.Buffer
	f := spillFixture(t, n, t.TempDir(), &logs)
	sp := f.svc.hot.spill
	sp.slack = 0
	first := f.svc.cur.Load().bySlug[slugN(3)].page
	firstBytes := identityOf(t, f, slugN(3))
	for round := 2; round < 12; round++ {
		for i := range n {
			c := sampleContent(slugN(i))
			c.Sections[0].Body = strings.Repeat("Revised paragraph. ", 40+round)
			f.publish(livePage(slugN(i), slugN(i), c, round, t0.Add(time.Duration(round)*time.Hour), t0.AddDate(1, 0, 0)))
		}
		var live int64
		seen := map[*pageBody]bool{}
		for pb := range f.svc.cur.Load().bodies() {
			if !seen[pb] {
				seen[pb] = true
				live += int64(pb.size())
			}
		}
		if sp.size() > 2*live {
			t.Fatalf("round %d: spill file %d bytes for %d live", round, sp.size(), live)
		}
	}
	if sp.compactions == 0 {
		t.Fatal("never compacted")
	}
	for i := range n {
		want := gunzip(t, f.get(t, "GET", "/api/v1/pages/"+slugN(i), "Accept-Encoding", "gzip").Body.Bytes())
		if got := fromSpill(t, f, slugN(i)); !bytes.Equal(got, want) {
			t.Fatalf("%s: compacted file holds other bytes", slugN(i))
		}
	}
	if got := f.svc.hot.read(first, make([]byte, first.size())); !bytes.Equal(got, firstBytes) {
		t.Fatal("a body from before the compactions lost its bytes")
	}
	if logs.Len() != 0 {
		t.Fatalf("logged: %s", logs.String())
	}
}

// TestSpilledPagesDoNotChurnTheHotCache: once the budget is full, a page read from the
// spill file does not evict a cached one however often it is missed (a read from the file
// costs about what a hit does, an admission makes garbage), while the cache still fills
// while it has room.
func TestSpilledPagesDoNotChurnTheHotCache(t *testing.T) {
	const n = 12
	size := int64(len(identityOf(t, pagesFixture(t, 1, 1<<30), slugN(0))))
	f := pagesFixtureWith(t, n, func(c *Config) { c.HotBytes, c.SpillDir = 4*size+size/2, t.TempDir() })
	started := New(f.svc.cfg, f.src, f.clock) // a start caches nothing
	if err := started.Reload(t.Context()); err != nil {
		t.Fatal(err)
	}
	g := &fixture{src: f.src, clock: f.clock, svc: started, h: started.Handler()}
	for i := range n {
		for range 3 {
			identityOf(t, g, slugN(i))
		}
	}
	for i := range n {
		cached := started.cur.Load().bySlug[slugN(i)].page.hot.Load() != nil
		if cached != (i < 4) {
			t.Fatalf("%s cached: %v; want the first four pages asked for, and no other", slugN(i), cached)
		}
	}
	checkHotCache(t, g)
}

// TestSpillAStartWritesEachBodyOnce: a start writes every body once and copies nothing,
// however small the slack: a file that only holds what is served is not wasteful.
func TestSpillAStartWritesEachBodyOnce(t *testing.T) {
	var logs bytes.Buffer
	f := spillFixture(t, 10, t.TempDir(), &logs)
	started := New(f.svc.cfg, f.src, f.clock)
	started.hot.spill.slack = 0
	if err := started.Reload(t.Context()); err != nil {
		t.Fatal(err)
	}
	var live int64
	seen := map[*pageBody]bool{}
	for pb := range started.cur.Load().bodies() {
		if pb.at.Load() == nil {
			t.Fatal("a body of the loaded snapshot is not in the spill file")
		}
		if !seen[pb] {
			seen[pb] = true
			live += int64(pb.size())
		}
	}
	if sp := started.hot.spill; sp.compactions != 0 || sp.size() != live {
		t.Fatalf("after a start: %d compactions, file of %d bytes for %d live", sp.compactions, sp.size(), live)
	}
}

// TestSpillBodiesBuiltBeforeACompaction: a body written before a compaction but installed
// only after it (a publication or a load racing with another install) is still read from
// the file it was written to, and the next compaction moves it; a body that misses two
// compactions is inflated, and says so by losing its place.
func TestSpillBodiesBuiltBeforeACompaction(t *testing.T) {
	sp := newSpill(t.TempDir(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	sp.slack = 0
	mk := func(fill string) (*pageBody, []byte) {
		body := []byte(`{"x":"` + strings.Repeat(fill, 1000) + `"}`)
		pb := newBody(ctJSON, body, `"etag"`, t0)
		sp.add(pb, body)
		return pb, body
	}
	readsAs := func(pb *pageBody, want []byte) bool {
		out := make([]byte, pb.size())
		return sp.read(pb, out) && bytes.Equal(out, want)
	}
	// garbageThenTidy adds bodies no snapshot holds until the file is wasteful, then
	// installs served.
	garbageThenTidy := func(served ...*pageBody) {
		for range 2 * len(served) {
			mk("g")
		}
		if err := sp.tidy(slices.Values(served)); err != nil {
			t.Fatal(err)
		}
	}
	a, aBytes := mk("a")
	if err := sp.tidy(slices.Values([]*pageBody{a})); err != nil {
		t.Fatal(err)
	}
	straggler, sBytes := mk("s")
	late, lBytes := mk("l")
	garbageThenTidy(a)
	if sp.compactions != 1 || !readsAs(a, aBytes) {
		t.Fatalf("after one compaction (%d): a not read from the file", sp.compactions)
	}
	if !readsAs(straggler, sBytes) || !readsAs(late, lBytes) {
		t.Fatal("bodies written before the compaction, not yet installed, are no longer read")
	}
	garbageThenTidy(a, straggler) // the straggler is installed now
	if sp.compactions != 2 || !readsAs(straggler, sBytes) || straggler.at.Load().f != sp.f {
		t.Fatalf("after the next compaction (%d): the straggler was not moved to the new file", sp.compactions)
	}
	if readsAs(late, lBytes) || late.at.Load() != nil {
		t.Fatal("a body on a closed file is still taken as being in the spill file")
	}
	if got := newHotCache(1, sp).read(late, make([]byte, late.size())); !bytes.Equal(got, lBytes) {
		t.Fatal("a body on a closed file lost its bytes")
	}
}

// TestSpillFailedCompactionWaits: a compaction that cannot make its file (the directory is
// gone) leaves every body on the old file, read as before, and is not tried again at every
// install, only once the file has doubled.
func TestSpillFailedCompactionWaits(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "spill")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	sp := newSpill(dir, slog.New(slog.NewTextHandler(io.Discard, nil)))
	sp.slack = 0
	body := []byte(`{"x":"` + strings.Repeat("a", 1000) + `"}`)
	a := newBody(ctJSON, body, `"etag"`, t0)
	sp.add(a, body)
	served := slices.Values([]*pageBody{a})
	if err := sp.tidy(served); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(dir); err != nil {
		t.Fatal(err)
	}
	failures := 0
	for range 12 {
		sp.add(newBody(ctJSON, body, `"etag"`, t0), body) // garbage
		if err := sp.tidy(served); err != nil {
			failures++
		}
	}
	// The file holds 2, 3, …, 13 bodies for one served: the first try (and failure) is at 3
	// (more than twice 1), the next once it holds more than twice that, at 7; without the
	// wait, every install from 3 on would try (11).
	if failures != 2 {
		t.Fatalf("%d failed compactions in 12 installs, want 2", failures)
	}
	if out := make([]byte, a.size()); !sp.read(a, out) || !bytes.Equal(out, body) {
		t.Fatal("the served body is no longer read from the old file")
	}
}
