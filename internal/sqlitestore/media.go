package sqlitestore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/media"
)

var _ media.Store = (*Store)(nil)

// mediaMigration adds the image library (docs/media.md): one row per asset (its JSON
// document), its files by their own sha256 (the bytes live under <data>/media, one file per
// distinct sha256, so two assets with the same re-encoded pixels share it), and which pages
// use which asset.
const mediaMigration = `
CREATE TABLE media (
	id         TEXT PRIMARY KEY,
	sha256     TEXT NOT NULL UNIQUE,
	created_at INTEGER NOT NULL,
	search     TEXT NOT NULL,            -- lowercased alt, caption, credit, licence, sha256
	doc        BLOB NOT NULL             -- JSON of media.Asset
);
CREATE INDEX media_created ON media (created_at, id);
CREATE TABLE media_files (
	asset_id TEXT NOT NULL REFERENCES media (id) ON DELETE CASCADE,
	name     TEXT NOT NULL,
	sha256   TEXT NOT NULL,
	PRIMARY KEY (asset_id, name)
);
CREATE INDEX media_files_sha ON media_files (sha256);
CREATE TABLE media_usage (
	page_id  TEXT NOT NULL,
	kind     TEXT NOT NULL,
	asset_id TEXT NOT NULL,
	PRIMARY KEY (page_id, kind, asset_id)
);
CREATE INDEX media_usage_asset ON media_usage (asset_id);
`

// mediaUsageMigration records with each use the sha256 of the asset the page names (a page
// imported with an image the library holds under another id keeps it) and when a save
// reserved it (a reservation by a page not created yet counts for media.ReservationTTL).
const mediaUsageMigration = `
ALTER TABLE media_usage ADD COLUMN sha256 TEXT NOT NULL DEFAULT '';
ALTER TABLE media_usage ADD COLUMN reserved_at INTEGER NOT NULL DEFAULT 0;
CREATE INDEX media_usage_sha ON media_usage (sha256) WHERE sha256 != '';
`

// mediaFilesMu serialises what decides a media file's fate: PutAsset (files written or
// found, then rows) and the removal of unreferenced files (count, then unlink). Without it a
// deletion could count no row for a file that a concurrent PutAsset of another asset with
// the same bytes had found on disk and was about to reference, and unlink it. One process
// owns an embedded store; the lock is held for file and row writes only, never a decode.
var mediaFilesMu sync.Mutex

// MediaDirName is the directory under the data dir that holds the media files.
const MediaDirName = "media"

func (s *Store) mediaDir() string { return filepath.Join(filepath.Dir(s.path), MediaDirName) }

// mediaPath is where the file with this sha256 lives: media/ab/abcdef….
func mediaPath(dir, sha string) string { return filepath.Join(dir, sha[:2], sha) }

func mediaSearch(a media.Asset) string {
	return strings.ToLower(strings.Join([]string{a.Alt, a.Caption, a.Credit, a.License, a.SHA256}, "\n"))
}

// PutAsset writes the files first (each atomically: a temporary file, fsynced, renamed,
// the directory fsynced), then the rows in one transaction; files this call wrote that no
// row references afterwards (a refused duplicate) are removed again.
func (s *Store) PutAsset(ctx context.Context, a media.Asset, files []media.Rendition) error {
	mediaFilesMu.Lock()
	defer mediaFilesMu.Unlock()
	dir := s.mediaDir()
	var written []string
	for _, f := range files {
		created, err := writeMediaFile(dir, f.SHA256, f.Data)
		if err != nil {
			s.removeUnreferencedLocked(ctx, written)
			return &cms.Error{Code: cms.CodeInternal, Message: "could not store the image", Err: err}
		}
		if created {
			written = append(written, f.SHA256)
		}
	}
	doc, err := json.Marshal(a)
	if err != nil {
		return err
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		if _, err := s.exec(ctx, tx, `INSERT INTO media (id, sha256, created_at, search, doc) VALUES (?, ?, ?, ?, ?)`,
			a.ID, a.SHA256, ms(a.CreatedAt), mediaSearch(a), doc); err != nil {
			return translate(err, "asset")
		}
		for _, f := range a.Files {
			if _, err := s.exec(ctx, tx, `INSERT INTO media_files (asset_id, name, sha256) VALUES (?, ?, ?)`, a.ID, f.Name, f.SHA256); err != nil {
				return translate(err, "asset file")
			}
		}
		return nil
	})
	if err != nil {
		s.removeUnreferencedLocked(ctx, written)
	}
	return err
}

