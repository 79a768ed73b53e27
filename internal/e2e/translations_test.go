package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/app"
	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/strictjson"
)

// trPage is the page JSON with the translation members.
type trPage struct {
	Page
	Locale        string `json:"locale"`
	TranslationOf *struct {
		ID          string `json:"id"`
		Revision    int    `json:"revision"`
		ContentHash string `json:"contentHash"`
	} `json:"translationOf"`
	Outdated     *bool `json:"outdated"`
	Translations []struct {
		ID       string `json:"id"`
		Locale   string `json:"locale"`
		Slug     string `json:"slug"`
		State    string `json:"state"`
		Outdated bool   `json:"outdated"`
	} `json:"translations"`
	Actions []struct {
		Action  string `json:"action"`
		Allowed bool   `json:"allowed"`
		Reason  string `json:"reason"`
	} `json:"actions"`
}

// deliveredPage is the delivery JSON's translation members.
type deliveredPage struct {
	Slug        string `json:"slug"`
	Title       string `json:"title"`
	Locale      string `json:"locale"`
	Dir         string `json:"dir"`
	Translation *struct {
		SourceLocale     string    `json:"sourceLocale"`
		SourceSlug       string    `json:"sourceSlug"`
		Outdated         bool      `json:"outdated"`
		SourceReviewedAt time.Time `json:"sourceReviewedAt"`
	} `json:"translation"`
	Translations []map[string]string `json:"translations"`
}

func trGet(tb testing.TB, c *Client, id string) trPage {
	tb.Helper()
	r := c.Do(tb, "GET", pagesPath+"/"+id, nil)
	MustStatus(tb, r, 200)
	var p trPage
	r.Decode(tb, &p)
	return p
}

func trDecode(tb testing.TB, r *Resp) trPage {
	tb.Helper()
	var p trPage
	r.Decode(tb, &p)
	return p
}

func ifMatchOf(p Page) []string { return []string{"If-Match", `"` + strconv.Itoa(p.Version) + `"`} }

// startTranslations boots a server publishing in en, es and ar, with Ravi Reviewer reading
// English and Spanish and Rosa Reviewer English only.
func startTranslations(t *testing.T) (*Server, *team) {
	t.Helper()
	s := MustStart(t, WithConfig(func(c *app.Config) { c.Locales = "en,es,ar"; c.WebhookAllowPrivate = true }))
	tm := signIn(t, s)
	MustStatus(t, tm.admin.Do(t, "PATCH", "/api/v1/manage/users/"+tm.reviewer2.User.ID, map[string]any{"languages": []string{"es", "en"}}), 200)
	MustStatus(t, tm.admin.Do(t, "PATCH", "/api/v1/manage/users/"+tm.reviewer.User.ID, map[string]any{"languages": []string{"en"}}), 200)
	return s, tm
}

