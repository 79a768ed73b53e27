package sqlitestore

import (
	"context"
	"database/sql"
	"time"
)

// A change made through Commit does not write the page's search grams into page_search
// itself: it stores them in pages.search_key and marks the page search_pending, in its own
// transaction, and the search indexer writes the pending pages into FTS5 a moment later,
// many in one transaction. A new page's grams cost FTS5 a segment of their own, its
// structure record, its averages and a row in each of its tables: about five of the
// twenty-five pages a create writes to the WAL and a sixth of its time, where a batch shares
// them. Nothing is lost in a crash (the mark is committed with the change; Open indexes
// what is left), and nothing is missed meanwhile: SearchPages counts the pending pages'
// grams beside what FTS5 finds, in the same snapshot. CommitAll (imports, a publication with
// its translations) indexes in its own transaction, as one batch already.

// searchPendingMigration adds the mark and the index that finds the marked pages.
const searchPendingMigration = `
ALTER TABLE pages ADD COLUMN search_pending INTEGER NOT NULL DEFAULT 0;
CREATE INDEX pages_search_pending ON pages (search_pending) WHERE search_pending = 1;
`

const (
	// searchIndexDelay is how long the indexer waits after a change marks a page, so that
	// the pages created meanwhile go into the same batch; a search never waits for it.
	searchIndexDelay = 50 * time.Millisecond
	// searchIndexBatch bounds a batch, and so how long it holds the write lock (~50 µs a
	// page: a save arriving meanwhile waits at most a few milliseconds).
	searchIndexBatch = 100
	// searchIndexRetry is how long the indexer waits after a failed batch before trying
	// again, doubled at each failure in a row up to a minute: a quiet site must not keep
	// pages pending until its next change.
	searchIndexRetry = time.Second
)

// searchIndexer is the goroutine that indexes pending pages.
type searchIndexer struct {
	wake chan struct{} // one buffered signal: a change marked a page
	stop context.CancelFunc
	done chan struct{}
}

// startSearchIndexer starts the indexer; it first indexes what the store was left with.
func (s *Store) startSearchIndexer(delay time.Duration) {
	ctx, cancel := context.WithCancel(context.Background())
	s.search = searchIndexer{wake: make(chan struct{}, 1), stop: cancel, done: make(chan struct{})}
	s.search.wake <- struct{}{}
	go func() {
		defer close(s.search.done)
		var retry time.Duration
		for {
			select {
			case <-ctx.Done():
				return
			case <-s.search.wake:
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(delay):
			}
			_, err := s.indexPendingSearch(ctx)
			if err == nil || ctx.Err() != nil {
				retry = 0
				continue
			}
			retry = min(max(2*retry, searchIndexRetry), time.Minute)
			s.log.Warn("store: search index (the pages stay searchable); trying again", "in", retry, "error", err)
			select {
			case <-ctx.Done():
				return
			case <-time.After(retry):
				s.wakeSearchIndexer()
			}
		}
	}()
}

// wakeSearchIndexer tells the indexer a change marked a page.
func (s *Store) wakeSearchIndexer() {
	select {
	case s.search.wake <- struct{}{}:
	default: // a signal is already waiting
	}
}

// stopSearchIndexer stops the indexer and indexes what is pending, so a store closed
// cleanly leaves nothing for the next start.
func (s *Store) stopSearchIndexer(ctx context.Context) {
	if s.search.stop == nil {
		return
	}
	s.search.stop()
	<-s.search.done
	s.search.stop = nil
	if _, err := s.indexPendingSearch(ctx); err != nil {
		s.log.Warn("store: search index at close (indexed at the next start)", "error", err)
	}
}

// indexPendingSearch writes the pending pages' grams into page_search, a batch per
// transaction, and returns how many pages it indexed.
func (s *Store) indexPendingSearch(ctx context.Context) (int, error) {
	total := 0
	for {
		n := 0
		err := s.transact(ctx, func(tx *sql.Tx) error {
			type pending struct {
				rowid int64
				key   string
			}
			var batch []pending
			rows, err := tx.QueryContext(ctx, `SELECT rowid, search_key FROM pages WHERE search_pending = 1 LIMIT ?`, searchIndexBatch)
			if err != nil {
				return translate(err, "search index")
			}
			for rows.Next() {
				var p pending
				if err := rows.Scan(&p.rowid, &p.key); err != nil {
					rows.Close()
					return translate(err, "search index")
				}
				batch = append(batch, p)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return translate(err, "search index")
			}
			for _, p := range batch {
				if err := s.indexSearchKey(ctx, tx, p.rowid, p.key, true); err != nil {
					return err
				}
				if _, err := s.exec(ctx, tx, `UPDATE pages SET search_pending = 0 WHERE rowid = ?`, p.rowid); err != nil {
					return translate(err, "search index")
				}
			}
			n = len(batch)
			return nil
		})
		total += n
		if err != nil || n < searchIndexBatch {
			return total, err
		}
	}
}

// indexSearchKey writes a page's grams into page_search, replacing those it had there.
func (s *Store) indexSearchKey(ctx context.Context, tx *sql.Tx, rowid int64, key string, replace bool) error {
	if replace {
		if _, err := s.exec(ctx, tx, `DELETE FROM page_search WHERE rowid = ?`, rowid); err != nil {
			return translate(err, "search index")
		}
	}
	_, err := s.exec(ctx, tx, `INSERT INTO page_search (rowid, grams) VALUES (?, ?)`, rowid, key)
	return translate(err, "search index")
}
