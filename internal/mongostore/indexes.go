package mongostore

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// indexSpec is one index of one collection.
type indexSpec struct {
	coll, name string
	keys       bson.D
	unique     bool
}

func keys(fields ...any) bson.D {
	d := make(bson.D, 0, len(fields)/2)
	for i := 0; i+1 < len(fields); i += 2 {
		d = append(d, bson.E{Key: fields[i].(string), Value: fields[i+1]})
	}
	return d
}

// indexes serve every query the store makes (and the uniqueness it relies on). Where a
// query sorts by (time, _id) — every newest-first list with a cursor — the index ends in
// _id too, so MongoDB walks it in order instead of sorting the matches. (Names carry the
// keys: an index whose keys change gets a new name, since ensureIndexes goes by name.)
var indexes = []indexSpec{
	// Pages: slug uniqueness (CodeSlugTaken), the management list newest first (all states
	// and one state), the scheduler, the review-due sweep and overdue filter, the search
	// candidates, delivery's walk over pages ever published, and the pending-list sweep.
	{collPages, "slug_unique", keys("slug", 1), true},
	{collPages, "updated", keys("updatedAt", -1, "_id", -1), false},
	{collPages, "state_updated", keys("workflow.state", 1, "updatedAt", -1, "_id", -1), false},
	{collPages, "scheduled", keys("workflow.state", 1, "workflow.scheduledAt", 1), false},
	{collPages, "review_due", keys("workflow.live.approval.nextReviewDue", 1), false},
	{collPages, "search_grams", keys(fSearchGrams, 1), false},
	{collPages, "live_seq", keys("liveSeq", 1), false},
	{collPages, "has_pending", keys(fHasPending, 1), false},
	// Revisions: a page's history by number (reads by one revision use `_id`).
	{collRevisions, "page_number", keys("pageId", 1, "number", 1), false},
	// Audit: one event per link of a chain; the global log newest first, by actor, by action.
	{collAudit, "page_seq_unique", keys("pageId", 1, "seq", 1), true},
	{collAudit, "at", keys("at", -1, "_id", -1), false},
	{collAudit, "actor_at_id", keys("actor", 1, "at", -1, "_id", -1), false},
	{collAudit, "action_at_id", keys("action", 1, "at", -1, "_id", -1), false},
	// The verifiable log: events without a leaf, oldest first (logIndex null), and leaves
	// by index.
	{collAudit, "log_index_at_page_seq", keys("logIndex", 1, "at", 1, "pageId", 1, "seq", 1), false},
	// Outbox: what the dispatcher has not fanned out yet, oldest first; pruning.
	{collOutbox, "fanned_at_id", keys("fannedOutAt", 1, "at", 1, "_id", 1), false},
	{collUsers, "email_unique", keys("email", 1), true},
	{collRefresh, "family", keys("familyId", 1), false},
	{collRefresh, "user", keys("userId", 1), false}, // UserFamilies: a password change ends the other sessions
	{collRefresh, "expires", keys("expiresAt", 1), false},
	{collSessions, "revoked", keys("revokedAt", 1), false},
	{collDeliveries, "webhook_created_id", keys("webhookId", 1, "createdAt", -1, "_id", -1), false},
	{collDeliveries, "status_next_id", keys("status", 1, "nextAttemptAt", 1, "_id", 1), false},
	{collReaderReviews, "slug_state_created_id", keys("slug", 1, "state", 1, "createdAt", -1, "_id", -1), false},
	{collReaderReviews, "state_created_id", keys("state", 1, "createdAt", -1, "_id", -1), false},
	// Notifications (notifications.go): a user's list and unread count, mail due.
	notificationIndexes[0], notificationIndexes[1], notificationIndexes[2], notificationIndexes[3],
	// The image library (media.go).
	mediaIndexes[0], mediaIndexes[1], mediaIndexes[2], mediaIndexes[3], mediaIndexes[4], mediaIndexes[5],
	// Translations (translations.go): a source's translations, the locale and outdated filters.
	translationIndexes[0], translationIndexes[1],
}

// ensureIndexes creates the missing indexes, one at a time, so opening a store is
// idempotent and cheap when they exist. (Asking only for missing indexes is also what
// FerretDB, the tests' stand-in, needs: its createIndexes fails on a request naming an
// existing index.)
func (s *Store) ensureIndexes(ctx context.Context) error {
	existing := map[string]map[string]bool{}
	for _, ix := range indexes {
		if existing[ix.coll] == nil {
			names, err := s.indexNames(ctx, ix.coll)
			if err != nil {
				return fmt.Errorf("%s: %w", ix.coll, err)
			}
			existing[ix.coll] = names
		}
		if existing[ix.coll][ix.name] {
			continue
		}
		opts := options.Index().SetName(ix.name)
		if ix.unique {
			opts.SetUnique(true)
		}
		if _, err := s.coll(ix.coll).Indexes().CreateOne(ctx, mongo.IndexModel{Keys: ix.keys, Options: opts}); err != nil {
			return fmt.Errorf("%s.%s: %w", ix.coll, ix.name, translate(err, "index"))
		}
	}
	// A partial unique index, which indexSpec does not describe (translations.go).
	return s.ensureTranslationUnique(ctx)
}

// indexNames returns the names of a collection's indexes (none for a collection that does
// not exist yet).
func (s *Store) indexNames(ctx context.Context, coll string) (map[string]bool, error) {
	specs, err := s.coll(coll).Indexes().ListSpecifications(ctx)
	if err != nil {
		return nil, translate(err, "indexes")
	}
	names := map[string]bool{}
	for _, sp := range specs {
		names[sp.Name] = true
	}
	return names, nil
}
