package sqlitestore_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/search"
	"github.com/monograph-cms/monograph/internal/sqlitestore"
	"github.com/monograph-cms/monograph/internal/storage"
	"github.com/monograph-cms/monograph/internal/storetest"
)

// The contract's search rules run twice more on the embedded store, so that each way
// SearchPages finds a page is the whole of it once: with the search indexer paused (every
// page a change marked is still pending), and with the pending pages indexed before each
// search (FTS5 alone finds them). TestContract meets both, as a running server does. Of
// the searches its Commit group makes, the one after a refused rename is made with the
// page pending and again indexed by TestSearchIndexerIndexesWhatChangesMark; an import
// indexes in its own transaction, which that test checks by counting what is pending.
func TestContractSearchingPendingPages(t *testing.T) {
	storetest.Run(t, func(tb testing.TB) storage.Store {
		s := openStore(tb)
		sqlitestore.PauseSearchIndexer(s)
		return s
	}, searchingOptions)
}

func TestContractSearchingIndexedPages(t *testing.T) {
	storetest.Run(t, func(tb testing.TB) storage.Store { return indexedFirst{openStore(tb)} }, searchingOptions)
}

var searchingOptions = storetest.Options{Groups: []string{"Search"}}

// indexedFirst indexes the pending pages before each search.
type indexedFirst struct{ *sqlitestore.Store }

func (s indexedFirst) SearchPages(ctx context.Context, grams []string, minShared, limit int) ([]editorial.SearchHit, error) {
	if _, err := sqlitestore.IndexPendingSearch(s.Store); err != nil {
		return nil, err
	}
	return s.Store.SearchPages(ctx, grams, minShared, limit)
}

// TestSearchIndexerIndexesWhatChangesMark: a create or a rename through Commit marks the
// page instead of writing page_search; the page is found while it is pending and after it
// is indexed, with the same answer, and a renamed page is no longer found by its former
// name even while FTS5 still holds it. A refused rename marks nothing; a batch commit
// indexes at once.
func TestSearchIndexerIndexesWhatChangesMark(t *testing.T) {
	s := openStore(t)
	sqlitestore.PauseSearchIndexer(s)
	hits := func(query string) []string {
		t.Helper()
		grams := search.QueryGrams(query)
		got, err := s.SearchPages(t.Context(), grams, search.MinShared(len(grams)), 10)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, h := range got {
			ids = append(ids, h.ID)
		}
		return ids
	}
	counts := func(wantPending, wantIndexed int) {
		t.Helper()
		if p, i := sqlitestore.SearchIndexCounts(t, s); p != wantPending || i != wantIndexed {
			t.Fatalf("pending %d, indexed %d; want %d and %d", p, i, wantPending, wantIndexed)
		}
	}
	ketamine := storetest.MustCreate(t, s, "page-1", "Ketamine", storetest.At(0))
	ibuprofen := storetest.MustCreate(t, s, "page-2", "Ibuprofen", storetest.At(time.Minute))
	counts(2, 0)
	for range 2 {
		if got := hits("ketamin"); !slices.Equal(got, []string{ketamine.ID}) {
			t.Errorf("search ketamin: %v, want %s", got, ketamine.ID)
		}
		if got := hits("ibuprofen"); !slices.Equal(got, []string{ibuprofen.ID}) {
			t.Errorf("search ibuprofen: %v, want %s", got, ibuprofen.ID)
		}
		if _, err := sqlitestore.IndexPendingSearch(s); err != nil {
			t.Fatal(err)
		}
	}
	counts(0, 2)

	renamed := storetest.MustSave(t, s, ibuprofen, storetest.Content("Naproxen"), storetest.At(2*time.Minute))
	counts(1, 2)
	for range 2 {
		if got := hits("ibuprofen"); len(got) != 0 {
			t.Errorf("search ibuprofen after the rename: %v, want nothing", got)
		}
		if got := hits("naproxen"); !slices.Equal(got, []string{renamed.ID}) {
			t.Errorf("search naproxen: %v, want %s", got, renamed.ID)
		}
		if _, err := sqlitestore.IndexPendingSearch(s); err != nil {
			t.Fatal(err)
		}
	}
	counts(0, 2)

	// A rename refused for a stale version marks nothing: the page is found by its name, not
	// by the refused one.
	stale := storetest.SaveChange(t, ibuprofen, storetest.Content("Aspirin"), storetest.At(150*time.Second))
	if err := s.Commit(t.Context(), stale); !cms.IsCode(err, cms.CodeVersionConflict) {
		t.Fatalf("a rename at a stale version: %v, want a version conflict", err)
	}
	counts(0, 2)
	if got := hits("aspirin"); len(got) != 0 {
		t.Errorf("search aspirin after the refused rename: %v, want nothing", got)
	}
	if got := hits("naproxen"); !slices.Equal(got, []string{renamed.ID}) {
		t.Errorf("search naproxen after the refused rename: %v, want %s", got, renamed.ID)
	}

	// A save that keeps the searchable fields marks nothing.
	c := storetest.Content("Ketamine")
	c.Summary = "Another summary."
	storetest.MustSave(t, s, ketamine, c, storetest.At(3*time.Minute))
	counts(0, 2)

	// CommitAll indexes in its own transaction.
	aspirin := storetest.NewPage(t, storetest.ID("page/aspirin"), "page-3", storetest.Content("Aspirin"), storetest.At(4*time.Minute))
	if _, err := s.CommitAll(t.Context(), []*editorial.Change{aspirin}); err != nil {
		t.Fatal(err)
	}
	counts(0, 3)
}

