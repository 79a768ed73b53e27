package delivery

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/content"
	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/locale"
)

// translationPage returns a live translation of src into loc, rendering src's live text
// (or base, when given) as its signed content says.
func translationPage(id, slug, loc string, src testPage, base string, rev int, at time.Time) testPage {
	if base == "" {
		base = src.Workflow.Live.ContentHash
	}
	c := sampleContent(slug)
	c.TranslationOf = &content.TranslationOf{Page: src.ID, Locale: loc, Revision: 1, ContentHash: base}
	p := livePage(id, slug, c, rev, at, t0.AddDate(1, 0, 0))
	p.Translation = &editorial.TranslationLink{Source: src.ID, Locale: loc, Revision: 1, ContentHash: base}
	p.LiveSnapshot.TranslationOf = c.TranslationOf
	return p
}

type deliveredTr struct {
	Locale      string `json:"locale"`
	Dir         string `json:"dir"`
	Translation *struct {
		SourceLocale string `json:"sourceLocale"`
		SourceSlug   string `json:"sourceSlug"`
		Outdated     bool   `json:"outdated"`
	} `json:"translation"`
	Translations []sibling `json:"translations"`
}

func (f *fixture) delivered(t *testing.T, slug string) (deliveredTr, int, string) {
	t.Helper()
	w := f.get(t, "GET", "/api/v1/pages/"+slug)
	var d deliveredTr
	if w.Code == 200 {
		if err := json.Unmarshal(w.Body.Bytes(), &d); err != nil {
			t.Fatal(err)
		}
	}
	return d, w.Code, w.Header().Get("Content-Language")
}

func TestTranslationsLinkedHiddenAndOutdated(t *testing.T) {
	f := newFixtureWith(t, func(c *Config) { c.Locales = locale.MustParse("en,es,ar") })
	src := f.publish(livePage("src", "ketamine", sampleContent("ketamine"), 1, t0, t0.AddDate(1, 0, 0)))
	es := f.publish(translationPage("es", "ketamina", "es", src, "", 1, t0.Add(time.Minute)))
	ar := f.publish(translationPage("ar", "ketamin-ar", "ar", src, "", 1, t0.Add(2*time.Minute)))

	d, code, lang := f.delivered(t, "ketamina")
	if code != 200 || lang != "es" || d.Locale != "es" || d.Dir != "ltr" || d.Translation == nil || d.Translation.SourceSlug != "ketamine" ||
		d.Translation.Outdated || fmt.Sprint(d.Translations) != "[{en ketamine} {ar ketamin-ar}]" {
		t.Fatalf("es: %d %q %+v", code, lang, d)
	}
	if d, _, _ := f.delivered(t, "ketamin-ar"); d.Dir != "rtl" {
		t.Fatalf("ar dir %q", d.Dir)
	}
	if d, _, lang := f.delivered(t, "ketamine"); lang != "en" || d.Translation != nil || fmt.Sprint(d.Translations) != "[{ar ketamin-ar} {es ketamina}]" {
		t.Fatalf("source: %+v", d)
	}
	ld := f.get(t, "GET", "/api/v1/pages/ketamine?format=jsonld").Body.String()
	if !strings.Contains(ld, `"inLanguage":"en"`) || !strings.Contains(ld, `"workTranslation":[`) {
		t.Fatalf("source JSON-LD %s", ld)
	}
	if items, _ := f.listSlugs(t, "/api/v1/pages?locale=es"); fmt.Sprint(items) != "[ketamina]" {
		t.Fatalf("list in es: %v", items)
	}

	// The source moves on: the translations say outdated; their bytes and ETag change.
	etag := f.get(t, "GET", "/api/v1/pages/ketamina").Header().Get("ETag")
	src2 := sampleContent("ketamine")
	src2.Summary = "Changed."
	src = f.publish(livePage("src", "ketamine", src2, 2, t0.Add(time.Hour), t0.AddDate(1, 0, 0)))
	if d, _, _ := f.delivered(t, "ketamina"); d.Translation == nil || !d.Translation.Outdated {
		t.Fatalf("not outdated: %+v", d.Translation)
	}
	if f.get(t, "GET", "/api/v1/pages/ketamina").Header().Get("ETag") == etag {
		t.Fatal("ETag unchanged although the bytes changed")
	}

	// A sibling taken down leaves the lists; the source taken down hides every translation,
	// and they come back with it.
	f.publish(unpublish(ar, t0.Add(2*time.Hour)))
	if d, _, _ := f.delivered(t, "ketamina"); fmt.Sprint(d.Translations) != "[{en ketamine}]" {
		t.Fatalf("after ar went: %+v", d.Translations)
	}
	token := syncNext(t, f, "")
	f.publish(unpublish(src, t0.Add(3*time.Hour)))
	if _, code, _ := f.delivered(t, "ketamina"); code == 200 {
		t.Fatal("translation of an unpublished source served")
	}
	// The sync feed reports the translation's withdrawal with its source's, and its return.
	// A withdrawn page's locale is not known (its signed snapshot is gone), so the source's
	// withdrawal is reported in every locale: a client mirroring one locale never keeps a
	// page that is gone.
	if got := syncChanges(t, f, token, "es"); got != "[ketamine:unpublished ketamina:unpublished]" && got != "[ketamina:unpublished ketamine:unpublished]" {
		t.Fatalf("sync after the source's withdrawal: %s", got)
	}
	token = syncNext(t, f, token)
	if items, _ := f.listSlugs(t, "/api/v1/pages?locale=es"); len(items) != 0 {
		t.Fatalf("listed: %v", items)
	}
	src = f.publish(livePage("src", "ketamine", src2, 2, t0.Add(4*time.Hour), t0.AddDate(1, 0, 0)))
	if d, code, _ := f.delivered(t, "ketamina"); code != 200 || !d.Translation.Outdated {
		t.Fatalf("back with its source: %d %+v", code, d.Translation)
	}
	if got := syncChanges(t, f, token, ""); got != "[ketamine:published ketamina:published]" && got != "[ketamina:published ketamine:published]" {
		t.Fatalf("sync after the source's return: %s", got)
	}
	// Rebased and re-signed onto the live text: current again.
	f.publish(translationPage("es", "ketamina", "es", src, "", 2, t0.Add(5*time.Hour)))
	if d, _, _ := f.delivered(t, "ketamina"); d.Translation.Outdated {
		t.Fatalf("still outdated: %+v", d.Translation)
	}
	// A reload (another process, a restart) links the same way.
	if err := f.svc.Reload(t.Context()); err != nil {
		t.Fatal(err)
	}
	if d, code, _ := f.delivered(t, "ketamina"); code != 200 || d.Translation == nil || d.Translation.Outdated || fmt.Sprint(d.Translations) != "[{en ketamine}]" {
		t.Fatalf("after reload: %d %+v", code, d)
	}
	_ = es
}

