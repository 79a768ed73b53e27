package mongostore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/media"
)

var _ media.Store = (*Store)(nil)

// The image library's collections (docs/media.md): one document per asset, which pages
// use which asset, and the files in GridFS (bucket mediafs, in the same database, so a
// replica set needs nothing else), each GridFS file's _id being the sha256 of its bytes.
const (
	collMedia      = "media"
	collMediaUsage = "media_usage"
	mediaBucket    = "mediafs"
)

// mediaIndexes serve the library's queries: identity by sha256, the list newest first,
// which assets share a file, and who uses an asset.
var mediaIndexes = []indexSpec{
	{collMedia, "sha256_unique", keys("sha256", 1), true},
	{collMedia, "created_id", keys("createdAt", -1, "_id", -1), false},
	{collMedia, "file_shas", keys("fileShas", 1), false},
	{collMediaUsage, "asset", keys("assetId", 1), false},
	{collMediaUsage, "page_kind", keys("pageId", 1, "kind", 1), false},
	{collMediaUsage, "sha256", keys("sha256", 1), false},
}

// mediaFilesMu serialises, in this process, what decides a GridFS file's fate: PutAsset
// (upload or find the files, insert the asset, re-upload any file removed meanwhile) and
// the removal of unreferenced files (count, then delete), so a deletion never removes a
// file that a concurrent PutAsset of another asset with the same bytes relies on. Across
// processes, PutAsset's check after its insert narrows the window (docs/media.md).
var mediaFilesMu sync.Mutex

// mediaDoc is an asset as stored: the searchable and indexed fields beside the asset's
// JSON (its one definition, media.Asset).
type mediaDoc struct {
	ID        string    `bson:"_id"`
	SHA256    string    `bson:"sha256"`
	CreatedAt time.Time `bson:"createdAt"`
	Search    string    `bson:"search"`
	FileShas  []string  `bson:"fileShas"`
	Doc       string    `bson:"doc"`
}

func toMediaDoc(a media.Asset) (mediaDoc, error) {
	b, err := json.Marshal(a)
	if err != nil {
		return mediaDoc{}, err
	}
	d := mediaDoc{ID: a.ID, SHA256: a.SHA256, CreatedAt: a.CreatedAt, Doc: string(b), FileShas: []string{},
		Search: strings.ToLower(strings.Join([]string{a.Alt, a.Caption, a.Credit, a.License, a.SHA256}, "\n"))}
	for _, f := range a.Files {
		d.FileShas = append(d.FileShas, f.SHA256)
	}
	return d, nil
}

func (d mediaDoc) asset() (media.Asset, error) {
	var a media.Asset
	if err := json.Unmarshal([]byte(d.Doc), &a); err != nil {
		return media.Asset{}, fmt.Errorf("asset document: %w", err)
	}
	return a, nil
}

func (s *Store) mediaFS() *mongo.GridFSBucket {
	return s.db.GridFSBucket(options.GridFSBucket().SetName(mediaBucket))
}

// PutAsset uploads the files not stored yet, then inserts the asset document; when that
// is refused (a duplicate), the files this call uploaded that no asset names are deleted.
func (s *Store) PutAsset(ctx context.Context, a media.Asset, files []media.Rendition) error {
	mediaFilesMu.Lock()
	defer mediaFilesMu.Unlock()
	fs := s.mediaFS()
	var uploaded []string
	for _, f := range files {
		err := fs.UploadFromStreamWithID(ctx, f.SHA256, f.Name, bytes.NewReader(f.Data))
		if isDuplicate(err) {
			continue // the same bytes are stored already
		}
		if err != nil {
			s.removeUnreferencedFilesLocked(ctx, uploaded)
			return translate(err, "image file")
		}
		uploaded = append(uploaded, f.SHA256)
	}
	d, err := toMediaDoc(a)
	if err == nil {
		_, err = s.coll(collMedia).InsertOne(ctx, d)
	}
	if err != nil {
		s.removeUnreferencedFilesLocked(ctx, uploaded)
		return translate(err, "asset")
	}
	// A file found stored above may have been removed by another process's deletion
	// before the insert made it referenced: store it again.
	for _, f := range files {
		n, err := s.db.Collection(mediaBucket+".files").CountDocuments(ctx, bson.D{{Key: "_id", Value: f.SHA256}})
		if err != nil {
			return translate(err, "image file")
		}
		if n == 0 {
			if err := fs.UploadFromStreamWithID(ctx, f.SHA256, f.Name, bytes.NewReader(f.Data)); err != nil && !isDuplicate(err) {
				return translate(err, "image file")
			}
		}
	}
	return nil
}