// writeMediaFile stores data as dir/ab/<sha> unless that file exists (content-addressed:
// the same name is the same bytes). It reports whether it created the file.
func writeMediaFile(dir, sha string, data []byte) (bool, error) {
	if !media.ValidSHA256(sha) {
		return false, fmt.Errorf("bad file hash %q", sha)
	}
	path := mediaPath(dir, sha)
	if _, err := os.Stat(path); err == nil {
		return false, nil
	}
	sub := filepath.Dir(path)
	if err := os.MkdirAll(sub, 0o700); err != nil {
		return false, err
	}
	tmp, err := os.CreateTemp(sub, ".upload-*")
	if err != nil {
		return false, err
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return false, err
	}
	return true, syncDir(sub)
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// removeUnreferenced deletes the files among shas that no asset row names.
func (s *Store) removeUnreferenced(ctx context.Context, shas []string) {
	mediaFilesMu.Lock()
	defer mediaFilesMu.Unlock()
	s.removeUnreferencedLocked(ctx, shas)
}

// removeUnreferencedLocked is removeUnreferenced for a caller holding mediaFilesMu.
func (s *Store) removeUnreferencedLocked(ctx context.Context, shas []string) {
	for _, sha := range shas {
		var n int
		if err := s.row(ctx, `SELECT count(*) FROM media_files WHERE sha256 = ?`, sha).Scan(&n); err != nil {
			s.log.Warn("media: could not check a file's use; left in place", "sha256", sha, "error", err)
			continue
		}
		if n == 0 {
			if err := os.Remove(mediaPath(s.mediaDir(), sha)); err != nil && !errors.Is(err, os.ErrNotExist) {
				s.log.Warn("media: could not remove a file", "sha256", sha, "error", err)
			}
		}
	}
}

func scanAsset(sc interface{ Scan(...any) error }) (media.Asset, error) {
	var doc []byte
	if err := sc.Scan(&doc); err != nil {
		return media.Asset{}, translate(err, "asset")
	}
	var a media.Asset
	if err := json.Unmarshal(doc, &a); err != nil {
		return media.Asset{}, fmt.Errorf("asset document: %w", err)
	}
	return a, nil
}

// AssetByID implements media.Store.
func (s *Store) AssetByID(ctx context.Context, id string) (media.Asset, error) {
	return scanAsset(s.row(ctx, `SELECT doc FROM media WHERE id = ?`, id))
}

// AssetBySHA256 implements media.Store.
func (s *Store) AssetBySHA256(ctx context.Context, sha string) (media.Asset, error) {
	return scanAsset(s.row(ctx, `SELECT doc FROM media WHERE sha256 = ?`, sha))
}

// AssetsByID implements media.Store.
func (s *Store) AssetsByID(ctx context.Context, ids []string) ([]media.Asset, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	list, _ := json.Marshal(ids)
	return s.assets(ctx, `SELECT doc FROM media WHERE id IN (SELECT value FROM json_each(?))`, string(list))
}

func (s *Store) assets(ctx context.Context, q string, args ...any) ([]media.Asset, error) {
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, translate(err, "assets")
	}
	defer rows.Close()
	var out []media.Asset
	for rows.Next() {
		a, err := scanAsset(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, translate(rows.Err(), "assets")
}

// ListAssets implements media.Store.
func (s *Store) ListAssets(ctx context.Context, f media.ListFilter) ([]media.Asset, error) {
	q := `SELECT doc FROM media WHERE 1`
	var args []any
	if f.Query != "" {
		q += ` AND instr(search, ?) > 0`
		args = append(args, strings.ToLower(f.Query))
	}
	if f.BeforeAt != nil {
		q += ` AND (created_at < ? OR (created_at = ? AND id < ?))`
		args = append(args, ms(*f.BeforeAt), ms(*f.BeforeAt), f.BeforeID)
	}
	q += ` ORDER BY created_at DESC, id DESC LIMIT ?`
	args = append(args, f.Limit)
	return s.assets(ctx, q, args...)
}

// UpdateAssetMeta implements media.Store.
func (s *Store) UpdateAssetMeta(ctx context.Context, id string, m media.Meta, at time.Time) (media.Asset, error) {
	var a media.Asset
	err := s.write(ctx, func(tx *sql.Tx) error {
		var err error
		if a, err = scanAsset(s.txRow(ctx, tx, `SELECT doc FROM media WHERE id = ?`, id)); err != nil {
			return err
		}
		a.Meta, a.UpdatedAt = m, at
		doc, err := json.Marshal(a)
		if err != nil {
			return err
		}
		_, err = s.exec(ctx, tx, `UPDATE media SET doc = ?, search = ? WHERE id = ?`, doc, mediaSearch(a), id)
		return translate(err, "asset")
	})
	return a, err
}

// DeleteAsset implements media.Store: the check for use and the deletion are one
// transaction, so a save that reserved the asset first always wins (see AddMediaUsage).
func (s *Store) DeleteAsset(ctx context.Context, id string, now time.Time) error {
	var files []string
	err := s.write(ctx, func(tx *sql.Tx) error {
		var n int
		// Use by id or by the asset's sha256; by a page that exists, or by one being created
		// whose reservation is recent (a create that failed leaves one that soon expires).
		if err := s.txRow(ctx, tx, `SELECT count(*) FROM media_usage u
			WHERE (u.asset_id = ? OR u.sha256 != '' AND u.sha256 = (SELECT sha256 FROM media WHERE id = ?))
			AND (EXISTS (SELECT 1 FROM pages p WHERE p.id = u.page_id) OR u.reserved_at > ?)`,
			id, id, ms(now.Add(-media.ReservationTTL))).Scan(&n); err != nil {
			return translate(err, "asset")
		}
		if n > 0 {
			return cms.Errorf(media.CodeAssetInUse, "the image is used by %d page revision(s); remove it from them first", n)
		}
		rows, err := tx.QueryContext(ctx, `SELECT sha256 FROM media_files WHERE asset_id = ?`, id)
		if err != nil {
			return translate(err, "asset")
		}
		for rows.Next() {
			var sha string
			if err := rows.Scan(&sha); err != nil {
				rows.Close()
				return translate(err, "asset")
			}
			files = append(files, sha)
		}
		rows.Close()
		res, err := s.exec(ctx, tx, `DELETE FROM media WHERE id = ?`, id)
		if err != nil {
			return translate(err, "asset")
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return cms.Errorf(cms.CodeNotFound, "asset not found")
		}
		return nil
	})
	if err != nil {
		return err
	}
	// After the commit: a crash here leaves unreferenced files, never a row without its file.
	s.removeUnreferenced(ctx, files)
	return nil
}

// ReadFile implements media.Store.
func (s *Store) ReadFile(ctx context.Context, sha, name string) (media.File, []byte, error) {
	a, err := s.AssetBySHA256(ctx, sha)
	if err != nil {
		return media.File{}, nil, err
	}
	f, ok := a.File(name)
	if !ok || !media.ValidSHA256(f.SHA256) {
		return media.File{}, nil, cms.Errorf(cms.CodeNotFound, "file not found")
	}
	data, err := os.ReadFile(mediaPath(s.mediaDir(), f.SHA256))
	if errors.Is(err, os.ErrNotExist) {
		return media.File{}, nil, cms.Errorf(cms.CodeNotFound, "file not found")
	}
	if err != nil {
		return media.File{}, nil, &cms.Error{Code: cms.CodeInternal, Message: "could not read the image", Err: err}
	}
	return f, data, nil
}

// SetMediaUsage implements media.Store.
func (s *Store) SetMediaUsage(ctx context.Context, pageID, kind string, refs []media.Ref, at time.Time) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		if _, err := s.exec(ctx, tx, `DELETE FROM media_usage WHERE page_id = ? AND kind = ?`, pageID, kind); err != nil {
			return translate(err, "media usage")
		}
		return s.addUsage(ctx, tx, pageID, kind, refs, at)
	})
}

