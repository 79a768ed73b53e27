package e2e

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/mongostore/mongotest"
	"github.com/monograph-cms/monograph/internal/teststore"
)

// TestSecondProcessSeesPublications: two `monograph serve` processes on
// one shared store. A publication, a new live revision and an unpublication made through
// process A reach process B's delivery by B polling the change counter — B never hears of
// them otherwise — and a draft never does. The store is the MongoDB at MONGODB_URI or,
// where none runs (here), a FerretDB server this test starts: the processes reach it
// over the MongoDB protocol and use the MongoDB layout, as in production. FerretDB's
// updates are not atomic across writers, so A is the only writer and B runs with
// --jobs=false and receives only delivery requests.
func TestSecondProcessSeesPublications(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary twice")
	}
	t.Parallel()
	uri := os.Getenv("MONGODB_URI")
	if uri == "" {
		var stop func()
		var err error
		uri, stop, err = mongotest.StartServer(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(stop)
	}
	db := teststore.DatabaseName(t.Name())
	common := []string{"--mongodb-uri", uri, "--db", db}
	// The default --change-poll (1 s) is what this test relies on.
	procA := StartProc(t, append([]string{"--demo", "--data", filepath.Join(t.TempDir(), "a")}, common...)...)
	procB := StartProc(t, append([]string{"--jobs=false", "--data", filepath.Join(t.TempDir(), "b")}, common...)...)
	a, b := procA.Server(t), procB.Server(t)
	siteB := b.Anon()

	// What A published before B started, B loaded at start.
	if r := siteB.Do(t, "GET", "/api/v1/pages/ketamine", nil); r.Status != http.StatusOK {
		t.Fatalf("B at start: the demo page is %s", r)
	}

	writer, reviewer, editor := a.Login(t, Writer), a.Login(t, Reviewer), a.Login(t, Editor)
	p := writer.Create(t, "two-process", Content("Two processes"))
	p = writer.MustAction(t, p.ID, "submit", nil)
	p = reviewer.Approve(t, p)
	p = editor.MustAction(t, p.ID, "publish", map[string]any{})
	liveOnA := a.Anon().Do(t, "GET", "/api/v1/pages/two-process", nil)
	MustStatus(t, liveOnA, http.StatusOK)
	seen := waitOnB(t, siteB, "/api/v1/pages/two-process", func(r *Resp) bool { return r.Status == http.StatusOK })
	if got, want := seen.Header.Get("ETag"), liveOnA.Header.Get("ETag"); got != want || string(seen.Body) != string(liveOnA.Body) {
		t.Fatalf("B serves other bytes than A: ETag %s, want %s", got, want)
	}
	if r := siteB.Do(t, "GET", "/api/v1/pages?q=two+processes", nil); !strings.Contains(string(r.Body), `"two-process"`) {
		t.Errorf("B's search does not list the publication: %s", r)
	}
	if r := siteB.Do(t, "GET", "/api/v1/sync", nil); !strings.Contains(string(r.Body), `"two-process"`) {
		t.Errorf("B's sync feed does not name the publication: %s", r)
	}

	// A draft revision on A changes nothing on B; its approval and publication do.
	draft := Content("Two processes, second edition")
	p = writer.MustSave(t, p.ID, p.Version, draft)
	p = writer.MustAction(t, p.ID, "submit", nil)
	time.Sleep(1500 * time.Millisecond) // longer than B's poll: B has had its chance to leak
	if r := siteB.Do(t, "GET", "/api/v1/pages/two-process", nil); r.Header.Get("ETag") != liveOnA.Header.Get("ETag") {
		t.Fatalf("B changed its page for a revision in review: %s", r)
	}
	p = reviewer.Approve(t, p)
	p = editor.MustAction(t, p.ID, "publish", map[string]any{})
	secondOnA := a.Anon().Do(t, "GET", "/api/v1/pages/two-process", nil)
	waitOnB(t, siteB, "/api/v1/pages/two-process", func(r *Resp) bool {
		return r.Header.Get("ETag") == secondOnA.Header.Get("ETag")
	})

	// An unpublication turns the page into 410 on B too.
	editor.MustAction(t, p.ID, "unpublish", map[string]any{"reason": "two-process test"})
	waitOnB(t, siteB, "/api/v1/pages/two-process", func(r *Resp) bool { return r.Status == http.StatusGone })
	if r := siteB.Do(t, "GET", "/api/v1/pages?q=two+processes", nil); strings.Contains(string(r.Body), `"two-process"`) {
		t.Errorf("B still lists the unpublished page: %s", r)
	}
}

// waitOnB polls path on B until ok holds, and logs how long that took: the change counter
// is polled every second, so a change should show within about that; the 15 s bound only
// keeps a broken poller from hanging the run (speed is measured in scripts/bench, not here).
func waitOnB(t *testing.T, site *Client, path string, ok func(*Resp) bool) *Resp {
	t.Helper()
	start := time.Now()
	var last *Resp
	eventually(t, 15*time.Second, func() error {
		last = site.Do(t, "GET", path, nil)
		if ok(last) {
			return nil
		}
		return fmt.Errorf("B still answers %s after %v", last, time.Since(start))
	})
	t.Logf("%s: the change reached B after %v", path, time.Since(start).Round(time.Millisecond))
	return last
}
