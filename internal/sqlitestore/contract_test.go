package sqlitestore_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/monograph-cms/monograph/internal/sqlitestore"
	"github.com/monograph-cms/monograph/internal/storage"
	"github.com/monograph-cms/monograph/internal/storetest"
)

// TestContract runs the store contract (internal/storetest) on the embedded store, each
// test on a new database in its own data dir.
func TestContract(t *testing.T) {
	storetest.Run(t, openContractStore, storetest.Options{})
}

func openContractStore(tb testing.TB) storage.Store { return openStore(tb) }

// openStore opens an embedded store in a fresh data dir, closed when the test ends.
func openStore(tb testing.TB) *sqlitestore.Store {
	tb.Helper()
	s, err := sqlitestore.Open(context.Background(), sqlitestore.Config{DataDir: tb.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		tb.Fatalf("open the store: %v", err)
	}
	// The Close test closes its store itself: a second Close may fail, harmlessly.
	tb.Cleanup(func() { _ = s.Close(context.Background()) })
	return s
}
