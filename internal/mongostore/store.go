// Package mongostore is Monograph's only importer of the MongoDB driver: documents, indexes,
// error translation and the embedded FerretDB store. It implements the store interfaces
// declared by the domain packages.
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

// Config says which store to open.
type Config struct {
	// URI of a MongoDB deployment; empty means the embedded FerretDB under DataDir.
	URI string
	// DataDir holds the embedded store's files (ignored when URI is set).
	DataDir string
	// Database is the database name.
	Database string
	// Logger receives store diagnostics; FerretDB's own chatter is discarded.
	Logger *slog.Logger
}

// Store is an open connection to MongoDB or to the embedded FerretDB.
type Store struct {
	client   *mongo.Client
	db       *mongo.Database
	embedded *embedded
	log      *slog.Logger

	// writeMu serialises every write of this process when the store is FerretDB (embedded,
	// or a FerretDB server at the URI): FerretDB v1 does not make an update atomic against a
	// concurrent update of the same document, so two conditional updates could both "win".
	// On MongoDB it is nil and the server decides.
	writeMu *sync.Mutex
	// cat is the in-memory page catalogue of embedded mode (layout.go); nil on MongoDB.
	cat *catalogue
	// flushed records, per page, the pending events and outbox entries already moved
	// (embedded mode, guarded by writeMu; see FlushPending).
	flushed map[string]flushState
}

// Open connects to the configured store, starting the embedded one if no URI is given, and
// creates the indexes. It fails with ErrDataDirLocked if another process holds the data dir.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Database == "" {
		cfg.Database = "monograph"
	}
	s := &Store{log: cfg.Logger}
	uri := cfg.URI
	if uri == "" {
		emb, err := startEmbedded(cfg.DataDir, cfg.Logger)
		if err != nil {
			return nil, err
		}
		s.embedded = emb
		s.writeMu = &sync.Mutex{}
		s.flushed = map[string]flushState{}
		uri = emb.uri
	}
	client, err := mongo.Connect(options.Client().ApplyURI(uri).
		SetServerSelectionTimeout(10 * time.Second).
		// Domain types carry JSON tags (their API names); stored documents use the same
		// names. Nil slices are stored as empty arrays so documents have one shape.
		SetBSONOptions(&options.BSONOptions{UseJSONStructTags: true, NilSliceAsEmpty: true}))
	if err != nil {
		s.stopEmbedded()
		return nil, fmt.Errorf("connect to store: %w", err)
	}
	s.client = client
	s.db = client.Database(cfg.Database)
	if err := s.Ping(ctx); err != nil {
		_ = s.Close(context.Background())
		return nil, fmt.Errorf("store not reachable: %w", err)
	}
	if s.embedded == nil {
		if err := s.detectFerretDB(ctx); err != nil {
			_ = s.Close(context.Background())
			return nil, err
		}
	}
	if err := s.ensureIndexes(ctx); err != nil {
		_ = s.Close(context.Background())
		return nil, fmt.Errorf("create indexes: %w", err)
	}
	if err := s.loadCatalogue(ctx); err != nil {
		_ = s.Close(context.Background())
		return nil, fmt.Errorf("load page catalogue: %w", err)
	}
	return s, nil
}

// Embedded reports whether the store is the in-process FerretDB.
func (s *Store) Embedded() bool { return s.embedded != nil }

// Ping checks that the store answers.
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return s.db.RunCommand(ctx, bson.D{{Key: "ping", Value: 1}}).Err()
}

// Close disconnects the driver first, then stops the embedded store (in that order, or
// FerretDB waits for the open connections to time out).
func (s *Store) Close(ctx context.Context) error {
	var err error
	if s.client != nil {
		err = s.client.Disconnect(ctx)
	}
	s.stopEmbedded()
	return err
}

func (s *Store) stopEmbedded() {
	if s.embedded != nil {
		s.embedded.stop()
		s.embedded = nil
	}
}

// detectFerretDB serialises this process's writes when the server at the URI is FerretDB
// (its buildInfo names a ferretdbVersion), and says loudly that only one process may write:
// a lock in one process cannot stop a second one. Processes started with background jobs
// off and receiving no management requests (delivery only) are safe beside it.
func (s *Store) detectFerretDB(ctx context.Context) error {
	var info struct {
		FerretDBVersion *string `bson:"ferretdbVersion"`
	}
	if err := s.client.Database("admin").RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Decode(&info); err != nil {
		return fmt.Errorf("read the store's buildInfo: %w", err)
	}
	if info.FerretDBVersion == nil {
		return nil
	}
	s.writeMu = &sync.Mutex{}
	s.log.Warn("the store at MONGODB_URI is FerretDB, whose updates are not atomic across concurrent writers: " +
		"this process serialises its own writes, but no other process may write to this database " +
		"(extra processes must serve delivery only, with --jobs=false); use MongoDB to run several editorial processes")
	return nil
}