// Issue 13, Must show: a Spanish translation of a live page, refused to a reviewer without
// Spanish and signed by one with it, live with hreflang partners on both pages; the source
// re-approved with a change and published → the translation is outdated, the webhook fires
// once, the source-diff is exactly the change; rebase and re-sign clear it.
func TestTranslationSignedOutdatedAndRebased(t *testing.T) {
	t.Parallel()
	s, tm := startTranslations(t)
	rcv := newWhReceiver(t, func(int, *http.Request) int { return 204 })
	whID, _ := whRegister(t, tm.admin, rcv.srv.URL, editorial.EventTranslationOutdated)

	// The locales, publicly.
	loc := s.Anon().Do(t, "GET", "/api/v1/locales", nil).JSON(t)
	if fmt.Sprint(loc["source"]) != "en" || fmt.Sprint(loc["locales"]) != "[map[dir:ltr tag:en] map[dir:ltr tag:es] map[dir:rtl tag:ar]]" {
		t.Fatalf("locales %v", loc)
	}
	// Languages are checked against the configured locales.
	MustProblem(t, tm.admin.Do(t, "PATCH", "/api/v1/manage/users/"+tm.reviewer.User.ID, map[string]any{"languages": []string{"fr"}}), 400, "invalid", "languages[0]")

	src := tm.published(t, "ketamine-tr", "Ketamine")
	es := Content("Ketamina")
	es["translationOf"] = map[string]any{"page": "forged", "locale": "es", "revision": 99, "contentHash": "sha256:00"}
	r := tm.writer.Do(t, "POST", pagesPath+"/"+src.ID+"/translations", map[string]any{"locale": "es", "slug": "ketamina", "content": es})
	MustStatus(t, r, 201)
	tr := trDecode(t, r)
	if tr.Locale != "es" || tr.TranslationOf == nil || tr.TranslationOf.ID != src.ID || tr.TranslationOf.Revision != src.Revision ||
		tr.TranslationOf.ContentHash != src.ContentHash || tr.Outdated == nil || *tr.Outdated {
		t.Fatalf("translation JSON %s", r.Body)
	}
	if got := tr.Content["translationOf"].(map[string]any); got["page"] != src.ID || got["contentHash"] != src.ContentHash {
		t.Fatalf("the content names %v, not the source: a client forged it", got)
	}
	MustProblem(t, tm.writer.Do(t, "POST", pagesPath+"/"+src.ID+"/translations", map[string]any{"locale": "es", "slug": "ketamina-2", "content": Content("Otra")}), 409, "conflict", "locale")
	MustProblem(t, tm.writer.Do(t, "POST", pagesPath+"/"+src.ID+"/translations", map[string]any{"locale": "en", "slug": "ketamine-en", "content": Content("K")}), 400, "invalid", "locale")
	if got := trGet(t, tm.writer, src.ID); got.Locale != "en" || len(got.Translations) != 1 || got.Translations[0].Slug != "ketamina" {
		t.Fatalf("source's translations %+v", got.Translations)
	}

	tm.writer.MustAction(t, tr.ID, "submit", nil)
	// Rosa reads no Spanish: the actions say so, and her signature is refused.
	for _, a := range trGet(t, tm.reviewer, tr.ID).Actions {
		if a.Action == "approve" && (a.Allowed || a.Reason != "language_not_covered") {
			t.Fatalf("approve for Rosa: %+v", a)
		}
	}
	cur := tm.writer.Page(t, tr.ID)
	MustProblem(t, tm.reviewer.Action(t, tr.ID, "approve", map[string]any{"revision": cur.Revision, "password": app.DemoPassword}), 422, "language_not_covered", "")
	tm.reviewer2.Approve(t, cur)
	tm.editor.MustAction(t, tr.ID, "publish", nil)

	// Live with hreflang partners on both pages.
	d := deliveredOf(t, s, "ketamina", "es")
	if d.Locale != "es" || d.Dir != "ltr" || d.Translation == nil || d.Translation.SourceSlug != "ketamine-tr" ||
		d.Translation.SourceLocale != "en" || d.Translation.Outdated || d.Translation.SourceReviewedAt.IsZero() ||
		fmt.Sprint(d.Translations) != "[map[locale:en slug:ketamine-tr]]" {
		t.Fatalf("delivered translation %+v", d)
	}
	if d := deliveredOf(t, s, "ketamine-tr", "en"); d.Translation != nil || fmt.Sprint(d.Translations) != "[map[locale:es slug:ketamina]]" {
		t.Fatalf("delivered source %+v", d)
	}
	ld := s.Anon().Do(t, "GET", "/api/v1/pages/ketamina?format=jsonld", nil).JSON(t)
	if ld["inLanguage"] != "es" || fmt.Sprint(ld["translationOfWork"]) != "map[@type:MedicalWebPage inLanguage:en url:/ketamine-tr]" {
		t.Fatalf("JSON-LD %v", ld)
	}
	if list := s.Anon().Do(t, "GET", "/api/v1/pages?locale=es", nil).JSON(t)["data"].([]any); len(list) != 1 || list[0].(map[string]any)["slug"] != "ketamina" {
		t.Fatalf("list in es: %v", list)
	}

	// The source is re-approved with a change and published.
	changed := Content("Ketamine")
	changed["summary"] = "A changed summary."
	p := tm.writer.MustSave(t, src.ID, tm.writer.Page(t, src.ID).Version, changed)
	tm.writer.MustAction(t, p.ID, "submit", nil)
	p = tm.reviewer.Approve(t, tm.writer.Page(t, p.ID))
	srcLive := tm.editor.MustAction(t, p.ID, "publish", nil)

	tr = trGet(t, tm.writer, tr.ID)
	if tr.Outdated == nil || !*tr.Outdated {
		t.Fatalf("translation not outdated after the source moved: %+v", tr.Outdated)
	}
	listed := tm.writer.Do(t, "GET", pagesPath+"?locale=es&outdated=true", nil).JSON(t)["data"].([]any)
	if len(listed) != 1 || listed[0].(map[string]any)["id"] != tr.ID {
		t.Fatalf("outdated list %v", listed)
	}
	if d := deliveredOf(t, s, "ketamina", "es"); d.Translation == nil || !d.Translation.Outdated {
		t.Fatalf("delivery does not say outdated: %+v", d.Translation)
	}
	var outdatedEvents int
	for _, e := range tm.admin.Audit(t, tr.ID) {
		if e.Action == "translation_outdated" {
			outdatedEvents++
			if e.DataMap()["sourceRevision"] != float64(srcLive.Revision) {
				t.Errorf("audit event data %s", e.Data)
			}
		}
	}
	if outdatedEvents != 1 {
		t.Fatalf("%d translation_outdated events", outdatedEvents)
	}
	diff := tm.writer.Do(t, "GET", pagesPath+"/"+tr.ID+"/source-diff", nil)
	MustStatus(t, diff, 200)
	var dr struct {
		From, To int
		Changes  []struct {
			Field string `json:"field"`
		} `json:"changes"`
	}
	diff.Decode(t, &dr)
	if dr.From != src.Revision || dr.To != srcLive.Revision || len(dr.Changes) != 1 || dr.Changes[0].Field != "summary" {
		t.Fatalf("source-diff %s", diff.Body)
	}
	// The webhook fires once, and not again when nothing changes in the source.
	eventually(t, 20*time.Second, func() error {
		if n := len(rcv.requests()); n != 1 {
			return fmt.Errorf("%d webhook requests", n)
		}
		return nil
	})
	if ds := whDeliveries(t, tm.admin, whID); len(ds) != 1 || ds[0].Event != editorial.EventTranslationOutdated || ds[0].Slug != "ketamina" || ds[0].Revision != tr.Live.Revision {
		t.Fatalf("deliveries %+v", ds)
	}

	// Rebase: a new revision that needs a new signature; then the translation is current.
	cur = tm.writer.Page(t, tr.ID)
	MustStatus(t, tm.writer.Do(t, "POST", pagesPath+"/"+tr.ID+"/rebase", map[string]any{"sourceRevision": srcLive.Revision}, "If-Match", `"1"`), 412)
	r = tm.writer.Do(t, "POST", pagesPath+"/"+tr.ID+"/rebase", map[string]any{"sourceRevision": srcLive.Revision}, ifMatchOf(cur)...)
	MustStatus(t, r, 200)
	rb := trDecode(t, r)
	if rb.State != "draft" || rb.Revision != cur.Revision+1 || rb.TranslationOf.Revision != srcLive.Revision || *rb.Outdated {
		t.Fatalf("rebased %s", r.Body)
	}
	tm.writer.MustAction(t, tr.ID, "submit", nil)
	tm.reviewer2.Approve(t, tm.writer.Page(t, tr.ID))
	tm.editor.MustAction(t, tr.ID, "publish", nil)
	if d := deliveredOf(t, s, "ketamina", "es"); d.Translation == nil || d.Translation.Outdated {
		t.Fatalf("still outdated after rebase and sign-off: %+v", d.Translation)
	}
	time.Sleep(300 * time.Millisecond)
	if n := len(rcv.requests()); n != 1 {
		t.Fatalf("%d webhook requests after the rebase", n)
	}

	// Unpublishing the source takes the translation off delivery too.
	tm.editor.MustAction(t, src.ID, "unpublish", map[string]any{"reason": "withdrawn"})
	if r := s.Anon().Do(t, "GET", "/api/v1/pages/ketamina", nil); r.Status == 200 {
		t.Fatalf("translation of an unpublished source served: %s", r)
	}
}

