package mongostore

import (
	"context"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/workflow"
)

// PageByID reads one page by `_id`, without the adapter's private fields.
func (s *Store) PageByID(ctx context.Context, id string) (editorial.Page, error) {
	var p editorial.Page
	err := s.coll(collPages).FindOne(ctx, bson.D{{Key: "_id", Value: id}},
		options.FindOne().SetProjection(pageProjection)).Decode(&p)
	return p, translate(err, "page")
}

// PageState reads one page without its working copy's content.
func (s *Store) PageState(ctx context.Context, id string) (editorial.Page, error) {
	var p editorial.Page
	err := s.coll(collPages).FindOne(ctx, bson.D{{Key: "_id", Value: id}},
		options.FindOne().SetProjection(stateProjection)).Decode(&p)
	return p, translate(err, "page")
}

// newestFirst is the order of the management list and its cursor, served by the indexes
// updated and state_updated.
var newestFirst = bson.D{{Key: "updatedAt", Value: -1}, {Key: "_id", Value: -1}}

// ListPages returns page summaries matching f, newest update first, strictly after the
// cursor (f.AfterTime, f.AfterID) when one is given. f.Query is answered by SearchPages.
func (s *Store) ListPages(ctx context.Context, f editorial.ListFilter) ([]editorial.Page, error) {
	filter := bson.D{}
	if f.State != "" {
		filter = append(filter, bson.E{Key: "workflow.state", Value: f.State})
	}
	if f.ReviewOverdue {
		filter = append(filter, bson.E{Key: "workflow.live.approval.nextReviewDue", Value: bson.D{{Key: "$lt", Value: f.Now}}})
	}
	filter = translationFilter(f, filter)
	if f.AfterTime != nil {
		filter = append(filter, bson.E{Key: "$or", Value: bson.A{
			bson.D{{Key: "updatedAt", Value: bson.D{{Key: "$lt", Value: *f.AfterTime}}}},
			bson.D{{Key: "updatedAt", Value: *f.AfterTime}, {Key: "_id", Value: bson.D{{Key: "$lt", Value: f.AfterID}}}},
		}})
	}
	opts := options.Find().SetProjection(listProjection).SetSort(newestFirst)
	if f.Limit > 0 {
		opts.SetLimit(int64(f.Limit))
	}
	cur, err := s.coll(collPages).Find(ctx, filter, opts)
	return all[editorial.Page](ctx, cur, err, "pages")
}

// SearchPages finds the pages sharing at least minShared of the grams. The candidates
// (pages with any of the grams) come from the multikey index on searchGrams, with only
// their id, update time and grams; the shared grams are counted here with the rules of
// internal/search.
func (s *Store) SearchPages(ctx context.Context, grams []string, minShared, limit int) ([]editorial.SearchHit, error) {
	if len(grams) == 0 || limit <= 0 {
		return nil, nil
	}
	query := slices.Compact(slices.Sorted(slices.Values(grams)))
	// The server counts each page's shared grams (pages found through the multikey index
	// on searchGrams, then one row per shared gram), so no page's grams cross the wire. It
	// keeps the best candidates by that count; their update times, the tie-break, come from
	// a second query (the stand-in's $group has no accumulator to carry them but $sum).
	pipeline := mongo.Pipeline{
		{{Key: "$match", Value: bson.D{{Key: fSearchGrams, Value: bson.D{{Key: "$in", Value: query}}}}}},
		{{Key: "$project", Value: bson.D{{Key: fSearchGrams, Value: 1}}}},
		{{Key: "$unwind", Value: "$" + fSearchGrams}},
		{{Key: "$match", Value: bson.D{{Key: fSearchGrams, Value: bson.D{{Key: "$in", Value: query}}}}}},
		{{Key: "$group", Value: bson.D{{Key: "_id", Value: "$_id"}, {Key: "shared", Value: bson.D{{Key: "$sum", Value: 1}}}}}},
		{{Key: "$match", Value: bson.D{{Key: "shared", Value: bson.D{{Key: "$gte", Value: minShared}}}}}},
		{{Key: "$sort", Value: bson.D{{Key: "shared", Value: -1}, {Key: "_id", Value: -1}}}},
		{{Key: "$limit", Value: max(2*limit, 200)}},
	}
	cur, err := s.coll(collPages).Aggregate(ctx, pipeline)
	if err != nil {
		return nil, translate(err, "search")
	}
	var rows []struct {
		ID     string `bson:"_id"`
		Shared int    `bson:"shared"`
	}
	if err := cur.All(ctx, &rows); err != nil {
		return nil, translate(err, "search")
	}
	if len(rows) == 0 {
		return nil, nil
	}
	shared := make(map[string]int, len(rows))
	ids := make([]string, len(rows))
	for i, r := range rows {
		shared[r.ID], ids[i] = r.Shared, r.ID
	}
	cur, err = s.coll(collPages).Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}},
		options.Find().SetProjection(bson.D{{Key: "updatedAt", Value: 1}}))
	if err != nil {
		return nil, translate(err, "search")
	}
	var times []struct {
		ID        string    `bson:"_id"`
		UpdatedAt time.Time `bson:"updatedAt"`
	}
	if err := cur.All(ctx, &times); err != nil {
		return nil, translate(err, "search")
	}
	hits := make([]editorial.SearchHit, 0, len(times))
	for _, t := range times {
		hits = append(hits, editorial.SearchHit{ID: t.ID, Shared: shared[t.ID], UpdatedAt: t.UpdatedAt})
	}
	return editorial.BestHits(hits, limit), nil
}

