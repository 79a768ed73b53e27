package mongostore

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"testing"
)

// MustOpenTest opens a store for one test: the MongoDB at MONGODB_URI when set (with a
// database named from t.Name()), otherwise an embedded store in a fresh temp dir. It is
// closed when the test ends.
func MustOpenTest(tb testing.TB) *Store {
	tb.Helper()
	cfg := Config{URI: os.Getenv("MONGODB_URI"), DataDir: tb.TempDir(), Database: testDBName(tb.Name())}
	s, err := Open(context.Background(), cfg)
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() {
		if cfg.URI != "" {
			_ = s.db.Drop(context.Background())
		}
		_ = s.Close(context.Background())
	})
	return s
}

var unsafeDBChars = regexp.MustCompile(`[^A-Za-z0-9_]+`)

func testDBName(name string) string {
	n := "t_" + unsafeDBChars.ReplaceAllString(name, "_")
	if len(n) > 60 {
		n = n[:60]
	}
	return n
}

// StartTestServer starts a FerretDB server (SQLite files under dir) on a loopback port, as
// a stand-in for a MongoDB server that tests can reach from other processes, and returns
// its URI and a stop function. Stores opened on this URI use the MongoDB layout (one pages
// collection, one revisions collection) and, since the server is FerretDB, serialise their
// writes; only one process may write to it (see detectFerretDB).
func StartTestServer(dir string) (uri string, stop func(), err error) {
	e, err := startEmbedded(dir, nil)
	if err != nil {
		return "", nil, err
	}
	return e.uri, e.stop, nil
}

// TestStoreEnv selects the store of a test run: unset (or "embedded") for the embedded
// store, "ferretdb-server" for a FerretDB server that the tests reach over MONGODB_URI,
// exercising the MongoDB layout and code paths that production on MongoDB runs.
const TestStoreEnv = "MONOGRAPH_TEST_STORE"

// UseTestServerIfAsked is for TestMain: when TestStoreEnv is "ferretdb-server" (and
// MONGODB_URI is not already set), it starts a FerretDB server in a temporary directory and
// points MONGODB_URI at it. The returned stop function ends it (and is a no-op otherwise).
func UseTestServerIfAsked() (stop func(), err error) {
	switch mode := os.Getenv(TestStoreEnv); {
	case mode == "" || mode == "embedded" || os.Getenv("MONGODB_URI") != "":
		return func() {}, nil
	case mode != "ferretdb-server":
		return nil, fmt.Errorf("%s=%q: want embedded or ferretdb-server", TestStoreEnv, mode)
	}
	dir, err := os.MkdirTemp("", "monograph-ferretdb-")
	if err != nil {
		return nil, err
	}
	uri, stopServer, err := StartTestServer(dir)
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	if err := os.Setenv("MONGODB_URI", uri); err != nil {
		stopServer()
		return nil, err
	}
	return func() { stopServer(); _ = os.RemoveAll(dir) }, nil
}

// RunTests is a package's TestMain body for tests that open stores: it honours
// TestStoreEnv (see UseTestServerIfAsked) around m.Run and returns the exit code.
func RunTests(m *testing.M) int {
	stop, err := UseTestServerIfAsked()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer stop()
	return m.Run()
}
