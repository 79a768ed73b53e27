package storetest

import (
	"slices"
	"testing"

	"github.com/monograph-cms/monograph/internal/storage"
)

// Options adapts the suite to an adapter's test environment.
type Options struct {
	// NoConcurrentAtomicity, when not empty, is why the store under test cannot make one
	// conditional update atomic against a concurrent one (the MongoDB adapter's test
	// stand-in FerretDB; real MongoDB and SQLite can): the tests that race writers are
	// skipped with this reason.
	NoConcurrentAtomicity string
	// Groups, when not empty, runs only the groups of tests so named ("Commit", "Search"):
	// for an adapter's second run in another mode, of the rules that mode concerns.
	Groups []string
}

// Run runs every contract test as a subtest of t, each on a fresh, empty store from open.
//
// open must return a store nobody else uses and release it with tb.Cleanup. The Close test
// closes its store itself, so that cleanup must tolerate a store that is closed already
// (ignore Close's error there).
func Run(t *testing.T, open func(tb testing.TB) storage.Store, opts Options) {
	for _, name := range opts.Groups {
		if !slices.ContainsFunc(groups(), func(g group) bool { return g.name == name }) {
			t.Fatalf("storetest: no group of tests is named %q", name) // else it would pass by running nothing
		}
	}
	for _, g := range groups() {
		if len(opts.Groups) > 0 && !slices.Contains(opts.Groups, g.name) {
			continue
		}
		t.Run(g.name, func(t *testing.T) {
			for _, tc := range g.tests {
				t.Run(tc.name, func(t *testing.T) {
					if tc.concurrent && opts.NoConcurrentAtomicity != "" {
						t.Skip(opts.NoConcurrentAtomicity)
					}
					tc.run(t, open(t))
				})
			}
		})
	}
}

// test is one rule of the contract.
type test struct {
	name string
	// concurrent marks a test that races writers and needs a store that makes one
	// conditional update atomic against a concurrent one.
	concurrent bool
	run        func(t *testing.T, s storage.Store)
}

type group struct {
	name  string
	tests []test
}

func groups() []group {
	return []group{
		{"Commit", commitTests()},
		{"Concurrency", concurrencyTests()},
		{"Pages", pageReadTests()},
		{"Search", searchTests()},
		{"History", historyTests()},
		{"Jobs", jobTests()},
		{"Live", liveTests()},
		{"Users", userTests()},
		{"Refresh", refreshTests()},
		{"Accounts", accountTests()},
		{"Webhooks", webhookTests()},
		{"Outbox", outboxTests()},
		{"Deliveries", deliveryTests()},
		{"Reviews", reviewTests()},
		{"Lifecycle", lifecycleTests()},
		{"Log", logTests()},
		{"Media", mediaTests()},
		{"Notifications", notificationTests()},
		{"Translations", translationTests()},
	}
}
