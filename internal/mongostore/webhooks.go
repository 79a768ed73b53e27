package mongostore

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/webhook"
)

var _ webhook.Store = (*Store)(nil)

// InsertWebhook stores a new webhook.
func (s *Store) InsertWebhook(ctx context.Context, w webhook.Webhook) error {
	_, err := s.coll(collWebhooks).InsertOne(ctx, w)
	return translate(err, "webhook")
}

// Webhook reads one webhook by `_id`.
func (s *Store) Webhook(ctx context.Context, id string) (webhook.Webhook, error) {
	var w webhook.Webhook
	err := s.coll(collWebhooks).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&w)
	return w, translate(err, "webhook")
}

// Webhooks returns every webhook, oldest first (a small collection: at most
// webhook.MaxWebhooks).
func (s *Store) Webhooks(ctx context.Context) ([]webhook.Webhook, error) {
	cur, err := s.coll(collWebhooks).Find(ctx, bson.D{},
		options.Find().SetSort(bson.D{{Key: "createdAt", Value: 1}, {Key: "_id", Value: 1}}))
	return all[webhook.Webhook](ctx, cur, err, "webhooks")
}

// DeleteWebhook removes a webhook, then its delivery log.
func (s *Store) DeleteWebhook(ctx context.Context, id string) error {
	res, err := s.coll(collWebhooks).DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
	if err != nil {
		return translate(err, "webhook")
	}
	if res.DeletedCount == 0 {
		return cms.Errorf(cms.CodeNotFound, "webhook not found")
	}
	_, err = s.coll(collDeliveries).DeleteMany(ctx, bson.D{{Key: "webhookId", Value: id}})
	return translate(err, "deliveries")
}

// SetWebhookSecret replaces the sealed secret of a webhook; cms.CodeNotFound if there is
// none.
func (s *Store) SetWebhookSecret(ctx context.Context, id string, sealed []byte, keyID string, at time.Time) error {
	res, err := s.coll(collWebhooks).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: bson.D{
		{Key: "sealedSecret", Value: sealed}, {Key: "keyId", Value: keyID}, {Key: "secretRotatedAt", Value: at},
	}}})
	if err != nil {
		return translate(err, "webhook")
	}
	if res.MatchedCount == 0 {
		return cms.Errorf(cms.CodeNotFound, "webhook not found")
	}
	return nil
}

// PendingOutbox returns up to limit outbox events not yet fanned out, oldest first.
func (s *Store) PendingOutbox(ctx context.Context, limit int) ([]editorial.OutboxEvent, error) {
	if limit <= 0 {
		return []editorial.OutboxEvent{}, nil
	}
	cur, err := s.coll(collOutbox).Find(ctx, bson.D{{Key: "fannedOutAt", Value: nil}},
		options.Find().SetSort(bson.D{{Key: "at", Value: 1}, {Key: "_id", Value: 1}}).SetLimit(int64(limit)))
	return all[editorial.OutboxEvent](ctx, cur, err, "outbox")
}

// FanOut inserts the deliveries of one event (one that exists is left as it is: its `_id`
// is computed from the webhook and the event; one for a webhook deleted meanwhile is
// skipped), then marks the event fanned out.
func (s *Store) FanOut(ctx context.Context, ev editorial.OutboxEvent, ds []webhook.Delivery, at time.Time) error {
	if len(ds) > 0 {
		live, err := s.existingWebhooks(ctx, ds)
		if err != nil {
			return err
		}
		docs := make([]any, 0, len(ds))
		for _, d := range ds {
			if live[d.WebhookID] {
				docs = append(docs, d)
			}
		}
		if len(docs) > 0 {
			_, err := s.coll(collDeliveries).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
			if err != nil && !onlyDuplicates(err) {
				return translate(err, "delivery")
			}
		}
	}
	_, err := s.coll(collOutbox).UpdateOne(ctx, bson.D{{Key: "_id", Value: ev.ID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "fannedOutAt", Value: at}}}})
	return translate(err, "outbox event")
}

// existingWebhooks returns which of the deliveries' webhooks exist.
func (s *Store) existingWebhooks(ctx context.Context, ds []webhook.Delivery) (map[string]bool, error) {
	ids := make([]string, 0, len(ds))
	for _, d := range ds {
		ids = append(ids, d.WebhookID)
	}
	cur, err := s.coll(collWebhooks).Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}},
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
	rows, err := all[struct {
		ID string `bson:"_id"`
	}](ctx, cur, err, "webhooks")
	if err != nil {
		return nil, err
	}
	live := make(map[string]bool, len(rows))
	for _, r := range rows {
		live[r.ID] = true
	}
	return live, nil
}

// PruneOutbox removes events fanned out before the given time: their deliveries are the
// lasting record.
func (s *Store) PruneOutbox(ctx context.Context, before time.Time) (int, error) {
	res, err := s.coll(collOutbox).DeleteMany(ctx, bson.D{{Key: "fannedOutAt", Value: bson.D{{Key: "$lt", Value: before}}}})
	if err != nil {
		return 0, translate(err, "outbox")
	}
	return int(res.DeletedCount), nil
}

