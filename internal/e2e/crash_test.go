package e2e

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"testing"
	"time"
)

// ackedSave is a save the server answered 200.
type ackedSave struct {
	revision int
	hash     string
	title    string
}

// Issue 3, Must show: kill -9 the server during continuous saves, restart it, and find every
// acknowledged save with the revision list complete — three rounds.
func TestCrashDuringSaves(t *testing.T) {
	skipOnMongoRun(t)
	if testing.Short() {
		t.Skip("kills and restarts a server process three times")
	}
	t.Parallel()
	dir := t.TempDir()
	seed := time.Now().UnixNano()
	rng := rand.New(rand.NewPCG(uint64(seed), 0))
	t.Logf("seed %d", seed)

	proc := StartProc(t, "--data", dir, "--demo")
	w := proc.Server(t).Login(t, Writer)
	p := w.Create(t, "crash-page", Content("Crash 0"))
	var acked []ackedSave
	acked = append(acked, ackedSave{1, p.ContentHash, "Crash 0"})
	n := 0

	for round := 1; round <= 3; round++ {
		// Continuous saves from a goroutine, each acknowledged one recorded.
		var mu sync.Mutex
		stop := make(chan struct{})
		done := make(chan error, 1)
		version := p.Version
		go func() {
			for {
				select {
				case <-stop:
					done <- nil
					return
				default:
				}
				n++
				title := fmt.Sprintf("Crash round %d save %d", round, n)
				r, err := w.Try("PUT", pagesPath+"/"+p.ID+"/content", Content(title), "If-Match", `"`+strconv.Itoa(version)+`"`)
				if err != nil {
					done <- nil // the server died under us: expected
					return
				}
				if r.Status != 200 {
					done <- fmt.Errorf("save: %s", r)
					return
				}
				var got Page
				if err := jsonDecode(r.Body, &got); err != nil {
					done <- err
					return
				}
				mu.Lock()
				acked = append(acked, ackedSave{got.Revision, got.ContentHash, title})
				mu.Unlock()
				version = got.Version
			}
		}()
		time.Sleep(time.Duration(300+rng.IntN(700)) * time.Millisecond)
		proc.Kill() // SIGKILL mid-stream
		close(stop)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		last := acked[len(acked)-1]
		mu.Unlock()

		// Restart on the same data dir: every acknowledged save is there.
		proc = StartProc(t, "--data", dir, "--demo")
		w = proc.Server(t).Login(t, Writer)
		p = w.Page(t, p.ID)
		revs := w.Revisions(t, p.ID)
		if p.Revision != last.revision && p.Revision != last.revision+1 {
			t.Fatalf("round %d: latest revision %d, last acknowledged %d", round, p.Revision, last.revision)
		}
		if len(revs) != p.Revision {
			t.Fatalf("round %d: %d revisions listed, latest is %d", round, len(revs), p.Revision)
		}
		for i, r := range revs {
			if r.Number != i+1 {
				t.Fatalf("round %d: revision list not contiguous at %d: %+v", round, i, r)
			}
		}
		for _, a := range acked {
			if revs[a.revision-1].ContentHash != a.hash {
				t.Fatalf("round %d: acknowledged revision %d has hash %s, was %s", round, a.revision, revs[a.revision-1].ContentHash, a.hash)
			}
		}
		if revs[p.Revision-1].ContentHash != p.ContentHash {
			t.Fatalf("round %d: page hash %s is not its latest revision's %s", round, p.ContentHash, revs[p.Revision-1].ContentHash)
		}
		// The revisions' contents are readable: the last acknowledged and the latest.
		for _, n := range []int{last.revision, p.Revision} {
			r := w.Do(t, "GET", pagesPath+"/"+p.ID+"/revisions/"+strconv.Itoa(n), nil)
			MustStatus(t, r, 200)
			var rev struct {
				ContentHash string         `json:"contentHash"`
				Content     map[string]any `json:"content"`
			}
			r.Decode(t, &rev)
			if rev.ContentHash != revs[n-1].ContentHash {
				t.Fatalf("round %d: revision %d content hash %s, list says %s", round, n, rev.ContentHash, revs[n-1].ContentHash)
			}
			if n == last.revision && rev.Content["title"] != last.title {
				t.Fatalf("round %d: revision %d title %v, saved %q", round, n, rev.Content["title"], last.title)
			}
		}
		// Every revision kept its audit event, and the chain is whole.
		events := w.Audit(t, p.ID)
		checkChain(t, events)
		saves := map[int]string{}
		for _, e := range events {
			if e.Action == "create" || e.Action == "save" {
				saves[e.Revision], _ = e.DataMap()["contentHash"].(string)
			}
		}
		for _, r := range revs {
			if saves[r.Number] != r.ContentHash {
				t.Fatalf("round %d: revision %d has no matching audit event", round, r.Number)
			}
		}
		t.Logf("round %d: %d acknowledged saves so far, latest revision %d (last acknowledged %d)", round, len(acked), p.Revision, last.revision)
		if len(acked) < round+1 {
			t.Fatalf("round %d: no save was acknowledged before the kill", round)
		}
	}
	proc.Kill()
}
