package e2e

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/monograph-cms/monograph/internal/app"
	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/editorial"
)

// Review findings on translations (issue 13). These run on the embedded store by default
// and on the MongoDB adapter with MONOGRAPH_TEST_STORE=ferretdb-server.

// spanishOf creates, as the writer, a Spanish translation of src titled title.
func spanishOf(t *testing.T, tm *team, src Page, slug, title string) trPage {
	t.Helper()
	c := Content(title)
	c["summary"] = title + " en resumen: qué es y para qué se usa."
	r := tm.writer.Do(t, "POST", pagesPath+"/"+src.ID+"/translations", map[string]any{"locale": "es", "slug": slug, "content": c})
	MustStatus(t, r, 201)
	return trDecode(t, r)
}

// republished saves a change of the source's summary, has it signed and published.
func (tm *team) republished(t *testing.T, src Page, summary string) Page {
	t.Helper()
	changed := Content(src.Content["title"].(string))
	changed["summary"] = summary
	p := tm.writer.MustSave(t, src.ID, tm.writer.Page(t, src.ID).Version, changed)
	tm.writer.MustAction(t, p.ID, "submit", nil)
	tm.reviewer.Approve(t, tm.writer.Page(t, p.ID))
	return tm.editor.MustAction(t, p.ID, "publish", nil)
}

// A source's publication flags its translations outdated without touching their text: the
// working copy, the list's title and summary and the search entry stay, and a rebase after
// it carries the same text onto the new base.
func TestTranslationTextSurvivesSourcePublication(t *testing.T) {
	t.Parallel()
	_, tm := startTranslations(t)
	src := tm.published(t, "ketamine-keep", "Ketamine")
	tr := spanishOf(t, tm, src, "ketamina-keep", "Cetamina")
	before := tm.writer.Page(t, tr.ID)

	live := tm.republished(t, src, "A changed summary.")
	after := trGet(t, tm.writer, tr.ID)
	if after.Outdated == nil || !*after.Outdated {
		t.Fatalf("not outdated after the source's publication: %v", after.Outdated)
	}
	if after.Content["title"] != "Cetamina" || after.Content["summary"] != before.Content["summary"] || after.ContentHash != before.ContentHash {
		t.Fatalf("the working copy changed: title %v summary %v", after.Content["title"], after.Content["summary"])
	}
	listed := tm.writer.Do(t, "GET", pagesPath+"?locale=es", nil).JSON(t)["data"].([]any)
	if len(listed) != 1 {
		t.Fatalf("list in es: %v", listed)
	}
	if m := listed[0].(map[string]any); m["title"] != "Cetamina" || m["drugName"] != before.Content["drug"].(map[string]any)["name"] {
		t.Fatalf("the list shows title %v drug %v", m["title"], m["drugName"])
	}
	found := tm.writer.Do(t, "GET", pagesPath+"?q="+url.QueryEscape("Cetamina"), nil).JSON(t)["data"].([]any)
	if len(found) != 1 || found[0].(map[string]any)["id"] != tr.ID {
		t.Fatalf("search for the translation's title: %v", found)
	}

	r := tm.writer.Do(t, "POST", pagesPath+"/"+tr.ID+"/rebase", map[string]any{"sourceRevision": live.Revision}, ifMatchOf(after.Page)...)
	MustStatus(t, r, http.StatusOK)
	rb := trDecode(t, r)
	if rb.Content["title"] != "Cetamina" || rb.Content["summary"] != before.Content["summary"] || rb.TranslationOf.Revision != live.Revision {
		t.Fatalf("rebased revision: title %v summary %v base %+v", rb.Content["title"], rb.Content["summary"], rb.TranslationOf)
	}
}

// GET /api/v1/sync?locale=es reports the withdrawal of a Spanish page: a client mirroring
// one locale must learn that a page it holds is gone. Delivery does not know an unpublished
// page's locale, so withdrawals are reported under every locale (applying one for a slug a
// client does not hold is a no-op).
func TestSyncByLocaleReportsWithdrawals(t *testing.T) {
	t.Parallel()
	s, tm := startTranslations(t)
	src := tm.published(t, "ketamine-sync", "Ketamine")
	tr := spanishOf(t, tm, src, "ketamina-sync", "Cetamina")
	tm.writer.MustAction(t, tr.ID, "submit", nil)
	tm.reviewer2.Approve(t, tm.writer.Page(t, tr.ID))
	tm.editor.MustAction(t, tr.ID, "publish", nil)

	type change struct{ Slug, Change string }
	syncOf := func(query string) ([]change, string) {
		t.Helper()
		r := s.Anon().Do(t, "GET", "/api/v1/sync"+query, nil)
		MustStatus(t, r, 200)
		var out struct {
			Changes []change `json:"changes"`
			Next    string   `json:"next"`
		}
		r.Decode(t, &out)
		return out.Changes, out.Next
	}
	zero := base64.RawURLEncoding.EncodeToString([]byte("v1:0"))
	if got, _ := syncOf("?locale=es&since=" + zero); len(got) != 1 || got[0] != (change{"ketamina-sync", "published"}) {
		t.Fatalf("sync in es: %+v", got)
	}
	tm.editor.MustAction(t, tr.ID, "unpublish", map[string]any{"reason": "withdrawn"})
	got, _ := syncOf("?locale=es&since=" + zero)
	if len(got) != 1 || got[0] != (change{"ketamina-sync", "unpublished"}) {
		t.Fatalf("sync in es after the Spanish page's withdrawal: %+v", got)
	}
	// Live pages stay filtered by their locale.
	if got, _ := syncOf("?locale=en&since=" + zero); !slices.Contains(got, change{"ketamine-sync", "published"}) || slices.Contains(got, change{"ketamina-sync", "published"}) {
		t.Fatalf("sync in en: %+v", got)
	}
}