// A translation is never served while its source has never been live, nor before it is
// itself signed and published.
func TestTranslationNotServedWithoutLiveSourceOrSignature(t *testing.T) {
	t.Parallel()
	s, tm := startTranslations(t)
	src := tm.writer.Create(t, "draft-source", Content("Draftamine"))
	r := tm.writer.Do(t, "POST", pagesPath+"/"+src.ID+"/translations", map[string]any{"locale": "ar", "slug": "draft-ar", "content": Content("مسودة")})
	MustStatus(t, r, 201)
	tr := trDecode(t, r)
	MustStatus(t, s.Anon().Do(t, "GET", "/api/v1/pages/draft-ar", nil), 404)
	MustStatus(t, tm.admin.Do(t, "PATCH", "/api/v1/manage/users/"+tm.reviewer2.User.ID, map[string]any{"languages": []string{"ar"}}), 200)
	tm.writer.MustAction(t, tr.ID, "submit", nil)
	tm.reviewer2.Approve(t, tm.writer.Page(t, tr.ID))
	tm.editor.MustAction(t, tr.ID, "publish", nil)
	if r := s.Anon().Do(t, "GET", "/api/v1/pages/draft-ar", nil); r.Status == 200 {
		t.Fatalf("translation of a never-published source served: %s", r)
	}
	if list := s.Anon().Do(t, "GET", "/api/v1/pages?locale=ar", nil).JSON(t)["data"].([]any); len(list) != 0 {
		t.Fatalf("listed: %v", list)
	}
	// Once the source is live, the signed translation is served, right to left.
	tm.writer.MustAction(t, src.ID, "submit", nil)
	tm.reviewer.Approve(t, tm.writer.Page(t, src.ID))
	tm.editor.MustAction(t, src.ID, "publish", nil)
	d := deliveredOf(t, s, "draft-ar", "ar")
	if d.Dir != "rtl" || d.Translation == nil || d.Translation.SourceSlug != "draft-source" {
		t.Fatalf("delivered %+v", d)
	}
	// A saved but unsigned change of the translation is not served: the signed text stays.
	next := Content("نص غير موقع")
	tm.writer.MustSave(t, tr.ID, tm.writer.Page(t, tr.ID).Version, next)
	if d := deliveredOf(t, s, "draft-ar", "ar"); d.Title != "مسودة" {
		t.Fatalf("unsigned text served: %q", d.Title)
	}
}

