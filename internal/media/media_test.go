package media_test

import (
	"bytes"
	"image"
	"image/jpeg"
	"image/png"
	"runtime"
	"runtime/metrics"
	"strings"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/media"
	"github.com/monograph-cms/monograph/internal/media/mediatest"
)

func wantCode(t *testing.T, err error, code cms.Code, what string) {
	t.Helper()
	if !cms.IsCode(err, code) {
		t.Fatalf("%s: got %v, want %s", what, err, code)
	}
}

func TestDetectReadsTheBytesOnly(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
		want media.Type
	}{
		{"png", mediatest.PNG(mediatest.Picture(4, 4, 1)), media.PNG},
		{"jpeg", mediatest.JPEG(mediatest.Picture(4, 4, 1)), media.JPEG},
		{"webp", []byte("RIFF\x10\x00\x00\x00WEBPVP8L"), media.WebP},
	} {
		got, err := media.Detect(tc.data)
		if err != nil || got != tc.want {
			t.Errorf("%s: %q, %v", tc.name, got, err)
		}
	}
	for name, data := range map[string][]byte{
		"svg":   []byte(mediatest.SVGWithScript),
		"gif":   []byte("GIF89a\x01\x00\x01\x00"),
		"html":  []byte("<!doctype html><script>alert(1)</script>"),
		"pdf":   []byte("%PDF-1.7"),
		"empty": nil,
	} {
		_, err := media.Detect(data)
		wantCode(t, err, cms.CodeUnsupportedMedia, name)
	}
}

// scanForMetadata fails when any stored file still carries the planted metadata, or a PNG
// carries any ancillary text or EXIF chunk.
func scanForMetadata(t *testing.T, p media.Processed) {
	t.Helper()
	for _, f := range p.Files {
		for _, marker := range []string{mediatest.GPSMarker, "GPSLatitude", "Exif", "xmpmeta"} {
			if bytes.Contains(f.Data, []byte(marker)) {
				t.Errorf("%s still contains %q", f.Name, marker)
			}
		}
		if f.Type == media.PNG {
			for _, chunk := range []string{"eXIf", "tEXt", "iTXt", "zTXt"} {
				if bytes.Contains(f.Data, []byte(chunk)) {
					t.Errorf("%s has a %s chunk", f.Name, chunk)
				}
			}
		}
	}
}

func TestProcessStripsMetadata(t *testing.T) {
	for name, data := range map[string][]byte{
		"png":  mediatest.PNGWithGPS(700, 400),
		"jpeg": mediatest.JPEGWithGPS(700, 400),
	} {
		t.Run(name, func(t *testing.T) {
			if !bytes.Contains(data, []byte(mediatest.GPSMarker)) {
				t.Fatal("the fixture carries no metadata")
			}
			p, err := media.Process(data, media.DefaultLimits)
			if err != nil {
				t.Fatal(err)
			}
			scanForMetadata(t, p)
			if p.SHA256 != media.SHA256Hex(data) || p.Width != 700 || p.Height != 400 {
				t.Fatalf("identity %s %dx%d", p.SHA256, p.Width, p.Height)
			}
		})
	}
}

func TestVariantsAreNeverUpscaled(t *testing.T) {
	p, err := media.Process(mediatest.PNG(mediatest.Picture(700, 350, 2)), media.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range p.Files {
		names = append(names, f.Name)
		if f.Width > 700 {
			t.Errorf("%s is %d wide, wider than the original", f.Name, f.Width)
		}
		if f.SHA256 != media.SHA256Hex(f.Data) || f.Bytes != int64(len(f.Data)) {
			t.Errorf("%s: recorded hash or size is not of its bytes", f.Name)
		}
	}
	if got := strings.Join(names, ","); got != "original.png,640.webp,320.webp" {
		t.Fatalf("files %s", got)
	}
	if f := p.Files[2]; f.Height != 160 {
		t.Errorf("320 variant is %dx%d, want the aspect kept (320x160)", f.Width, f.Height)
	}
	if _, err := png.Decode(bytes.NewReader(p.Files[0].Data)); err != nil {
		t.Errorf("original is no PNG: %v", err)
	}
	small, err := media.Process(mediatest.PNG(mediatest.Picture(200, 100, 2)), media.DefaultLimits)
	if err != nil || len(small.Files) != 1 {
		t.Fatalf("a 200-pixel image has %d files (%v), want only the original", len(small.Files), err)
	}
}

func TestBombRefusedFromTheHeader(t *testing.T) {
	bomb := mediatest.PNGBomb(20000, 20000)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := media.Process(bomb, media.DefaultLimits)
	runtime.ReadMemStats(&after)
	wantCode(t, err, media.CodeImageTooLarge, "a 20,000×20,000 PNG")
	// Decoding would allocate 1.6 GB; the header check allocates almost nothing.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
		t.Fatalf("refusing the bomb allocated %d bytes", alloc)
	}
}

