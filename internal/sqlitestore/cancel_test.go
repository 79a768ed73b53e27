package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"runtime/pprof"
	"strings"
	"testing"

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
// runs without a goroutine waiting on that context (database/sql's at BEGIN, the driver's
// per statement): each would be a wake-up of another thread on every save (transact).
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
		return pprof.Lookup("goroutine").WriteTo(&stacks, 1)
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, watcher := range []string{"database/sql.(*Tx).awaitDone", "modernc.org/sqlite.interruptOnDone"} {
		if strings.Contains(stacks.String(), watcher) {
			t.Errorf("a goroutine in %s runs during the change", watcher)
		}
	}
}
