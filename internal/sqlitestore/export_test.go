package sqlitestore

import (
	"context"
	"testing"
)

// SearchIndexDelay and SearchIndexRetry are the indexer's waits after a change and after
// a failed batch.
const (
	SearchIndexDelay = searchIndexDelay
	SearchIndexRetry = searchIndexRetry
)

// WriterExec runs q on the writer's one connection (a TEMP trigger made so applies to every
// write transaction).
func WriterExec(tb testing.TB, s *Store, q string) {
	tb.Helper()
	if _, err := s.w.Exec(q); err != nil {
		tb.Fatal(err)
	}
}

// WriteTransactions is how many write transactions s has begun, for the external tests.
func WriteTransactions(s *Store) int64 { return s.writes.Load() }

// PauseSearchIndexer stops s's background search indexer, so that the pages a change marks
// stay pending until IndexPendingSearch (or Close) indexes them.
func PauseSearchIndexer(s *Store) {
	s.search.stop()
	<-s.search.done
}

// IndexPendingSearch indexes s's pending pages now and returns how many it indexed.
func IndexPendingSearch(s *Store) (int, error) { return s.indexPendingSearch(context.Background()) }

// SearchIndexCounts returns how many pages are pending and how many page_search holds.
func SearchIndexCounts(tb testing.TB, s *Store) (pending, indexed int) {
	tb.Helper()
	err := s.w.QueryRow(`SELECT (SELECT count(*) FROM pages WHERE search_pending = 1), (SELECT count(*) FROM page_search)`).
		Scan(&pending, &indexed)
	if err != nil {
		tb.Fatal(err)
	}
	return pending, indexed
}

// SearchMatch is the FTS5 query SearchPages asks for these grams.
func SearchMatch(s *Store, grams []string, minShared int) string {
	return s.searchMatch(context.Background(), encodeGrams(grams), minShared)
}
