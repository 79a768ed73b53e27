// Package teststore opens the store that a test run asks for, so the service and end-to-end
// tests run on both adapters: the embedded SQLite store by default, or with
// MONOGRAPH_TEST_STORE=ferretdb-server the MongoDB adapter against a FerretDB server that
// TestMain starts (the MongoDB-protocol stand-in; no MongoDB server can be installed where
// the tests run). With MONGODB_URI set, the MongoDB adapter runs against that server. It is
// imported only by tests.
package teststore

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/mongostore/mongotest"
	"github.com/monograph-cms/monograph/internal/storage"
)

// Env is the environment variable selecting the store of a test run: unset or "sqlite" for
// the embedded store, "ferretdb-server" for the MongoDB adapter on a FerretDB server.
const Env = "MONOGRAPH_TEST_STORE"

// Mongo reports whether this test run uses the MongoDB adapter (MONGODB_URI is set, by the
// caller or by Main).
func Mongo() bool { return os.Getenv("MONGODB_URI") != "" }

// Main is a TestMain body: it starts a FerretDB server when Env asks for one (and
// MONGODB_URI is not set already), points MONGODB_URI at it, runs the tests and stops it.
func Main(m *testing.M) int {
	switch mode := os.Getenv(Env); {
	case mode == "" || mode == "sqlite" || os.Getenv("MONGODB_URI") != "":
		return m.Run()
	case mode != "ferretdb-server":
		fmt.Fprintf(os.Stderr, "%s=%q: want sqlite or ferretdb-server\n", Env, mode)
		return 2
	}
	dir, err := os.MkdirTemp("", "monograph-ferretdb-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	uri, stop, err := mongotest.StartServer(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "start FerretDB:", err)
		return 1
	}
	defer stop()
	if err := os.Setenv("MONGODB_URI", uri); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

var unsafeDBChars = regexp.MustCompile(`[^A-Za-z0-9_]+`)

// runID makes database names unique to this run, so a database left by an interrupted run
// is never reused, while a test that reopens its store by name gets its own database back.
var runID = strconv.FormatInt(time.Now().UnixNano()%1e9, 36)

// DatabaseName is the MongoDB database name of a test: unique to the test and the run.
func DatabaseName(testName string) string {
	n := "t_" + runID + "_" + unsafeDBChars.ReplaceAllString(testName, "_")
	if len(n) > 54 {
		n = n[:54]
	}
	// A test run again in the same process (-count) gets a database of its own too.
	namesMu.Lock()
	defer namesMu.Unlock()
	namesUsed[n]++
	if k := namesUsed[n]; k > 1 {
		n += "_" + strconv.Itoa(k)
	}
	return n
}

var (
	namesMu   sync.Mutex
	namesUsed = map[string]int{}
)

// Config returns the store configuration of a test: the MongoDB at MONGODB_URI with a
// database of its own, or the embedded store in dataDir.
func Config(tb testing.TB, dataDir string) storage.Config {
	return storage.Config{
		MongoURI: os.Getenv("MONGODB_URI"), Database: DatabaseName(tb.Name()), DataDir: dataDir,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

// MustOpen opens the test run's store for one test, closed when the test ends.
func MustOpen(tb testing.TB) storage.Store {
	tb.Helper()
	s, err := storage.Open(context.Background(), Config(tb, tb.TempDir()))
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { _ = s.Close(context.Background()) })
	return s
}

var (
	atomicityOnce   sync.Once
	atomicityReason string
)

// NoConcurrentAtomicity returns why the test run's store does not make a conditional update
// atomic against a concurrent update of the same record, or "" when it does (SQLite,
// MongoDB). The FerretDB stand-in for MongoDB does not: tests that race writers skip (or
// run their writers one at a time) on it, and run on real MongoDB with MONGODB_URI.
func NoConcurrentAtomicity() string {
	atomicityOnce.Do(func() {
		uri := os.Getenv("MONGODB_URI")
		if uri == "" {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if mongotest.IsFerretDB(ctx, uri) {
			atomicityReason = "the store is FerretDB, the test stand-in for MongoDB, which does not make a conditional update atomic against a concurrent one (run with MONGODB_URI set to a real MongoDB for this)"
		}
	})
	return atomicityReason
}

// SkipWithoutConcurrentAtomicity skips a test that races writers when the store cannot
// (see NoConcurrentAtomicity).
func SkipWithoutConcurrentAtomicity(tb testing.TB) {
	tb.Helper()
	if reason := NoConcurrentAtomicity(); reason != "" {
		tb.Skip(reason)
	}
}
