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
// being written, the change is rolled back and the request is told the store is unavailable
// (503, "did not answer in time"), not that the store failed (500), whether the request
// ended before the transaction's last statement or after it; nothing is written, and the
// store takes the next change.
func TestARequestEndingMidTransactionIsUnavailable(t *testing.T) {
	s := openTestStore(t)
	seq := func() int64 { return changeSeq(t, s) }
	tests := []struct {
		name string
		fn   func(ctx context.Context, tx *sql.Tx) error
	}{
		{"after the last statement", func(context.Context, *sql.Tx) error { return nil }},
		{"before a statement", func(ctx context.Context, tx *sql.Tx) error {
			_, err := s.exec(ctx, tx, bumpChangeSeq)
			return translate(err, "meta")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := seq()
			ctx, cancel := context.WithCancel(context.Background())
			err := s.transact(ctx, func(tx *sql.Tx) error {
				if _, err := s.exec(ctx, tx, bumpChangeSeq); err != nil {
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
				_, err := s.exec(context.Background(), tx, bumpChangeSeq)
				return err
			}); err != nil || seq() != before+1 {
				t.Fatalf("the next change: %v", err)
			}
		})
	}
}

// TestAChangeIsNotCutShortByItsRequest: a change made for a request whose context can end
// runs without the goroutines that wait on that context to interrupt or roll it back (the
// driver's at BEGIN, at each statement and at COMMIT), each a wake-up of another thread on
// every save (transact): its transaction outlives the request's end until its statements
// have run, and is then rolled back.
func TestAChangeIsNotCutShortByItsRequest(t *testing.T) {
	s := openTestStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	err := s.transact(ctx, func(tx *sql.Tx) error {
		if _, err := s.exec(ctx, tx, bumpChangeSeq); err != nil {
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
}

// TestAChangeForAnEndedRequestIsNotMade: a request that ended while it waited for the write
// lock gets the store's unavailable error without its change being run.
func TestAChangeForAnEndedRequestIsNotMade(t *testing.T) {
	s := openTestStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ran := false
	err := s.transact(ctx, func(*sql.Tx) error { ran = true; return nil })
	if ce := (*cms.Error)(nil); !errors.As(err, &ce) || ce.Code != cms.CodeUnavailable || ran {
		t.Errorf("transact = %v, fn ran: %v; want the store's unavailable error and fn not run", err, ran)
	}
}

// TestAPanicInAChangeRollsItBack: nothing else would end a change's transaction (it does not
// end with its request), so a panic while it is written rolls it back; left open, it would
// hold the writer's only connection, and every later change would wait for it for good.
func TestAPanicInAChangeRollsItBack(t *testing.T) {
	// Not closed when the next change is stuck: Close would wait for the writer too.
	s, err := Open(context.Background(), Config{DataDir: t.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	before := changeSeq(t, s)
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("the change's panic did not reach its caller")
			}
		}()
		_ = s.transact(context.Background(), func(tx *sql.Tx) error {
			if _, err := s.exec(context.Background(), tx, bumpChangeSeq); err != nil {
				return err
			}
			panic("a fault while the change is written")
		})
	}()
	next := make(chan error, 1)
	go func() {
		next <- s.transact(context.Background(), func(tx *sql.Tx) error {
			_, err := s.exec(context.Background(), tx, bumpChangeSeq)
			return err
		})
	}()
	select {
	case err := <-next:
		if err != nil {
			t.Fatalf("the next change: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the next change still waits for the writer's connection after 10 s")
	}
	if got := changeSeq(t, s); got != before+1 {
		t.Errorf("change_seq %d, want %d: the panicking change was not rolled back", got, before+1)
	}
	if err := s.Close(context.Background()); err != nil {
		t.Error(err)
	}
}

const bumpChangeSeq = `UPDATE meta SET value = value + 1 WHERE key = 'change_seq'`

// openTestStore opens a store on a fresh data dir, closed when the test ends.
func openTestStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), Config{DataDir: t.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	return s
}

func changeSeq(t *testing.T, s *Store) (n int64) {
	t.Helper()
	if err := s.w.QueryRow(`SELECT value FROM meta WHERE key = 'change_seq'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
