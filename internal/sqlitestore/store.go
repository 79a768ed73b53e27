// Package sqlitestore is Monograph's embedded store: one SQLite database file under the
// data dir, through the pure-Go driver modernc.org/sqlite (no cgo, so `go build` stays one
// command). It is the only importer of that driver and implements the store interfaces the
// domain packages declare (editorial.Store, auth.UserStore and RefreshStore, webhook.Store,
// reviews.Store, delivery.Source).
//
// Every change is one transaction: a page change writes its revisions, the page, its audit
// events, its webhook outbox entries, the change counter and what delivery serves together,
// so nothing is ever half-written. The database runs in WAL mode with one writer connection
// (transactions begin IMMEDIATE, so they never fail half-way on a lock) and a pool of
// readers that never wait for the writer. The data dir belongs to one process (an exclusive
// flock); `monograph backup` reads it beside a running server.
package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/monograph-cms/monograph/internal/auth"
	"github.com/monograph-cms/monograph/internal/cms"
)

// FileName is the database file under the data dir.
const FileName = "monograph.db"

// ErrDataDirLocked is returned when another process holds the data dir.
var ErrDataDirLocked = errors.New("data dir is in use by another Monograph process")

// Synchronous settings: what a commit waits for before it is acknowledged.
const (
	// SyncNormal (the default): in WAL mode a commit is written to the WAL but not fsynced;
	// an acknowledged change survives the process being killed (the OS has the bytes), and
	// an OS crash or power loss can lose the changes since the last checkpoint (never
	// corrupting the database).
	SyncNormal = "normal"
	// SyncFull fsyncs the WAL on every commit: an acknowledged change survives an OS crash
	// too, at the cost of one fsync per change.
	SyncFull = "full"
)

// Config says where the store lives and how it commits.
type Config struct {
	// DataDir holds the database file and the lock.
	DataDir string
	// Synchronous is SyncNormal (default) or SyncFull.
	Synchronous string
	Logger      *slog.Logger
}

// Store is an open embedded store.
type Store struct {
	w    *sql.DB // the one writer connection
	r    *sql.DB // readers
	ckpt *sql.DB // checkpoints, off the writer's path
	lock *os.File
	log  *slog.Logger
	path string

	stopCheckpoints context.CancelFunc
	checkpointsDone chan struct{}

	search searchIndexer // indexes the pages whose search grams a change left pending

	wst, rst statements // prepared statements of the writer and the readers

	users    memo[auth.User] // see UserByID
	sessions memo[bool]      // revoked or not, by family id; see FamilyRevoked

	// writeMu serialises write (the writer is one connection anyway), so that what a
	// transaction leaves for after its commit is its own: the verifiable log's right edge
	// (tlog.go), kept in edge while it is known to be the committed one, else nil.
	writeMu           sync.Mutex
	edge, pendingEdge *logEdge

	// writes counts the write transactions of changes begun (tests check that one change is
	// one); the search indexer's own (transact) are not counted.
	writes atomic.Int64
}

