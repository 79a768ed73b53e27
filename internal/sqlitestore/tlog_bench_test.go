package sqlitestore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/storetest"
)

// The cost of the verifiable log on the write path: every audit event is appended to the
// Merkle tree in its change's transaction (one leaf: a RecordHash, about two stored hashes
// written, one read on average).
//
// BenchmarkAppendAccountEvent is the smallest write that carries an event: one audit row
// and its leaf per transaction. BenchmarkSaveWithLog is a whole save (revision, page,
// search index, one event and its leaf).
func BenchmarkAppendAccountEvent(b *testing.B) {
	s := openContractStore(b)
	head := editorial.AuditHead{}
	b.ResetTimer()
	for i := range b.N {
		e := editorial.NewAccountEvent(head, storetest.Writer, "login_succeeded", fmt.Sprintf(`{"i":%d}`, i), storetest.At(time.Duration(i)*time.Millisecond))
		if err := s.AppendAuditEvent(b.Context(), e); err != nil {
			b.Fatal(err)
		}
		head = editorial.AuditHead{Seq: e.Seq, Hash: e.Hash}
	}
	b.StopTimer()
	reportLeaves(b, s.LogSize)
}

func BenchmarkSaveWithLog(b *testing.B) {
	s := openContractStore(b)
	p := storetest.MustCreate(b, s, "ketamine", "Ketamine", storetest.At(0))
	b.ResetTimer()
	for i := range b.N {
		p = storetest.MustSave(b, s, p, storetest.Content(fmt.Sprintf("Ketamine v%d", i)), storetest.At(time.Duration(i+1)*time.Millisecond))
	}
	b.StopTimer()
	reportLeaves(b, s.LogSize)
}

func reportLeaves(b *testing.B, size func(context.Context) (int64, error)) {
	n, err := size(b.Context())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(n)/float64(b.N), "leaves/op")
}