// deliveredOf GETs a live page from delivery, checking its Content-Language.
func deliveredOf(tb testing.TB, s *Server, slug, lang string) deliveredPage {
	tb.Helper()
	r := s.Anon().Do(tb, "GET", "/api/v1/pages/"+slug, nil)
	MustStatus(tb, r, 200)
	if got := r.Header.Get("Content-Language"); got != lang {
		tb.Fatalf("Content-Language %q, want %q", got, lang)
	}
	var d deliveredPage
	if err := json.Unmarshal(r.Body, &d); err != nil {
		tb.Fatal(err)
	}
	if d.Locale != lang {
		tb.Fatalf("locale %q, want %q", d.Locale, lang)
	}
	return d
}

// Export and import carry a translation and its link: the file is verified like any page's
// (a link that does not say what the signed revision says is refused), and the imported
// translation is served beside its imported source.
func TestTranslationExportImport(t *testing.T) {
	t.Parallel()
	s, tm := startTranslations(t)
	src := tm.published(t, "exported-source", "Exportamine")
	r := tm.writer.Do(t, "POST", pagesPath+"/"+src.ID+"/translations", map[string]any{"locale": "es", "slug": "exportamina", "content": Content("Exportamina")})
	MustStatus(t, r, 201)
	tr := trDecode(t, r)
	tm.writer.MustAction(t, tr.ID, "submit", nil)
	tm.reviewer2.Approve(t, tm.writer.Page(t, tr.ID))
	tm.editor.MustAction(t, tr.ID, "publish", nil)

	ctx := t.Context()
	var files [][]byte
	for _, id := range []string{src.ID, tr.ID} {
		exp, err := s.App.Pages.Export(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(exp)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, b)
	}
	read := func(b []byte) editorial.PageExport {
		var exp editorial.PageExport
		if err := strictjson.Decode(b, &exp, ""); err != nil {
			t.Fatal(err)
		}
		return exp
	}
	// A link edited in the file is refused.
	forged := read(files[1])
	forged.Page.Translation.Revision++
	if _, err := editorial.CheckImport(forged); err == nil || !strings.Contains(err.Error(), "translation link") {
		t.Fatalf("an edited translation link: %v", err)
	}

	dst := MustStart(t, WithConfig(func(c *app.Config) { c.Locales = "en,es" }), WithoutDemo())
	var checked []editorial.CheckedImport
	for _, b := range files {
		c, err := editorial.CheckImport(read(b))
		if err != nil {
			t.Fatal(err)
		}
		checked = append(checked, c)
	}
	if n, err := dst.App.Pages.Import(ctx, checked...); err != nil || n != 2 {
		t.Fatalf("import: %d %v", n, err)
	}
	got, err := dst.App.Pages.Get(ctx, tr.ID)
	if err != nil || got.Translation == nil || got.Translation.Source != src.ID || got.Translation.Locale != "es" {
		t.Fatalf("imported link %+v %v", got.Translation, err)
	}
	d := deliveredOf(t, dst, "exportamina", "es")
	if d.Translation == nil || d.Translation.SourceSlug != "exported-source" || fmt.Sprint(d.Translations) != "[map[locale:en slug:exported-source]]" {
		t.Fatalf("imported translation delivered as %+v", d)
	}
}