func TestDamagedAndOversizedRefused(t *testing.T) {
	_, err := media.Process(mediatest.TruncatedJPEG(300, 200), media.DefaultLimits)
	wantCode(t, err, cms.CodeInvalid, "a truncated JPEG")
	_, err = media.Process(mediatest.PNG(mediatest.Picture(64, 64, 1)), media.Limits{MaxBytes: 100, MaxPixels: 1 << 20})
	wantCode(t, err, cms.CodeTooLarge, "an upload over the byte limit")
	_, err = media.Process(mediatest.PNG(mediatest.Picture(64, 64, 1)), media.Limits{MaxBytes: 1 << 20, MaxPixels: 1000})
	wantCode(t, err, media.CodeImageTooLarge, "an image over the pixel limit")
}

func TestFileNames(t *testing.T) {
	for name, want := range map[string]bool{
		"original.png": true, "640.webp": true, "1280.webp": true, "original.jpg": true,
		"0640.webp": false, "640.gif": false, "../x.png": false, "640.webp.png": false, "original": false, "": false,
	} {
		if got := media.ValidFileName(name); got != want {
			t.Errorf("ValidFileName(%q) = %v", name, got)
		}
	}
	a := []media.File{{Name: "b", SHA256: "2"}, {Name: "a", SHA256: "1"}}
	b := []media.File{{Name: "a", SHA256: "1"}, {Name: "b", SHA256: "2"}}
	if media.FilesDigest(a) != media.FilesDigest(b) || media.FilesDigest(a) == media.FilesDigest(a[:1]) {
		t.Fatal("FilesDigest depends on order, or not on the files")
	}
}

// FuzzHeader feeds arbitrary bytes to type detection and header parsing, the code an
// upload reaches before any limit has been proven: it must never panic, and what it
// accepts is within the limits.
func FuzzHeader(f *testing.F) {
	f.Add(mediatest.PNG(mediatest.Picture(3, 2, 1)))
	f.Add(mediatest.JPEG(mediatest.Picture(3, 2, 1)))
	f.Add(mediatest.PNGBomb(20000, 20000))
	f.Add(mediatest.TruncatedJPEG(40, 30))
	f.Add([]byte("RIFF\x1a\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"))
	f.Add([]byte(mediatest.SVGWithScript))
	lim := media.Limits{MaxBytes: 1 << 20, MaxPixels: 1 << 20}
	f.Fuzz(func(t *testing.T, data []byte) {
		typ, cfg, err := media.Header(data, lim)
		if err != nil {
			if c := cms.ErrorCode(err); c != cms.CodeUnsupportedMedia && c != cms.CodeInvalid && c != media.CodeImageTooLarge {
				t.Fatalf("unexpected error code %s", c)
			}
			return
		}
		if typ.Ext() == "" || cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > lim.MaxPixels {
			t.Fatalf("accepted %s %dx%d", typ, cfg.Width, cfg.Height)
		}
		if int64(cfg.Width)*int64(cfg.Height) <= 4096 {
			_, _ = media.Process(data, lim) // small enough to decode in a fuzz run
		}
	})
}

