// Package storetest is the one contract test every store adapter passes: the rules of
// storage.Store (editorial.Store, auth.UserStore and RefreshStore, webhook.Store,
// reviews.Store and the lifecycle methods), written once against the interfaces and run on
// each adapter, the way one store test runs against every database.
//
// An adapter's package runs it from a _test.go file:
//
//	func TestContract(t *testing.T) {
//		storetest.Run(t, func(tb testing.TB) storage.Store {
//			s, err := sqlitestore.Open(tb.Context(), sqlitestore.Config{DataDir: tb.TempDir()})
//			if err != nil {
//				tb.Fatal(err)
//			}
//			tb.Cleanup(func() { _ = s.Close(context.Background()) })
//			return s
//		}, storetest.Options{})
//	}
//
// Every rule is a subtest named for what it checks (Commit/StaleUpdateIsVersionConflict…,
// Pages/ListPagesCursorWalksEveryPageOnce, …) and runs on a fresh, empty store from the
// opener, so one failure names one rule and no test depends on another. The expected
// results come from the doc comments of the interfaces: those comments are the contract,
// and a test here that an adapter fails is a bug in the adapter or an ambiguity of the
// contract to settle there, never something to relax for one adapter.
//
// The suite is deterministic: fixed ids (ID), fixed times (At: Base plus an offset, UTC,
// whole milliseconds, which is what the services store), no sleeps. Times are compared with
// time.Equal and nil and empty slices alike, so an adapter may return UTC or another zone
// and either form of an empty list. The concurrency tests race goroutines on purpose;
// their assertions (exactly one winner, every loser's code, what is stored) hold whatever
// the interleaving. They need a store that makes one conditional update atomic against a
// concurrent one; Options.NoConcurrentAtomicity skips them, with its reason, for a test
// stand-in that lacks it.
//
// The fixtures (NewPage, SaveChange, PublishChange, LinkEvent, MustCreate, …) build domain
// values the way the services do: page facts through the workflow package's rules, audit
// events linked into the page's hash chain with AuditEvent.ComputeHash and EventID, the
// live snapshot and webhook outbox with a publication. Other packages' tests may use them.
//
// This package is imported only by _test.go files.
package storetest
