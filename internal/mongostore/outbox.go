package mongostore

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/webhook"
)

// outboxDoc is one event of the outbox collection: `_id` and id are the event id (id
// carries the unique index; documents written before `_id` was the event id have only
// id), fannedOutAt is set once the webhook dispatcher made its deliveries.
type outboxDoc struct {
	ID          string     `bson:"_id"`
	EventID     string     `bson:"id"`
	Event       string     `bson:"event"`
	PageID      string     `bson:"pageId"`
	Slug        string     `bson:"slug"`
	Revision    int        `bson:"revision"`
	At          time.Time  `bson:"at"`
	FannedOutAt *time.Time `bson:"fannedOutAt"`
}

// enqueueOutbox hands one page event to webhook delivery: it stores the event in the
// outbox collection keyed by its id, so a replay (a crash between this and clearing the
// page's outbox) inserts nothing new. The caller holds the write lock.
func (s *Store) enqueueOutbox(ctx context.Context, o editorial.OutboxEvent) error {
	doc := outboxDoc{ID: o.ID, EventID: o.ID, Event: o.Event, PageID: o.PageID, Slug: o.Slug, Revision: o.Revision, At: o.At}
	_, err := s.coll(collOutbox).InsertOne(ctx, doc)
	if err != nil && !isDuplicate(err) {
		return translate(err, "outbox event")
	}
	return nil
}

// PendingOutbox returns up to limit events not yet fanned out, oldest first. The outbox
// holds only recent events (PruneOutbox), so the scan FerretDB makes stays small.
func (s *Store) PendingOutbox(ctx context.Context, limit int) ([]editorial.OutboxEvent, error) {
	cur, err := s.coll(collOutbox).Find(ctx, bson.M{"fannedOutAt": nil},
		options.Find().SetSort(bson.D{{Key: "at", Value: 1}, {Key: "id", Value: 1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, translate(err, "outbox")
	}
	// Decoded without `_id`: older documents have an ObjectID there.
	events := []editorial.OutboxEvent{}
	if err := cur.All(ctx, &events); err != nil {
		return nil, translate(err, "outbox")
	}
	return events, nil
}

// FanOut inserts the deliveries of one event (existing ones are left alone: their `_id`
// is computed from the webhook and the event), then marks the event fanned out.
func (s *Store) FanOut(ctx context.Context, ev editorial.OutboxEvent, ds []webhook.Delivery, at time.Time) error {
	return s.write(func() error {
		for _, d := range ds {
			if _, err := s.coll(collDeliveries).InsertOne(ctx, d); err != nil && !isDuplicate(err) {
				return translate(err, "delivery")
			}
		}
		_, err := s.coll(collOutbox).UpdateOne(ctx, bson.M{"id": ev.ID}, bson.M{"$set": bson.M{"fannedOutAt": at}})
		return translate(err, "outbox event")
	})
}

// PruneOutbox removes events fanned out before the given time: their deliveries are the
// lasting record.
func (s *Store) PruneOutbox(ctx context.Context, before time.Time) (int, error) {
	var n int64
	err := s.write(func() error {
		res, err := s.coll(collOutbox).DeleteMany(ctx, bson.M{"fannedOutAt": bson.M{"$lt": before}})
		if err != nil {
			return translate(err, "outbox")
		}
		n = res.DeletedCount
		return nil
	})
	return int(n), err
}
