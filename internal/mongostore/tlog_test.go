package mongostore_test

import (
	"math"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/monograph-cms/monograph/internal/mongostore"
	"github.com/monograph-cms/monograph/internal/storetest"
)

// A sequencer that dies after claiming leaves (the state document's one commit point)
// leaves a batch whose hashes and logIndexes are not written: the log's size does not count
// it, and the next AppendLog, in any process, finishes it; no event gets two leaves.
func TestAppendLogFinishesABatchLeftByACrash(t *testing.T) {
	s := mongostore.OpenTest(t)
	p := storetest.MustCreate(t, s, "ketamine", "Ketamine", storetest.At(0))
	storetest.MustSave(t, s, p, storetest.Content("Ketamine v2"), storetest.At(time.Minute))

	s.SimulateCrashAfterLogClaim(true)
	n, err := s.AppendLog(t.Context())
	if err != nil || n != 2 {
		t.Fatalf("AppendLog claimed %d leaves (%v), want 2", n, err)
	}
	if size, err := s.LogSize(t.Context()); err != nil || size != 0 {
		t.Fatalf("LogSize %d (%v) with the batch's hashes unwritten, want 0", size, err)
	}
	if evs, err := s.LogEvents(t.Context(), 0, math.MaxInt64); err != nil || len(evs) != 0 {
		t.Fatalf("events with leaves before their hashes are written: %v (%v)", evs, err)
	}

	s.SimulateCrashAfterLogClaim(false)
	if n, err := s.AppendLog(t.Context()); err != nil || n != 0 {
		t.Fatalf("AppendLog after the crash claimed %d new leaves (%v), want 0: it finishes the batch", n, err)
	}
	size, err := s.LogSize(t.Context())
	if err != nil || size != 2 {
		t.Fatalf("LogSize %d (%v), want 2", size, err)
	}
	evs, err := s.LogEvents(t.Context(), 0, size)
	if err != nil || len(evs) != 2 {
		t.Fatalf("LogEvents: %v (%v)", evs, err)
	}
	read := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) { return s.LogHashes(t.Context(), idx) })
	root, err := tlog.TreeHash(size, read)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range evs {
		if e.LogIndex == nil || *e.LogIndex != int64(i) {
			t.Fatalf("event %s has leaf %v, want %d", e.ID, e.LogIndex, i)
		}
		proof, err := tlog.ProveRecord(size, int64(i), read)
		if err != nil {
			t.Fatal(err)
		}
		if err := tlog.CheckRecord(proof, size, root, int64(i), tlog.RecordHash([]byte(e.Hash))); err != nil {
			t.Fatalf("event %s is not proved to be leaf %d: %v", e.ID, i, err)
		}
	}
	// New events after the finished batch get the next leaves.
	storetest.MustCreate(t, s, "other", "Other", storetest.At(2*time.Minute))
	if n, err := s.AppendLog(t.Context()); err != nil || n != 1 {
		t.Fatalf("AppendLog: %d (%v), want 1", n, err)
	}
}