// PendingDeliveries returns up to limit pending deliveries with their times only,
// earliest nextAttemptAt first.
func (s *Store) PendingDeliveries(ctx context.Context, limit int) ([]webhook.Delivery, error) {
	if limit <= 0 {
		return []webhook.Delivery{}, nil
	}
	cur, err := s.coll(collDeliveries).Find(ctx, bson.D{{Key: "status", Value: webhook.StatusPending}},
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}, {Key: "nextAttemptAt", Value: 1}, {Key: "leaseUntil", Value: 1}}).
			SetSort(bson.D{{Key: "nextAttemptAt", Value: 1}, {Key: "_id", Value: 1}}).SetLimit(int64(limit)))
	return all[webhook.Delivery](ctx, cur, err, "deliveries")
}

// ClaimDelivery takes the lease of a due, unleased pending delivery in one conditional
// update, counts the attempt, and returns the delivery as updated.
func (s *Store) ClaimDelivery(ctx context.Context, id, owner string, now, leaseUntil time.Time) (webhook.Delivery, bool, error) {
	var d webhook.Delivery
	err := s.coll(collDeliveries).FindOneAndUpdate(ctx,
		bson.D{
			{Key: "_id", Value: id}, {Key: "status", Value: webhook.StatusPending},
			{Key: "nextAttemptAt", Value: bson.D{{Key: "$lte", Value: now}}},
			{Key: "leaseUntil", Value: bson.D{{Key: "$lte", Value: now}}},
		},
		bson.D{
			{Key: "$set", Value: bson.D{{Key: "leaseUntil", Value: leaseUntil}, {Key: "leaseOwner", Value: owner}}},
			{Key: "$inc", Value: bson.D{{Key: "attempts", Value: 1}}},
		},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return webhook.Delivery{}, false, nil
	}
	if err != nil {
		return webhook.Delivery{}, false, translate(err, "delivery")
	}
	return d, true, nil
}

// FinishAttempt records an attempt's outcome and frees the lease, if owner still holds it.
func (s *Store) FinishAttempt(ctx context.Context, d webhook.Delivery, owner string) (bool, error) {
	log := d.AttemptLog
	if log == nil {
		log = []webhook.Attempt{}
	}
	res, err := s.coll(collDeliveries).UpdateOne(ctx, bson.D{{Key: "_id", Value: d.ID}, {Key: "leaseOwner", Value: owner}},
		bson.D{{Key: "$set", Value: bson.D{
			{Key: "status", Value: d.Status}, {Key: "lastStatus", Value: d.LastStatus}, {Key: "lastError", Value: d.LastError},
			{Key: "updatedAt", Value: d.UpdatedAt}, {Key: "nextAttemptAt", Value: d.NextAttemptAt},
			{Key: "deliveredAt", Value: d.DeliveredAt}, {Key: "attemptLog", Value: log},
			{Key: "leaseUntil", Value: time.Time{}}, {Key: "leaseOwner", Value: ""},
		}}})
	if err != nil {
		return false, translate(err, "delivery")
	}
	return res.MatchedCount == 1, nil
}

// PruneDeliveries removes finished (delivered or failed) deliveries last updated before
// the given time, and returns how many.
func (s *Store) PruneDeliveries(ctx context.Context, before time.Time) (int, error) {
	res, err := s.coll(collDeliveries).DeleteMany(ctx, bson.D{
		{Key: "status", Value: bson.D{{Key: "$in", Value: bson.A{webhook.StatusDelivered, webhook.StatusFailed}}}},
		{Key: "updatedAt", Value: bson.D{{Key: "$lt", Value: before}}},
	})
	if err != nil {
		return 0, translate(err, "deliveries")
	}
	return int(res.DeletedCount), nil
}

// ReleaseLeases frees every lease (for a store only this process uses, at start).
func (s *Store) ReleaseLeases(ctx context.Context) error {
	_, err := s.coll(collDeliveries).UpdateMany(ctx, bson.D{{Key: "leaseOwner", Value: bson.D{{Key: "$ne", Value: ""}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "leaseUntil", Value: time.Time{}}, {Key: "leaseOwner", Value: ""}}}})
	return translate(err, "deliveries")
}

// Deliveries returns a page of one webhook's delivery log, newest first, strictly older
// than the cursor (f.BeforeAt, f.BeforeID) when one is given.
func (s *Store) Deliveries(ctx context.Context, f webhook.DeliveryFilter) ([]webhook.Delivery, error) {
	filter := bson.D{{Key: "webhookId", Value: f.WebhookID}}
	if f.BeforeAt != nil {
		filter = append(filter, bson.E{Key: "$or", Value: bson.A{
			bson.D{{Key: "createdAt", Value: bson.D{{Key: "$lt", Value: *f.BeforeAt}}}},
			bson.D{{Key: "createdAt", Value: *f.BeforeAt}, {Key: "_id", Value: bson.D{{Key: "$lt", Value: f.BeforeID}}}},
		}})
	}
	opts := options.Find().SetSort(bson.D{{Key: "createdAt", Value: -1}, {Key: "_id", Value: -1}})
	if f.Limit > 0 {
		opts.SetLimit(int64(f.Limit))
	}
	cur, err := s.coll(collDeliveries).Find(ctx, filter, opts)
	return all[webhook.Delivery](ctx, cur, err, "deliveries")
}