// CommitsMediaUsage implements editorial.MediaUsageCommitter: Commit and CommitAll record a
// change's "used by" in the change's transaction (putMediaUsage).
func (s *Store) CommitsMediaUsage() {}

// putMediaUsage replaces the page's "used by" with the change's, inside its transaction.
// A page that uses no image and had none recorded (most saves) finds nothing to delete and
// dirties no database page.
func (s *Store) putMediaUsage(ctx context.Context, tx *sql.Tx, c *editorial.Change) error {
	for _, u := range c.MediaUsage() {
		if _, err := s.exec(ctx, tx, `DELETE FROM media_usage WHERE page_id = ? AND kind = ?`, c.Page.ID, u.Kind); err != nil {
			return translate(err, "media usage")
		}
		if err := s.addUsage(ctx, tx, c.Page.ID, u.Kind, u.Refs, c.Page.UpdatedAt); err != nil {
			return err
		}
	}
	return nil
}

// AddMediaUsage implements media.Store.
func (s *Store) AddMediaUsage(ctx context.Context, pageID, kind string, refs []media.Ref, at time.Time) error {
	if len(refs) == 0 {
		return nil
	}
	return s.write(ctx, func(tx *sql.Tx) error { return s.addUsage(ctx, tx, pageID, kind, refs, at) })
}

