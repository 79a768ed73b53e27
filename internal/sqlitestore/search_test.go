package sqlitestore_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/search"
	"github.com/monograph-cms/monograph/internal/sqlitestore"
	"github.com/monograph-cms/monograph/internal/storetest"
)

// TestSearchByTheRarestGrams: in a library whose names share words ("tablets"), a search
// naming one of them asks FTS5 for the pages holding one of the query's rarest grams, and
// still finds exactly the pages a full count over every page finds, in the same order.
func TestSearchByTheRarestGrams(t *testing.T) {
	s := openStore(t)
	drugs := []string{"Ketamine", "Esketamine", "Ketorolac", "Ibuprofen", "Metformin"}
	for i := range 80 {
		d := drugs[i%len(drugs)]
		storetest.MustCreate(t, s, fmt.Sprintf("page-%d", i), fmt.Sprintf("%s tablets %d", d, i),
			storetest.At(time.Duration(i)*time.Minute))
	}
	if _, err := sqlitestore.IndexPendingSearch(s); err != nil {
		t.Fatal(err)
	}
	var rarest []string
	for _, q := range []string{"Ketamine tablets 12", "ketamne tablets", "Metformin tablets 7", "esketamin tablets 61", "ibuprofen tablets 33", "Ketorolac", "ketamine"} {
		grams := search.QueryGrams(q)
		need := search.MinShared(len(grams))
		if strings.Contains(sqlitestore.SearchMatch(s, grams, need), " AND ") {
			rarest = append(rarest, q)
		}
		storetest.Searched(t, s, q, 100) // exactly what a count over every page finds
	}
	// Both ways are taken: a drug of its own family with "tablets" asks for the rarest
	// grams; the ketamine family's names share theirs, so any gram is asked for.
	if want := []string{"Metformin tablets 7", "ibuprofen tablets 33"}; !slices.Equal(rarest, want) {
		t.Errorf("the searches asking for the rarest grams: %q, want %q", rarest, want)
	}
}