// Open takes the data dir's lock, opens (or creates) the database, and brings its schema up
// to date. It fails with ErrDataDirLocked when another process holds the data dir, and with
// a message saying how to move the pages when the dir holds the old FerretDB-based store.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	sync, err := synchronousPragma(cfg.Synchronous)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir %s: %w", cfg.DataDir, err)
	}
	lock, err := lockDir(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(cfg.DataDir, FileName)
	if err := refuseOldFormat(cfg.DataDir, path); err != nil {
		_ = lock.Close()
		return nil, err
	}
	if err := create(path); err != nil {
		_ = lock.Close()
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	s := &Store{lock: lock, log: cfg.Logger, path: path}
	if s.w, err = openDB(path, sync, roleWriter); err == nil {
		if s.r, err = openDB(path, sync, roleReader); err == nil {
			s.ckpt, err = openDB(path, sync, roleCheckpointer)
		}
	}
	if err == nil {
		s.wst.db, s.rst.db = s.w, s.r
		err = s.migrate(ctx)
	}
	if err == nil {
		// Events written before the store had the verifiable log get their leaves now.
		var n int64
		if n, err = s.AppendLog(ctx); n > 0 {
			s.log.Info("store: added the audit events written before to the verifiable log", "events", n)
		}
	}
	if err != nil {
		s.Close(context.Background())
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	s.startCheckpoints()
	s.startSearchIndexer(searchIndexDelay)
	return s, nil
}

// pageSize is the database's page size, set when it is created: 8 KiB holds a revision's
// content (a few KB of JSON) and a page's row without overflow pages, so a save writes
// fewer pages to the WAL than with SQLite's default of 4 KiB.
const pageSize = 8192

// create makes a new database file with the page size, in WAL mode (the page size cannot
// change once a database is in WAL mode); an existing file is left as it is.
func create(path string) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.Exec(fmt.Sprintf("PRAGMA page_size = %d; PRAGMA journal_mode = WAL", pageSize))
	return err
}

// The connection pools of a store.
const (
	roleWriter = iota
	roleReader
	roleCheckpointer
)

// WAL checkpoints. The writer never checkpoints inside a commit (wal_autocheckpoint 0): that
// made one save in a hundred wait for a whole checkpoint. Instead a background goroutine
// copies the WAL back into the database every checkpointEvery without blocking anyone
// (PASSIVE). That alone never lets the WAL start over while writes keep coming (a
// checkpoint is complete only if no write slipped in meanwhile), so once the WAL holds more
// than checkpointFrames frames, one checkpoint runs on the writer's own connection, between
// two changes, and the next change starts the WAL again from the beginning;
// journal_size_limit then trims the file. Every change waits for that one, so it must find
// little left to copy: the background pass runs again while changes came in during the last
// one (catchUpFrames), and only then does the writer's turn come.
//
// A checkpoint writes each page once however often the WAL holds it, and a save rewrites
// the same few pages of each index (their newest end), so checkpointing seldom costs less.
// Every second, with the catch-up, instead of every quarter second: the writer's pause went
// from about 16 ms four times a second to 12–15 ms once, and four writers' slowest saves
// (p99) from 17–31 ms to 12–16 ms (scripts/bench-store, docs/performance.md).
const (
	checkpointEvery  = time.Second
	checkpointFrames = 8000 // 64 MiB of 8 KiB pages
	catchUpFrames    = 200
	walSizeLimit     = 64 << 20
)

func (s *Store) startCheckpoints() {
	ctx, cancel := context.WithCancel(context.Background())
	s.stopCheckpoints, s.checkpointsDone = cancel, make(chan struct{})
	go func() {
		defer close(s.checkpointsDone)
		t := time.NewTicker(checkpointEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			frames, err := checkpoint(ctx, s.ckpt)
			for range 4 {
				if err != nil || frames <= checkpointFrames {
					break
				}
				before := frames
				if frames, err = checkpoint(ctx, s.ckpt); frames-before < catchUpFrames {
					break
				}
			}
			if err == nil && frames > checkpointFrames {
				_, err = checkpoint(ctx, s.w)
			}
			if err != nil && ctx.Err() == nil {
				s.log.Warn("store: WAL checkpoint", "error", err)
			}
		}
	}()
}

// checkpoint runs a PASSIVE checkpoint on db and returns how many frames the WAL holds.
func checkpoint(ctx context.Context, db *sql.DB) (int, error) {
	var busy, frames, copied int
	err := db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &copied)
	return frames, err
}

func synchronousPragma(v string) (string, error) {
	switch v {
	case "", SyncNormal:
		return "NORMAL", nil
	case SyncFull:
		return "FULL", nil
	}
	return "", fmt.Errorf("sqlite synchronous %q: want %s or %s", v, SyncNormal, SyncFull)
}

// openDB opens a connection pool on the database file. The writer is one connection whose
// transactions begin IMMEDIATE (they take the write lock at BEGIN, so two writers never
// deadlock half-way) and which never checkpoints; readers are several query-only
// connections; the checkpointer is one connection.
func openDB(path, synchronous string, role int) (*sql.DB, error) {
	q := url.Values{}
	for _, p := range []string{
		"journal_mode(WAL)", "synchronous(" + synchronous + ")", "foreign_keys(1)",
		"busy_timeout(10000)", "temp_store(MEMORY)",
	} {
		q.Add("_pragma", p)
	}
	switch role {
	case roleWriter:
		q.Set("_txlock", "immediate")
		// The writer walks the indexes of every table a change touches (the audit log's
		// four among them): 16 MiB keeps their inner pages in memory as the library grows.
		// Not more: every commit after b-tree pages were rebalanced scans the cache's whole
		// hash table (SQLite gives a moved page a temporary number far past the end), 2% of
		// the server's CPU under saves with 64 MiB, and a change's pages are mostly the
		// right-hand edges of those indexes. Growing to 10,000 pages × 20 revisions, 64 MiB
		// and 16 MiB gave the same save latencies (docs/performance.md); and a cache fills
		// up to its size under writes, resident for good.
		q.Add("_pragma", "cache_size(-16384)")
		q.Add("_pragma", "wal_autocheckpoint(0)")
		q.Add("_pragma", fmt.Sprintf("journal_size_limit(%d)", walSizeLimit))
	case roleReader:
		// SQLite's default 2 MB. A reader's cache is dropped whenever another connection
		// has written, so it helps little on a store being edited, and its memory is never
		// given back: delivery's load at start reads every live page through one or two
		// readers, whose 16 MB caches each stayed resident (16–40 MB more, measured).
		q.Add("_pragma", "cache_size(-2000)")
		q.Add("_pragma", "query_only(1)")
	}
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	if role == roleReader {
		db.SetMaxOpenConns(max(4, runtime.GOMAXPROCS(0)*2))
	} else {
		db.SetMaxOpenConns(1)
	}
	db.SetMaxIdleConns(max(1, runtime.GOMAXPROCS(0)*2))
	db.SetConnMaxIdleTime(0)
	db.SetConnMaxLifetime(0)
	if err := db.Ping(); err != nil {
		_ = db.Close()
		return nil, err
	}
	return db, nil
}