// liveSpanish publishes a source and its Spanish translation, signed by Ravi (en, es).
func liveSpanish(t *testing.T, tm *team, slug string) (Page, trPage) {
	t.Helper()
	src := tm.published(t, slug, "Ketamine")
	tr := spanishOf(t, tm, src, slug+"-es", "Cetamina")
	tm.writer.MustAction(t, tr.ID, "submit", nil)
	tm.reviewer2.Approve(t, tm.writer.Page(t, tr.ID))
	tm.editor.MustAction(t, tr.ID, "publish", nil)
	return src, tr
}

// exportMap returns a page's export as a JSON object, for a test to edit.
func exportMap(t *testing.T, s *Server, id string) map[string]any {
	t.Helper()
	exp, err := s.App.Pages.Export(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(exp)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func checkedOf(t *testing.T, m map[string]any) (editorial.CheckedImport, error) {
	t.Helper()
	b, _ := json.Marshal(m)
	var exp editorial.PageExport
	if err := json.Unmarshal(b, &exp); err != nil {
		t.Fatal(err)
	}
	return editorial.CheckImport(exp)
}

// The language rule is on the record: a translation's approval records its locale and the
// signer's languages; audit verify and import refuse an approval whose recorded languages
// do not cover its locale, and import checks a translation's link against the file's
// revisions and this server's locales and translations.
func TestTranslationLanguageRuleOnTheRecord(t *testing.T) {
	t.Parallel()
	s, tm := startTranslations(t)
	src, tr := liveSpanish(t, tm, "ketamine-record")
	var approve *AuditEvent
	for _, e := range tm.admin.Audit(t, tr.ID) {
		if e.Action == "approve" {
			approve = &e
		}
	}
	if approve == nil {
		t.Fatal("no approval in the translation's record")
	}
	if d := approve.DataMap(); d["locale"] != "es" || fmt.Sprint(d["languages"]) != "[en es]" {
		t.Fatalf("the approval's data %s", approve.Data)
	}

	// An approval re-recorded (and the chain re-linked) as by a reviewer reading English
	// only is refused.
	m := exportMap(t, s, tr.ID)
	for _, e := range m["audit"].([]any) {
		if ev := e.(map[string]any); ev["action"] == "approve" {
			ev["data"].(map[string]any)["languages"] = []string{"en"}
		}
	}
	fixIDs(m)
	if err := checkImport(t, s, m); err == nil || !strings.Contains(err.Error(), "whose languages [en] did not include it") {
		t.Fatalf("an approval outside the signer's languages: %v", err)
	}

	// A link whose locale is not written canonically is refused, naming it.
	m = exportMap(t, s, tr.ID)
	m["page"].(map[string]any)["translation"].(map[string]any)["locale"] = "ES"
	if _, err := checkedOf(t, m); !strings.Contains(fieldsOf(err), "page.translation.locale") {
		t.Fatalf("a link in locale ES: %v", err)
	}

	// Into a server that does not publish in Spanish, the translation is refused.
	files := []map[string]any{exportMap(t, s, src.ID), exportMap(t, s, tr.ID)}
	importInto := func(dst *Server, ms ...map[string]any) error {
		var checked []editorial.CheckedImport
		for _, m := range ms {
			c, err := checkedOf(t, m)
			if err != nil {
				t.Fatal(err)
			}
			checked = append(checked, c)
		}
		_, err := dst.App.Pages.Import(t.Context(), checked...)
		return err
	}
	enOnly := MustStart(t, WithConfig(func(c *app.Config) { c.Locales = "en" }), WithoutDemo())
	if err := importInto(enOnly, files...); !strings.Contains(fieldsOf(err), "page.translation.locale") {
		t.Fatalf("a Spanish translation into an English-only server: %v", err)
	}
	// A second translation of the same page into Spanish (another page id and slug) is
	// refused as a conflict.
	dst := MustStart(t, WithConfig(func(c *app.Config) { c.Locales = "en,es" }), WithoutDemo())
	if err := importInto(dst, files...); err != nil {
		t.Fatal(err)
	}
	again := exportMap(t, s, tr.ID)
	pg := again["page"].(map[string]any)
	pg["id"], pg["slug"] = "a2dupdupdupdupdupdup", "ketamina-otra"
	fixIDs(again)
	if err := importInto(dst, again); !cms.IsCode(err, cms.CodeConflict) || !strings.Contains(err.Error(), "translation into es") {
		t.Fatalf("a second Spanish translation imported: %v", err)
	}
}

// fieldsOf lists the fields a *cms.Error names ("" for any other error).
func fieldsOf(err error) string {
	var e *cms.Error
	if !errors.As(err, &e) {
		return ""
	}
	return fmt.Sprint(e.Fields)
}
