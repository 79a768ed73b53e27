package mongostore_test

import (
	"os"
	"testing"

	"github.com/monograph-cms/monograph/internal/mongostore"
	"github.com/monograph-cms/monograph/internal/mongostore/mongotest"
	"github.com/monograph-cms/monograph/internal/storage"
	"github.com/monograph-cms/monograph/internal/storetest"
)

// TestContract runs the store contract every adapter passes (internal/storetest). On
// FerretDB, which does not make an update atomic against a concurrent update of the same
// document, the tests that race writers are skipped; on MongoDB they run.
func TestContract(t *testing.T) {
	var opts storetest.Options
	if mongotest.IsFerretDB(t.Context(), os.Getenv(mongostore.URIEnv)) {
		opts.NoConcurrentAtomicity = "FerretDB does not make a conditional update atomic against a concurrent one"
	}
	storetest.Run(t, func(tb testing.TB) storage.Store { return mongostore.OpenTest(tb) }, opts)
}
