package mongostore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
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
}

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
	fs := s.mediaFS()
	var uploaded []string
	for _, f := range files {
		err := fs.UploadFromStreamWithID(ctx, f.SHA256, f.Name, bytes.NewReader(f.Data))
		if isDuplicate(err) {
			continue // the same bytes are stored already
		}
		if err != nil {
			s.removeUnreferencedFiles(ctx, uploaded)
			return translate(err, "image file")
		}
		uploaded = append(uploaded, f.SHA256)
	}
	d, err := toMediaDoc(a)
	if err == nil {
		_, err = s.coll(collMedia).InsertOne(ctx, d)
	}
	if err != nil {
		s.removeUnreferencedFiles(ctx, uploaded)
		return translate(err, "asset")
	}
	return nil
}

// removeUnreferencedFiles deletes the GridFS files among shas that no asset names.
func (s *Store) removeUnreferencedFiles(ctx context.Context, shas []string) {
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

// DeleteAsset implements media.Store. Without a multi-document transaction the check for
// use and the deletion are two steps; a save reserves its assets before checking that
// they exist, so the window is a save that starts between the two, which then finds the
// asset gone and is refused (docs/media.md).
func (s *Store) DeleteAsset(ctx context.Context, id string) error {
	cur, err := s.coll(collMediaUsage).Find(ctx, bson.D{{Key: "assetId", Value: id}})
	uses, err := all[usageDoc](ctx, cur, err, "media usage")
	if err != nil {
		return err
	}
	var pageIDs []string
	for _, u := range uses {
		pageIDs = append(pageIDs, u.PageID)
	}
	// Only pages that exist count: a reservation by a page whose creation failed is void.
	var n int64
	if len(pageIDs) > 0 {
		if n, err = s.coll(collPages).CountDocuments(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: pageIDs}}}}); err != nil {
			return translate(err, "media usage")
		}
	}
	if n > 0 {
		return cms.Errorf(media.CodeAssetInUse, "the image is used by %d page revision(s); remove it from them first", n)
	}
	var d mediaDoc
	if err := s.coll(collMedia).FindOneAndDelete(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		return translate(err, "asset")
	}
	s.removeUnreferencedFiles(ctx, d.FileShas)
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
}

// SetMediaUsage implements media.Store: the new rows are added before the old ones are
// removed, so an asset still used is never without its row in between.
func (s *Store) SetMediaUsage(ctx context.Context, pageID, kind string, assetIDs []string) error {
	if err := s.AddMediaUsage(ctx, pageID, kind, assetIDs); err != nil {
		return err
	}
	_, err := s.coll(collMediaUsage).DeleteMany(ctx, bson.D{{Key: "pageId", Value: pageID}, {Key: "kind", Value: kind},
		{Key: "assetId", Value: bson.D{{Key: "$nin", Value: append([]string{}, assetIDs...)}}}})
	return translate(err, "media usage")
}

// AddMediaUsage implements media.Store.
func (s *Store) AddMediaUsage(ctx context.Context, pageID, kind string, assetIDs []string) error {
	for _, id := range assetIDs {
		u := usageDoc{ID: pageID + "/" + kind + "/" + id, PageID: pageID, Kind: kind, AssetID: id}
		_, err := s.coll(collMediaUsage).ReplaceOne(ctx, bson.D{{Key: "_id", Value: u.ID}}, u, options.Replace().SetUpsert(true))
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
	cur, err := s.coll(collMediaUsage).Find(ctx, bson.D{{Key: "assetId", Value: bson.D{{Key: "$in", Value: assetIDs}}}},
		options.Find().SetSort(bson.D{{Key: "assetId", Value: 1}, {Key: "pageId", Value: 1}, {Key: "kind", Value: 1}}))
	docs, err := all[usageDoc](ctx, cur, err, "media usage")
	if err != nil {
		return nil, err
	}
	for _, d := range docs {
		out[d.AssetID] = append(out[d.AssetID], media.Usage{PageID: d.PageID, Kind: d.Kind})
	}
	return out, nil
}
