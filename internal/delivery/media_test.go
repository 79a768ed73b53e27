package delivery

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/content"
	"github.com/monograph-cms/monograph/internal/media"
	"github.com/monograph-cms/monograph/internal/media/mediatest"
)

// mediaFixture is a delivery fixture whose library is the same embedded store, with one
// uploaded asset and content that uses it (not yet live).
func mediaFixture(tb testing.TB) (*fixture, media.Asset, content.Content) {
	tb.Helper()
	f := newFixture(tb)
	f.svc.cfg.Media = f.src.Store
	p, err := media.Process(mediatest.PNG(mediatest.Picture(900, 500, 3)), media.DefaultLimits)
	if err != nil {
		tb.Fatal(err)
	}
	a := media.Asset{ID: cms.NewID(), SHA256: p.SHA256, Type: p.Type, Width: p.Width, Height: p.Height, Files: p.FileList(), CreatedAt: t0}
	if err := f.src.PutAsset(context.Background(), a, p.Files); err != nil {
		tb.Fatal(err)
	}
	c := sampleContent("imagine")
	ref := content.AssetRef{Asset: a.ID, SHA256: a.SHA256, Files: media.FilesDigest(a.Files), Type: string(a.Type), Width: a.Width, Height: a.Height}
	for _, file := range a.Files {
		if !strings.HasPrefix(file.Name, "original") {
			ref.Variants = append(ref.Variants, file.Width)
		}
	}
	slices.Sort(ref.Variants)
	c.Images, c.Assets = []content.Image{{Asset: a.ID}}, []content.AssetRef{ref}
	return f, a, c
}

func TestMediaServedOnlyWhileLive(t *testing.T) {
	f, a, c := mediaFixture(t)
	url := MediaPrefix + a.SHA256 + "/640.webp"
	if w := f.get(t, "GET", url); w.Code != 404 {
		t.Fatalf("an asset no live page uses: %d", w.Code)
	}
	p := f.publish(livePage("p1", "imagine", c, 1, t0, t0.AddDate(1, 0, 0)))
	w := f.get(t, "GET", url)
	if w.Code != 200 || w.Header().Get("Cache-Control") != "public, max-age=31536000, immutable" ||
		w.Header().Get("Content-Type") != "image/webp" || w.Header().Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("live image: %d %v", w.Code, w.Header())
	}
	file, _ := a.File("640.webp")
	if w.Header().Get("ETag") != `"`+file.SHA256+`"` || media.SHA256Hex(w.Body.Bytes()) != file.SHA256 {
		t.Fatal("the ETag or the bytes are not the recorded file's")
	}
	if w := f.get(t, "GET", url, "If-None-Match", w.Header().Get("ETag")); w.Code != 304 {
		t.Fatalf("If-None-Match: %d", w.Code)
	}
	if w := f.get(t, "HEAD", url); w.Code != 200 || w.Body.Len() != 0 {
		t.Fatalf("HEAD: %d, %d bytes", w.Code, w.Body.Len())
	}
	for _, bad := range []string{MediaPrefix + a.SHA256 + "/999.webp", MediaPrefix + a.SHA256 + "/../x", MediaPrefix + "zz/640.webp", MediaPrefix + a.SHA256} {
		if w := f.get(t, "GET", bad); w.Code != 404 {
			t.Errorf("%s: %d", bad, w.Code)
		}
	}
	f.publish(unpublish(p, t0.Add(time.Hour)))
	if w := f.get(t, "GET", url); w.Code != 404 {
		t.Fatalf("after unpublication: %d", w.Code)
	}
}

// Bytes that do not hash to the record, or an asset whose files are not those the live
// revision's signed content names, are never served.
func TestMediaNotServedWhenBytesDoNotMatch(t *testing.T) {
	f, a, c := mediaFixture(t)
	file, _ := a.File("320.webp")
	path := filepath.Join(filepath.Dir(f.src.Path()), "media", file.SHA256[:2], file.SHA256)
	if err := os.WriteFile(path, []byte("RIFF0000WEBPswapped pixels"), 0o600); err != nil {
		t.Fatal(err)
	}
	f.publish(livePage("p1", "imagine", c, 1, t0, t0.AddDate(1, 0, 0)))
	if w := f.get(t, "GET", MediaPrefix+a.SHA256+"/320.webp"); w.Code != 404 {
		t.Fatalf("altered bytes served: %d", w.Code)
	}
	if w := f.get(t, "GET", MediaPrefix+a.SHA256+"/640.webp"); w.Code != 200 {
		t.Fatalf("an intact file of the asset: %d", w.Code)
	}
	g, a2, c2 := mediaFixture(t)
	c2.Assets[0].Files = strings.Repeat("0", 64)
	g.publish(livePage("p2", "other", c2, 1, t0, t0.AddDate(1, 0, 0)))
	if w := g.get(t, "GET", MediaPrefix+a2.SHA256+"/640.webp"); w.Code != 404 {
		t.Fatalf("files the signature does not name served: %d", w.Code)
	}
}

