package content

import (
	"encoding/json"
	"testing"
)

func TestRender(t *testing.T) {
	c := Content{
		Title:        " T ",
		Summary:      "Plain *not markdown*",
		Drug:         Drug{Name: "D"},
		Sections:     []Section{{Key: SectionOverview, Title: "O", Body: "**b**"}},
		ClinicalUses: []ClinicalUse{{Name: "U", Description: "<b>x</b> y", Status: UseOffLabel}},
		Disclaimer:   "See [NICE](https://nice.org.uk)",
	}
	got, err := json.Marshal(Render(c))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"title":"T","summary":"Plain *not markdown*",` +
		`"drug":{"name":"D","genericName":"","brandNames":[],"drugClasses":[],"controlledStatus":[]},` +
		`"sections":[{"key":"overview","title":"O","body":"**b**","html":"\u003cp\u003e\u003cstrong\u003eb\u003c/strong\u003e\u003c/p\u003e\n"}],` +
		`"clinicalUses":[{"name":"U","description":"\u003cb\u003ex\u003c/b\u003e y","descriptionHtml":"\u003cp\u003ex y\u003c/p\u003e\n","status":"off_label"}],` +
		`"routes":[],"sideEffects":{"common":[],"serious":[]},"patientGuidance":[],"references":[],` +
		`"disclaimer":"See [NICE](https://nice.org.uk)",` +
		`"disclaimerHtml":"\u003cp\u003eSee \u003ca href=\"https://nice.org.uk\" rel=\"nofollow noopener\"\u003eNICE\u003c/a\u003e\u003c/p\u003e\n",` +
		`"tags":[]}`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if c.Title != " T " {
		t.Error("Render changed its input")
	}
}