// addUsage records refs; a use recorded again is refreshed (its reservation time, and its
// sha256 once the page knows it).
func (s *Store) addUsage(ctx context.Context, tx *sql.Tx, pageID, kind string, refs []media.Ref, at time.Time) error {
	for _, r := range refs {
		if _, err := s.exec(ctx, tx, `INSERT INTO media_usage (page_id, kind, asset_id, sha256, reserved_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (page_id, kind, asset_id) DO UPDATE SET reserved_at = excluded.reserved_at,
				sha256 = CASE WHEN excluded.sha256 != '' THEN excluded.sha256 ELSE media_usage.sha256 END`,
			pageID, kind, r.ID, r.SHA256, ms(at)); err != nil {
			return translate(err, "media usage")
		}
	}
	return nil
}

// MediaUsage implements media.Store.
func (s *Store) MediaUsage(ctx context.Context, assetIDs []string) (map[string][]media.Usage, error) {
	out := map[string][]media.Usage{}
	if len(assetIDs) == 0 {
		return out, nil
	}
	list, _ := json.Marshal(assetIDs)
	// A use names the asset by id, or by its sha256 (a page imported with the same bytes
	// under another id).
	rows, err := s.r.QueryContext(ctx, `SELECT DISTINCT m.id, u.page_id, u.kind FROM media m
		JOIN media_usage u ON u.asset_id = m.id OR u.sha256 != '' AND u.sha256 = m.sha256
		WHERE m.id IN (SELECT value FROM json_each(?)) ORDER BY m.id, u.page_id, u.kind`, string(list))
	if err != nil {
		return nil, translate(err, "media usage")
	}
	defer rows.Close()
	for rows.Next() {
		var a string
		var u media.Usage
		if err := rows.Scan(&a, &u.PageID, &u.Kind); err != nil {
			return nil, translate(err, "media usage")
		}
		out[a] = append(out[a], u)
	}
	return out, translate(rows.Err(), "media usage")
}
