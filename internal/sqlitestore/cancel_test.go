package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
)

// TestARequestEndingMidTransactionIsUnavailable: when a request ends while its change is
// being written, database/sql rolls the transaction back, and the next statement or the
// commit fails with sql.ErrTxDone. That is the request's cancellation (503, "did not answer
// in time"), not a store fault (500), whichever of the two finds it; nothing is written,
// and the store takes the next change.
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
	// rolledBack waits until database/sql has rolled tx back after its context ended.
	rolledBack := func(tx *sql.Tx) {
		for range 1000 {
			if _, err := tx.ExecContext(context.Background(), `SELECT 1`); errors.Is(err, sql.ErrTxDone) {
				return
			}
			time.Sleep(time.Millisecond)
		}
		t.Fatal("the transaction was not rolled back when its context ended")
	}
	tests := []struct {
		name string
		fn   func(ctx context.Context, tx *sql.Tx) error
	}{
		{"found by the commit", func(context.Context, *sql.Tx) error { return nil }},
		{"found by a statement", func(ctx context.Context, tx *sql.Tx) error {
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
				rolledBack(tx)
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
