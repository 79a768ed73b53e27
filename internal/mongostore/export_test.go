package mongostore

import (
	"context"
	"io"
	"log/slog"
	"os"
	"regexp"
	"strconv"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// URIEnv names the server the tests use: MONGODB_URI when the caller sets it, otherwise
// the FerretDB server TestMain starts and points it at.
const URIEnv = "MONGODB_URI"

var unsafeDBChars = regexp.MustCompile(`[^A-Za-z0-9_]+`)

// runID makes database names unique to this run, so a database left by an interrupted run
// against a real server is never reused.
var runID = strconv.FormatInt(time.Now().UnixNano()%1e9, 36)

// dbName is a test's database name: unique to the test and the run, within MongoDB's
// 63-byte limit.
func dbName(testName string) string {
	n := "t_" + runID + "_" + unsafeDBChars.ReplaceAllString(testName, "_")
	if len(n) > 60 {
		n = n[:60]
	}
	return n
}

// OpenTest opens a store on a fresh database of the test server for one test, closed and
// dropped when the test ends (the cleanup tolerates a store the test closed itself).
func OpenTest(tb testing.TB) *Store {
	tb.Helper()
	uri := os.Getenv(URIEnv)
	if uri == "" {
		tb.Fatalf("%s is not set (TestMain sets it)", URIEnv)
	}
	name := dbName(tb.Name())
	s, err := Open(tb.Context(), Config{URI: uri, Database: name, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() {
		_ = s.Close(context.Background())
		dropDatabase(uri, name)
	})
	return s
}

// dropDatabase drops a test's database through a client of its own (the store's may be
// closed already).
func dropDatabase(uri, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := mongo.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		return
	}
	defer func() { _ = c.Disconnect(ctx) }()
	_ = c.Database(name).Drop(ctx)
}

// Collection returns a collection of the store's database, for tests that look under the
// store (a pending list, a leftover revision).
func (s *Store) Collection(name string) *mongo.Collection { return s.coll(name) }

// Client returns the store's driver client.
func (s *Store) Client() *mongo.Client { return s.client }

// SimulateCrashBeforeFlush makes standalone Commits stop right after their page write, as
// a crash there would, leaving the events and outbox entries in the page's pending lists.
func (s *Store) SimulateCrashBeforeFlush(on bool) { s.skipFlush = on }

// SimulateCrashAfterLogClaim makes AppendLog stop right after it claims a batch of leaves,
// as a crash there would, leaving the batch for the next AppendLog to finish.
func (s *Store) SimulateCrashAfterLogClaim(on bool) { s.logCrashAfterClaim = on }
