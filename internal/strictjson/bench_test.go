package strictjson_test

import (
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/content"
	"github.com/monograph-cms/monograph/internal/strictjson"
)

type page struct {
	Slug    string          `json:"slug"`
	Content content.Content `json:"content"`
}

func loadSample(tb testing.TB) []byte {
	tb.Helper()
	data, err := os.ReadFile("../content/testdata/ketamine.json")
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

func TestDecodeSample(t *testing.T) {
	var p page
	if err := strictjson.Decode(loadSample(t), &p, ""); err != nil {
		t.Fatal(err)
	}
	if p.Slug != "ketamine" || len(p.Content.Sections) != 6 || p.Content.Drug.Name != "Ketamine" {
		t.Errorf("decoded %+v", p)
	}
	var c content.Content
	err := strictjson.Decode([]byte(`{"title":"x","sections":[{"key":"a"},{"key":"b","Title":"t"}],"references":[{"year":1.5}]}`), &c, "content")
	want := []string{"content.sections[1].Title", "content.references[0].year"}
	got := fieldsOf(err)
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("fields %v, want %v (%v)", got, want, err)
	}
}

func fieldsOf(err error) []string {
	var e *cms.Error
	if !errors.As(err, &e) {
		return nil
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field)
	}
	return out
}

func BenchmarkDecodeSample(b *testing.B) {
	data := loadSample(b)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		var p page
		if err := strictjson.Decode(data, &p, ""); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUnmarshalSample is the baseline: plain encoding/json on the same input.
func BenchmarkUnmarshalSample(b *testing.B) {
	data := loadSample(b)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		var p page
		if err := json.Unmarshal(data, &p); err != nil {
			b.Fatal(err)
		}
	}
}
