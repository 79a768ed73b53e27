package mongostore

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/workflow"
)

// liveFilter selects the pages delivery knows: live now, or unpublished (served as 410).
// Both follow a live change, which sets liveSeq, so the index on liveSeq skips every page
// never published; the $or keeps the rule itself explicit.
var liveFilter = bson.D{
	{Key: "liveSeq", Value: bson.D{{Key: "$gt", Value: 0}}},
	{Key: "$or", Value: bson.A{
		bson.D{{Key: fLiveSnapshot, Value: bson.D{{Key: "$ne", Value: nil}}}},
		bson.D{{Key: "workflow.unpublished", Value: bson.D{{Key: "$ne", Value: nil}}}},
	}},
}

// liveProjection keeps only what delivery serves: never the working copy, so it cannot
// leak and costs no memory.
var liveProjection = bson.D{
	{Key: "_id", Value: 1}, {Key: "slug", Value: 1}, {Key: "liveSeq", Value: 1},
	{Key: "workflow.live", Value: 1}, {Key: "workflow.unpublished", Value: 1}, {Key: fLiveSnapshot, Value: 1},
}

// liveDoc is a page document as liveProjection reads it.
type liveDoc struct {
	ID       string `bson:"_id"`
	Slug     string `bson:"slug"`
	LiveSeq  int64  `bson:"liveSeq"`
	Workflow struct {
		Live        *workflow.Live        `bson:"live"`
		Unpublished *workflow.Unpublished `bson:"unpublished"`
	} `bson:"workflow"`
	LiveSnapshot *editorial.LiveSnapshot `bson:"liveSnapshot"`
}

func (d liveDoc) livePage() editorial.LivePage {
	return editorial.LivePage{
		ID: d.ID, Slug: d.Slug, LiveSeq: d.LiveSeq,
		Live: d.Workflow.Live, Unpublished: d.Workflow.Unpublished, Snapshot: d.LiveSnapshot,
	}
}

// known reports whether delivery knows the page (liveFilter's rule).
func (d liveDoc) known() bool {
	return d.LiveSeq > 0 && (d.LiveSnapshot != nil || d.Workflow.Unpublished != nil)
}

// EachLivePage calls fn with every page that is live or was unpublished, one at a time as
// the cursor yields them, so a large site is never decoded whole into memory.
func (s *Store) EachLivePage(ctx context.Context, fn func(editorial.LivePage) error) error {
	cur, err := s.coll(collPages).Find(ctx, liveFilter, options.Find().SetProjection(liveProjection))
	if err != nil {
		return translate(err, "live pages")
	}
	defer func() { _ = cur.Close(context.WithoutCancel(ctx)) }()
	for cur.Next(ctx) {
		var d liveDoc
		if err := cur.Decode(&d); err != nil {
			return translate(err, "live page")
		}
		if err := fn(d.livePage()); err != nil {
			return err
		}
	}
	return translate(cur.Err(), "live pages")
}

// LiveSnapshot returns what delivery serves of one page; cms.CodeNotFound when it is
// neither live nor unpublished.
func (s *Store) LiveSnapshot(ctx context.Context, pageID string) (editorial.LivePage, error) {
	var d liveDoc
	err := s.coll(collPages).FindOne(ctx, bson.D{{Key: "_id", Value: pageID}},
		options.FindOne().SetProjection(liveProjection)).Decode(&d)
	if err != nil {
		return editorial.LivePage{}, translate(err, "live page")
	}
	if !d.known() {
		return editorial.LivePage{}, cms.Errorf(cms.CodeNotFound, "the page is neither live nor unpublished")
	}
	return d.livePage(), nil
}