// Close closes the connections and releases the data dir.
func (s *Store) Close(ctx context.Context) error {
	s.stopSearchIndexer(ctx)
	if s.stopCheckpoints != nil {
		s.stopCheckpoints()
		<-s.checkpointsDone
	}
	s.wst.close()
	s.rst.close()
	var errs []error
	if s.ckpt != nil {
		errs = append(errs, s.ckpt.Close())
	}
	if s.r != nil {
		errs = append(errs, s.r.Close())
	}
	if s.w != nil {
		errs = append(errs, s.w.Close())
	}
	if s.lock != nil {
		errs = append(errs, s.lock.Close())
	}
	return errors.Join(errs...)
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return translate(s.r.QueryRowContext(ctx, "SELECT 1").Scan(new(int)), "store")
}

// Exclusive reports that this process alone uses the store (the data dir is locked), so
// every change arrives through it: delivery need not poll, leases left by a crash are stale.
func (s *Store) Exclusive() bool { return true }

// Path is the database file.
func (s *Store) Path() string { return s.path }

// write runs fn in one write transaction, committed when fn returns nil and rolled back
// otherwise.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	s.writes.Add(1)
	return s.transact(ctx, fn)
}

// transact is write without counting the transaction as a change's: the search indexer's
// transactions (searchindex.go) are the store's own upkeep.
//
// The transaction runs without ctx's cancellation, as its statements do (statementContext):
// given a context that can end, the driver starts a goroutine to interrupt BEGIN and another
// for COMMIT, two wake-ups of another thread per change on a path that takes about a
// millisecond. The end of ctx is checked instead once the write lock is held (a request that
// ended while waiting for it does no work) and once fn has run: a request that ended
// meanwhile has its change rolled back, and is told the store is unavailable (503), as when
// a statement itself is cancelled. Nothing else ends the transaction, so a panic in fn rolls
// it back here: left open, it would hold the writer's only connection for good.
func (s *Store) transact(ctx context.Context, fn func(tx *sql.Tx) error) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if err := ctx.Err(); err != nil {
		return translate(err, "store")
	}
	s.pendingEdge = nil
	tx, err := s.w.BeginTx(statementContext(ctx), nil)
	if err != nil {
		return translate(err, "store")
	}
	ended := false
	defer func() {
		if !ended { // fn panicked
			_ = tx.Rollback()
			s.edge = nil
		}
	}()
	err = fn(tx)
	ended = true
	if err == nil && ctx.Err() != nil {
		err = translate(ctx.Err(), "store")
	}
	if err != nil {
		_ = tx.Rollback()
		s.edge = nil // the transaction may have read or built an edge it does not commit
		return err
	}
	err = translate(tx.Commit(), "store")
	switch {
	case err != nil:
		s.edge = nil
	case s.pendingEdge != nil:
		s.edge = s.pendingEdge
	}
	s.wst.prepareLater(ctx)
	return err
}

// lockDir takes an exclusive, non-blocking flock on <dir>/monograph.lock. The kernel
// releases it when the process dies, so a kill -9 never leaves a stale lock behind.
func lockDir(dir string) (*os.File, error) {
	path := filepath.Join(dir, "monograph.lock")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock file %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w: %s (stop the other process, or use another --data dir, or set MONGODB_URI to share a MongoDB server)", ErrDataDirLocked, dir)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	_ = f.Truncate(0)
	_, _ = fmt.Fprintf(f, "%d\n", os.Getpid())
	return f, nil
}

// ErrOldFormat is returned for a data dir written by the FerretDB-based store of earlier
// releases.
var ErrOldFormat = errors.New("the data dir holds the store of an earlier Monograph release (FerretDB)")

// refuseOldFormat recognises the earlier releases' data dir (FerretDB's SQLite files under
// <data>/db) when there is no database of this release yet.
func refuseOldFormat(dataDir, path string) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	old, _ := filepath.Glob(filepath.Join(dataDir, "db", "*.sqlite"))
	if len(old) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s. Move its pages with their history: run `monograph export --data %s DIR` with the release that wrote it, "+
		"then `monograph import --data NEWDIR DIR` with this one, and start on NEWDIR (users and webhooks are created again)",
		ErrOldFormat, filepath.Join(dataDir, "db"), dataDir)
}