// BenchmarkProcess12MP is an upload of a 12-megapixel photo (4000×3000 JPEG): decode,
// re-encode the original, scale and encode three WebP variants.
func BenchmarkProcess12MP(b *testing.B) {
	photo := mediatest.JPEG(mediatest.Picture(4000, 3000, 5))
	b.SetBytes(int64(len(photo)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := media.Process(photo, media.DefaultLimits); err != nil {
			b.Fatal(err)
		}
	}
}

// A phone photo's EXIF orientation is applied to the pixels before the EXIF is dropped, so
// the stored photo is the right way up.
func TestOrientationAppliedBeforeStripping(t *testing.T) {
	p, err := media.Process(mediatest.JPEGWithOrientation(60, 40, 6), media.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if p.Width != 40 || p.Height != 60 {
		t.Fatalf("turned photo is %dx%d, want 40x60", p.Width, p.Height)
	}
	img, err := jpeg.Decode(bytes.NewReader(p.Files[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	// The stored top-left corner is shown top-right after a quarter turn clockwise.
	r, g, _, _ := img.At(35, 4).RGBA()
	if r>>8 < 180 || g>>8 > 90 {
		t.Fatalf("the red corner is not top-right: r=%d g=%d", r>>8, g>>8)
	}
	plain, err := media.Process(mediatest.JPEGWithOrientation(60, 40, 1), media.DefaultLimits)
	if err != nil || plain.Width != 60 {
		t.Fatalf("orientation 1: %dx%d %v", plain.Width, plain.Height, err)
	}
}

// A tall narrow image is small on disk and in pixels but costs the scaler 32 bytes per
// (variant column × source row), and WebP cannot encode a side over 16,383 pixels: it is
// refused from the header, naming the file, with almost nothing allocated.
func TestTallImageRefusedFromTheHeader(t *testing.T) {
	tall := mediatest.PNG(image.NewGray(image.Rect(0, 0, 330, 17000)))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := media.Process(tall, media.DefaultLimits)
	runtime.ReadMemStats(&after)
	wantCode(t, err, media.CodeImageTooLarge, "a 330×17,000 greyscale PNG")
	if e := err.(*cms.Error); len(e.Fields) != 1 || e.Fields[0].Field != "file" {
		t.Fatalf("the refusal does not name the file: %+v", e.Fields)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
		t.Fatalf("refusing the tall image allocated %d bytes", alloc)
	}
	// Within the side limit, the budget decides: the scaler's temporary of a tall image
	// counts, not only its pixels.
	narrow := mediatest.PNG(image.NewGray(image.Rect(0, 0, 330, 16000)))
	_, err = media.Process(narrow, media.Limits{MaxBytes: 1 << 20, MaxPixels: 40_000_000, MaxMemory: 64 << 20})
	wantCode(t, err, media.CodeImageTooLarge, "a 330×16,000 PNG over a 64 MiB budget")
}

// peakDuring runs f and returns how far the live heap rose above where it was at the start,
// sampled every 100 µs, and the bytes allocated in all.
func peakDuring(f func()) (peak, total uint64) {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	base := sample[0].Value.Uint64()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	stop, done := make(chan struct{}), make(chan uint64)
	go func() {
		var top uint64
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		for {
			metrics.Read(s)
			top = max(top, s[0].Value.Uint64())
			select {
			case <-stop:
				done <- top
				return
			case <-time.After(100 * time.Microsecond):
			}
		}
	}()
	f()
	close(stop)
	top := <-done
	runtime.ReadMemStats(&after)
	return max(top, base) - base, after.TotalAlloc - before.TotalAlloc
}

// noise is a w×h picture of pseudo-random pixels: what costs an encoder most.
func noise(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	x := uint32(1)
	for i := range img.Pix {
		x = x*1664525 + 1013904223
		img.Pix[i] = uint8(x >> 24)
	}
	return img
}

// Cost is an upper bound of the memory Process holds, for the colour models and shapes that
// make it expensive: greyscale and 16-bit PNGs, a turned JPEG, a WebP upload, a tall image,
// and noise, which costs the WebP encoder most.
func TestCostBoundsPeakMemory(t *testing.T) {
	if _, err := media.Process(mediatest.WebP(mediatest.Picture(400, 300, 1)), media.DefaultLimits); err != nil {
		t.Fatal(err) // the first WebP encode compiles the WebAssembly module: not an upload's cost
	}
	gray16 := image.NewGray16(image.Rect(0, 0, 700, 500))
	for i := range gray16.Pix {
		gray16.Pix[i] = uint8(i * 7)
	}
	rgba64 := image.NewNRGBA64(image.Rect(0, 0, 900, 600))
	for i := range rgba64.Pix {
		rgba64.Pix[i] = uint8(i * 13)
	}
	for _, tc := range []struct {
		name string
		data []byte
		o    int
	}{
		{"tall greyscale png", mediatest.PNG(image.NewGray(image.Rect(0, 0, 330, 4000))), 1},
		{"16-bit grey png", mediatest.PNG(gray16), 1},
		{"16-bit rgba png", mediatest.PNG(rgba64), 1},
		{"noise png", mediatest.PNG(noise(1000, 700)), 1},
		{"turned jpeg", mediatest.JPEGWithOrientation(1300, 900, 6), 6},
		{"noise jpeg", mediatest.JPEG(noise(1600, 1200)), 1},
		{"webp", mediatest.WebP(mediatest.Picture(900, 600, 4)), 1},
	} {
		typ, cfg, err := media.Header(tc.data, media.DefaultLimits)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var perr error
		peak, total := peakDuring(func() { _, perr = media.Process(tc.data, media.DefaultLimits) })
		if perr != nil {
			t.Fatalf("%s: %v", tc.name, perr)
		}
		bound := media.Cost(typ, cfg, tc.o)
		t.Logf("%s %dx%d: peak %.1f MiB (allocated %.1f MiB), cost bound %.1f MiB", tc.name, cfg.Width, cfg.Height,
			float64(peak)/(1<<20), float64(total)/(1<<20), float64(bound)/(1<<20))
		if int64(peak) > bound {
			t.Errorf("%s: processing held %d bytes, more than its cost bound %d", tc.name, peak, bound)
		}
	}
}
