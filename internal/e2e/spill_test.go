package e2e

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/monograph-cms/monograph/internal/app"
)

// spillFile opens the server's spill file through this process's descriptor table: it has
// no name in dir (it is removed as soon as it is made), so /proc is the only way to it.
func spillFile(t *testing.T, dir string) *os.File {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	if dir, err = filepath.EvalSymlinks(dir); err != nil { // the links name resolved paths
		t.Fatal(err)
	}
	for _, fd := range fds {
		target, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name()))
		if err == nil && strings.HasPrefix(target, dir+string(filepath.Separator)+".delivery-spill-") {
			if !strings.HasSuffix(target, "(deleted)") {
				t.Fatalf("spill file %s still has a name", target)
			}
			f, err := os.OpenFile(filepath.Join("/proc/self/fd", fd.Name()), os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = f.Close() })
			return f
		}
	}
	t.Fatalf("no spill file open in %s", dir)
	return nil
}

// TestIdentityPagesThroughTheSpillFile: a restarted server (whose hot cache is empty) keeps
// a spill file in the configured directory, without a name there, holding every live page's
// bytes; when those bytes are overwritten, clients that do not accept gzip still get each
// page's signed bytes, never the file's. (That misses are read from the file, not inflated,
// is checked in internal/delivery's spill tests.)
func TestIdentityPagesThroughTheSpillFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	spillIn := WithConfig(func(c *app.Config) { c.DeliverySpillDir = dir })
	first := MustStart(t, spillIn)
	slugs := []string{"e2e-spill-one", "e2e-spill-two"}
	for i, slug := range slugs {
		publishForDelivery(t, first, slug, deliveryContent("Spill "+slug, []string{"Alphaword", "Bravoword"}[i]), nil)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}

	s := MustStart(t, WithStoreOf(first), spillIn)
	anon := s.Anon()
	signed := map[string][]byte{}
	for _, slug := range slugs {
		gz := anon.Do(t, "GET", "/api/v1/pages/"+slug, nil, "Accept-Encoding", "gzip")
		MustStatus(t, gz, 200)
		zr, err := gzip.NewReader(bytes.NewReader(gz.Body))
		if err != nil {
			t.Fatal(err)
		}
		if signed[slug], err = io.ReadAll(zr); err != nil {
			t.Fatal(err)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("the spill dir lists %v, want nothing", entries)
	}
	f := spillFile(t, dir)
	held, err := io.ReadAll(io.NewSectionReader(f, 0, 1<<30))
	if err != nil {
		t.Fatal(err)
	}
	for _, slug := range slugs {
		if !bytes.Contains(held, signed[slug]) {
			t.Fatalf("%s: its bytes are not in the spill file", slug)
		}
	}

	// Overwrite every byte of the file, then ask for the pages without gzip for the first
	// time since the start: the checksums catch it.
	if _, err := f.WriteAt(bytes.Repeat([]byte("X"), len(held)), 0); err != nil {
		t.Fatal(err)
	}
	for _, slug := range slugs {
		r := anon.Do(t, "GET", "/api/v1/pages/"+slug, nil, "Accept-Encoding", "identity")
		MustStatus(t, r, 200)
		if r.Header.Get("Content-Encoding") != "" || !bytes.Equal(r.Body, signed[slug]) {
			t.Fatalf("%s: identity response is not the page's signed bytes: %.80q", slug, r.Body)
		}
	}
}
