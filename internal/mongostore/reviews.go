package mongostore

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/reviews"
)

var _ reviews.Store = (*Store)(nil)

// InsertReview stores a new reader review.
func (s *Store) InsertReview(ctx context.Context, r reviews.Review) error {
	_, err := s.coll(collReaderReviews).InsertOne(ctx, r)
	return translate(err, "review")
}

// Review reads one reader review by `_id`.
func (s *Store) Review(ctx context.Context, id string) (reviews.Review, error) {
	var r reviews.Review
	err := s.coll(collReaderReviews).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&r)
	return r, translate(err, "review")
}

// Reviews returns up to f.Limit reader reviews matching f (all when 0), newest first by
// (createdAt, _id), strictly older than f.After when set.
func (s *Store) Reviews(ctx context.Context, f reviews.Filter) ([]reviews.Review, error) {
	filter := bson.D{}
	if f.Slug != "" {
		filter = append(filter, bson.E{Key: "slug", Value: f.Slug})
	}
	if f.State != "" {
		filter = append(filter, bson.E{Key: "state", Value: string(f.State)})
	}
	if f.After != nil {
		filter = append(filter, bson.E{Key: "$or", Value: bson.A{
			bson.D{{Key: "createdAt", Value: bson.D{{Key: "$lt", Value: f.After.At}}}},
			bson.D{{Key: "createdAt", Value: f.After.At}, {Key: "_id", Value: bson.D{{Key: "$lt", Value: f.After.ID}}}},
		}})
	}
	opts := options.Find().SetSort(bson.D{{Key: "createdAt", Value: -1}, {Key: "_id", Value: -1}})
	if f.Limit > 0 {
		opts.SetLimit(int64(f.Limit))
	}
	cur, err := s.coll(collReaderReviews).Find(ctx, filter, opts)
	return all[reviews.Review](ctx, cur, err, "reviews")
}

// ModerateReview stores a moderation decision if the review is still in state from;
// cms.CodeConflict otherwise.
func (s *Store) ModerateReview(ctx context.Context, r reviews.Review, from reviews.State) error {
	res, err := s.coll(collReaderReviews).UpdateOne(ctx, bson.D{{Key: "_id", Value: r.ID}, {Key: "state", Value: string(from)}},
		bson.D{{Key: "$set", Value: bson.D{
			{Key: "state", Value: string(r.State)}, {Key: "moderatedAt", Value: r.ModeratedAt},
			{Key: "moderatedBy", Value: r.ModeratedBy}, {Key: "reason", Value: r.Reason},
		}}})
	if err != nil {
		return translate(err, "review")
	}
	if res.MatchedCount == 0 {
		return cms.Errorf(cms.CodeConflict, "the review was moderated by someone else meanwhile; reload it")
	}
	return nil
}

// ApprovedRatings returns the slug and rating of every approved review (two small fields).
func (s *Store) ApprovedRatings(ctx context.Context) ([]reviews.SlugRating, error) {
	cur, err := s.coll(collReaderReviews).Find(ctx, bson.D{{Key: "state", Value: string(reviews.StateApproved)}},
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 0}, {Key: "slug", Value: 1}, {Key: "rating", Value: 1}}))
	return all[reviews.SlugRating](ctx, cur, err, "reviews")
}

// SlugLive reports whether the page with this slug is live (it has a live snapshot): one
// read through the slug index, used only when delivery's in-memory snapshot cannot answer.
func (s *Store) SlugLive(ctx context.Context, slug string) (bool, error) {
	err := s.coll(collPages).FindOne(ctx,
		bson.D{{Key: "slug", Value: slug}, {Key: fLiveSnapshot, Value: bson.D{{Key: "$ne", Value: nil}}}},
		options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err()
	return found(translate(err, "page"))
}
