package mongostore

import (
	"context"

	"github.com/monograph-cms/monograph/internal/editorial"
)

// enqueueOutbox hands one page event to webhook delivery. Until webhooks are registered it
// keeps the event in the outbox collection, keyed by its id, so replays are idempotent.
func (s *Store) enqueueOutbox(ctx context.Context, o editorial.OutboxEvent) error {
	_, err := s.coll(collOutbox).InsertOne(ctx, o)
	if err != nil && !isDuplicate(err) {
		return translate(err, "outbox event")
	}
	return nil
}
