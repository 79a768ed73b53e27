package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
)

// TestARequestEndingMidTransactionIsUnavailable: when a request ends while its change is
// being written, the change is rolled back and the request is told the store is unavailable
// (503, "did not answer in time"), not that the store failed (500), whether the request
// ended before the transaction's last statement or after it; nothing is written, and the
// store takes the next change.
func TestARequestEndingMidTransactionIsUnavailable(t *testing.T) {
	s, err := Open(context.Background(), Config{DataDir: t.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	const bump = `UPDATE meta SET value = value + 1 WHERE key = 'change_seq'`
	seq := func() (n int64) {
		if err := s.w.QueryRow(`SELECT value FROM meta WHERE key = 'change_seq'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	tests := []struct {
		name string
		fn   func(ctx context.Context, tx *sql.Tx) error
	}{
		{"after the last statement", func(context.Context, *sql.Tx) error { return nil }},
		{"before a statement", func(ctx context.Context, tx *sql.Tx) error {
			_, err := s.exec(ctx, tx, bump)
			return translate(err, "meta")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := seq()
			ctx, cancel := context.WithCancel(context.Background())
			err := s.transact(ctx, func(tx *sql.Tx) error {
				if _, err := s.exec(ctx, tx, bump); err != nil {
					return err
				}
				cancel()
				return tt.fn(ctx, tx)
			})
			var ce *cms.Error
			if !errors.As(err, &ce) || ce.Code != cms.CodeUnavailable {
				t.Fatalf("transact = %v, want the store's unavailable error", err)
			}
			if got := seq(); got != before {
				t.Fatalf("change_seq %d after a cancelled change, want %d", got, before)
			}
			if err := s.transact(context.Background(), func(tx *sql.Tx) error {
				_, err := s.exec(context.Background(), tx, bump)
				return err
			}); err != nil || seq() != before+1 {
				t.Fatalf("the next change: %v", err)
			}
		})
	}
}

// TestAChangeStartsNoWatcherGoroutine: a change made for a request whose context can end
// runs without the goroutines that wait on that context to interrupt or roll it back (the
// driver's at BEGIN, at each statement and at COMMIT; database/sql's rolling back): each is
// a wake-up of another thread on every save (transact). The change's transaction outlives
// its request's end until its statements have run, and no goroutine of the driver waits on
// it. (database/sql starts a goroutine for every transaction, whatever the context; with
// a context that cannot end it only waits for the commit.)
func TestAChangeStartsNoWatcherGoroutine(t *testing.T) {
	s, err := Open(context.Background(), Config{DataDir: t.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stacks strings.Builder
	err = s.transact(ctx, func(tx *sql.Tx) error {
		if _, err := s.exec(ctx, tx, `UPDATE meta SET value = value + 1 WHERE key = 'change_seq'`); err != nil {
			return err
		}
		if err := pprof.Lookup("goroutine").WriteTo(&stacks, 1); err != nil {
			return err
		}
		cancel()
		// A goroutine waiting on ctx would roll the transaction back within microseconds;
		// give it a hundred milliseconds.
		for range 20 {
			if _, err := tx.ExecContext(context.Background(), `SELECT 1`); err != nil {
				t.Errorf("the change's transaction ended with its request: %v", err)
				return nil
			}
			time.Sleep(5 * time.Millisecond)
		}
		return nil
	})
	if ce := (*cms.Error)(nil); !errors.As(err, &ce) || ce.Code != cms.CodeUnavailable {
		t.Errorf("transact = %v, want the store's unavailable error", err)
	}
	if strings.Contains(stacks.String(), "modernc.org/sqlite.interruptOnDone") {
		t.Error("a goroutine of the driver waits to interrupt the change")
	}
}
