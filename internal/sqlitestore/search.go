package sqlitestore

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/search"
)

// searchVocabMigration adds FTS5's vocabulary of page_search: how many pages hold each
// gram, which rarestTerms reads.
const searchVocabMigration = `
CREATE VIRTUAL TABLE page_search_vocab USING fts5vocab(page_search, 'row');
`

// searchMatch is the FTS5 query for the terms: the pages holding any of them, or, where
// the query's rarest terms (rarestTerms) are listed with far fewer pages than the others,
// the pages holding one of those, ranked by all of them. FTS5 then walks the short lists of
// pages of the rare terms and seeks in the long ones, where "any of the terms" reads every
// list whole: grams common to a family of names ("ine", "_ke") are in thousands of pages
// and were most of a search's time at 10,000 pages (2.2x less with this, in-process on
// pages named after sixteen drugs). Where even the rarest terms are common (a library whose
// every name starts alike) the second pass costs more than it saves, so any-of is kept.
// Every page that matches is still a candidate; only the order among them changes a little
// (the rare terms count twice in the rank), which matters where more pages match than
// searchCandidates keeps.
func (s *Store) searchMatch(ctx context.Context, terms []string, minShared int) string {
	all := anyOf(terms)
	if rare := s.rarestTerms(ctx, terms, minShared); rare != nil {
		return anyOf(rare) + " AND " + all
	}
	return all
}

// anyOf is the FTS5 query for pages holding any of the terms.
func anyOf(terms []string) string {
	quoted := make([]string, len(terms))
	for i, t := range terms {
		quoted[i] = `"` + t + `"`
	}
	return "(" + strings.Join(quoted, " OR ") + ")"
}

// rarestPart is how small a share of the pages listed with all the query's terms those
// listed with the rarest may be for searchMatch to require one of them.
const rarestPart = 4

// rarestTerms returns the len(terms)-minShared+1 of the query's terms held by the fewest
// pages, if their lists of pages hold at most 1/rarestPart of the entries of all the terms'
// lists, else nil. A page sharing at least minShared of the query's grams lacks at most
// len(terms)-minShared of them, so it holds at least one of these: requiring one of them
// changes which pages FTS5 reads, never which pages match. Nil too when the vocabulary
// cannot be read.
func (s *Store) rarestTerms(ctx context.Context, terms []string, minShared int) []string {
	keep := len(terms) - minShared + 1
	if minShared <= 1 || keep <= 0 || keep >= len(terms) {
		return nil
	}
	list, err := json.Marshal(terms)
	if err != nil {
		return nil
	}
	rows, err := s.query(ctx, `SELECT term, doc FROM page_search_vocab WHERE term IN (SELECT value FROM json_each(?))`, string(list))
	if err != nil {
		if ctx.Err() == nil { // a search whose request ended is no news
			s.log.Warn("search: FTS5 vocabulary not read; searching with any gram", "error", err)
		}
		return nil
	}
	defer rows.Close()
	docs := make(map[string]int, len(terms))
	total := 0
	for rows.Next() {
		var term string
		var n int
		if err := rows.Scan(&term, &n); err != nil {
			return nil
		}
		docs[term] = n
		total += n
	}
	if rows.Err() != nil {
		return nil
	}
	rare := slices.Clone(terms)
	slices.SortStableFunc(rare, func(a, b string) int { return docs[a] - docs[b] })
	rare = rare[:keep]
	listed := 0
	for _, t := range rare {
		listed += docs[t]
	}
	if listed*rarestPart > total {
		return nil
	}
	return rare
}

// searchCandidates bounds the pages FTS5 hands to the exact count: the best by its bm25 rank
// of the query's grams (pages with more, and rarer, of them first). Reading and counting a
// candidate's grams is most of a search's cost when a query shares common grams with every
// page ("ine", a shared prefix), so this is twice what callers ask for, not every match.
func searchCandidates(limit int) int { return max(2*limit, 200) }

// searchQuery finds the candidates: the pages FTS5 finds, best ranked first, and the pages
// the search indexer has yet to index (searchindex.go), in one statement, so in one
// snapshot (a page the indexer takes meanwhile is in one part or the other). Each with its
// current grams: FTS5 may still hold a pending page's former ones. UNION drops a page
// found in both.
const searchQuery = `SELECT id, search_key, updated_at FROM (
		SELECT p.id, p.search_key, p.updated_at FROM page_search s JOIN pages p ON p.rowid = s.rowid
		WHERE page_search MATCH ? ORDER BY s.rank LIMIT ?)
	UNION
	SELECT id, search_key, updated_at FROM pages WHERE search_pending = 1`

// SearchPages finds pages sharing at least minShared of the grams: FTS5 finds candidates
// (searchMatch: the pages holding one of the rarest grams, where that narrows the lists,
// else any of them), best ranked first, and the grams each one shares are then counted
// exactly (search.Shared), as the other adapters and delivery count them. No page shares
// more grams than the query has.
func (s *Store) SearchPages(ctx context.Context, grams []string, minShared, limit int) ([]editorial.SearchHit, error) {
	if len(grams) == 0 || minShared > len(grams) {
		return nil, nil
	}
	rows, err := s.query(ctx, searchQuery, s.searchMatch(ctx, encodeGrams(grams), minShared), searchCandidates(limit))
	if err != nil {
		return nil, translate(err, "search")
	}
	defer rows.Close()
	var hits []editorial.SearchHit
	for rows.Next() {
		var h editorial.SearchHit
		var tokens string
		var at int64
		if err := rows.Scan(&h.ID, &tokens, &at); err != nil {
			return nil, translate(err, "search")
		}
		if h.Shared = search.Shared(grams, gramsOf(tokens)); h.Shared >= minShared {
			h.UpdatedAt = fromMS(at)
			hits = append(hits, h)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err, "search")
	}
	return editorial.BestHits(hits, limit), nil
}