// translate maps driver errors to cms errors at the store boundary, so no other package
// ever inspects a driver error.
func translate(err error, what string) error {
	var se *sqlite.Error
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return &cms.Error{Code: cms.CodeNotFound, Message: what + " not found", Err: err}
	case errors.As(err, &se) && isUnique(se):
		return &cms.Error{Code: cms.CodeConflict, Message: what + " already exists", Err: err}
	case errors.As(err, &se) && (se.Code()&0xff == sqlite3.SQLITE_BUSY || se.Code()&0xff == sqlite3.SQLITE_LOCKED):
		return &cms.Error{Code: cms.CodeUnavailable, Message: "the store is busy", Err: err}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return &cms.Error{Code: cms.CodeUnavailable, Message: "the store did not answer in time", Err: err}
	default:
		var ce *cms.Error
		if errors.As(err, &ce) {
			return err
		}
		return &cms.Error{Code: cms.CodeInternal, Message: "store error", Err: err}
	}
}

// isForeignKey reports whether err is a foreign key violation.
func isForeignKey(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
}

func isUnique(se *sqlite.Error) bool {
	c := se.Code()
	return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

// ms and fromMS store times as Unix milliseconds (every time Monograph stores is in UTC
// milliseconds already).
func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

func msPtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMilli()
}

func fromMSPtr(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMS(v.Int64)
	return &t
}

// statements caches prepared statements by their text, so the hot paths (a save is about a
// dozen statements) do not parse SQL again on every call: preparing was a sixth of a save.
type statements struct {
	mu      sync.Mutex
	db      *sql.DB
	m       map[string]*sql.Stmt
	pending map[string]bool // texts to prepare once the writer's connection is free
}

func (st *statements) cached(q string) *sql.Stmt {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.m[q]
}

func (st *statements) get(ctx context.Context, q string) (*sql.Stmt, error) {
	if s := st.cached(q); s != nil {
		return s, nil
	}
	s, err := st.db.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if old, ok := st.m[q]; ok {
		_ = s.Close()
		return old, nil
	}
	if st.m == nil {
		st.m = map[string]*sql.Stmt{}
	}
	st.m[q] = s
	return s, nil
}

// later records a statement to prepare when no transaction holds the connection (the
// writer pool has one connection: preparing on it inside a transaction would wait for
// the transaction itself).
func (st *statements) later(q string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.pending == nil {
		st.pending = map[string]bool{}
	}
	st.pending[q] = true
}

// prepareLater prepares the recorded statements.
func (st *statements) prepareLater(ctx context.Context) {
	st.mu.Lock()
	todo := st.pending
	st.pending = nil
	st.mu.Unlock()
	for q := range todo {
		_, _ = st.get(ctx, q) // a failure shows again when the statement runs
	}
}

func (st *statements) close() {
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, s := range st.m {
		_ = s.Close()
	}
	st.m = nil
}

// exec runs a statement inside a write transaction.
func (s *Store) exec(ctx context.Context, tx *sql.Tx, q string, args ...any) (sql.Result, error) {
	ctx = statementContext(ctx)
	if st := s.wst.cached(q); st != nil {
		return tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	s.wst.later(q)
	return tx.ExecContext(ctx, q, args...)
}

// statementContext is the context of one statement of a write transaction, or of a short
// read on the writer's connection: ctx without its cancellation. For a statement whose
// context can end, the driver starts a goroutine that waits to interrupt it, and installs
// and removes a progress handler: a dozen wake-ups per save for statements that run for
// microseconds, and on this kind of virtual machine every wake-up is a costly trip through
// the scheduler. A cancelled request still ends its transaction: transact checks the
// request's context once the statements have run, and rolls the transaction back.
func statementContext(ctx context.Context) context.Context { return context.WithoutCancel(ctx) }

// txRow runs a query returning one row inside a write transaction.
func (s *Store) txRow(ctx context.Context, tx *sql.Tx, q string, args ...any) *sql.Row {
	ctx = statementContext(ctx)
	if st := s.wst.cached(q); st != nil {
		return tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	s.wst.later(q)
	return tx.QueryRowContext(ctx, q, args...)
}

// query runs a read query.
func (s *Store) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := s.rst.get(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// row runs a read query returning one row.
func (s *Store) row(ctx context.Context, q string, args ...any) *sql.Row {
	st, err := s.rst.get(ctx, q)
	if err != nil {
		return s.r.QueryRowContext(ctx, q, args...) // reports the same error on Scan
	}
	return st.QueryRowContext(ctx, args...)
}