// The demo (--demo publishes in en and es) ships the ketamine page's Spanish translation,
// signed by its Spanish-speaking reviewer.
func TestDemoSpanishTranslation(t *testing.T) {
	t.Parallel()
	s := MustStart(t, WithConfig(func(c *app.Config) { c.Demo = true }))
	r := s.Anon().Do(t, "GET", "/api/v1/pages/ketamina", nil)
	MustStatus(t, r, 200)
	var d struct {
		deliveredPage
		MedicalReview struct {
			Reviewer struct {
				Name string `json:"name"`
			} `json:"reviewer"`
		} `json:"medicalReview"`
	}
	r.Decode(t, &d)
	if d.Locale != "es" || d.Translation == nil || d.Translation.SourceSlug != "ketamine" || d.Translation.Outdated ||
		d.MedicalReview.Reviewer.Name != app.DemoTranslationReviewer.Name {
		t.Fatalf("demo translation %s", r.Body)
	}
	if src := deliveredOf(t, s, "ketamine", "en"); fmt.Sprint(src.Translations) != "[map[locale:es slug:ketamina]]" {
		t.Fatalf("ketamine's translations %v", src.Translations)
	}
	rocio := s.Login(t, app.DemoTranslationReviewer.Email)
	if me := rocio.Do(t, "GET", "/api/v1/auth/me", nil).JSON(t); fmt.Sprint(me["languages"]) != "[en es]" {
		t.Fatalf("languages %v", me["languages"])
	}
}
