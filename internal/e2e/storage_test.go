package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/sqlitestore"
)

// TestBackupWhileServingAndRestore: `monograph backup` copies the embedded store while the
// server runs and writes; the copy holds every save acknowledged before the backup began,
// its audit chains verify, and restored into a new data dir it serves the same pages as the
// original (their exports are identical).
func TestBackupWhileServingAndRestore(t *testing.T) {
	skipOnMongoRun(t)
	if testing.Short() {
		t.Skip("runs the binary several times")
	}
	t.Parallel()
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	proc := StartProc(t, "--demo", "--data", data)
	w := proc.Server(t).Login(t, Writer)
	p := w.Create(t, "backed-up", Content("Backed up 0"))

	// Saves keep coming while the backups run.
	var acked atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		version := p.Version
		for n := 1; ; n++ {
			select {
			case <-stop:
				return
			default:
			}
			r, err := w.Try("PUT", pagesPath+"/"+p.ID+"/content", Content(fmt.Sprintf("Backed up %d", n)), "If-Match", `"`+strconv.Itoa(version)+`"`)
			if err != nil || r.Status != 200 {
				t.Errorf("save %d while backing up: %v %v", n, err, r)
				return
			}
			var np Page
			r.Decode(t, &np)
			version = np.Version
			acked.Store(int64(np.Revision))
		}
	}()
	for acked.Load() < 5 {
		time.Sleep(10 * time.Millisecond)
	}
	before := acked.Load()
	live := filepath.Join(dir, "live.db")
	err, out, stderr := runBinary(t, "", "backup", live, "--data", data)
	if err != nil || !strings.Contains(out, "backed up") {
		t.Fatalf("backup while serving: %v\n%s%s", err, out, stderr)
	}
	close(stop)
	wg.Wait()

	// The copy is a whole, consistent store: it verifies, and has what was saved before.
	copyDir := restore(t, live, data, filepath.Join(dir, "copy"))
	if err, out, stderr := runBinary(t, "", "audit", "verify", "--data", copyDir); err != nil {
		t.Fatalf("audit verify on the backup: %v\n%s%s", err, out, stderr)
	}
	exp := filepath.Join(dir, "copy-export")
	if err, _, stderr := runBinary(t, "", "export", exp, "--data", copyDir); err != nil {
		t.Fatalf("export the backup: %v\n%s", err, stderr)
	}
	b, err := os.ReadFile(filepath.Join(exp, "backed-up.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), fmt.Sprintf(`"number": %d,`, before)) {
		t.Fatalf("revision %d, acknowledged before the backup began, is not in it", before)
	}

	// Restore: a backup taken once the writes stopped serves exactly what the original has.
	final := filepath.Join(dir, "final.db")
	if err, out, stderr := runBinary(t, "", "backup", "--data", data, final); err != nil {
		t.Fatalf("second backup: %v\n%s%s", err, out, stderr)
	}
	if err, _, _ := runBinary(t, "", "backup", "--data", data, final); err == nil {
		t.Fatal("a backup overwrote an existing file")
	}
	restored := restore(t, final, data, filepath.Join(dir, "restored"))
	served := StartProc(t, "--data", restored)
	if r := served.Server(t).Anon().Do(t, "GET", "/api/v1/pages/ketamine", nil); r.Status != 200 {
		t.Fatalf("the restored store does not serve the live page: %s", r)
	}
	served.Kill()
	proc.Kill()
	want, got := filepath.Join(dir, "export-original"), filepath.Join(dir, "export-restored")
	for src, to := range map[string]string{data: want, restored: got} {
		if err, _, stderr := runBinary(t, "", "export", to, "--data", src); err != nil {
			t.Fatalf("export %s: %v\n%s", src, err, stderr)
		}
	}
	files, _ := filepath.Glob(filepath.Join(want, "*.json"))
	if len(files) != 4 { // the demo page, its Spanish translation, the page written here, the accounts
		t.Fatalf("%d files exported, want 4: %v", len(files), files)
	}
	for _, f := range files {
		a, _ := os.ReadFile(f)
		b, err := os.ReadFile(filepath.Join(got, filepath.Base(f)))
		if err != nil || string(a) != string(b) {
			t.Errorf("%s: the restored store's export differs from the original's", filepath.Base(f))
		}
	}
}

// restore puts a backup file into a new data dir with the original's key files, as
// docs/operations.md describes, and returns the dir.
func restore(tb testing.TB, backup, original, dir string) string {
	tb.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		tb.Fatal(err)
	}
	copyFile(tb, backup, filepath.Join(dir, sqlitestore.FileName))
	for _, key := range []string{"jwt-keys.pem", "webhook-secrets.key"} {
		copyFile(tb, filepath.Join(original, key), filepath.Join(dir, key))
	}
	return dir
}

func copyFile(tb testing.TB, from, to string) {
	tb.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		tb.Fatal(err)
	}
}

// TestOldStoreRefused: a data dir written by the FerretDB-based store of earlier releases
// is recognised and refused with how to move its pages, and nothing is written to it.
func TestOldStoreRefused(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	if err := os.MkdirAll(filepath.Join(data, "db"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(data, "db", "monograph.sqlite"), []byte("an old store"), 0o600); err != nil {
		t.Fatal(err)
	}
	err, _, stderr := runBinary(t, "", "serve", "--addr", "127.0.0.1:0", "--data", data)
	if err == nil {
		t.Fatal("serve started on the old store's data dir")
	}
	for _, want := range []string{"earlier Monograph release", "monograph export", "monograph import"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("the message does not say %q: %s", want, stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(data, sqlitestore.FileName)); err == nil {
		t.Error("a new store was created beside the old one")
	}
}
