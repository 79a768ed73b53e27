// Package search is how Monograph finds pages by name: title, slug, drug name, generic and
// brand names and tags, tolerant of case, accents and small misspellings ("ketamin", "Kétamine" and
// "ketamne" all find ketamine). It is pure: the store adapters keep each page's grams in an
// index and delivery keeps an in-memory Index of live pages; all of them use the rules here,
// so a query means the same thing everywhere.
//
// The method is the trigram similarity of PostgreSQL's pg_trgm: text is folded (accents
// removed, lower case, anything but letters and digits a word break), each word is padded
// with two spaces in front and one behind, and cut into every run of three characters. A
// page matches a query when it has at least half of the query's grams (a misspelling
// changes only the few grams around it) and at least three quarters as many as the best
// match. The last word of a query is not padded behind, so a
// name being typed ("ketam") matches as a prefix.
package search

import (
	"slices"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// MaxQueryGrams bounds the grams of one query, so a long query cannot make a costly search.
const MaxQueryGrams = 64

// Fold returns s as search compares it: accents removed (NFKD, combining marks dropped),
// lower case, every run of other than letters and digits one space, trimmed.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := true // drop leading separators
	for _, r := range norm.NFKD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
			space = false
		case !space:
			b.WriteByte(' ')
			space = true
		}
	}
	return strings.TrimRight(b.String(), " ")
}

// DocumentGrams returns the distinct grams of the given texts (a page's searchable fields),
// sorted.
func DocumentGrams(texts ...string) []string {
	set := map[string]struct{}{}
	for _, t := range texts {
		for _, w := range strings.Fields(Fold(t)) {
			addGrams(set, "  "+w+" ")
		}
	}
	return sortedKeys(set)
}

// QueryGrams returns the distinct grams of a query, at most MaxQueryGrams, sorted. The last
// word is not padded behind, so it matches as a prefix.
func QueryGrams(q string) []string {
	set := map[string]struct{}{}
	words := strings.Fields(Fold(q))
	for i, w := range words {
		padded := "  " + w + " "
		if i == len(words)-1 {
			padded = "  " + w
		}
		addGrams(set, padded)
	}
	grams := sortedKeys(set)
	if len(grams) > MaxQueryGrams {
		grams = grams[:MaxQueryGrams]
	}
	return grams
}

// MinShared is how many of n query grams a page must have to match: at least half.
func MinShared(n int) int {
	return max(1, (n+1)/2)
}

// Relevant reports whether a match with shared grams is worth showing beside the best match
// of the same query (best shared grams): it must have at least three quarters as many. A
// query that matches one page exactly ("brandzol" → Brandzolpidem) then does not also list
// every page that merely shares its first letters (Brandaspirin), while a misspelling with
// no exact match still finds its closest pages.
func Relevant(shared, best int) bool {
	return 4*shared >= 3*best
}

func addGrams(set map[string]struct{}, padded string) {
	r := []rune(padded)
	for i := 0; i+3 <= len(r); i++ {
		set[string(r[i:i+3])] = struct{}{}
	}
}

func sortedKeys(set map[string]struct{}) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Shared counts the grams of sorted query that sorted doc has too.
func Shared(query, doc []string) int {
	n, i, j := 0, 0, 0
	for i < len(query) && j < len(doc) {
		switch c := strings.Compare(query[i], doc[j]); {
		case c == 0:
			n++
			i++
			j++
		case c < 0:
			i++
		default:
			j++
		}
	}
	return n
}

// PageGrams returns the grams of a page's searchable fields: what the management search and
// the delivery list's q match.
func PageGrams(slug, title, drugName, genericName string, brandNames, tags []string) []string {
	texts := append([]string{slug, title, drugName, genericName}, brandNames...)
	return DocumentGrams(append(texts, tags...)...)
}

// Table interns grams as small numbers, so an in-memory index of many documents holds 4
// bytes per gram occurrence instead of a string. It only grows; safe for concurrent use.
type Table struct {
	mu  sync.RWMutex
	ids map[string]uint32
}

// NewTable returns an empty table.
func NewTable() *Table { return &Table{ids: map[string]uint32{}} }

// Intern returns the numbers of grams, adding the new ones.
func (t *Table) Intern(grams []string) []uint32 {
	out := make([]uint32, len(grams))
	t.mu.Lock()
	defer t.mu.Unlock()
	for i, g := range grams {
		id, ok := t.ids[g]
		if !ok {
			id = uint32(len(t.ids))
			t.ids[g] = id
		}
		out[i] = id
	}
	return out
}

// Lookup returns the numbers of the grams the table knows; a gram no document has is left
// out (it can match nothing).
func (t *Table) Lookup(grams []string) []uint32 {
	out := make([]uint32, 0, len(grams))
	t.mu.RLock()
	defer t.mu.RUnlock()
	for _, g := range grams {
		if id, ok := t.ids[g]; ok {
			out = append(out, id)
		}
	}
	return out
}

// Hit is one document found in an Index.
type Hit struct {
	Doc    int
	Shared int
}

// Index finds documents by their interned grams in memory (delivery's live pages).
type Index struct {
	postings map[uint32][]int32
}

// NewIndex indexes documents given as their interned grams; a document's number is its
// position in docs.
func NewIndex(docs [][]uint32) *Index {
	x := &Index{postings: map[uint32][]int32{}}
	for i, grams := range docs {
		for _, g := range grams {
			x.postings[g] = append(x.postings[g], int32(i))
		}
	}
	return x
}

// Search returns the documents having at least need of the query's grams and Relevant
// beside the best of them, in document order.
func (x *Index) Search(query []uint32, need int) []Hit {
	counts := map[int32]int{}
	for _, g := range query {
		for _, d := range x.postings[g] {
			counts[d]++
		}
	}
	best := 0
	for _, n := range counts {
		best = max(best, n)
	}
	var hits []Hit
	for d, n := range counts {
		if n >= need && Relevant(n, best) {
			hits = append(hits, Hit{Doc: int(d), Shared: n})
		}
	}
	slices.SortFunc(hits, func(a, b Hit) int { return a.Doc - b.Doc })
	return hits
}
