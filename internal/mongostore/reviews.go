package mongostore

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/reviews"
)

var _ reviews.Store = (*Store)(nil)

// InsertReview stores a new reader review.
func (s *Store) InsertReview(ctx context.Context, r reviews.Review) error {
	return s.write(func() error {
		_, err := s.coll(collReaderReviews).InsertOne(ctx, r)
		return translate(err, "review")
	})
}

// Review reads one reader review by `_id`.
func (s *Store) Review(ctx context.Context, id string) (reviews.Review, error) {
	var r reviews.Review
	err := s.coll(collReaderReviews).FindOne(ctx, bson.M{"_id": id}).Decode(&r)
	return r, translate(err, "review")
}

// Reviews returns reader reviews matching f, newest first.
func (s *Store) Reviews(ctx context.Context, f reviews.Filter) ([]reviews.Review, error) {
	filter := bson.M{}
	if f.State != "" {
		filter["state"] = string(f.State)
	}
	if f.Slug != "" {
		filter["slug"] = f.Slug
	}
	if f.After != nil {
		filter["$or"] = bson.A{
			bson.M{"createdAt": bson.M{"$lt": f.After.At}},
			bson.M{"createdAt": f.After.At, "_id": bson.M{"$lt": f.After.ID}},
		}
	}
	opts := options.Find().SetSort(bson.D{{Key: "createdAt", Value: -1}, {Key: "_id", Value: -1}})
	if f.Limit > 0 {
		opts.SetLimit(int64(f.Limit))
	}
	cur, err := s.coll(collReaderReviews).Find(ctx, filter, opts)
	if err != nil {
		return nil, translate(err, "reviews")
	}
	out := []reviews.Review{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, translate(err, "reviews")
	}
	return out, nil
}

// ModerateReview stores a moderation decision if the review is still in state from.
func (s *Store) ModerateReview(ctx context.Context, r reviews.Review, from reviews.State) error {
	return s.write(func() error {
		res, err := s.coll(collReaderReviews).UpdateOne(ctx, bson.M{"_id": r.ID, "state": string(from)}, bson.M{"$set": bson.M{
			"state": string(r.State), "moderatedAt": r.ModeratedAt, "moderatedBy": r.ModeratedBy, "reason": r.Reason,
		}})
		if err != nil {
			return translate(err, "review")
		}
		if res.MatchedCount == 0 {
			return cms.Errorf(cms.CodeConflict, "the review was moderated by someone else meanwhile; reload it")
		}
		return nil
	})
}

// ApprovedRatings returns slug and rating of every approved review (two small fields).
func (s *Store) ApprovedRatings(ctx context.Context) ([]reviews.SlugRating, error) {
	cur, err := s.coll(collReaderReviews).Find(ctx, bson.M{"state": string(reviews.StateApproved)},
		options.Find().SetProjection(bson.M{"_id": 0, "slug": 1, "rating": 1}))
	if err != nil {
		return nil, translate(err, "reviews")
	}
	out := []reviews.SlugRating{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, translate(err, "reviews")
	}
	return out, nil
}

// SlugLive reports whether the page with this slug is live. It reads one page by slug
// (a scan on FerretDB): the reviews service uses it only when delivery's in-memory
// snapshot cannot answer.
func (s *Store) SlugLive(ctx context.Context, slug string) (bool, error) {
	if s.perPage() {
		id, ok := s.slugOwner(slug)
		if !ok {
			return false, nil
		}
		return len(s.catalogued(func(p editorial.Page) bool { return p.ID == id && p.LiveSnapshot != nil })) == 1, nil
	}
	var p struct {
		Live *struct {
			Revision int `bson:"revision"`
		} `bson:"liveSnapshot"`
	}
	err := s.coll(collPages).FindOne(ctx, bson.M{"slug": slug}, options.FindOne().SetProjection(bson.M{"liveSnapshot.revision": 1})).Decode(&p)
	if err := translate(err, "page"); err != nil {
		if cms.IsCode(err, cms.CodeNotFound) {
			return false, nil
		}
		return false, err
	}
	return p.Live != nil, nil
}
