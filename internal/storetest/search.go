package storetest

import (
	"cmp"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/search"
	"github.com/monograph-cms/monograph/internal/storage"
)

func searchTests() []test {
	return []test{
		{name: "SearchToleratesCaseAccentsMisspellingsAndPrefixes", run: testSearchTolerant},
		{name: "SearchIsBestFirst", run: testSearchBestFirst},
		{name: "SearchTiesAreNewestUpdateFirst", run: testSearchTies},
		{name: "SearchHonoursLimit", run: testSearchLimit},
		{name: "SearchFindsNothingForUnrelatedText", run: testSearchUnrelated},
		{name: "SearchGramsFollowTitleChange", run: testSearchFollowsTitle},
	}
}

// drugs creates the search fixtures, each updated at a distinct time: ketamine (brand
// Ketalar), esketamine (brand Spravato), ibuprofen (brand Advil), paracetamol (generic
// name acetaminophen).
func drugs(tb testing.TB, s storage.Store) map[string]editorial.Page {
	tb.Helper()
	out := map[string]editorial.Page{}
	for i, d := range []struct {
		slug, title, generic string
		brands               []string
	}{
		{"ketamine", "Ketamine", "", []string{"Ketalar"}},
		{"esketamine", "Esketamine", "", []string{"Spravato"}},
		{"ibuprofen", "Ibuprofen", "", []string{"Advil", "Nurofen"}},
		{"paracetamol", "Paracetamol", "acetaminophen", nil},
	} {
		c := Content(d.title)
		c.Drug.GenericName, c.Drug.BrandNames = d.generic, d.brands
		c = c.Normalized()
		out[d.slug] = MustCommit(tb, s, NewPage(tb, ID("page/"+d.slug), d.slug, c, At(time.Duration(i)*time.Minute)))
	}
	return out
}

// Searched runs SearchPages for query as the service does (QueryGrams, MinShared) and
// checks the answer against every stored page: the hits are exactly the pages sharing at
// least MinShared grams, each with its count of shared grams (search.Shared over
// editorial.PageGrams) and its UpdatedAt, best first then newest update, at most limit.
// The fixtures give every page a distinct update time. It returns the hits' ids. An
// adapter's own tests use it too, for searches the contract's fixtures do not make.
func Searched(tb testing.TB, s storage.Store, query string, limit int) []string {
	tb.Helper()
	grams := search.QueryGrams(query)
	need := search.MinShared(len(grams))
	hits, err := s.SearchPages(tb.Context(), grams, need, limit)
	must(tb, err, "SearchPages")

	ids, err := s.AllPageIDs(tb.Context())
	must(tb, err, "AllPageIDs")
	var want []editorial.SearchHit
	for _, id := range ids {
		p := MustPage(tb, s, id)
		if n := search.Shared(grams, editorial.PageGrams(p)); n >= need && len(grams) > 0 {
			want = append(want, editorial.SearchHit{ID: p.ID, Shared: n, UpdatedAt: p.UpdatedAt})
		}
	}
	slices.SortFunc(want, func(a, b editorial.SearchHit) int {
		if c := cmp.Compare(b.Shared, a.Shared); c != 0 {
			return c
		}
		return b.UpdatedAt.Compare(a.UpdatedAt)
	})
	want = want[:min(limit, len(want))]
	assertEqual(tb, fmt.Sprintf("SearchPages(%q)", query), hits, want)
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.ID
	}
	return out
}

func testSearchTolerant(t *testing.T, s storage.Store) {
	d := drugs(t, s)
	for _, tc := range []struct{ query, first string }{
		{"ketamine", "ketamine"},
		{"Ketamine", "ketamine"},
		{"KETAMINE", "ketamine"},
		{"Kétamine", "ketamine"},
		{"ketamne", "ketamine"},
		{"ketam", "ketamine"},
		{"ketalar", "ketamine"},
		{"spravato", "esketamine"},
		{"esketamine", "esketamine"},
		{"Nurofen", "ibuprofen"},
		{"ibuprofin", "ibuprofen"},
		{"acetaminophen", "paracetamol"},
		{"paracétamol", "paracetamol"},
	} {
		got := Searched(t, s, tc.query, 10)
		if len(got) == 0 || got[0] != d[tc.first].ID {
			t.Errorf("SearchPages(%q): got %v, want %s (%s) first", tc.query, got, tc.first, d[tc.first].ID)
		}
	}
}

