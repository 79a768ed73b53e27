package storetest

import (
	"testing"

	"github.com/monograph-cms/monograph/internal/storage"
)

func lifecycleTests() []test {
	return []test{
		{name: "PingAnswers", run: testPing},
		{name: "ExclusiveAnswers", run: testExclusive},
		{name: "CloseSucceeds", run: testClose},
	}
}

func testPing(t *testing.T, s storage.Store) {
	must(t, s.Ping(t.Context()), "Ping of an open store")
	MustCreate(t, s, "ketamine", "Ketamine", At(0))
	must(t, s.Ping(t.Context()), "Ping after a write")
}

func testExclusive(t *testing.T, s storage.Store) {
	// Either answer is right; it must not change while the store is open.
	first := s.Exclusive()
	if s.Exclusive() != first {
		t.Error("Exclusive changed its answer")
	}
	t.Logf("Exclusive() = %v", first)
}

func testClose(t *testing.T, s storage.Store) {
	MustCreate(t, s, "ketamine", "Ketamine", At(0))
	must(t, s.Close(t.Context()), "Close")
}
