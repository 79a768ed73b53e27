package media

import (
	"context"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
)

// CodeAssetInUse refuses to delete an asset that a live or working revision uses: 409.
const CodeAssetInUse cms.Code = "asset_in_use"

// Usage kinds: the page's working copy, or its live revision.
const (
	UsageWorking = "working"
	UsageLive    = "live"
)

// ReservationTTL is how long a save's reservation of its assets counts for a page that
// does not exist yet: a page being created reserves its images before it is stored, and a
// deletion must respect that; a reservation left by a create that failed (or a crash) stops
// keeping the asset after this long. Saves take milliseconds.
const ReservationTTL = 10 * time.Minute

// Ref names an asset a page uses: its id and, once the page records it, the sha256 of the
// asset's upload. Use counts by either, so a page imported with an image that the library
// holds under another id (the same bytes are one asset) still keeps that image.
type Ref struct {
	ID     string
	SHA256 string
}

// Usage says that a page uses an asset in its working copy or live revision.
type Usage struct {
	PageID string `json:"pageId"`
	Kind   string `json:"kind"`
}

// ListFilter selects assets for the library, newest first.
type ListFilter struct {
	// Query matches, case-insensitively, a substring of the alt text, caption, credit,
	// licence or sha256.
	Query string
	Limit int
	// Before is the cursor: assets strictly older than (BeforeAt, BeforeID).
	BeforeAt *time.Time
	BeforeID string
}

// Store keeps assets, their files and which pages use them. It is implemented by
// internal/sqlitestore (files content-addressed under the data dir) and internal/mongostore
// (GridFS); internal/storetest/media.go is the contract both pass.
type Store interface {
	// PutAsset stores a new asset with its files (a.Files describes files, in order).
	// cms.CodeConflict when an asset with a.SHA256 (or a.ID) exists; then nothing of this
	// call is left behind.
	PutAsset(ctx context.Context, a Asset, files []Rendition) error
	// AssetByID and AssetBySHA256 return an asset; cms.CodeNotFound if there is none.
	AssetByID(ctx context.Context, id string) (Asset, error)
	AssetBySHA256(ctx context.Context, sha string) (Asset, error)
	// AssetsByID returns the assets with these ids; unknown ids are left out.
	AssetsByID(ctx context.Context, ids []string) ([]Asset, error)
	// ListAssets returns up to f.Limit assets matching f, newest first.
	ListAssets(ctx context.Context, f ListFilter) ([]Asset, error)
	// UpdateAssetMeta replaces an asset's metadata and returns it; cms.CodeNotFound.
	UpdateAssetMeta(ctx context.Context, id string, m Meta, at time.Time) (Asset, error)
	// DeleteAsset removes an asset and the files no other asset shares, unless a page uses
	// it by id or by sha256 — a page that exists, or one being created whose reservation
	// was made after now-ReservationTTL (CodeAssetInUse, nothing changed); cms.CodeNotFound.
	// Removing the files is serialised with PutAsset, so a file another asset is being
	// stored with is never removed from under it.
	DeleteAsset(ctx context.Context, id string, now time.Time) error
	// ReadFile returns the stored bytes of an asset's file (by the asset's sha256 and the
	// file's name); cms.CodeNotFound. The bytes are not checked: the caller does.
	ReadFile(ctx context.Context, sha, name string) (File, []byte, error)
	// SetMediaUsage replaces the assets a page uses in one kind (UsageWorking, UsageLive).
	SetMediaUsage(ctx context.Context, pageID, kind string, refs []Ref, at time.Time) error
	// AddMediaUsage adds to them, leaving what is recorded (a save reserves the assets it
	// is about to reference before checking they exist, so a concurrent delete either
	// sees the reservation or makes the check fail); at is when, for ReservationTTL.
	AddMediaUsage(ctx context.Context, pageID, kind string, refs []Ref, at time.Time) error
	// MediaUsage returns who uses each of these assets.
	MediaUsage(ctx context.Context, assetIDs []string) (map[string][]Usage, error)
}
