package strictjson_test

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/content"
	"github.com/monograph-cms/monograph/internal/strictjson"
)

// exportRevision and exportDoc are shaped like an export file (editorial.PageExport): a
// few page members and a "revisions" array whose items carry a full page content.
type exportRevision struct {
	Number    int             `json:"number"`
	Author    string          `json:"author"`
	CreatedAt time.Time       `json:"createdAt"`
	Hash      string          `json:"hash"`
	Content   content.Content `json:"content"`
}

type exportEvent struct {
	Seq      int             `json:"seq"`
	At       time.Time       `json:"at"`
	Actor    string          `json:"actor"`
	Action   string          `json:"action"`
	Revision int             `json:"revision"`
	Data     json.RawMessage `json:"data"`
	Hash     string          `json:"hash"`
}

type exportDoc struct {
	Format    string           `json:"format"`
	Page      json.RawMessage  `json:"page"`
	Revisions []exportRevision `json:"revisions"`
	Audit     []exportEvent    `json:"audit"`
}

// loadPageSample is the samples/ file as imported: {"slug", "content"}.
func loadPageSample(tb testing.TB) []byte {
	tb.Helper()
	data, err := os.ReadFile("../app/samples/ketamine.json")
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// syntheticExport builds an export-shaped document of about 130 KB: 20 revisions of the
// sample content and 60 audit events, indented as monograph export writes it.
func syntheticExport(tb testing.TB) []byte {
	tb.Helper()
	var p page
	if err := json.Unmarshal(loadPageSample(tb), &p); err != nil {
		tb.Fatal(err)
	}
	exp := exportDoc{
		Format: "monograph-page-export/1",
		Page:   json.RawMessage(`{"id":"p1","slug":"ketamine","state":"published","liveRevision":20}`),
	}
	at := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	for i := range 20 {
		exp.Revisions = append(exp.Revisions, exportRevision{
			Number:    i + 1,
			Author:    "u_0123456789abcdef",
			CreatedAt: at.Add(time.Duration(i) * time.Hour),
			Hash:      "sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0",
			Content:   p.Content,
		})
	}
	for i := range 60 {
		exp.Audit = append(exp.Audit, exportEvent{
			Seq:      i + 1,
			At:       at.Add(time.Duration(i) * time.Minute),
			Actor:    "u_0123456789abcdef",
			Action:   "revision.created",
			Revision: i/3 + 1,
			Data:     json.RawMessage(`{"note":"edited the overview","sections":["overview","risks"]}`),
			Hash:     "sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0",
		})
	}
	data, err := json.MarshalIndent(exp, "", "  ")
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

func BenchmarkDecodePage(b *testing.B) {
	data := loadPageSample(b)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		var p page
		if err := strictjson.Decode(data, &p, ""); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeExport(b *testing.B) {
	data := syntheticExport(b)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		var e exportDoc
		if err := strictjson.Decode(data, &e, ""); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeExportNonZero decodes into a value that is not zero, which Decode leaves
// to json.Unmarshal after the walk (the path of types the fill does not cover).
func BenchmarkDecodeExportNonZero(b *testing.B) {
	data := syntheticExport(b)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		e := exportDoc{Format: "x"}
		if err := strictjson.Decode(data, &e, ""); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUnmarshalExport is plain encoding/json: plain encoding/json on the same input.
func BenchmarkUnmarshalExport(b *testing.B) {
	data := syntheticExport(b)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		var e exportDoc
		if err := json.Unmarshal(data, &e); err != nil {
			b.Fatal(err)
		}
	}
}

func TestSyntheticExportSize(t *testing.T) {
	n := len(syntheticExport(t))
	if n < 120_000 || n > 150_000 {
		t.Errorf("synthetic export is %d bytes, want about 130 KB", n)
	}
}
