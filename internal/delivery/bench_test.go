package delivery

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// discardWriter is a ResponseWriter that keeps nothing, so the benchmarks measure the
// handler, not the recorder.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(int)             {}

func benchFixture(b *testing.B, n int) *fixture {
	f := newFixture(b)
	for i := 0; i < n; i++ {
		c := sampleContent(slugN(i))
		c.Sections[0].Body = strings.Repeat("Some **realistic** paragraph about the drug. ", 100)
		at := t0.Add(time.Duration(i) * time.Minute)
		f.publish(livePage(slugN(i), slugN(i), c, 1, at, at.AddDate(1, 0, 0)))
	}
	return f
}

func benchGet(b *testing.B, f *fixture, target string) {
	r := httptest.NewRequest("GET", target, nil)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		w := &discardWriter{h: http.Header{}}
		for pb.Next() {
			clear(w.h)
			f.h.ServeHTTP(w, r)
		}
	})
}

func BenchmarkBySlug(b *testing.B) {
	benchGet(b, benchFixture(b, 1000), "/api/v1/pages/"+slugN(500))
}

func BenchmarkList(b *testing.B) {
	benchGet(b, benchFixture(b, 1000), "/api/v1/pages?limit=20&sort=-publishedAt")
}

func BenchmarkListDefault(b *testing.B) {
	benchGet(b, benchFixture(b, 1000), "/api/v1/pages")
}

func BenchmarkNotModified(b *testing.B) {
	f := benchFixture(b, 1000)
	etag := f.get(b, "GET", "/api/v1/pages/"+slugN(500)).Header().Get("ETag")
	r := httptest.NewRequest("GET", "/api/v1/pages/"+slugN(500), nil)
	r.Header.Set("If-None-Match", etag)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		w := &discardWriter{h: http.Header{}}
		for pb.Next() {
			clear(w.h)
			f.h.ServeHTTP(w, r)
		}
	})
}

// BenchmarkApply is the cost of one publication reaching delivery, with 1,000 and 10,000
// live pages: it should not grow with the library (snapshot_update.go).
func BenchmarkApply(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("pages=%d", n), func(b *testing.B) {
			f := benchFixture(b, n)
			p := f.src.get(slugN(n / 2)).live()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				p.LiveSeq++
				f.clock.Advance(time.Second) // as publications come, the sync marks age
				f.svc.Apply(p)
			}
		})
	}
}