// Translations delivery with two locales: every source page has a Spanish translation.
func benchTwoLocales(b *testing.B, n int) *fixture {
	f := newFixtureWith(b, func(c *Config) { c.Locales = locale.MustParse("en,es") })
	for i := 0; i < n; i++ {
		c := sampleContent(slugN(i))
		c.Sections[0].Body = strings.Repeat("Some **realistic** paragraph about the drug. ", 100)
		src := f.publish(livePage(slugN(i), slugN(i), c, 1, t0.Add(time.Duration(i)*time.Minute), t0.AddDate(1, 0, 0)))
		f.publish(translationPage("es-"+slugN(i), "es-"+slugN(i), "es", src, "", 1, t0.Add(time.Duration(i)*time.Minute+time.Second)))
	}
	return f
}

func BenchmarkBySlugTwoLocales(b *testing.B) {
	benchGet(b, benchTwoLocales(b, 1000), "/api/v1/pages/es-"+slugN(500))
}

func BenchmarkListLocale(b *testing.B) {
	benchGet(b, benchTwoLocales(b, 1000), "/api/v1/pages?locale=es&limit=20&sort=-publishedAt")
}

// BenchmarkApplyTwoLocales is a source's publication reaching delivery with 1,000 live
// pages and their 1,000 translations (its translation re-linked).
func BenchmarkApplyTwoLocales(b *testing.B) {
	f := benchTwoLocales(b, 1000)
	p := f.src.get(slugN(500)).live()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p.LiveSeq++
		f.svc.Apply(p)
	}
}

// syncNext returns the sync feed's next token after since, with the grace period passed.
func syncNext(t *testing.T, f *fixture, since string) string {
	t.Helper()
	f.clock.Advance(time.Minute)
	q := "/api/v1/sync"
	if since != "" {
		q += "?since=" + since
	}
	var out struct {
		Next string `json:"next"`
	}
	if err := json.Unmarshal(f.get(t, "GET", q).Body.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	return out.Next
}

// syncChanges lists the feed's changes since a token as "slug:change".
func syncChanges(t *testing.T, f *fixture, since, loc string) string {
	t.Helper()
	q := "/api/v1/sync?since=" + since
	if loc != "" {
		q += "&locale=" + loc
	}
	var out struct {
		Changes []syncChange `json:"changes"`
	}
	if err := json.Unmarshal(f.get(t, "GET", q).Body.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range out.Changes {
		got = append(got, c.Slug+":"+c.Change)
	}
	return fmt.Sprint(got)
}