func testSearchBestFirst(t *testing.T, s storage.Store) {
	d := drugs(t, s)
	// "ketamine" has 8 grams: ketamine has them all, esketamine 6 ("ket" … "ine"),
	// paracetamol 4 through its generic name acetaminophen ("eta", "tam", "ami", "min").
	assertEqual(t, "SearchPages(ketamine)", Searched(t, s, "ketamine", 10),
		[]string{d["ketamine"].ID, d["esketamine"].ID, d["paracetamol"].ID})
	assertEqual(t, "SearchPages(esketamine)", Searched(t, s, "esketamine", 10)[:1], []string{d["esketamine"].ID})
}

func testSearchTies(t *testing.T, s storage.Store) {
	older := MustCreate(t, s, "aspirin-a", "Aspirin", At(0))
	newer := MustCreate(t, s, "aspirin-b", "Aspirin", At(time.Minute))
	// Both have every gram of "aspirin": the newer update comes first, also after a save
	// makes the older one the newer.
	assertEqual(t, "SearchPages(aspirin)", Searched(t, s, "aspirin", 10), []string{newer.ID, older.ID})
	MustSave(t, s, older, Content("Aspirin"), At(2*time.Minute))
	assertEqual(t, "SearchPages(aspirin) after a save", Searched(t, s, "aspirin", 10), []string{older.ID, newer.ID})
}

func testSearchLimit(t *testing.T, s storage.Store) {
	for i := range 5 {
		MustCreate(t, s, fmt.Sprintf("aspirin-%d", i), "Aspirin", At(time.Duration(i)*time.Minute))
	}
	for _, limit := range []int{1, 3, 5} {
		if got := Searched(t, s, "aspirin", limit); len(got) != limit {
			t.Errorf("SearchPages(aspirin) with limit %d: got %d hits", limit, len(got))
		}
	}
}

func testSearchUnrelated(t *testing.T, s storage.Store) {
	drugs(t, s)
	for _, q := range []string{"zzqqxx", "warfarin", "  "} {
		if got := Searched(t, s, q, 10); len(got) != 0 {
			t.Errorf("SearchPages(%q): got %v, want no hit", q, got)
		}
	}
	hits, err := s.SearchPages(t.Context(), nil, 1, 10)
	must(t, err, "SearchPages without grams")
	if len(hits) != 0 {
		t.Errorf("SearchPages without grams: got %v, want no hit", hits)
	}
	// No page shares more grams than the query has: asking for more finds nothing, and
	// is no error.
	grams := search.QueryGrams("ketamine")
	for _, need := range []int{len(grams) + 1, len(grams) + 5} {
		hits, err := s.SearchPages(t.Context(), grams, need, 10)
		must(t, err, "SearchPages asking for more grams than the query has")
		if len(hits) != 0 {
			t.Errorf("SearchPages(ketamine, %d of %d grams): got %v, want no hit", need, len(grams), hits)
		}
	}
}

func testSearchFollowsTitle(t *testing.T, s storage.Store) {
	p := MustCreate(t, s, "monograph-1", "Ketamine", At(0))
	assertEqual(t, "SearchPages(ketamine)", Searched(t, s, "ketamine", 10), []string{p.ID})

	// A workflow change without a revision keeps the page findable.
	ch := Next(p)
	Submit(t, ch, At(time.Minute))
	p = MustCommit(t, s, ch)
	assertEqual(t, "SearchPages(ketamine) after a submission", Searched(t, s, "ketamine", 10), []string{p.ID})

	renamed := Content("Ibuprofen")
	renamed.Drug.BrandNames = []string{"Advil"}
	p = MustSave(t, s, p, renamed.Normalized(), At(2*time.Minute))
	assertEqual(t, "SearchPages(ketamine) after the rename", Searched(t, s, "ketamine", 10), []string{})
	assertEqual(t, "SearchPages(ibuprofen) after the rename", Searched(t, s, "ibuprofen", 10), []string{p.ID})
	assertEqual(t, "SearchPages(advil) after the rename", Searched(t, s, "advil", 10), []string{p.ID})

	// The slug is searchable too.
	assertEqual(t, "SearchPages(monograph)", Searched(t, s, "monograph", 10), []string{p.ID})
}
