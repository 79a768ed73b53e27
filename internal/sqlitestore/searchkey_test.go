package sqlitestore

import (
	"testing"

	"github.com/monograph-cms/monograph/internal/content"
	"github.com/monograph-cms/monograph/internal/editorial"
)

// TestPageSearchKeyFollowsTheSearchableFields: the kept keys answer exactly what making the
// grams again would, whichever searchable field changes, also when fields trade their text
// (a name moved from the title to a brand) or a list grows by an empty entry.
func TestPageSearchKeyFollowsTheSearchableFields(t *testing.T) {
	page := func(slug, title, name, generic string, brands, tags []string) editorial.Page {
		var p editorial.Page
		p.Slug = slug
		p.Content = content.Content{Title: title, Tags: tags}
		p.Content.Drug.Name, p.Content.Drug.GenericName, p.Content.Drug.BrandNames = name, generic, brands
		return p
	}
	pages := []editorial.Page{
		page("ketamine", "Ketamine", "Ketamine", "ketamine hydrochloride", []string{"Ketalar"}, []string{"anaesthetic"}),
		page("ketamine", "Ketamine", "Ketamine", "ketamine hydrochloride", []string{"Ketalar"}, []string{"anaesthetic"}),
		page("ketamine-2", "Ketamine", "Ketamine", "ketamine hydrochloride", []string{"Ketalar"}, []string{"anaesthetic"}),
		page("ketamine", "Ketalar", "Ketamine", "ketamine hydrochloride", []string{"Ketamine"}, []string{"anaesthetic"}),
		page("ketamine", "Ketamine", "Ketamine", "ketamine hydrochloride", []string{"Ketalar", ""}, []string{"anaesthetic"}),
		page("ketamine", "Ketamine", "Ketamine", "ketamine hydrochloride", nil, []string{"Ketalar", "anaesthetic"}),
		page("ketamine", "Kétamine", "Ketamine", "", []string{"Ketalar"}, nil),
		page("ketamine", "Ketamine", "Ketamine", "ketamine hydrochloride", []string{"Ketalar"}, []string{"anaesthetic"}),
	}
	for round := range 2 {
		for i, p := range pages {
			want := searchTokens(editorial.PageGrams(p))
			if got := pageSearchKey(p); got != want {
				t.Errorf("round %d, page %d: key %q, want %q", round, i, got, want)
			}
		}
	}
}
