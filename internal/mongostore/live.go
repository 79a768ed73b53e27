package mongostore

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/monograph-cms/monograph/internal/delivery"
	"github.com/monograph-cms/monograph/internal/editorial"
)

var _ delivery.Source = (*Store)(nil)

// liveFilter selects every page delivery knows about: live now, or unpublished (a 410
// tombstone). Never-published pages are not read at all.
var liveFilter = bson.M{"$or": bson.A{
	bson.M{"liveSnapshot": bson.M{"$ne": nil}},
	bson.M{"workflow.unpublished": bson.M{"$ne": nil}},
}}

// liveProjection keeps only what delivery serves. The working copy (content), the live
// snapshot's source content (its rendered form carries every source field too), the
// revision list and the pending events are never read, so they cannot leak and do not
// cost memory.
var liveProjection = bson.M{
	"_id": 1, "slug": 1, "liveSeq": 1,
	"workflow.live": 1, "workflow.unpublished": 1,
	"liveSnapshot.revision": 1, "liveSnapshot.contentHash": 1, "liveSnapshot.rendered": 1,
	"liveSnapshot.approval": 1, "liveSnapshot.publishedAt": 1, "liveSnapshot.publishedBy": 1,
	"liveSnapshot.seq": 1,
}

// EachLivePage calls fn with every page that is live or was unpublished, one at a time as
// the cursor yields them (so a large site is never decoded whole into memory). Only the
// fields in liveProjection are set. On FerretDB this scans the collection: delivery calls it
// at start and when the change counter moved, never per request.
func (s *Store) EachLivePage(ctx context.Context, fn func(editorial.Page) error) error {
	if s.perPage() {
		// The catalogue says which pages; each full document is one small read (layout.go).
		live := s.catalogued(func(p editorial.Page) bool { return p.LiveSnapshot != nil || p.Workflow.Unpublished != nil })
		for _, id := range ids(live) {
			var p editorial.Page
			if err := s.pageDocs(id).FindOne(ctx, bson.M{"_id": id}, options.FindOne().SetProjection(liveProjection)).Decode(&p); err != nil {
				return translate(err, "page")
			}
			if err := fn(p); err != nil {
				return err
			}
		}
		return nil
	}
	cur, err := s.coll(collPages).Find(ctx, liveFilter, options.Find().SetProjection(liveProjection))
	if err != nil {
		return translate(err, "pages")
	}
	defer func() { _ = cur.Close(context.WithoutCancel(ctx)) }()
	for cur.Next(ctx) {
		var p editorial.Page
		if err := cur.Decode(&p); err != nil {
			return translate(err, "page")
		}
		if err := fn(p); err != nil {
			return err
		}
	}
	return translate(cur.Err(), "pages")
}
