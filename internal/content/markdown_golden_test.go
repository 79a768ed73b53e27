package content

import (
	"encoding/json"
	"flag"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestRenderGolden pins the HTML of the ketamine sample and of a tour of the Markdown
// writers use: the rendering is what a reviewer signed off, so any change to it (a goldmark
// upgrade, a parser limit) must show up here as a diff to read, not pass unnoticed.
func TestRenderGolden(t *testing.T) {
	sample, err := json.MarshalIndent(Render(MustSample(t)), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	tour, err := os.ReadFile("testdata/markdown_features.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range []struct{ file, got string }{
		{"testdata/ketamine.rendered.json", string(sample) + "\n"},
		{"testdata/markdown_features.html", RenderMarkdown(string(tour))},
	} {
		if *update {
			if err := os.WriteFile(g.file, []byte(g.got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(g.file)
		if err != nil {
			t.Fatal(err)
		}
		if g.got != string(want) {
			t.Errorf("%s differs from the rendering:\n%s", g.file, g.got)
		}
	}
}
