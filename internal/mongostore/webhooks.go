package mongostore

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/webhook"
)

var _ webhook.Store = (*Store)(nil)

// InsertWebhook stores a new webhook.
func (s *Store) InsertWebhook(ctx context.Context, w webhook.Webhook) error {
	return s.write(func() error {
		_, err := s.coll(collWebhooks).InsertOne(ctx, w)
		return translate(err, "webhook")
	})
}

// Webhook reads one webhook by `_id`.
func (s *Store) Webhook(ctx context.Context, id string) (webhook.Webhook, error) {
	var w webhook.Webhook
	err := s.coll(collWebhooks).FindOne(ctx, bson.M{"_id": id}).Decode(&w)
	return w, translate(err, "webhook")
}

// Webhooks returns every webhook, oldest first (a small collection: at most
// webhook.MaxWebhooks).
func (s *Store) Webhooks(ctx context.Context) ([]webhook.Webhook, error) {
	cur, err := s.coll(collWebhooks).Find(ctx, bson.M{}, options.Find().SetSort(bson.D{{Key: "createdAt", Value: 1}, {Key: "_id", Value: 1}}))
	if err != nil {
		return nil, translate(err, "webhooks")
	}
	hooks := []webhook.Webhook{}
	if err := cur.All(ctx, &hooks); err != nil {
		return nil, translate(err, "webhooks")
	}
	return hooks, nil
}

// DeleteWebhook removes a webhook, then its deliveries.
func (s *Store) DeleteWebhook(ctx context.Context, id string) error {
	return s.write(func() error {
		res, err := s.coll(collWebhooks).DeleteOne(ctx, bson.M{"_id": id})
		if err != nil {
			return translate(err, "webhook")
		}
		if res.DeletedCount == 0 {
			return cms.Errorf(cms.CodeNotFound, "webhook not found")
		}
		_, err = s.coll(collDeliveries).DeleteMany(ctx, bson.M{"webhookId": id})
		return translate(err, "deliveries")
	})
}

// SetWebhookSecret replaces the sealed secret of a webhook.
func (s *Store) SetWebhookSecret(ctx context.Context, id string, sealed []byte, keyID string, at time.Time) error {
	return s.write(func() error {
		res, err := s.coll(collWebhooks).UpdateOne(ctx, bson.M{"_id": id},
			bson.M{"$set": bson.M{"sealedSecret": sealed, "keyId": keyID, "secretRotatedAt": at}})
		if err != nil {
			return translate(err, "webhook")
		}
		if res.MatchedCount == 0 {
			return cms.Errorf(cms.CodeNotFound, "webhook not found")
		}
		return nil
	})
}

// PendingDeliveries returns pending deliveries with their times only, earliest first.
func (s *Store) PendingDeliveries(ctx context.Context, limit int) ([]webhook.Delivery, error) {
	cur, err := s.coll(collDeliveries).Find(ctx, bson.M{"status": webhook.StatusPending},
		options.Find().SetProjection(bson.M{"_id": 1, "nextAttemptAt": 1, "leaseUntil": 1}).
			SetSort(bson.D{{Key: "nextAttemptAt", Value: 1}, {Key: "_id", Value: 1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, translate(err, "deliveries")
	}
	ds := []webhook.Delivery{}
	if err := cur.All(ctx, &ds); err != nil {
		return nil, translate(err, "deliveries")
	}
	return ds, nil
}

// ClaimDelivery takes a due, unleased pending delivery in one conditional update and
// counts the attempt.
func (s *Store) ClaimDelivery(ctx context.Context, id, owner string, now, leaseUntil time.Time) (webhook.Delivery, bool, error) {
	var d webhook.Delivery
	err := s.write(func() error {
		return s.coll(collDeliveries).FindOneAndUpdate(ctx,
			bson.M{"_id": id, "status": webhook.StatusPending, "nextAttemptAt": bson.M{"$lte": now}, "leaseUntil": bson.M{"$lte": now}},
			bson.M{"$set": bson.M{"leaseUntil": leaseUntil, "leaseOwner": owner}, "$inc": bson.M{"attempts": 1}},
			options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&d)
	})
	if errors.Is(err, mongo.ErrNoDocuments) {
		return webhook.Delivery{}, false, nil
	}
	if err != nil {
		return webhook.Delivery{}, false, translate(err, "delivery")
	}
	return d, true, nil
}

// FinishAttempt records an attempt's outcome and frees the lease, if owner holds it.
func (s *Store) FinishAttempt(ctx context.Context, d webhook.Delivery, owner string) (bool, error) {
	var matched int64
	err := s.write(func() error {
		res, err := s.coll(collDeliveries).UpdateOne(ctx, bson.M{"_id": d.ID, "leaseOwner": owner}, bson.M{"$set": bson.M{
			"status": d.Status, "lastStatus": d.LastStatus, "lastError": d.LastError, "updatedAt": d.UpdatedAt,
			"nextAttemptAt": d.NextAttemptAt, "deliveredAt": d.DeliveredAt, "attemptLog": d.AttemptLog,
			"leaseUntil": time.Time{}, "leaseOwner": "",
		}})
		if err != nil {
			return translate(err, "delivery")
		}
		matched = res.MatchedCount
		return nil
	})
	return matched == 1, err
}

// PruneDeliveries removes finished deliveries last updated before the given time.
func (s *Store) PruneDeliveries(ctx context.Context, before time.Time) (int, error) {
	var n int64
	err := s.write(func() error {
		res, err := s.coll(collDeliveries).DeleteMany(ctx, bson.M{
			"status":    bson.M{"$in": bson.A{webhook.StatusDelivered, webhook.StatusFailed}},
			"updatedAt": bson.M{"$lt": before},
		})
		if err != nil {
			return translate(err, "deliveries")
		}
		n = res.DeletedCount
		return nil
	})
	return int(n), err
}

// ReleaseLeases frees every lease.
func (s *Store) ReleaseLeases(ctx context.Context) error {
	return s.write(func() error {
		_, err := s.coll(collDeliveries).UpdateMany(ctx, bson.M{"leaseOwner": bson.M{"$ne": ""}},
			bson.M{"$set": bson.M{"leaseUntil": time.Time{}, "leaseOwner": ""}})
		return translate(err, "deliveries")
	})
}

// Deliveries returns a page of one webhook's log, newest first.
func (s *Store) Deliveries(ctx context.Context, f webhook.DeliveryFilter) ([]webhook.Delivery, error) {
	filter := bson.M{"webhookId": f.WebhookID}
	if f.BeforeAt != nil {
		filter["$or"] = bson.A{
			bson.M{"createdAt": bson.M{"$lt": *f.BeforeAt}},
			bson.M{"createdAt": *f.BeforeAt, "_id": bson.M{"$lt": f.BeforeID}},
		}
	}
	opts := options.Find().SetSort(bson.D{{Key: "createdAt", Value: -1}, {Key: "_id", Value: -1}})
	if f.Limit > 0 {
		opts.SetLimit(int64(f.Limit))
	}
	cur, err := s.coll(collDeliveries).Find(ctx, filter, opts)
	if err != nil {
		return nil, translate(err, "deliveries")
	}
	ds := []webhook.Delivery{}
	if err := cur.All(ctx, &ds); err != nil {
		return nil, translate(err, "deliveries")
	}
	return ds, nil
}
