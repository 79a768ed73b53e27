package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Backup writes a consistent copy of the embedded store in dataDir to dest, while a server
// may be running on it: it reads one snapshot of the database (a WAL read transaction, which
// never blocks the server's writer nor is blocked by it) and writes it compactly with
// VACUUM INTO. It does not take the data dir's lock, writes nothing to the store, and
// refuses to overwrite dest. The copy is a complete database file: to restore, put it as
// monograph.db into an empty data dir (with the key files, see docs/operations.md).
func Backup(ctx context.Context, dataDir, dest string) error {
	src := filepath.Join(dataDir, FileName)
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("no embedded store at %s: %w", src, err)
	}
	if _, err := os.Stat(dest); err == nil {
		return fmt.Errorf("%s exists already: choose a new file name (a backup never overwrites)", dest)
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	abs, err := filepath.Abs(dest)
	if err != nil {
		return err
	}
	db, err := sql.Open("sqlite", "file:"+src+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, abs); err != nil {
		_ = os.Remove(abs)
		return fmt.Errorf("back up %s: %w", src, err)
	}
	return syncFile(abs)
}

// syncFile flushes a finished file to disk, so a backup reported done survives a crash.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
