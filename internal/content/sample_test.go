package content

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/monograph-cms/monograph/internal/strictjson"
)

// samplePage is the shape of the sample files: a slug and the page content.
type samplePage struct {
	Slug    string  `json:"slug"`
	Content Content `json:"content"`
}

// MustSample returns the ketamine sample content, decoded strictly.
func MustSample(tb testing.TB) Content {
	tb.Helper()
	data, err := os.ReadFile("testdata/ketamine.json")
	if err != nil {
		tb.Fatal(err)
	}
	var p samplePage
	if err := strictjson.Decode(data, &p, ""); err != nil {
		tb.Fatalf("decode sample: %v", err)
	}
	return p.Content
}

// goldenKetamineHash pins the canonicalisation (checked independently with Python's
// json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False)): if this test
// fails, every stored approval hash would stop matching. Change it only together with a migration.
const goldenKetamineHash = "sha256:4f18ef86b5665b4d199d3cb609ad5566fd6132c537516d461dfca11bf7f97bcd"

func TestSample(t *testing.T) {
	c := MustSample(t)
	if err := c.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	n := c.Normalized()
	if err := n.Validate(); err != nil {
		t.Fatalf("Validate normalized: %v", err)
	}
	if got := Hash(c); got != goldenKetamineHash {
		t.Errorf("Hash = %s, want %s", got, goldenKetamineHash)
	}
	r := Render(c)
	if len(r.Sections) != 6 || !strings.HasPrefix(r.Sections[0].HTML, "<p>Ketamine is a medication") {
		t.Errorf("sections not rendered: %+v", r.Sections)
	}
	if !strings.HasPrefix(r.DisclaimerHTML, "<p>This page summarizes") || r.ClinicalUses[0].DescriptionHTML == "" {
		t.Errorf("disclaimer or use not rendered: %q", r.DisclaimerHTML)
	}
	out, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"html":`, `"descriptionHtml":`, `"disclaimerHtml":`, `"brandNames":[]`, `"references":[]`} {
		if !strings.Contains(string(out), key) {
			t.Errorf("rendered JSON lacks %s", key)
		}
	}
	got := RunChecks(c, nil)
	var ids []string
	for _, r := range got {
		ids = append(ids, r.ID)
	}
	if strings.Join(ids, ",") != "references_missing,investigational_unreferenced" {
		t.Errorf("checks = %v", ids)
	}
}
