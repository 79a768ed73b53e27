package transparency

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/sqlitestore"
	"github.com/monograph-cms/monograph/internal/storetest"
)

// verifyFixture opens an embedded store in a temporary data dir with three pages' histories
// and enough account events for several of Verify's batches (made small), and returns it,
// its data dir and the log key.
func verifyFixture(t *testing.T) (*sqlitestore.Store, string, *Key) {
	t.Helper()
	old := verifyBatch
	verifyBatch = 7
	t.Cleanup(func() { verifyBatch = old })
	dir := t.TempDir()
	s, err := sqlitestore.Open(context.Background(), sqlitestore.Config{DataDir: dir, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	for i, slug := range []string{"ketamine", "ibuprofen", "aspirin"} {
		p := storetest.MustCreate(t, s, slug, strings.ToUpper(slug[:1])+slug[1:], storetest.At(0))
		p = storetest.MustSave(t, s, p, storetest.Content(slug+" v2"), storetest.At(time.Duration(i+1)*time.Minute))
		storetest.MustPublish(t, s, p, storetest.At(time.Duration(i+2)*time.Minute))
	}
	head := editorial.AuditHead{}
	for i := range 40 {
		e := editorial.NewAccountEvent(head, storetest.Writer, "login_succeeded", fmt.Sprintf(`{"i":%d}`, i), storetest.At(time.Duration(i)*time.Second))
		if err := s.AppendAuditEvent(t.Context(), e); err != nil {
			t.Fatal(err)
		}
		head = editorial.AuditHead{Seq: e.Seq, Hash: e.Hash}
	}
	k, _, err := GenerateKey("monograph/test")
	if err != nil {
		t.Fatal(err)
	}
	return s, dir, k
}

// tamper runs statements against the store's database file through a connection of its
// own, as someone with the files could. The store is open meanwhile, and its search indexer
// may hold the write lock for a moment: the connection waits for it as the store's own do.
func tamper(t *testing.T, dir string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, sqlitestore.FileName)+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range stmts {
		res, err := db.Exec(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			t.Fatalf("%s changed nothing", q)
		}
	}
}

func TestVerify(t *testing.T) {
	tests := []struct {
		name       string
		tamper     []string
		checkpoint func(t *testing.T, l *Log, k *Key) []byte
		want       string // "" = passes
	}{
		{name: "intact"},
		{name: "intact, with a checkpoint of the same tree", checkpoint: current},
		{name: "intact, with a checkpoint of an earlier tree", checkpoint: earlier(10)},
		{name: "event removed", tamper: []string{`DELETE FROM audit WHERE event_id = 'accounts/20'`}, want: "no event claims leaf"},
		{name: "last event removed", tamper: []string{`DELETE FROM audit WHERE event_id = 'accounts/40'`}, want: "no event claims leaf"},
		{name: "event altered", tamper: []string{`UPDATE audit SET actor_name = 'Mallory' WHERE event_id = 'accounts/3'`}, want: "was altered"},
		{name: "event hash replaced", tamper: []string{
			`UPDATE audit SET hash = 'sha256:0000000000000000000000000000000000000000000000000000000000000001' WHERE event_id = 'accounts/5'`,
		}, want: "altered"},
		{name: "two events swap leaves", tamper: []string{
			`UPDATE audit SET log_index = -1 WHERE log_index = 3`,
			`UPDATE audit SET log_index = 3 WHERE log_index = 4`,
			`UPDATE audit SET log_index = 4 WHERE log_index = -1`,
		}, want: "is not the one recomputed"},
		{name: "event moved beyond the tree", tamper: []string{`UPDATE audit SET log_index = 1000 WHERE log_index = 12`}, want: "no event claims leaf 12"},
		{name: "stored hash altered", tamper: []string{`UPDATE tlog_hashes SET hash = zeroblob(32) WHERE idx = 9`}, want: "stored hash 9 is not the one recomputed"},
		{name: "stored hash removed", tamper: []string{`DELETE FROM tlog_hashes WHERE idx = 9`}, want: "incomplete"},
		{name: "checkpoint of another key", checkpoint: func(t *testing.T, l *Log, _ *Key) []byte {
			other, _, err := GenerateKey(l.Key().Origin())
			if err != nil {
				t.Fatal(err)
			}
			cp, err := l.Checkpoint(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			msg, err := Sign(cp.Checkpoint, other)
			if err != nil {
				t.Fatal(err)
			}
			return msg
		}, want: "signature does not verify"},
		{name: "checkpoint of a larger tree", checkpoint: func(t *testing.T, l *Log, k *Key) []byte {
			cp, err := l.Checkpoint(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			cp.Size++
			msg, err := Sign(cp.Checkpoint, k)
			if err != nil {
				t.Fatal(err)
			}
			return msg
		}, want: "fewer than"},
		{name: "checkpoint of another tree", checkpoint: func(t *testing.T, l *Log, k *Key) []byte {
			cp := Checkpoint{Origin: k.Origin(), Size: 5}
			cp.Root[0] = 1
			msg, err := Sign(cp, k)
			if err != nil {
				t.Fatal(err)
			}
			return msg
		}, want: "not an extension"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, dir, k := verifyFixture(t)
			l := New(s, k, nil)
			var cp []byte
			if tc.checkpoint != nil {
				cp = tc.checkpoint(t, l, k)
			}
			if len(tc.tamper) > 0 {
				tamper(t, dir, tc.tamper...)
			}
			r, err := Verify(t.Context(), s, k.VerifierKey(), cp)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Verify: %v", err)
			case tc.want == "" && r.Size != 3*5+40:
				t.Fatalf("Verify checked %d leaves, want %d", r.Size, 3*5+40)
			case tc.want == "" && cp != nil && r.Checkpoint == nil:
				t.Fatal("Verify did not check the checkpoint")
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("Verify: %v, want an error saying %q", err, tc.want)
			}
		})
	}
}

func current(t *testing.T, l *Log, _ *Key) []byte {
	cp, err := l.Checkpoint(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return cp.Note
}

// earlier returns the signed checkpoint of the tree's first n leaves.
func earlier(n int64) func(t *testing.T, l *Log, k *Key) []byte {
	return func(t *testing.T, l *Log, _ *Key) []byte {
		cp, err := l.checkpointAt(t.Context(), n)
		if err != nil {
			t.Fatal(err)
		}
		return cp.Note
	}
}
