package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/auth"
	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/content"
	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/storage"
)

// NewTranslation returns the Change creating a translation of src into locale, based on
// src's latest revision, as the service's CreateTranslation does.
func NewTranslation(tb testing.TB, src editorial.Page, locale, slug string, at time.Time) *editorial.Change {
	tb.Helper()
	link := &editorial.TranslationLink{Source: src.ID, Locale: locale, Revision: src.Workflow.Revision, ContentHash: src.Workflow.ContentHash}
	c := Content("Traducción " + slug)
	c.TranslationOf = &content.TranslationOf{Page: src.ID, Locale: locale, Revision: link.Revision, ContentHash: link.ContentHash}
	ch := NewPage(tb, ID("page/"+slug), slug, c, at)
	ch.Page.Translation = link
	return ch
}

func translationTests() []test {
	return []test{
		{name: "a source lists its translations by locale, with their links", run: func(t *testing.T, s storage.Store) {
			src := MustCreate(t, s, "ketamine", "Ketamine", At(0))
			other := MustCreate(t, s, "aspirin", "Aspirin", At(time.Second))
			cy := MustCommit(t, s, NewTranslation(t, src, "cy", "cetamin", At(2*time.Second)))
			es := MustCommit(t, s, NewTranslation(t, src, "es", "ketamina", At(3*time.Second)))
			MustCommit(t, s, NewTranslation(t, other, "es", "aspirina", At(4*time.Second)))

			got, err := s.Translations(t.Context(), src.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 || got[0].ID != cy.ID || got[1].ID != es.ID {
				t.Fatalf("translations of %s: %v", src.ID, pageIDs(got))
			}
			if l := got[1].Translation; l == nil || *l != *es.Translation || got[1].Content.Title != es.Content.Title {
				t.Fatalf("summary of es: link %+v, title %q", got[1].Translation, got[1].Content.Title)
			}
			for _, read := range []func() (editorial.Page, error){
				func() (editorial.Page, error) { return s.PageByID(t.Context(), es.ID) },
				func() (editorial.Page, error) { return s.PageState(t.Context(), es.ID) },
			} {
				p, err := read()
				if err != nil || p.Translation == nil || *p.Translation != *es.Translation {
					t.Fatalf("read back: %+v %v", p.Translation, err)
				}
			}
			full := MustPage(t, s, es.ID)
			if full.Content.TranslationOf == nil || *full.Content.TranslationOf != *es.Content.TranslationOf {
				t.Fatalf("content's translationOf: %+v", full.Content.TranslationOf)
			}
			if none, err := s.Translations(t.Context(), es.ID); err != nil || len(none) != 0 {
				t.Fatalf("translations of a translation: %v %v", pageIDs(none), err)
			}
		}},
		{name: "the list filters by locale, by source language and by outdated", run: func(t *testing.T, s storage.Store) {
			src := MustCreate(t, s, "ketamine", "Ketamine", At(0))
			es := MustCommit(t, s, NewTranslation(t, src, "es", "ketamina", At(time.Second)))
			cy := MustCommit(t, s, NewTranslation(t, src, "cy", "cetamin", At(2*time.Second)))
			ch := Next(es)
			link := *es.Translation
			link.Outdated, link.OutdatedFor = true, 2
			ch.Page.Translation = &link
			es = MustCommit(t, s, ch)

			list := func(f editorial.ListFilter) []string {
				t.Helper()
				f.Now = At(time.Hour)
				got, err := s.ListPages(t.Context(), f)
				if err != nil {
					t.Fatal(err)
				}
				return pageIDs(got)
			}
			check := func(name string, got []string, want ...string) {
				t.Helper()
				if !slices.Equal(got, want) {
					t.Errorf("%s: %v, want %v", name, got, want)
				}
			}
			check("es", list(editorial.ListFilter{Locale: "es"}), es.ID)
			check("cy", list(editorial.ListFilter{Locale: "cy"}), cy.ID)
			check("sources", list(editorial.ListFilter{SourcesOnly: true}), src.ID)
			check("outdated", list(editorial.ListFilter{Outdated: true}), es.ID)
			check("cy outdated", list(editorial.ListFilter{Locale: "cy", Outdated: true}))
			check("all", list(editorial.ListFilter{}), cy.ID, es.ID, src.ID)
			sums, err := s.PageSummaries(t.Context(), []string{es.ID})
			if err != nil || len(sums) != 1 || sums[0].Translation == nil || !sums[0].Translation.Outdated {
				t.Fatalf("summary link: %+v %v", sums, err)
			}
		}},
		{name: "a publication and the translations it outdates commit together", run: func(t *testing.T, s storage.Store) {
			src := MustCreate(t, s, "ketamine", "Ketamine", At(0))
			es := MustCommit(t, s, NewTranslation(t, src, "es", "ketamina", At(time.Second)))
			src = MustSave(t, s, src, Content("Ketamine v2"), At(2*time.Second))
			pub := PublishChange(t, src, At(3*time.Second))
			tc := Next(es)
			link := *es.Translation
			link.Outdated, link.OutdatedFor = true, src.Workflow.Revision
			tc.Page.Translation = &link
			tc.Outbox = append(tc.Outbox, OutboxEvent(tc.Page, editorial.EventTranslationOutdated, src.Workflow.Revision, At(3*time.Second)))
			n, err := s.CommitAll(t.Context(), []*editorial.Change{pub, tc})
			if err != nil || n != 2 {
				t.Fatalf("CommitAll: %d %v", n, err)
			}
			if got := MustPage(t, s, es.ID); got.Translation == nil || !got.Translation.Outdated || got.Version != es.Version+1 {
				t.Fatalf("translation after: %+v version %d", got.Translation, got.Version)
			}
			if got := MustPage(t, s, src.ID); got.Workflow.Live == nil {
				t.Fatal("source not live")
			}
		}},
		{name: "a translation's flag written back from the whole page keeps its text, summary and search entry", run: func(t *testing.T, s storage.Store) {
			// What the service's outdated flags rely on: a change without a revision, of a
			// page read whole (PageByID), leaves every trace of its text as it was.
			src := MustCreate(t, s, "ketamine", "Ketamine", At(0))
			es := MustCommit(t, s, NewTranslation(t, src, "es", "ketamina", At(time.Second)))
			ch := Next(MustPage(t, s, es.ID))
			link := *es.Translation
			link.Outdated, link.OutdatedFor = true, 2
			ch.Page.Translation = &link
			MustCommit(t, s, ch)
			if got := MustPage(t, s, es.ID); content.Hash(got.Content) != es.Workflow.ContentHash || !got.Translation.Outdated {
				t.Fatalf("the working copy after the flag: %q, outdated %v", got.Content.Title, got.Translation.Outdated)
			}
			list, err := s.ListPages(t.Context(), editorial.ListFilter{Locale: "es", Now: At(time.Hour)})
			if err != nil || len(list) != 1 || list[0].Content.Title != es.Content.Title || list[0].Content.Summary != es.Content.Summary {
				t.Fatalf("the list after the flag: %+v %v", list, err)
			}
			if got := Searched(t, s, "Traducción ketamina", 10); !slices.Contains(got, es.ID) {
				t.Fatalf("search after the flag: %v", got)
			}
		}},
		{name: "a second translation of a page into the same locale is refused", run: func(t *testing.T, s storage.Store) {
			if u, ok := s.(interface {
				UniqueTranslationLocales(context.Context) bool
			}); ok && !u.UniqueTranslationLocales(t.Context()) {
				t.Skip("this server has no partial unique indexes (FerretDB): the service's check alone holds the rule")
			}
			src := MustCreate(t, s, "ketamine", "Ketamine", At(0))
			es := MustCommit(t, s, NewTranslation(t, src, "es", "ketamina", At(time.Second)))
			err := s.Commit(t.Context(), NewTranslation(t, src, "es", "ketamina-bis", At(2*time.Second)))
			if !cms.IsCode(err, cms.CodeConflict) && !cms.IsCode(err, cms.CodeSlugTaken) {
				t.Fatalf("a second Spanish translation: %v, want a conflict", err)
			}
			MustCommit(t, s, NewTranslation(t, src, "cy", "cetamin", At(3*time.Second)))
			got, err := s.Translations(t.Context(), src.ID)
			if err != nil || len(got) != 2 || got[1].ID != es.ID {
				t.Fatalf("translations after: %v %v", pageIDs(got), err)
			}
		}},
		{name: "a user's languages are stored, updated and read back", run: func(t *testing.T, s storage.Store) {
			u := User("rosa@example.org", At(0))
			u.Languages = []string{"en", "es"}
			if err := s.InsertUser(t.Context(), u); err != nil {
				t.Fatal(err)
			}
			got, err := s.UserByID(t.Context(), u.ID)
			if err != nil || !slices.Equal(got.Languages, []string{"en", "es"}) {
				t.Fatalf("inserted: %v %v", got.Languages, err)
			}
			u.Languages = []string{"cy"}
			if err := s.UpdateUser(t.Context(), u); err != nil {
				t.Fatal(err)
			}
			for _, read := range []func() (auth.User, error){
				func() (auth.User, error) { return s.UserByID(t.Context(), u.ID) },
				func() (auth.User, error) { return s.UserByEmail(t.Context(), u.Email) },
			} {
				got, err := read()
				if err != nil || !slices.Equal(got.Languages, []string{"cy"}) {
					t.Fatalf("updated: %v %v", got.Languages, err)
				}
			}
		}},
	}
}

func pageIDs(pages []editorial.Page) []string {
	out := []string{}
	for _, p := range pages {
		out = append(out, p.ID)
	}
	return out
}