// removeUnreferencedFiles deletes the GridFS files among shas that no asset names.
func (s *Store) removeUnreferencedFiles(ctx context.Context, shas []string) {
	mediaFilesMu.Lock()
	defer mediaFilesMu.Unlock()
	s.removeUnreferencedFilesLocked(ctx, shas)
}

// removeUnreferencedFilesLocked is removeUnreferencedFiles for a caller holding mediaFilesMu.
func (s *Store) removeUnreferencedFilesLocked(ctx context.Context, shas []string) {
	for _, sha := range shas {
		n, err := s.coll(collMedia).CountDocuments(ctx, bson.D{{Key: "fileShas", Value: sha}})
		if err != nil {
			s.log.Warn("media: could not check a file's use; left in place", "sha256", sha, "error", err)
			continue
		}
		if n == 0 {
			if err := s.mediaFS().Delete(ctx, sha); err != nil && !errors.Is(err, mongo.ErrFileNotFound) {
				s.log.Warn("media: could not remove a file", "sha256", sha, "error", err)
			}
		}
	}
}

func (s *Store) oneAsset(ctx context.Context, filter bson.D) (media.Asset, error) {
	var d mediaDoc
	if err := s.coll(collMedia).FindOne(ctx, filter).Decode(&d); err != nil {
		return media.Asset{}, translate(err, "asset")
	}
	return d.asset()
}

// AssetByID implements media.Store.
func (s *Store) AssetByID(ctx context.Context, id string) (media.Asset, error) {
	return s.oneAsset(ctx, bson.D{{Key: "_id", Value: id}})
}

// AssetBySHA256 implements media.Store.
func (s *Store) AssetBySHA256(ctx context.Context, sha string) (media.Asset, error) {
	return s.oneAsset(ctx, bson.D{{Key: "sha256", Value: sha}})
}

func (s *Store) manyAssets(ctx context.Context, filter bson.D, opts ...options.Lister[options.FindOptions]) ([]media.Asset, error) {
	cur, err := s.coll(collMedia).Find(ctx, filter, opts...)
	docs, err := all[mediaDoc](ctx, cur, err, "assets")
	if err != nil {
		return nil, err
	}
	out := make([]media.Asset, 0, len(docs))
	for _, d := range docs {
		a, err := d.asset()
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// AssetsByID implements media.Store.
func (s *Store) AssetsByID(ctx context.Context, ids []string) ([]media.Asset, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	return s.manyAssets(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}})
}

// ListAssets implements media.Store. The query is matched as a literal substring (quoted
// for the regular expression), never interpreted.
func (s *Store) ListAssets(ctx context.Context, f media.ListFilter) ([]media.Asset, error) {
	filter := bson.D{}
	if f.Query != "" {
		filter = append(filter, bson.E{Key: "search", Value: bson.D{{Key: "$regex", Value: regexp.QuoteMeta(strings.ToLower(f.Query))}}})
	}
	if f.BeforeAt != nil {
		filter = append(filter, bson.E{Key: "$or", Value: bson.A{
			bson.D{{Key: "createdAt", Value: bson.D{{Key: "$lt", Value: *f.BeforeAt}}}},
			bson.D{{Key: "createdAt", Value: *f.BeforeAt}, {Key: "_id", Value: bson.D{{Key: "$lt", Value: f.BeforeID}}}},
		}})
	}
	return s.manyAssets(ctx, filter, options.Find().
		SetSort(bson.D{{Key: "createdAt", Value: -1}, {Key: "_id", Value: -1}}).SetLimit(int64(f.Limit)))
}

