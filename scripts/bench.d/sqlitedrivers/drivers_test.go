// Package sqlitedrivers compares two pure-Go SQLite drivers (modernc.org/sqlite and
// github.com/ncruces/go-sqlite3) on the CMS store's workload, through database/sql.
// It is a standalone module: nothing here is imported by the main module.
package sqlitedrivers

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	ncruces "github.com/ncruces/go-sqlite3"
	ncdriver "github.com/ncruces/go-sqlite3/driver"
	"github.com/ncruces/go-sqlite3/ext/fts5"
	modernc "modernc.org/sqlite"
	mlib "modernc.org/sqlite/lib"
)

const nPages = 1000

// ---------------------------------------------------------------- drivers and DSNs

type drv struct {
	name string
	// open opens a *sql.DB with the given DSN.
	open func(dsn string) (*sql.DB, error)
	// writerDSN and readerDSN build the DSNs recommended in the README.
	writerDSN func(path, sync string) string
	readerDSN func(path string) string
}

// fileURI turns an absolute path into a "file:" URI path part, escaping what URI
// parsing would otherwise take as syntax ('?', '#', '%').
func fileURI(path string) string {
	return "file:" + (&url.URL{Path: path}).EscapedPath()
}

var drivers = []drv{
	{
		name: "modernc",
		open: func(dsn string) (*sql.DB, error) { return sql.Open("sqlite", dsn) },
		writerDSN: func(path, sync string) string {
			return fileURI(path) + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(" + sync +
				")&_pragma=foreign_keys(1)&_txlock=immediate"
		},
		readerDSN: func(path string) string {
			return fileURI(path) + "?_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_pragma=query_only(1)&_txlock=deferred"
		},
	},
	{
		name: "ncruces",
		// driver.Open with fts5.Register: FTS5 is a separately linked extension in
		// v0.37.0 and must be registered on every connection.
		open: func(dsn string) (*sql.DB, error) { return ncdriver.Open(dsn, fts5.Register) },
		writerDSN: func(path, sync string) string {
			// Pragmas run in DSN order: busy_timeout first.
			return fileURI(path) + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(wal)&_pragma=synchronous(" + sync +
				")&_pragma=foreign_keys(1)&_txlock=immediate"
		},
		readerDSN: func(path string) string {
			// query_only(1) makes the driver's default BEGIN deferred.
			return fileURI(path) + "?_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_pragma=query_only(1)"
		},
	},
}

// ---------------------------------------------------------------- schema and data

// A trimmed copy of the CMS schema: the tables and indexes a save touches, as they were when
// the drivers were compared (schema version 11). The store has since appended audit events
// in rowid order and made its "newest first" indexes ascending (internal/sqlitestore,
// appendOnlyMigration); the comparison, the same work for every driver, did not need them.
const schema = `
CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO meta (key, value) VALUES ('change_seq', 0);

CREATE TABLE pages (
	id         TEXT PRIMARY KEY,
	slug       TEXT NOT NULL UNIQUE,
	version    INTEGER NOT NULL,
	revision   INTEGER NOT NULL,
	audit_seq  INTEGER NOT NULL,
	state      TEXT NOT NULL,
	updated_at INTEGER NOT NULL,
	search_key TEXT NOT NULL,
	summary    BLOB NOT NULL,
	doc        BLOB NOT NULL
);
CREATE INDEX pages_updated ON pages (updated_at DESC, id DESC);
CREATE INDEX pages_state_updated ON pages (state, updated_at DESC, id DESC);

CREATE TABLE revisions (
	page_id      TEXT NOT NULL REFERENCES pages (id) ON DELETE CASCADE,
	number       INTEGER NOT NULL,
	content_hash TEXT NOT NULL,
	author_id    TEXT NOT NULL,
	author_name  TEXT NOT NULL,
	created_at   INTEGER NOT NULL,
	note         TEXT NOT NULL,
	content      BLOB NOT NULL,
	UNIQUE (page_id, number)
);

CREATE TABLE audit (
	event_id   TEXT PRIMARY KEY,
	page_id    TEXT NOT NULL,
	seq        INTEGER NOT NULL,
	at         INTEGER NOT NULL,
	actor      TEXT NOT NULL,
	actor_name TEXT NOT NULL,
	action     TEXT NOT NULL,
	revision   INTEGER NOT NULL,
	data       TEXT NOT NULL,
	prev_hash  TEXT NOT NULL,
	hash       TEXT NOT NULL,
	UNIQUE (page_id, seq)
) WITHOUT ROWID;
CREATE INDEX audit_at ON audit (at DESC, event_id DESC);
CREATE INDEX audit_actor ON audit (actor, at DESC, event_id DESC);

CREATE TABLE outbox (
	id            TEXT PRIMARY KEY,
	event         TEXT NOT NULL,
	page_id       TEXT NOT NULL,
	slug          TEXT NOT NULL,
	revision      INTEGER NOT NULL,
	at            INTEGER NOT NULL,
	fanned_out_at INTEGER
);
CREATE INDEX outbox_pending ON outbox (at, id) WHERE fanned_out_at IS NULL;
`

// jsonBlob returns a JSON document of about size bytes (text-like content).
func jsonBlob(size int, seed int) []byte {
	words := strings.Fields("lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor " +
		"incididunt ut labore et dolore magna aliqua crème brûlée naïve façade")
	type block struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	doc := struct {
		Title  string  `json:"title"`
		Seed   int     `json:"seed"`
		Blocks []block `json:"blocks"`
	}{Title: fmt.Sprintf("Page %d", seed), Seed: seed}
	for n := 0; ; n++ {
		var sb strings.Builder
		for w := 0; w < 20; w++ {
			sb.WriteString(words[(seed+n*7+w*3)%len(words)])
			sb.WriteByte(' ')
		}
		doc.Blocks = append(doc.Blocks, block{Type: "paragraph", Text: sb.String()})
		b, _ := json.Marshal(doc)
		if len(b) >= size {
			return b
		}
	}
}

var (
	revBlob     = jsonBlob(7*1024, 1)
	docBlob     = jsonBlob(8*1024, 2)
	summaryBlob = jsonBlob(400, 3)
)

const contentHash = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

func pageID(i int) string { return fmt.Sprintf("pg%06d", i) }

// fill creates the schema and nPages pages (each with revision 1 and one audit event).
func fill(db *sql.DB) error {
	if _, err := db.Exec(schema); err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for i := 0; i < nPages; i++ {
		id := pageID(i)
		at := int64(1_700_000_000_000 + i*1000)
		if _, err := tx.Exec(`INSERT INTO pages (id, slug, version, revision, audit_seq, state, updated_at, search_key, summary, doc)
			VALUES (?, ?, 1, 1, 1, ?, ?, ?, ?, ?)`, id, "slug-"+id, []string{"draft", "review", "published"}[i%3], at,
			"page "+id+" lorem ipsum", summaryBlob, docBlob); err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO revisions (page_id, number, content_hash, author_id, author_name, created_at, note, content)
			VALUES (?, 1, ?, 'u1', 'Ada', ?, '', ?)`, id, contentHash, at, revBlob); err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO audit (event_id, page_id, seq, at, actor, actor_name, action, revision, data, prev_hash, hash)
			VALUES (?, ?, 1, ?, 'u1', 'Ada', 'page.created', 1, '{}', '', ?)`, id+"/1", id, at, contentHash); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	_, err = db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
	return err
}

// ---------------------------------------------------------------- template databases

var (
	tmpRoot   string
	templates sync.Map // driver name -> path of a pre-filled, checkpointed db
	tmplMu    sync.Mutex
)

func TestMain(m *testing.M) {
	var err error
	tmpRoot, err = os.MkdirTemp("", "sqlitedrivers-")
	if err != nil {
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(tmpRoot)
	os.Exit(code)
}

// template returns a pre-filled db made by d (built once per process).
func template(tb testing.TB, d drv) string {
	tmplMu.Lock()
	defer tmplMu.Unlock()
	if p, ok := templates.Load(d.name); ok {
		return p.(string)
	}
	path := filepath.Join(tmpRoot, "template-"+d.name+".db")
	db, err := d.open(d.writerDSN(path, "NORMAL"))
	if err != nil {
		tb.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	if err := fill(db); err != nil {
		tb.Fatal(err)
	}
	if err := db.Close(); err != nil {
		tb.Fatal(err)
	}
	templates.Store(d.name, path)
	return path
}

func copyFile(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// store is one writer connection plus a pool of readers, as in the server.
type store struct {
	w, r *sql.DB
	path string
}

func openStore(tb testing.TB, d drv, sync string) *store {
	path := filepath.Join(tb.TempDir(), "cms.db")
	if err := copyFile(path, template(tb, d)); err != nil {
		tb.Fatal(err)
	}
	w, err := d.open(d.writerDSN(path, sync))
	if err != nil {
		tb.Fatal(err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	if err := w.Ping(); err != nil { // the writer opens first and sets WAL
		tb.Fatal(err)
	}
	r, err := d.open(d.readerDSN(path))
	if err != nil {
		tb.Fatal(err)
	}
	r.SetMaxOpenConns(4)
	r.SetMaxIdleConns(4)
	r.SetConnMaxLifetime(0)
	tb.Cleanup(func() { r.Close(); w.Close() })
	return &store{w: w, r: r, path: path}
}

// cpuMeter reports the process's CPU time (user+sys, all threads, GC included) per op as
// "cpu-ns/op": on a shared machine it is steadier than wall time.
func cpuMeter(b *testing.B) (stop func()) {
	now := func() int64 {
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			b.Fatal(err)
		}
		return ru.Utime.Nano() + ru.Stime.Nano()
	}
	t0 := now()
	return func() {
		b.ReportMetric(float64(now()-t0)/float64(b.N), "cpu-ns/op")
	}
}

// ---------------------------------------------------------------- the save transaction

type saver struct {
	version []int64
	clock   int64
	n       int
}

func newSaver() *saver {
	s := &saver{version: make([]int64, nPages), clock: 1_800_000_000_000}
	for i := range s.version {
		s.version[i] = 1
	}
	return s
}

var errConflict = errors.New("version conflict")

// save is the CMS save: one IMMEDIATE transaction that inserts a revision, updates the
// page guarded by its version, inserts an audit event, sometimes an outbox row, and
// bumps the change counter.
func (s *saver) save(ctx context.Context, db *sql.DB) error {
	p := s.n % nPages
	withOutbox := s.n%4 == 0
	s.n++
	s.clock++
	id := pageID(p)
	v := s.version[p]
	nv := v + 1

	tx, err := db.BeginTx(ctx, nil) // BEGIN IMMEDIATE via _txlock=immediate
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO revisions (page_id, number, content_hash, author_id, author_name, created_at, note, content)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, nv, contentHash, "u1", "Ada", s.clock, "", revBlob); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `UPDATE pages SET version = ?, revision = ?, audit_seq = ?, state = ?, updated_at = ?,
		search_key = ?, summary = ?, doc = ? WHERE id = ? AND version = ?`,
		nv, nv, nv, "draft", s.clock, "page lorem ipsum", summaryBlob, docBlob, id, v)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n != 1 {
		return errConflict
	}
	ev := id + "/" + strconv.FormatInt(nv, 10)
	if _, err := tx.ExecContext(ctx, `INSERT INTO audit (event_id, page_id, seq, at, actor, actor_name, action, revision, data, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, ev, id, nv, s.clock, "u1", "Ada", "page.saved", nv, `{"note":""}`, contentHash, contentHash); err != nil {
		return err
	}
	if withOutbox {
		if _, err := tx.ExecContext(ctx, `INSERT INTO outbox (id, event, page_id, slug, revision, at) VALUES (?, ?, ?, ?, ?, ?)`,
			ev, "page.saved", id, "slug-"+id, nv, s.clock); err != nil {
			return err
		}
	}
	var seq int64
	if err := tx.QueryRowContext(ctx, `UPDATE meta SET value = value + 1 WHERE key = 'change_seq' RETURNING value`).Scan(&seq); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	s.version[p] = nv
	return nil
}

func benchSave(b *testing.B, sync string) {
	for _, d := range drivers {
		b.Run(d.name, func(b *testing.B) {
			st := openStore(b, d, sync)
			ctx := context.Background()
			sv := newSaver()
			// Warm up: prepare the connection, page cache.
			for i := 0; i < 50; i++ {
				if err := sv.save(ctx, st.w); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			defer cpuMeter(b)()
			for i := 0; i < b.N; i++ {
				if err := sv.save(ctx, st.w); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkSave(b *testing.B)         { benchSave(b, "NORMAL") }
func BenchmarkSaveSyncFull(b *testing.B) { benchSave(b, "FULL") }

// BenchmarkSaveSyncOff is a reference only (never for production): without fsyncs it
// shows more of the drivers' own CPU cost.
func BenchmarkSaveSyncOff(b *testing.B) { benchSave(b, "OFF") }

// ---------------------------------------------------------------- reads

const readPageSQL = `SELECT doc FROM pages WHERE id = ?`

func BenchmarkReadPage(b *testing.B) {
	for _, d := range drivers {
		b.Run(d.name, func(b *testing.B) {
			st := openStore(b, d, "NORMAL")
			ctx := context.Background()
			ids := make([]string, nPages)
			for i := range ids {
				ids[i] = pageID(i)
			}
			var doc []byte
			b.ReportAllocs()
			b.ResetTimer()
			defer cpuMeter(b)()
			for i := 0; i < b.N; i++ {
				if err := st.r.QueryRowContext(ctx, readPageSQL, ids[i%nPages]).Scan(&doc); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			if len(doc) != len(docBlob) {
				b.Fatalf("doc is %d bytes, want %d", len(doc), len(docBlob))
			}
		})
	}
}

// BenchmarkReadPageParallel: the same read from GOMAXPROCS goroutines over the pool.
func BenchmarkReadPageParallel(b *testing.B) {
	for _, d := range drivers {
		b.Run(d.name, func(b *testing.B) {
			st := openStore(b, d, "NORMAL")
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			defer cpuMeter(b)()
			b.RunParallel(func(pb *testing.PB) {
				var doc []byte
				i := 0
				for pb.Next() {
					i++
					if err := st.r.QueryRowContext(ctx, readPageSQL, pageID(i%nPages)).Scan(&doc); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

const listPageSQL = `SELECT id, slug, version, state, updated_at, summary FROM pages
	ORDER BY updated_at DESC, id DESC LIMIT 20`

type row struct {
	id, slug, state string
	version, at     int64
	summary         []byte
}

func listPage(ctx context.Context, db *sql.DB, out []row) ([]row, error) {
	rows, err := db.QueryContext(ctx, listPageSQL)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out = out[:0]
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.slug, &r.version, &r.state, &r.at, &r.summary); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func BenchmarkListPage(b *testing.B) {
	for _, d := range drivers {
		b.Run(d.name, func(b *testing.B) {
			st := openStore(b, d, "NORMAL")
			ctx := context.Background()
			out := make([]row, 0, 20)
			var err error
			b.ReportAllocs()
			b.ResetTimer()
			defer cpuMeter(b)()
			for i := 0; i < b.N; i++ {
				if out, err = listPage(ctx, st.r, out); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			if len(out) != 20 || out[0].id != pageID(nPages-1) {
				b.Fatalf("unexpected list: %d rows, first %q", len(out), out[0].id)
			}
		})
	}
}

// ---------------------------------------------------------------- checks (go test -run . -v)

// TestSaveAndPlan checks the save works, the guard rejects a stale version, and the
// list query uses the index (no temp b-tree for ORDER BY).
func TestSaveAndPlan(t *testing.T) {
	for _, d := range drivers {
		t.Run(d.name, func(t *testing.T) {
			st := openStore(t, d, "NORMAL")
			ctx := context.Background()
			sv := newSaver()
			for i := 0; i < 10; i++ {
				if err := sv.save(ctx, st.w); err != nil {
					t.Fatal(err)
				}
			}
			// A stale base version: the revision insert fails on UNIQUE (page_id, number).
			sv.n, sv.version[0] = 0, 1
			if err := sv.save(ctx, st.w); err == nil {
				t.Fatalf("stale save: got nil error")
			} else {
				t.Logf("%s stale save (revision exists): %v", d.name, err)
			}
			// A version that does not match the page: the guarded UPDATE touches no row.
			sv.n, sv.version[0] = 0, 100
			if err := sv.save(ctx, st.w); !errors.Is(err, errConflict) {
				t.Fatalf("mismatched save: got %v, want conflict", err)
			}
			var plan []string
			rows, err := st.r.Query(`EXPLAIN QUERY PLAN ` + listPageSQL)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var id, parent, notused int
				var detail string
				if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
					t.Fatal(err)
				}
				plan = append(plan, detail)
			}
			rows.Close()
			t.Logf("%s list plan: %s", d.name, strings.Join(plan, " | "))
			if p := strings.Join(plan, " "); !strings.Contains(p, "pages_updated") || strings.Contains(p, "TEMP B-TREE") {
				t.Errorf("list does not use pages_updated: %s", p)
			}
			var mode string
			var syncv, fk, bt int
			if err := st.w.QueryRow(`SELECT (SELECT journal_mode FROM pragma_journal_mode), (SELECT synchronous FROM pragma_synchronous),
				(SELECT foreign_keys FROM pragma_foreign_keys), (SELECT timeout FROM pragma_busy_timeout)`).Scan(&mode, &syncv, &fk, &bt); err != nil {
				t.Fatal(err)
			}
			t.Logf("%s writer pragmas: journal_mode=%s synchronous=%d foreign_keys=%d busy_timeout=%d", d.name, mode, syncv, fk, bt)
			if mode != "wal" || syncv != 1 || fk != 1 || bt != 5000 {
				t.Errorf("pragmas not applied")
			}
			var qo int
			if err := st.r.QueryRow(`PRAGMA query_only`).Scan(&qo); err != nil || qo != 1 {
				t.Errorf("reader query_only = %d, %v", qo, err)
			}
		})
	}
}

// TestVersionAndFTS5 prints sqlite_version() and checks FTS5 with the trigram tokenizer
// and remove_diacritics (SQLite >= 3.45).
func TestVersionAndFTS5(t *testing.T) {
	for _, d := range drivers {
		t.Run(d.name, func(t *testing.T) {
			db, err := d.open(d.writerDSN(filepath.Join(t.TempDir(), "fts.db"), "NORMAL"))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var v string
			if err := db.QueryRow(`SELECT sqlite_version()`).Scan(&v); err != nil {
				t.Fatal(err)
			}
			t.Logf("%s sqlite_version() = %s", d.name, v)
			if _, err := db.Exec(`CREATE VIRTUAL TABLE t USING fts5(x, tokenize='trigram remove_diacritics 1')`); err != nil {
				t.Fatalf("%s: FTS5 trigram remove_diacritics: %v", d.name, err)
			}
			if _, err := db.Exec(`INSERT INTO t (x) VALUES ('Crème brûlée à la française'), ('Plain vanilla custard'), ('Naïve façade')`); err != nil {
				t.Fatal(err)
			}
			for _, q := range []struct{ sql, arg string }{
				{`SELECT x FROM t WHERE t MATCH ? ORDER BY rank`, `creme`},
				{`SELECT x FROM t WHERE t MATCH ? ORDER BY rank`, `"facade"`},
				{`SELECT x FROM t WHERE x LIKE ?`, `%brûl%`},
				{`SELECT x FROM t WHERE x LIKE ?`, `%ANILL%`},
				{`SELECT x FROM t WHERE x LIKE ?`, `%brulee%`}, // LIKE compares the stored text: no diacritic folding
			} {
				var got []string
				rows, err := db.Query(q.sql, q.arg)
				if err != nil {
					t.Fatal(err)
				}
				for rows.Next() {
					var x string
					rows.Scan(&x)
					got = append(got, x)
				}
				rows.Close()
				t.Logf("%s %s [%s] -> %q", d.name, q.sql, q.arg, got)
				want := 1
				if q.arg == `%brulee%` {
					want = 0
				}
				if len(got) != want {
					t.Errorf("%s: %s %s: got %d rows, want %d", d.name, q.sql, q.arg, len(got), want)
				}
			}
		})
	}
}

// ---------------------------------------------------------------- error detection

// isUnique / isBusy are the recipes given in the README.
func isUniqueModernc(err error) bool {
	var se *modernc.Error
	return errors.As(err, &se) && (se.Code() == mlib.SQLITE_CONSTRAINT_UNIQUE || se.Code() == mlib.SQLITE_CONSTRAINT_PRIMARYKEY)
}

func isBusyModernc(err error) bool {
	var se *modernc.Error
	return errors.As(err, &se) && se.Code()&0xff == mlib.SQLITE_BUSY // primary code; extended codes live above bit 8
}

func isUniqueNcruces(err error) bool {
	var xc ncruces.ExtendedErrorCode // works for *sqlite3.Error and for a bare code
	return errors.As(err, &xc) && (xc == ncruces.CONSTRAINT_UNIQUE || xc == ncruces.CONSTRAINT_PRIMARYKEY)
}

func isBusyNcruces(err error) bool {
	return errors.Is(err, ncruces.BUSY) // matches any BUSY_* extended code too
}

func describe(err error) string {
	if err == nil {
		return "<nil>"
	}
	s := fmt.Sprintf("%T %q", err, err.Error())
	var me *modernc.Error
	if errors.As(err, &me) {
		s += fmt.Sprintf(" Code()=%d", me.Code())
	}
	var ne *ncruces.Error
	if errors.As(err, &ne) {
		s += fmt.Sprintf(" Code()=%d ExtendedCode()=%d", ne.Code(), ne.ExtendedCode())
	}
	// ncruces returns a bare sqlite3.ExtendedErrorCode (not *sqlite3.Error) when SQLite
	// has no message beyond the code's own; errors.As into ExtendedErrorCode covers both.
	var xc ncruces.ExtendedErrorCode
	if errors.As(err, &xc) {
		s += fmt.Sprintf(" [As ExtendedErrorCode=%d]", int(xc))
	}
	return s
}

func TestErrors(t *testing.T) {
	for _, d := range drivers {
		t.Run(d.name, func(t *testing.T) {
			isUnique, isBusy := isUniqueModernc, isBusyModernc
			if d.name == "ncruces" {
				isUnique, isBusy = isUniqueNcruces, isBusyNcruces
			}
			st := openStore(t, d, "NORMAL")
			// UNIQUE (slug) violation.
			_, err := st.w.Exec(`INSERT INTO pages (id, slug, version, revision, audit_seq, state, updated_at, search_key, summary, doc)
				VALUES ('new', 'slug-pg000001', 1, 1, 1, 'draft', 0, '', x'', x'')`)
			t.Logf("%s UNIQUE:      %s", d.name, describe(err))
			if !isUnique(err) {
				t.Errorf("UNIQUE not detected")
			}
			// PRIMARY KEY (TEXT PRIMARY KEY on a rowid table) violation.
			_, err = st.w.Exec(`INSERT INTO pages (id, slug, version, revision, audit_seq, state, updated_at, search_key, summary, doc)
				VALUES ('pg000001', 'other', 1, 1, 1, 'draft', 0, '', x'', x'')`)
			t.Logf("%s PRIMARYKEY:  %s", d.name, describe(err))
			if !isUnique(err) {
				t.Errorf("PRIMARY KEY not detected")
			}
			// FOREIGN KEY violation (foreign_keys on).
			_, err = st.w.Exec(`INSERT INTO revisions (page_id, number, content_hash, author_id, author_name, created_at, note, content)
				VALUES ('nope', 1, '', '', '', 0, '', x'')`)
			t.Logf("%s FOREIGNKEY:  %s", d.name, describe(err))
			if err == nil {
				t.Errorf("FK not enforced")
			}
			// BUSY: a second writer while the first holds BEGIN IMMEDIATE.
			w2, err := d.open(strings.Replace(d.writerDSN(st.path, "NORMAL"), "busy_timeout(5000)", "busy_timeout(100)", 1))
			if err != nil {
				t.Fatal(err)
			}
			defer w2.Close()
			tx, err := st.w.Begin()
			if err != nil {
				t.Fatal(err)
			}
			_, err = w2.Begin()
			t.Logf("%s BUSY(begin): %s", d.name, describe(err))
			if !isBusy(err) {
				t.Errorf("BUSY not detected")
			}
			_, err = w2.Exec(`UPDATE meta SET value = value + 1`)
			t.Logf("%s BUSY(exec):  %s", d.name, describe(err))
			if !isBusy(err) {
				t.Errorf("BUSY not detected")
			}
			tx.Rollback()
			// A write through the query_only reader pool.
			_, err = st.r.Exec(`UPDATE meta SET value = value + 1`)
			t.Logf("%s query_only:  %s", d.name, describe(err))
		})
	}
}

// TestVacuumInto checks VACUUM INTO works as an online backup while a reader holds a
// snapshot and the writer is idle, from the writer and from a query_only reader.
func TestVacuumInto(t *testing.T) {
	for _, d := range drivers {
		t.Run(d.name, func(t *testing.T) {
			st := openStore(t, d, "NORMAL")
			ctx := context.Background()
			rtx, err := st.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			var n int
			if err := rtx.QueryRow(`SELECT count(*) FROM pages`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			sv := newSaver()
			if err := sv.save(ctx, st.w); err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			// A dedicated backup pool: the reader DSN without query_only(1).
			bk, err := d.open(strings.Replace(d.readerDSN(st.path), "&_pragma=query_only(1)", "", 1))
			if err != nil {
				t.Fatal(err)
			}
			defer bk.Close()
			for _, c := range []struct {
				name string
				db   *sql.DB
			}{{"writer", st.w}, {"reader(query_only)", st.r}, {"backup-conn", bk}} {
				out := filepath.Join(dir, "backup-"+strings.Map(func(r rune) rune {
					if r == '(' || r == ')' {
						return '_'
					}
					return r
				}, c.name)+".db")
				// Saves go on through the writer while the backup runs on another connection.
				saves := make(chan error, 1)
				if c.db != st.w {
					go func() {
						for i := 0; i < 20; i++ {
							if err := sv.save(ctx, st.w); err != nil {
								saves <- err
								return
							}
						}
						saves <- nil
					}()
				} else {
					saves <- nil
				}
				_, err := c.db.ExecContext(ctx, `VACUUM INTO ?`, out)
				t.Logf("%s VACUUM INTO ? from %s: err=%v", d.name, c.name, err)
				if err := <-saves; err != nil {
					t.Errorf("concurrent save: %v", err)
				}
				if err != nil {
					continue
				}
				b, err := d.open(fileURI(out) + "?_pragma=query_only(1)")
				if err != nil {
					t.Fatal(err)
				}
				var ok string
				var pages, seq int
				if err := b.QueryRow(`SELECT (SELECT integrity_check FROM pragma_integrity_check), (SELECT count(*) FROM pages),
					(SELECT value FROM meta WHERE key='change_seq')`).Scan(&ok, &pages, &seq); err != nil {
					t.Fatal(err)
				}
				var jm string
				b.QueryRow(`PRAGMA journal_mode`).Scan(&jm)
				b.Close()
				fi, _ := os.Stat(out)
				t.Logf("%s backup via %s: integrity=%s pages=%d change_seq=%d journal_mode=%s size=%d", d.name, c.name, ok, pages, seq, jm, fi.Size())
				if ok != "ok" || pages != nPages || seq < 1 {
					t.Errorf("bad backup")
				}
			}
			rtx.Rollback()
		})
	}
}

// TestConnMemory reports the resident-set growth per open connection (Linux only).
func TestConnMemory(t *testing.T) {
	rss := func() int64 {
		b, err := os.ReadFile("/proc/self/statm")
		if err != nil {
			t.Skip("no /proc/self/statm")
		}
		f := strings.Fields(string(b))
		n, _ := strconv.ParseInt(f[1], 10, 64)
		return n * int64(os.Getpagesize())
	}
	const conns = 8
	for _, d := range drivers {
		t.Run(d.name, func(t *testing.T) {
			path := template(t, d)
			db, err := d.open(d.readerDSN(path))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			db.SetMaxIdleConns(conns)
			ctx := context.Background()
			before := rss()
			var cs []*sql.Conn
			for i := 0; i < conns; i++ {
				c, err := db.Conn(ctx)
				if err != nil {
					t.Fatal(err)
				}
				var total int64 // read the whole db: fills the default 2 MB page cache
				if err := c.QueryRowContext(ctx, `SELECT count(*) FROM pages WHERE instr(doc, 'zzzz') > 0`).Scan(&total); err != nil {
					t.Fatal(err)
				}
				cs = append(cs, c)
			}
			after := rss()
			for _, c := range cs {
				c.Close()
			}
			t.Logf("%s: RSS +%.1f MiB for %d connections (%.2f MiB each, page cache filled)",
				d.name, float64(after-before)/(1<<20), conns, float64(after-before)/(1<<20)/conns)
		})
	}
}
