package delivery

import (
	"sync"

	"github.com/monograph-cms/monograph/internal/search"
)

// lazyGrams are the search grams of one live page (for the list's q), computed on the
// first search that needs them rather than when the page is loaded: a start with 10,000
// live pages then skips that work (about a tenth of the load) until someone searches.
// Entries copied for a new snapshot share it, so the grams are computed once per page
// body.
type lazyGrams struct {
	once                       sync.Once
	slug, title, name, generic string
	brands, tags               []string
	ids                        []uint32 // interned in the service's table
}

// of returns the interned grams, computing them on the first call.
func (g *lazyGrams) of(t *search.Table) []uint32 {
	g.once.Do(func() {
		g.ids = t.Intern(search.PageGrams(g.slug, g.title, g.name, g.generic, g.brands, g.tags))
		g.brands, g.tags = nil, nil // only needed once
	})
	return g.ids
}