// UpdateAssetMeta implements media.Store.
func (s *Store) UpdateAssetMeta(ctx context.Context, id string, m media.Meta, at time.Time) (media.Asset, error) {
	a, err := s.AssetByID(ctx, id)
	if err != nil {
		return media.Asset{}, err
	}
	a.Meta, a.UpdatedAt = m, at
	d, err := toMediaDoc(a)
	if err != nil {
		return media.Asset{}, err
	}
	res, err := s.coll(collMedia).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "doc", Value: d.Doc}, {Key: "search", Value: d.Search}}}})
	if err != nil {
		return media.Asset{}, translate(err, "asset")
	}
	if res.MatchedCount == 0 {
		return media.Asset{}, cms.Errorf(cms.CodeNotFound, "asset not found")
	}
	return a, nil
}

// DeleteAsset implements media.Store. Without a multi-document transaction it checks for
// use, deletes, and checks again: a save reserves its assets before checking that they
// exist, so of a save and a deletion that overlap, at least one sees the other's write.
// When the second check finds a use that appeared meanwhile, the asset is put back and the
// deletion refused, so no page is left naming an image that is gone (docs/media.md).
func (s *Store) DeleteAsset(ctx context.Context, id string, now time.Time) error {
	a, err := s.AssetByID(ctx, id)
	if err != nil {
		return err
	}
	if err := s.checkUnused(ctx, a, now); err != nil {
		return err
	}
	var d mediaDoc
	if err := s.coll(collMedia).FindOneAndDelete(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		return translate(err, "asset")
	}
	if err := s.checkUnused(ctx, a, now); err != nil {
		if _, ierr := s.coll(collMedia).InsertOne(ctx, d); ierr != nil {
			s.log.Error("media: could not put back an asset a page started using during its deletion", "asset", id, "error", ierr)
		}
		return err
	}
	s.removeUnreferencedFiles(ctx, d.FileShas)
	return nil
}

// checkUnused returns media.CodeAssetInUse while a page uses a, by id or by sha256: a page
// that exists, or a recent reservation whether or not its page exists yet.
func (s *Store) checkUnused(ctx context.Context, a media.Asset, now time.Time) error {
	cur, err := s.coll(collMediaUsage).Find(ctx, bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: "assetId", Value: a.ID}}, bson.D{{Key: "sha256", Value: a.SHA256}},
	}}})
	uses, err := all[usageDoc](ctx, cur, err, "media usage")
	if err != nil {
		return err
	}
	var pageIDs []string
	var n int64
	for _, u := range uses {
		pageIDs = append(pageIDs, u.PageID)
		if u.ReservedAt.After(now.Add(-media.ReservationTTL)) {
			n++
		}
	}
	if n == 0 && len(pageIDs) > 0 {
		if n, err = s.coll(collPages).CountDocuments(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: pageIDs}}}}); err != nil {
			return translate(err, "media usage")
		}
	}
	if n > 0 {
		return cms.Errorf(media.CodeAssetInUse, "the image is used by %d page revision(s); remove it from them first", n)
	}
	return nil
}

// ReadFile implements media.Store.
func (s *Store) ReadFile(ctx context.Context, sha, name string) (media.File, []byte, error) {
	a, err := s.AssetBySHA256(ctx, sha)
	if err != nil {
		return media.File{}, nil, err
	}
	f, ok := a.File(name)
	if !ok {
		return media.File{}, nil, cms.Errorf(cms.CodeNotFound, "file not found")
	}
	var buf bytes.Buffer
	if _, err := s.mediaFS().DownloadToStream(ctx, f.SHA256, &buf); err != nil {
		if errors.Is(err, mongo.ErrFileNotFound) {
			return media.File{}, nil, cms.Errorf(cms.CodeNotFound, "file not found")
		}
		return media.File{}, nil, translate(err, "image file")
	}
	return f, buf.Bytes(), nil
}

