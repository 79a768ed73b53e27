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

// OpenAtSchemaVersion opens a store on cfg as a release whose schema stopped at version v
// would: the migrations after v are not run. For the migration tests, which write a data dir
// of the older schema and open it again with every migration. Not for parallel tests: it
// swaps the package's migrations while it opens.
func OpenAtSchemaVersion(ctx context.Context, cfg Config, v int) (*Store, error) {
	all := migrations
	migrations = migrations[:v]
	defer func() { migrations = all }()
	return Open(ctx, cfg)
}

// SchemaOf returns s's schema: every table, index and trigger, as "type name: sql".
func SchemaOf(tb testing.TB, s *Store) []string {
	tb.Helper()
	rows, err := s.w.Query(`SELECT type, name, coalesce(sql, '') FROM sqlite_schema ORDER BY type, name`)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var typ, name, sql string
		if err := rows.Scan(&typ, &name, &sql); err != nil {
			tb.Fatal(err)
		}
		out = append(out, typ+" "+name+": "+sql)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}