// serialised reports whether writes run one at a time in this process (FerretDB), so a
// read followed by a write under write() cannot be interleaved with another write.
func (s *Store) serialised() bool { return s.writeMu != nil }

// write runs fn alone among this process's writes on FerretDB (see writeMu).
func (s *Store) write(fn func() error) error {
	if s.writeMu != nil {
		s.writeMu.Lock()
		defer s.writeMu.Unlock()
	}
	return fn()
}

// coll returns a collection of the store's database.
func (s *Store) coll(name string) *mongo.Collection { return s.db.Collection(name) }

// Collection names.
const (
	collUsers         = "users"
	collRefresh       = "refresh_tokens"
	collSessions      = "revoked_sessions"
	collPages         = "pages"
	collRevisions     = "revisions"
	collAudit         = "audit"
	collMeta          = "meta"
	collWebhooks      = "webhooks"
	collDeliveries    = "webhook_deliveries"
	collOutbox        = "outbox"
	collReaderReviews = "reader_reviews"
)

// indexSpec is one index of one collection.
type indexSpec struct {
	coll, name string
	keys       bson.D
	unique     bool
}

var indexes = []indexSpec{
	{collUsers, "email_unique", bson.D{{Key: "email", Value: 1}}, true},
	{collRefresh, "family", bson.D{{Key: "familyId", Value: 1}}, false},
	{collRefresh, "expires", bson.D{{Key: "expiresAt", Value: 1}}, false},
	{collPages, "slug_unique", bson.D{{Key: "slug", Value: 1}}, true},
	{collPages, "updated", bson.D{{Key: "updatedAt", Value: -1}, {Key: "_id", Value: -1}}, false},
	// MongoDB mode: the scheduler, the review-due sweep and a page's revision list.
	{collPages, "scheduled", bson.D{{Key: "workflow.state", Value: 1}, {Key: "workflow.scheduledAt", Value: 1}}, false},
	{collPages, "review_due", bson.D{{Key: "liveSnapshot.approval.nextReviewDue", Value: 1}}, false},
	{collRevisions, "page_number", bson.D{{Key: "pageId", Value: 1}, {Key: "number", Value: 1}}, false},
	{collAudit, "page_seq_unique", bson.D{{Key: "pageId", Value: 1}, {Key: "seq", Value: 1}}, true},
	{collAudit, "at", bson.D{{Key: "at", Value: -1}}, false},
	{collOutbox, "id_unique", bson.D{{Key: "id", Value: 1}}, true},
	{collDeliveries, "webhook_created", bson.D{{Key: "webhookId", Value: 1}, {Key: "createdAt", Value: -1}}, false},
	{collReaderReviews, "slug_state_created", bson.D{{Key: "slug", Value: 1}, {Key: "state", Value: 1}, {Key: "createdAt", Value: -1}}, false},
	// Webhooks and reader reviews (issue 7): the dispatcher's and the moderation queue's
	// queries.
	{collOutbox, "fanned_at", bson.D{{Key: "fannedOutAt", Value: 1}, {Key: "at", Value: 1}}, false},
	{collDeliveries, "status_next", bson.D{{Key: "status", Value: 1}, {Key: "nextAttemptAt", Value: 1}}, false},
	{collReaderReviews, "state_created", bson.D{{Key: "state", Value: 1}, {Key: "createdAt", Value: -1}}, false},
}

// ensureIndexes creates the missing indexes, one at a time: FerretDB v1.24's createIndexes
// panics when a request names indexes that exist already. On FerretDB indexes are not used
// by queries, but they still enforce uniqueness; on MongoDB they serve the queries too.
func (s *Store) ensureIndexes(ctx context.Context) error {
	existing := map[string]map[string]bool{}
	for _, ix := range indexes {
		if existing[ix.coll] == nil {
			names, err := s.indexNames(ctx, ix.coll)
			if err != nil {
				return fmt.Errorf("%s: %w", ix.coll, err)
			}
			existing[ix.coll] = names
		}
		if existing[ix.coll][ix.name] {
			continue
		}
		opts := options.Index().SetName(ix.name)
		if ix.unique {
			opts.SetUnique(true)
		}
		if _, err := s.coll(ix.coll).Indexes().CreateOne(ctx, mongo.IndexModel{Keys: ix.keys, Options: opts}); err != nil {
			return fmt.Errorf("%s.%s: %w", ix.coll, ix.name, err)
		}
	}
	return nil
}

func (s *Store) indexNames(ctx context.Context, coll string) (map[string]bool, error) {
	specs, err := s.coll(coll).Indexes().ListSpecifications(ctx)
	if err != nil {
		return nil, err
	}
	names := map[string]bool{}
	for _, sp := range specs {
		names[sp.Name] = true
	}
	return names, nil
}