type usageDoc struct {
	ID      string `bson:"_id"`
	PageID  string `bson:"pageId"`
	Kind    string `bson:"kind"`
	AssetID string `bson:"assetId"`
	// SHA256 is the asset's as the page records it ("" for a reservation before the page
	// knows it); ReservedAt when it was last recorded (media.ReservationTTL).
	SHA256     string    `bson:"sha256,omitempty"`
	ReservedAt time.Time `bson:"reservedAt"`
}

// SetMediaUsage implements media.Store: the new rows are added before the old ones are
// removed, so an asset still used is never without its row in between.
func (s *Store) SetMediaUsage(ctx context.Context, pageID, kind string, refs []media.Ref, at time.Time) error {
	if err := s.AddMediaUsage(ctx, pageID, kind, refs, at); err != nil {
		return err
	}
	ids := []string{}
	for _, r := range refs {
		ids = append(ids, r.ID)
	}
	_, err := s.coll(collMediaUsage).DeleteMany(ctx, bson.D{{Key: "pageId", Value: pageID}, {Key: "kind", Value: kind},
		{Key: "assetId", Value: bson.D{{Key: "$nin", Value: ids}}}})
	return translate(err, "media usage")
}

// AddMediaUsage implements media.Store. A use recorded again is refreshed: its reservation
// time, and its sha256 once the page knows it.
func (s *Store) AddMediaUsage(ctx context.Context, pageID, kind string, refs []media.Ref, at time.Time) error {
	for _, r := range refs {
		set := bson.D{{Key: "pageId", Value: pageID}, {Key: "kind", Value: kind}, {Key: "assetId", Value: r.ID}, {Key: "reservedAt", Value: at.UTC()}}
		if r.SHA256 != "" {
			set = append(set, bson.E{Key: "sha256", Value: r.SHA256})
		}
		_, err := s.coll(collMediaUsage).UpdateOne(ctx, bson.D{{Key: "_id", Value: pageID + "/" + kind + "/" + r.ID}},
			bson.D{{Key: "$set", Value: set}}, options.UpdateOne().SetUpsert(true))
		if err != nil && !isDuplicate(err) {
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
	// A use names the asset by id, or by its sha256 (a page imported with the same bytes
	// under another id).
	assets, err := s.AssetsByID(ctx, assetIDs)
	if err != nil {
		return nil, err
	}
	bySHA, shas := map[string]string{}, []string{}
	for _, a := range assets {
		bySHA[a.SHA256] = a.ID
		shas = append(shas, a.SHA256)
	}
	cur, err := s.coll(collMediaUsage).Find(ctx, bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: "assetId", Value: bson.D{{Key: "$in", Value: assetIDs}}}},
		bson.D{{Key: "sha256", Value: bson.D{{Key: "$in", Value: shas}}}},
	}}}, options.Find().SetSort(bson.D{{Key: "pageId", Value: 1}, {Key: "kind", Value: 1}}))
	docs, err := all[usageDoc](ctx, cur, err, "media usage")
	if err != nil {
		return nil, err
	}
	seen := map[[3]string]bool{}
	for _, d := range docs {
		for _, id := range []string{d.AssetID, bySHA[d.SHA256]} {
			if id == "" || !slices.Contains(assetIDs, id) || seen[[3]string{id, d.PageID, d.Kind}] {
				continue
			}
			seen[[3]string{id, d.PageID, d.Kind}] = true
			out[id] = append(out[id], media.Usage{PageID: d.PageID, Kind: d.Kind})
		}
	}
	return out, nil
}
