package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"testing"
)

// BenchmarkSaveOverHTTP measures one writer's sequential saves over HTTP against the real
// server and store, each a real edit that makes a revision and an audit event, on pages of
// the ketamine sample's size (scripts/bench-store measures the same with the server
// binary; this one runs in-process so `-cpuprofile` shows the server's save path).
func BenchmarkSaveOverHTTP(b *testing.B) {
	sample := benchSample(b)
	s := MustStart(b)
	writer := s.Login(b, Writer)
	const pages = 200
	type page struct {
		id      string
		version int
		edits   int
	}
	ps := make([]*page, pages)
	for i := range ps {
		c := clone(sample)
		c["title"] = fmt.Sprintf("Benchmark page %d", i)
		p := writer.Create(b, fmt.Sprintf("bench-save-%d", i), c)
		ps[i] = &page{id: p.ID, version: p.Version}
	}
	client := &http.Client{}
	i := 0
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		p := ps[i%pages]
		i++
		p.edits++
		c := clone(sample)
		c["title"] = fmt.Sprintf("Benchmark page %d", i%pages)
		c["summary"] = fmt.Sprintf("Edit %d of this page.", p.edits)
		body, _ := json.Marshal(c)
		req, _ := http.NewRequest("PUT", s.URL+pagesPath+"/"+p.id+"/content", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+writer.Token)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("If-Match", strconv.Quote(strconv.Itoa(p.version)))
		res, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		out, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			b.Fatalf("save: %d %s", res.StatusCode, out)
		}
		var got struct {
			Version int `json:"version"`
		}
		if err := json.Unmarshal(out, &got); err != nil {
			b.Fatal(err)
		}
		p.version = got.Version
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "saves/s")
}

// BenchmarkCreateOverHTTP measures one writer creating pages of the sample's size over HTTP,
// each with its first revision, audit event and search grams, on a library that grows by
// every page created (scripts/bench-store measures the same with the server binary).
func BenchmarkCreateOverHTTP(b *testing.B) {
	sample := benchSample(b)
	s := MustStart(b)
	writer := s.Login(b, Writer)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		c := clone(sample)
		c["title"] = fmt.Sprintf("Benchmark drug %d", i)
		writer.Create(b, fmt.Sprintf("bench-create-%d", i), c)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "creates/s")
}

// benchSample is the ketamine sample's content, the page size the benchmarks write.
func benchSample(b *testing.B) map[string]any {
	raw, err := os.ReadFile("../app/samples/ketamine.json")
	if err != nil {
		b.Fatal(err)
	}
	var sample struct {
		Content map[string]any `json:"content"`
	}
	if err := json.Unmarshal(raw, &sample); err != nil {
		b.Fatal(err)
	}
	return sample.Content
}