// BenchmarkMediaServing fetches one live image over HTTP from delivery and, in the same
// run, the same bytes from net/http's static file server: the ratio is the cost of the
// liveness and integrity checks (docs/media.md).
func BenchmarkMediaServing(b *testing.B) {
	f, a, c := mediaFixture(b)
	f.publish(livePage("p1", "imagine", c, 1, t0, t0.AddDate(1, 0, 0)))
	file, _ := a.File("640.webp")
	dir := b.TempDir()
	_, data, err := f.src.ReadFile(context.Background(), a.SHA256, file.Name)
	if err != nil {
		b.Fatal(err)
	}
	_ = os.WriteFile(filepath.Join(dir, "640.webp"), data, 0o600)
	for _, tc := range []struct {
		name string
		h    http.Handler
		path string
	}{
		{"delivery", f.svc.Handler(), MediaPrefix + a.SHA256 + "/640.webp"},
		{"fileserver", http.FileServer(http.Dir(dir)), "/640.webp"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			srv := httptest.NewServer(tc.h)
			defer srv.Close()
			client := srv.Client()
			client.Transport.(*http.Transport).MaxIdleConnsPerHost = 64
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					res, err := client.Get(srv.URL + tc.path)
					if err != nil {
						b.Error(err)
						return
					}
					_, _ = io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if res.StatusCode != 200 {
						b.Errorf("status %d", res.StatusCode)
						return
					}
				}
			})
		})
	}
}

// The same upload stored again (deleted, then uploaded anew) may have other files: what is
// served is what the live signature names, never bytes verified for an earlier one.
func TestMediaCacheFollowsTheSignedFiles(t *testing.T) {
	f, a, c := mediaFixture(t)
	ctx := context.Background()
	p := f.publish(livePage("p1", "imagine", c, 1, t0, t0.AddDate(1, 0, 0)))
	url := MediaPrefix + a.SHA256 + "/original.png"
	first := f.get(t, "GET", url)
	if first.Code != 200 {
		t.Fatalf("first: %d", first.Code)
	}
	q := f.publish(unpublish(p, t0.Add(time.Hour)))
	// Its working copy lets go of the image too: the library keeps an image a page uses.
	q.Content.Images, q.Content.Assets = nil, nil
	q.Workflow.Revision++
	f.src.put(q, false)
	if err := f.src.DeleteAsset(ctx, a.ID, t0); err != nil {
		t.Fatal(err)
	}
	again := []byte("\x89PNG\r\n\x1a\nanother encoding of the same upload")
	b := a
	b.ID = cms.NewID()
	b.Files = []media.File{{Name: "original.png", Type: media.PNG, Width: a.Width, Height: a.Height, Bytes: int64(len(again)), SHA256: media.SHA256Hex(again)}}
	if err := f.src.PutAsset(ctx, b, []media.Rendition{{File: b.Files[0], Data: again}}); err != nil {
		t.Fatal(err)
	}
	c.Images = []content.Image{{Asset: b.ID}}
	c.Assets = []content.AssetRef{{Asset: b.ID, SHA256: b.SHA256, Files: media.FilesDigest(b.Files), Type: string(b.Type), Width: b.Width, Height: b.Height}}
	f.publish(livePage("p1", "imagine", c, 3, t0.Add(2*time.Hour), t0.AddDate(1, 0, 0)))
	w := f.get(t, "GET", url)
	if w.Code != 200 || string(w.Body.Bytes()) != string(again) {
		t.Fatalf("served %d, %d bytes: the bytes verified for the earlier files", w.Code, w.Body.Len())
	}
}