// TestSearchIndexerIndexesWhatAStoreWasLeftWith: pending pages in a copy of the database
// taken while they were pending (as a crash or a backup leaves them) are indexed when the
// copy is opened, and found all along.
func TestSearchIndexerIndexesWhatAStoreWasLeftWith(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := sqlitestore.Open(ctx, sqlitestore.Config{DataDir: dir, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(ctx) })
	sqlitestore.PauseSearchIndexer(s)
	for i, title := range []string{"Ketamine", "Esketamine", "Ketorolac"} {
		storetest.MustCreate(t, s, "page-"+title, title, storetest.At(time.Duration(i)*time.Minute))
	}
	found := func(s *sqlitestore.Store) []editorial.SearchHit {
		t.Helper()
		grams := search.QueryGrams("ketamine")
		hits, err := s.SearchPages(ctx, grams, search.MinShared(len(grams)), 10)
		if err != nil {
			t.Fatal(err)
		}
		return hits
	}
	want := found(s)
	if len(want) != 2 {
		t.Fatalf("search ketamine: %v, want ketamine and esketamine", want)
	}
	copyDir := t.TempDir()
	if err := sqlitestore.Backup(ctx, dir, filepath.Join(copyDir, sqlitestore.FileName)); err != nil {
		t.Fatal(err)
	}
	c, err := sqlitestore.Open(ctx, sqlitestore.Config{DataDir: copyDir, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close(ctx) })
	deadline := time.Now().Add(10 * time.Second)
	for {
		pending, indexed := sqlitestore.SearchIndexCounts(t, c)
		if got := found(c); !slices.Equal(got, want) {
			t.Fatalf("search ketamine with %d pending, %d indexed: %v, want %v", pending, indexed, got, want)
		}
		if pending == 0 && indexed == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the opened copy still has %d pages pending and %d indexed after 10 s", pending, indexed)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestSearchIndexerTriesAgainAfterAFailure: a batch the indexer could not write is tried
// again without waiting for another change, so a quiet site does not keep pages pending.
func TestSearchIndexerTriesAgainAfterAFailure(t *testing.T) {
	s := openStore(t)
	// A temporary trigger on the writer's connection refuses the indexer's clearing of a
	// mark, as a full disk or a damaged index would refuse its write.
	sqlitestore.WriterExec(t, s, `CREATE TEMP TRIGGER refuse_index BEFORE UPDATE OF search_pending ON pages
		WHEN OLD.search_pending = 1 AND NEW.search_pending = 0
		BEGIN SELECT RAISE(ABORT, 'test: the search index refuses the write'); END`)
	storetest.MustCommit(t, s, storetest.NewPage(t, storetest.ID("page/aspirin"), "aspirin", storetest.Content("Aspirin"), storetest.At(0)))
	time.Sleep(3 * sqlitestore.SearchIndexDelay) // the indexer's first try, refused
	if pending, _ := sqlitestore.SearchIndexCounts(t, s); pending != 1 {
		t.Fatalf("%d pages pending after a refused batch, want 1", pending)
	}
	sqlitestore.WriterExec(t, s, `DROP TRIGGER temp.refuse_index`)
	deadline := time.Now().Add(10 * sqlitestore.SearchIndexRetry)
	for {
		pending, indexed := sqlitestore.SearchIndexCounts(t, s)
		if pending == 0 && indexed == 1 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d pages pending, %d indexed: the indexer did not try again", pending, indexed)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
