// Package storage chooses the store adapter: the embedded SQLite store under the data dir
// (internal/sqlitestore) unless a MongoDB URI is configured (internal/mongostore). Store is
// everything the services need of either; both adapters implement all of it, and
// internal/storetest holds the one test body they both pass.
package storage

import (
	"context"
	"log/slog"

	"github.com/monograph-cms/monograph/internal/auth"
	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/media"
	"github.com/monograph-cms/monograph/internal/mongostore"
	"github.com/monograph-cms/monograph/internal/notify"
	"github.com/monograph-cms/monograph/internal/reviews"
	"github.com/monograph-cms/monograph/internal/sqlitestore"
	"github.com/monograph-cms/monograph/internal/webhook"
)

// Store is one open store: every interface the domain packages declare, plus its lifecycle.
type Store interface {
	editorial.Store
	auth.UserStore
	auth.RefreshStore
	webhook.Store
	reviews.Store
	media.Store
	notify.Store
	// CountUsers returns how many users exist (demo seeding runs only on an empty store).
	CountUsers(ctx context.Context) (int64, error)
	// Ping checks that the store answers (readiness).
	Ping(ctx context.Context) error
	// Exclusive reports whether this process alone uses the store (the embedded store,
	// whose data dir is locked): every change then arrives through this process.
	Exclusive() bool
	// Close releases the store.
	Close(ctx context.Context) error
}

var (
	_ Store = (*sqlitestore.Store)(nil)
	_ Store = (*mongostore.Store)(nil)
)

// Config says which store to open.
type Config struct {
	// MongoURI selects MongoDB; empty means the embedded store under DataDir.
	MongoURI string
	// Database is the MongoDB database name.
	Database string
	// DataDir holds the embedded store.
	DataDir string
	// Synchronous is the embedded store's commit durability (sqlitestore.SyncNormal or
	// SyncFull).
	Synchronous string
	Logger      *slog.Logger
}

// Open opens the configured store.
func Open(ctx context.Context, cfg Config) (Store, error) {
	if cfg.MongoURI != "" {
		return mongostore.Open(ctx, mongostore.Config{URI: cfg.MongoURI, Database: cfg.Database, Logger: cfg.Logger})
	}
	return sqlitestore.Open(ctx, sqlitestore.Config{DataDir: cfg.DataDir, Synchronous: cfg.Synchronous, Logger: cfg.Logger})
}
