package e2e

import (
	"strings"
	"testing"

	"github.com/monograph-cms/monograph/internal/xliff"
)

// exportXLIFF downloads the XLIFF of a source page for target and decodes it.
func exportXLIFF(tb testing.TB, c *Client, id, target string) xliff.Document {
	tb.Helper()
	r := c.Do(tb, "GET", pagesPath+"/"+id+"/xliff?target="+target, nil)
	MustStatus(tb, r, 200)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/xliff+xml") {
		tb.Fatalf("Content-Type %q", ct)
	}
	d, err := xliff.Decode(r.Body)
	if err != nil {
		tb.Fatalf("%v\n%s", err, r.Body)
	}
	return d
}

// agency is what a translation agency does with the file: every target filled in.
func agency(tb testing.TB, d xliff.Document) []byte {
	tb.Helper()
	for i, u := range d.Units {
		d.Units[i].Target, d.Units[i].HasTarget = "ES "+u.Source, true
	}
	b, err := xliff.Encode(d)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func importXLIFF(tb testing.TB, c *Client, srcID, query string, file []byte, hdr ...string) *Resp {
	tb.Helper()
	return c.Do(tb, "PUT", pagesPath+"/"+srcID+"/translations/es/xliff"+query, Raw(file), append([]string{"Content-Type", "application/xliff+xml"}, hdr...)...)
}

// Issue 13, Must show: export → a translated file → import → the translation's fields
// match; a file for an older source revision, or with a unit missing, is refused naming
// it, and nothing is written.
func TestXLIFFRoundTripAndRefusals(t *testing.T) {
	t.Parallel()
	_, tm := startTranslations(t)
	content := Content("Ketamine")
	content["sections"] = []any{
		map[string]any{"key": "overview", "title": "What is it?", "body": "It is **used** in <anaesthesia> & sedation.\n\n- one\n- two"},
		map[string]any{"key": "side_effects", "title": "Side effects", "body": "Nausea."},
	}
	src := tm.writer.Create(t, "xliff-source", content)
	tm.writer.MustAction(t, src.ID, "submit", nil)
	tm.reviewer.Approve(t, tm.writer.Page(t, src.ID))
	src = tm.editor.MustAction(t, src.ID, "publish", nil)

	doc := exportXLIFF(t, tm.writer, src.ID, "es")
	if doc.SrcLang != "en" || doc.TrgLang != "es" || len(doc.Units) < 10 {
		t.Fatalf("export %+v", doc)
	}
	var body string
	for _, u := range doc.Units {
		if u.ID == "content.sections[0].body" {
			body = u.Source
		}
	}
	if body != "It is **used** in <anaesthesia> & sedation.\n\n- one\n- two" {
		t.Fatalf("Markdown not intact: %q", body)
	}
	file := agency(t, doc)
	// Without ?slug= there is nowhere to create it.
	MustProblem(t, importXLIFF(t, tm.writer, src.ID, "", file), 400, "invalid", "slug")
	r := importXLIFF(t, tm.writer, src.ID, "?slug=ketamina-xliff", file)
	MustStatus(t, r, 201)
	tr := trDecode(t, r)
	sections := tr.Content["sections"].([]any)
	if tr.Content["title"] != "ES Ketamine" || sections[0].(map[string]any)["body"] != "ES It is **used** in <anaesthesia> & sedation.\n\n- one\n- two" ||
		sections[0].(map[string]any)["key"] != "overview" || tr.TranslationOf.Revision != src.Revision || tr.Locale != "es" {
		t.Fatalf("imported translation %s", r.Body)
	}

	// An update: the export carries the translation's text; one target changes.
	again := exportXLIFF(t, tm.writer, src.ID, "es")
	for i, u := range again.Units {
		if !u.HasTarget || u.Target != "ES "+u.Source {
			t.Fatalf("unit %s exported without the translation's text: %+v", u.ID, u)
		}
		if u.ID == "content.summary" {
			again.Units[i].Target = "Un resumen."
		}
	}
	upd, _ := xliff.Encode(again)
	MustStatus(t, importXLIFF(t, tm.writer, src.ID, "", upd), 428)
	cur := tm.writer.Page(t, tr.ID)
	r = importXLIFF(t, tm.writer, src.ID, "", upd, ifMatchOf(cur)...)
	MustStatus(t, r, 200)
	if p := trDecode(t, r); p.Revision != cur.Revision+1 || p.Content["summary"] != "Un resumen." {
		t.Fatalf("updated translation %s", r.Body)
	}

	// A unit missing: refused naming it, nothing written.
	cur = tm.writer.Page(t, tr.ID)
	missing := exportXLIFF(t, tm.writer, src.ID, "es")
	missing.Units = missing.Units[1:]
	b, _ := xliff.Encode(missing)
	MustProblem(t, importXLIFF(t, tm.writer, src.ID, "", b, ifMatchOf(cur)...), 422, "xliff_mismatch", "content.title")

	// The source moves on: a file made from the older revision is refused.
	changed := clone(content)
	changed["summary"] = "A changed summary."
	p := tm.writer.MustSave(t, src.ID, tm.writer.Page(t, src.ID).Version, changed)
	tm.writer.MustAction(t, p.ID, "submit", nil)
	tm.reviewer.Approve(t, tm.writer.Page(t, p.ID))
	tm.editor.MustAction(t, p.ID, "publish", nil)
	cur = tm.writer.Page(t, tr.ID) // outdated by the publication
	MustProblem(t, importXLIFF(t, tm.writer, src.ID, "", upd, ifMatchOf(cur)...), 422, "xliff_mismatch", "xliff.file.original")
	if after := tm.writer.Page(t, tr.ID); after.Version != cur.Version || after.Revision != cur.Revision {
		t.Fatalf("a refused file wrote: version %d→%d", cur.Version, after.Version)
	}
	// A file of the new revision rebases the translation onto it.
	r = importXLIFF(t, tm.writer, src.ID, "", agency(t, exportXLIFF(t, tm.writer, src.ID, "es")), ifMatchOf(cur)...)
	MustStatus(t, r, 200)
	if p := trDecode(t, r); p.TranslationOf.Revision != src.Revision+1 || p.Outdated == nil || *p.Outdated {
		t.Fatalf("imported onto the new revision %s", r.Body)
	}
}
