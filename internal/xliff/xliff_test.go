package xliff

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/monograph-cms/monograph/internal/content"
)

func sample() content.Content {
	return content.Content{
		Title: "Ketamine", Summary: "An anaesthetic & antidepressant.",
		Drug: content.Drug{Name: "Ketamine", GenericName: "ketamine hydrochloride", BrandNames: []string{"Ketalar"},
			DrugClasses: []string{"NMDA receptor antagonist"}, ControlledStatus: []content.ControlledStatus{{Jurisdiction: "US", Schedule: "CIII"}}},
		Sections: []content.Section{
			{Key: "overview", Title: "What is it?", Body: "It is **used** in <anaesthesia>.\n\n- one\n- two & three\n\n```\ncode < x\n```"},
			{Key: "mechanism", Title: "How it works", Body: "Blocks [NMDA](https://example.org/nmda)."},
		},
		ClinicalUses:    []content.ClinicalUse{{Name: "Sedation", Description: "Procedural *sedation*.", Status: "approved"}},
		Routes:          []string{"intravenous"},
		SideEffects:     content.SideEffects{Common: []string{"nausea"}, Serious: []string{"laryngospasm"}},
		PatientGuidance: []string{"Ask a clinician."},
		References:      []content.Reference{{Title: "A study", URL: "https://example.org/s", Publisher: "J", Year: 2020}},
		Disclaimer:      "For education only.",
		Tags:            []string{"anesthesia"},
	}
}

// translate makes the translated file a CAT tool would return: every target filled.
func translate(units []Unit) []Unit {
	out := make([]Unit, len(units))
	for i, u := range units {
		out[i] = u
		out[i].Target, out[i].HasTarget = "ES "+u.Source, true
	}
	return out
}

func TestRoundTripKeepsMarkdownAndPaths(t *testing.T) {
	src := sample()
	units := Units(src, nil)
	var ids []string
	for _, u := range units {
		ids = append(ids, u.ID)
	}
	for _, want := range []string{"content.title", "content.sections[0].body", "content.sections[1].title", "content.clinicalUses[0].description",
		"content.drug.brandNames[0]", "content.references[0].title", "content.disclaimer"} {
		if !strings.Contains(strings.Join(ids, " "), want) {
			t.Fatalf("no unit %s in %v", want, ids)
		}
	}
	doc := Document{SrcLang: "en", TrgLang: "es", Original: "monograph:page/p1/revision/3", Units: translate(units)}
	b, err := Encode(doc)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(`<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.1" srcLang="en" trgLang="es">`)) ||
		!bytes.Contains(b, []byte(`<unit id="content.sections[0].body">`)) {
		t.Fatalf("document:\n%s", b)
	}
	got, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, doc) {
		t.Fatalf("round trip:\n%+v\nwant\n%+v", got, doc)
	}
	tr, bad := Apply(src, got.Units)
	if bad != nil {
		t.Fatal(bad)
	}
	if tr.Sections[0].Body != "ES "+src.Sections[0].Body || tr.Sections[0].Key != "overview" || tr.References[0].URL != src.References[0].URL ||
		tr.ClinicalUses[0].Status != "approved" || tr.Drug.ControlledStatus[0].Schedule != "CIII" {
		t.Fatalf("applied: %+v", tr)
	}
	if src.Sections[0].Body == tr.Sections[0].Body {
		t.Fatal("Apply changed the source")
	}
}

func TestApplyNamesEveryMismatch(t *testing.T) {
	src := sample()
	units := translate(Units(src, nil))
	units = units[1:]                                                                                      // content.title missing
	units[0].Source = "Another summary."                                                                   // made from other text
	units[1].HasTarget = false                                                                             // not translated
	units = append(units, Unit{ID: "content.sections[9].body", Source: "x", Target: "y", HasTarget: true}) // unknown
	_, bad := Apply(src, units)
	got := map[string]bool{}
	for _, m := range bad {
		got[m.Unit] = true
	}
	for _, want := range []string{"content.title", "content.summary", "content.drug.name", "content.sections[9].body"} {
		if !got[want] {
			t.Errorf("no mismatch for %s in %+v", want, bad)
		}
	}
}

func TestDecodeRefuses(t *testing.T) {
	head := `<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.1" srcLang="en" trgLang="es">`
	for name, doc := range map[string]string{
		"not xml":        "hello",
		"xliff 1.2":      `<xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2"><file/></xliff>`,
		"two files":      head + `<file id="a"/><file id="b"/></xliff>`,
		"duplicate unit": head + `<file id="f"><unit id="u"><segment><source>a</source></segment></unit><unit id="u"><segment><source>a</source></segment></unit></file></xliff>`,
		"inline markup":  head + `<file id="f"><unit id="u"><segment><source>a<ph id="1"/></source></segment></unit></file></xliff>`,
		"two segments":   head + `<file id="f"><unit id="u"><segment><source>a</source></segment><segment><source>b</source></segment></unit></file></xliff>`,
		"trailing":       head + `<file id="f"/></xliff><xliff/>`,
		"entity":         `<!DOCTYPE x [<!ENTITY e "boom">]>` + head + `<file id="f"><unit id="u"><segment><source>&e;</source></segment></unit></file></xliff>`,
	} {
		if _, err := Decode([]byte(doc)); !errors.As(err, new(*Error)) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// A page's own alt text and caption of an image are translated; the asset is kept.
func TestImageTextIsTranslated(t *testing.T) {
	src := sample()
	src.Images = []content.Image{{Asset: "abcdefghijklmnopqrst", Alt: "A vial", Caption: "Ketamine vial"}}
	units := translate(Units(src, nil))
	tr, bad := Apply(src, units)
	if bad != nil {
		t.Fatal(bad)
	}
	if tr.Images[0].Asset != "abcdefghijklmnopqrst" || tr.Images[0].Alt != "ES A vial" || tr.Images[0].Caption != "ES Ketamine vial" || src.Images[0].Alt != "A vial" {
		t.Fatalf("images %+v (source %+v)", tr.Images, src.Images)
	}
}

// A segment with two targets (or two sources) is refused naming the unit: keeping either
// would silently drop the other's text.
func TestDecodeRefusesDuplicateSourceOrTarget(t *testing.T) {
	head := `<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.1" srcLang="en" trgLang="es"><file id="f">`
	for name, seg := range map[string]string{
		"two targets": `<source>a</source><target>uno</target><target>dos</target>`,
		"two sources": `<source>a</source><source>b</source><target>uno</target>`,
	} {
		_, err := Decode([]byte(head + `<unit id="content.title"><segment>` + seg + `</segment></unit></file></xliff>`))
		var e *Error
		if !errors.As(err, &e) || !strings.Contains(e.Reason, "content.title") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
