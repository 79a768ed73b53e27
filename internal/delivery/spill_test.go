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
	// Not ours to remove: a file with bytes in it, and a link (to an empty file).
	keep := []string{".delivery-spill-full", ".delivery-spill-link"}
	if err := os.WriteFile(filepath.Join(dir, keep[0]), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(t.TempDir(), "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(empty, filepath.Join(dir, keep[1])); err != nil {
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
	var names []string
	entries, err := os.ReadDir(dir)
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if err != nil || !slices.Equal(names, keep) {
		t.Fatalf("data dir holds %v (%v), want only %v: the spill file is unlinked, the empty leftover removed", names, err, keep)
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
	t.Cleanup(func() { _ = started.Close() })
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
	t.Cleanup(func() { _ = started.Close() })
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

// TestSpillNoCompactionWhileBuilding: no compaction runs while bodies are being built
// outside the Service's lock (a publication's or a load's), which would leave them on a
// closed file; once they are installed, the next install compacts and they are moved. A
// body that is not served when a compaction runs is inflated from then on.
func TestSpillNoCompactionWhileBuilding(t *testing.T) {
	sp := newSpill(t.TempDir(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	t.Cleanup(func() { _ = sp.close() })
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
	late, lBytes := mk("l")
	if err := sp.tidy(slices.Values([]*pageBody{a, late})); err != nil {
		t.Fatal(err)
	}

	done := sp.building()
	straggler, sBytes := mk("s") // built, not yet installed
	garbageThenTidy(a)           // another publication installs meanwhile
	if sp.compactions != 0 {
		t.Fatal("compacted while a body was being built")
	}
	done()
	done()                        // twice: counted once
	garbageThenTidy(a, straggler) // the straggler is installed; late is no longer served
	if sp.compactions != 1 {
		t.Fatalf("%d compactions once nothing was being built, want 1", sp.compactions)
	}
	for _, b := range []struct {
		pb   *pageBody
		want []byte
	}{{a, aBytes}, {straggler, sBytes}} {
		if !readsAs(b.pb, b.want) || b.pb.at.Load().f != sp.f {
			t.Fatal("a served body was not moved to the new file")
		}
	}
	if readsAs(late, lBytes) || late.at.Load() != nil {
		t.Fatal("a body left on the closed file is still taken as being in the spill file")
	}
	if got := newHotCache(1, sp).read(late, make([]byte, late.size())); !bytes.Equal(got, lBytes) {
		t.Fatal("a body left on the closed file lost its bytes")
	}
}

// TestSpillFailedCompactionWaits: a compaction that cannot make its file (the directory is
// now a path through a regular file: ENOTDIR on any file system, even as root) leaves every
// body on the old file, read as before, and is not tried again at every install, only once
// the file has doubled.
func TestSpillFailedCompactionWaits(t *testing.T) {
	sp := newSpill(t.TempDir(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	t.Cleanup(func() { _ = sp.close() })
	sp.slack = 0
	body := []byte(`{"x":"` + strings.Repeat("a", 1000) + `"}`)
	a := newBody(ctJSON, body, `"etag"`, t0)
	sp.add(a, body)
	served := slices.Values([]*pageBody{a})
	if err := sp.tidy(served); err != nil {
		t.Fatal(err)
	}
	regular := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(regular, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	sp.dir = filepath.Join(regular, "spill")
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
