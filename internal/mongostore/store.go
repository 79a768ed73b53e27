// Package mongostore is Monograph's production store: MongoDB through the official driver,
// which only this package imports. It implements the store interfaces the domain packages
// declare (editorial.Store, auth.UserStore and RefreshStore, webhook.Store, reviews.Store),
// so storage.Store is satisfied by *Store.
//
// There is one layout (collections and documents, see docs.go) and one write path per page
// change (Commit, commit.go). Where the server is a replica set, a change runs in one
// multi-document transaction; on a standalone server it is one conditional update of the
// page document, which carries the change's audit events and webhook outbox entries until
// they are copied to their collections (pending.go), so a crash can delay them but never
// lose them.
package mongostore

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Config says which MongoDB deployment to use.
type Config struct {
	// URI is the MongoDB connection string.
	URI string
	// Database is the database name ("monograph" when empty).
	Database string
	// Logger receives store diagnostics (slog.Default when nil).
	Logger *slog.Logger
}

// Store is an open connection to a MongoDB deployment.
type Store struct {
	client *mongo.Client
	db     *mongo.Database
	log    *slog.Logger
	// transactions is true on a replica set (or a sharded cluster): a page change then runs
	// in one transaction instead of the standalone server's pending-list protocol.
	transactions bool
	// skipFlush makes a standalone Commit stop after its page write, as a crash there
	// would: set only by tests (export_test.go), to check that Recover finishes the change.
	skipFlush bool

	// The verifiable log's sequencer (tlog.go): one AppendLog at a time in this process,
	// woken after every change that stored events. logCrashAfterClaim makes AppendLog stop
	// after claiming a batch, as a crash there would (tests only).
	logMu              sync.Mutex
	logWake            chan struct{}
	logCrashAfterClaim bool
}

// serverSelectionTimeout bounds how long an operation waits for a reachable server before
// it fails with cms.CodeUnavailable, instead of the driver's 30 s.
const serverSelectionTimeout = 10 * time.Second

// Open connects to the deployment, checks that it answers, learns whether it runs
// transactions, creates the missing indexes and finishes the page changes a crashed
// process left half-copied (Recover).
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Database == "" {
		cfg.Database = "monograph"
	}
	client, err := mongo.Connect(options.Client().ApplyURI(cfg.URI).
		SetServerSelectionTimeout(serverSelectionTimeout).
		// Domain types carry JSON tags (their API names) and bson tags where storage needs
		// another name or a field the API hides; stored documents use the same names. Nil
		// slices are stored as empty arrays, so every document has one shape.
		SetBSONOptions(bsonOptions()))
	if err != nil {
		return nil, fmt.Errorf("connect to MongoDB: %w", err)
	}
	s := &Store{client: client, db: client.Database(cfg.Database), log: cfg.Logger, logWake: make(chan struct{}, 1)}
	fail := func(what string, err error) (*Store, error) {
		_ = client.Disconnect(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if err := s.Ping(ctx); err != nil {
		return fail("MongoDB not reachable", err)
	}
	if s.transactions, err = s.detectTransactions(ctx); err != nil {
		return fail("ask MongoDB for its topology", err)
	}
	if err := s.ensureIndexes(ctx); err != nil {
		return fail("create indexes", err)
	}
	if err := s.ensureChangeCounter(ctx); err != nil {
		return fail("create the change counter", err)
	}
	if err := s.ensureLogState(ctx); err != nil {
		return fail("create the verifiable log", err)
	}
	if n, err := s.Recover(ctx); err != nil {
		return fail("finish interrupted page changes", err)
	} else if n > 0 {
		s.log.Warn("store: finished page changes interrupted by a crash", "pages", n)
	}
	return s, nil
}

func bsonOptions() *options.BSONOptions {
	return &options.BSONOptions{UseJSONStructTags: true, NilSliceAsEmpty: true}
}

// detectTransactions reports whether the deployment runs multi-document transactions: a
// replica set member names its set in `hello`, a mongos says "isdbgrid". A standalone
// server (and FerretDB, the tests' stand-in) has neither.
func (s *Store) detectTransactions(ctx context.Context) (bool, error) {
	var hello struct {
		SetName string `bson:"setName"`
		Msg     string `bson:"msg"`
	}
	err := s.client.Database("admin").RunCommand(ctx, bson.D{{Key: "hello", Value: 1}}).Decode(&hello)
	if err != nil {
		// Servers before 4.4.2 know the command by its old name.
		err = s.client.Database("admin").RunCommand(ctx, bson.D{{Key: "isMaster", Value: 1}}).Decode(&hello)
	}
	if err != nil {
		return false, translate(err, "hello")
	}
	return hello.SetName != "" || hello.Msg == "isdbgrid", nil
}

// ensureChangeCounter creates the change counter at 0 unless it exists, so a transaction
// never has to create the meta collection or race another first upsert of it.
func (s *Store) ensureChangeCounter(ctx context.Context) error {
	_, err := s.coll(collMeta).UpdateOne(ctx, bson.D{{Key: "_id", Value: changeCounterID}},
		bson.D{{Key: "$setOnInsert", Value: bson.D{{Key: "seq", Value: int64(0)}}}}, options.UpdateOne().SetUpsert(true))
	if isDuplicate(err) {
		return nil // another process's Open created it at the same moment
	}
	return translate(err, "change counter")
}

// Transactions reports whether page changes run in multi-document transactions (a
// replica set or sharded cluster) rather than the standalone protocol.
func (s *Store) Transactions() bool { return s.transactions }

// Ping checks that the deployment answers (readiness).
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return translate(s.db.RunCommand(ctx, bson.D{{Key: "ping", Value: 1}}).Err(), "store")
}

// Exclusive reports false: other processes may write to the same database, so delivery
// polls the change counter and dispatchers lease their deliveries.
func (s *Store) Exclusive() bool { return false }

// Close disconnects from the deployment.
func (s *Store) Close(ctx context.Context) error {
	return s.client.Disconnect(ctx)
}

// Collection names: one layout, whatever the server.
const (
	collPages         = "pages"
	collRevisions     = "revisions"
	collAudit         = "audit"
	collOutbox        = "outbox"
	collMeta          = "meta"
	collUsers         = "users"
	collRefresh       = "refresh_tokens"
	collSessions      = "revoked_sessions"
	collWebhooks      = "webhooks"
	collDeliveries    = "webhook_deliveries"
	collReaderReviews = "reader_reviews"
	collLogHashes     = "tlog_hashes"
)

// coll returns a collection of the store's database.
func (s *Store) coll(name string) *mongo.Collection { return s.db.Collection(name) }

// all decodes every document of a cursor into a non-nil slice (an empty result is an empty
// list, never nil).
func all[T any](ctx context.Context, cur *mongo.Cursor, err error, what string) ([]T, error) {
	if err != nil {
		return nil, translate(err, what)
	}
	out := []T{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, translate(err, what)
	}
	return out, nil
}
