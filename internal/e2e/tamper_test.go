package e2e

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/monograph-cms/monograph/internal/sqlitestore"
)

// MustTamperSQL runs one statement against the embedded store's database file of a stopped
// server, as someone with access to the files could, and fails unless it changed exactly
// one row. It goes through the SQLite driver directly, around every service.
func MustTamperSQL(tb testing.TB, dataDir, stmt string, args ...any) {
	tb.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dataDir, sqlitestore.FileName))
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	res, err := db.ExecContext(context.Background(), stmt, args...)
	if err != nil {
		tb.Fatalf("tamper %q: %v", stmt, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		tb.Fatalf("tamper %q changed %d rows, want 1", stmt, n)
	}
}