// PageSummaries returns the summaries of the pages with these ids (unknown ids left out).
func (s *Store) PageSummaries(ctx context.Context, ids []string) ([]editorial.Page, error) {
	if len(ids) == 0 {
		return []editorial.Page{}, nil
	}
	cur, err := s.coll(collPages).Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}},
		options.Find().SetProjection(listProjection))
	return all[editorial.Page](ctx, cur, err, "pages")
}

// ScheduledDue returns the pages in state scheduled whose time is at or before now,
// earliest first.
func (s *Store) ScheduledDue(ctx context.Context, now time.Time) ([]editorial.Page, error) {
	cur, err := s.coll(collPages).Find(ctx, bson.D{
		{Key: "workflow.state", Value: string(workflow.StateScheduled)},
		{Key: "workflow.scheduledAt", Value: bson.D{{Key: "$lte", Value: now}}},
	}, options.Find().SetProjection(pageProjection).SetSort(bson.D{{Key: "workflow.scheduledAt", Value: 1}, {Key: "_id", Value: 1}}))
	return all[editorial.Page](ctx, cur, err, "pages")
}

// ReviewDue returns the live pages whose next review is due before now and for which
// page.review_due was not emitted for that due date yet. The index on the due date selects
// the overdue pages; the notified date is compared here.
func (s *Store) ReviewDue(ctx context.Context, now time.Time) ([]editorial.Page, error) {
	cur, err := s.coll(collPages).Find(ctx,
		bson.D{{Key: "workflow.live.approval.nextReviewDue", Value: bson.D{{Key: "$lt", Value: now}}}},
		options.Find().SetProjection(pageProjection).SetSort(bson.D{{Key: "workflow.live.approval.nextReviewDue", Value: 1}, {Key: "_id", Value: 1}}))
	pages, err := all[editorial.Page](ctx, cur, err, "pages")
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(pages, func(p editorial.Page) bool {
		return p.Workflow.Live == nil ||
			(p.ReviewDueNotified != nil && p.ReviewDueNotified.Equal(p.Workflow.Live.Approval.NextReviewDue))
	}), nil
}

// AllPageIDs returns every page id, in id order.
func (s *Store) AllPageIDs(ctx context.Context) ([]string, error) {
	cur, err := s.coll(collPages).Find(ctx, bson.D{},
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}).SetSort(bson.D{{Key: "_id", Value: 1}}))
	rows, err := all[struct {
		ID string `bson:"_id"`
	}](ctx, cur, err, "pages")
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	return ids, nil
}

// SlugTaken reports whether a page has this slug (one read through the unique index).
func (s *Store) SlugTaken(ctx context.Context, slug string) (bool, error) {
	err := s.coll(collPages).FindOne(ctx, bson.D{{Key: "slug", Value: slug}},
		options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err()
	return found(translate(err, "page"))
}

// found turns a read's error into "exists": CodeNotFound is false, not an error.
func found(err error) (bool, error) {
	switch {
	case err == nil:
		return true, nil
	case cms.IsCode(err, cms.CodeNotFound):
		return false, nil
	default:
		return false, err
	}
}

// ChangeSeq returns the change counter without changing it; 0 before the first live change.
func (s *Store) ChangeSeq(ctx context.Context) (int64, error) {
	var doc struct {
		Seq int64 `bson:"seq"`
	}
	err := s.coll(collMeta).FindOne(ctx, bson.D{{Key: "_id", Value: changeCounterID}}).Decode(&doc)
	if _, err := found(translate(err, "change counter")); err != nil {
		return 0, err
	}
	return doc.Seq, nil
}
