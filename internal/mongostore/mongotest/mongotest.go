// Package mongotest starts FerretDB (v1.24, SQLite backend) in-process as the
// MongoDB-protocol stand-in the tests use where no MongoDB server can be installed. It is
// the only package that imports FerretDB, and only tests (and test tools) import it, so
// FerretDB is never linked into the server. Build with -tags ferretdb_no_postgresql.
//
// FerretDB's known gaps, so a test does not mistake them for the store's: an update is not
// atomic against a concurrent update of the same document; there are no transactions and
// no replica set (hello has no setName); queries scan (indexes enforce uniqueness only).
package mongotest

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	"github.com/FerretDB/FerretDB/ferretdb"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// newMu serialises ferretdb.New: it writes a package-level variable of FerretDB's (its
// version info), so two servers started at once (parallel tests) would race on it.
var newMu sync.Mutex

// StartServer starts a FerretDB server keeping its SQLite files under dir, listening on a
// loopback port, and returns its URI and a function that stops it. Disconnect every client
// before calling stop: FerretDB waits for open connections to close.
func StartServer(dir string) (uri string, stop func(), err error) {
	dir, err = filepath.Abs(dir)
	if err != nil {
		return "", nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", nil, fmt.Errorf("create FerretDB dir %s: %w", dir, err)
	}
	newMu.Lock()
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		Handler:   "sqlite",
		SQLiteURL: "file:" + dir + "/",
		// FerretDB logs every failed reply (a duplicate key the store expects, say) at
		// WARN: only its errors are worth a test's output.
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})),
	})
	newMu.Unlock()
	if err != nil {
		return "", nil, fmt.Errorf("start FerretDB in %s: %w", dir, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = f.Run(ctx)
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			<-done
		})
	}
	return f.MongoDBURI(), stop, nil
}

// IsFerretDB reports whether the server behind target (a *mongo.Client or a URI string)
// is FerretDB: its buildInfo names a ferretdbVersion. Tests use it to skip what FerretDB
// cannot do. An unreachable server is reported as not FerretDB.
func IsFerretDB(ctx context.Context, target any) bool {
	var client *mongo.Client
	switch t := target.(type) {
	case *mongo.Client:
		client = t
	case string:
		c, err := mongo.Connect(options.Client().ApplyURI(t))
		if err != nil {
			return false
		}
		defer func() { _ = c.Disconnect(context.WithoutCancel(ctx)) }()
		client = c
	default:
		panic(fmt.Sprintf("mongotest.IsFerretDB: want a *mongo.Client or a URI, got %T", target))
	}
	var info struct {
		FerretDBVersion string `bson:"ferretdbVersion"`
	}
	if err := client.Database("admin").RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Decode(&info); err != nil {
		return false
	}
	return info.FerretDBVersion != ""
}
