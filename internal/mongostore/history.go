package mongostore

import (
	"cmp"
	"context"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/editorial"
)

// latestRevision returns the number of the revision a page points at (its working copy).
// A stored revision with a higher number belongs to a change that was not committed (in
// flight, or left by a crash on a standalone server) and is not part of the history.
// ok is false for an unknown page.
func (s *Store) latestRevision(ctx context.Context, pageID string) (n int, ok bool, err error) {
	var head struct {
		Workflow struct {
			Revision int `bson:"revision"`
		} `bson:"workflow"`
	}
	err = s.coll(collPages).FindOne(ctx, bson.D{{Key: "_id", Value: pageID}},
		options.FindOne().SetProjection(bson.D{{Key: "workflow.revision", Value: 1}})).Decode(&head)
	ok, err = found(translate(err, "page"))
	return head.Workflow.Revision, ok, err
}

// committedRevisions is the filter of a page's revisions up to its working copy.
func committedRevisions(pageID string, latest int) bson.D {
	return bson.D{{Key: "pageId", Value: pageID}, {Key: "number", Value: bson.D{{Key: "$lte", Value: latest}}}}
}

var byNumber = bson.D{{Key: "pageId", Value: 1}, {Key: "number", Value: 1}}

// RevisionSummaries lists a page's revisions without their content, oldest first.
func (s *Store) RevisionSummaries(ctx context.Context, pageID string) ([]editorial.RevisionSummary, error) {
	latest, ok, err := s.latestRevision(ctx, pageID)
	if err != nil || !ok {
		return []editorial.RevisionSummary{}, err
	}
	cur, err := s.coll(collRevisions).Find(ctx, committedRevisions(pageID, latest), options.Find().
		SetProjection(bson.D{{Key: "number", Value: 1}, {Key: "author", Value: 1}, {Key: "createdAt", Value: 1},
			{Key: "contentHash", Value: 1}, {Key: "note", Value: 1}}).
		SetSort(byNumber))
	return all[editorial.RevisionSummary](ctx, cur, err, "revisions")
}

// Revision reads revision n of a page by its computed `_id`.
func (s *Store) Revision(ctx context.Context, pageID string, n int) (editorial.Revision, error) {
	latest, ok, err := s.latestRevision(ctx, pageID)
	if err != nil {
		return editorial.Revision{}, err
	}
	if !ok || n > latest {
		return editorial.Revision{}, cms.Errorf(cms.CodeNotFound, "revision not found")
	}
	var r editorial.Revision
	err = s.coll(collRevisions).FindOne(ctx, bson.D{{Key: "_id", Value: editorial.RevisionID(pageID, n)}}).Decode(&r)
	return r, translate(err, "revision")
}

// Revisions returns every revision of a page with its content, oldest first.
func (s *Store) Revisions(ctx context.Context, pageID string) ([]editorial.Revision, error) {
	latest, ok, err := s.latestRevision(ctx, pageID)
	if err != nil || !ok {
		return []editorial.Revision{}, err
	}
	cur, err := s.coll(collRevisions).Find(ctx, committedRevisions(pageID, latest), options.Find().SetSort(byNumber))
	return all[editorial.Revision](ctx, cur, err, "revisions")
}

// AuditEvents returns audit events matching f (editorial.Store). A whole chain (only
// f.PageID, no limit) is the audit collection's events plus those still pending in the
// page document (standalone server), in seq order. The pending list is read FIRST: an
// event is cleared from it only after it was copied, so every event of the chain as the
// page was before this call is in one read or the other.
func (s *Store) AuditEvents(ctx context.Context, f editorial.AuditFilter) ([]editorial.AuditEvent, error) {
	wholeChain := f.Actor == "" && f.Action == "" && f.Limit == 0
	switch {
	case f.Accounts && wholeChain:
		cur, err := s.coll(collAudit).Find(ctx, bson.D{{Key: "pageId", Value: editorial.AccountsChain}},
			options.Find().SetSort(bson.D{{Key: "pageId", Value: 1}, {Key: "seq", Value: 1}}))
		return all[editorial.AuditEvent](ctx, cur, err, "audit events")
	case f.PageID != "" && wholeChain:
		return s.chain(ctx, f.PageID)
	}
	filter := bson.D{}
	for _, c := range []struct{ field, v string }{{"pageId", f.PageID}, {"actor", f.Actor}, {"action", f.Action}} {
		if c.v != "" {
			filter = append(filter, bson.E{Key: c.field, Value: c.v})
		}
	}
	if f.Accounts {
		filter = append(filter, bson.E{Key: "pageId", Value: editorial.AccountsChain})
	} else if f.PageID == "" {
		filter = append(filter, bson.E{Key: "pageId", Value: bson.D{{Key: "$ne", Value: editorial.AccountsChain}}})
	}
	if f.BeforeAt != nil {
		filter = append(filter, bson.E{Key: "$or", Value: bson.A{
			bson.D{{Key: "at", Value: bson.D{{Key: "$lt", Value: *f.BeforeAt}}}},
			bson.D{{Key: "at", Value: *f.BeforeAt}, {Key: "_id", Value: bson.D{{Key: "$lt", Value: f.BeforeID}}}},
		}})
	}
	opts := options.Find().SetSort(bson.D{{Key: "at", Value: -1}, {Key: "_id", Value: -1}})
	if f.Limit > 0 {
		opts.SetLimit(int64(f.Limit))
	}
	cur, err := s.coll(collAudit).Find(ctx, filter, opts)
	return all[editorial.AuditEvent](ctx, cur, err, "audit events")
}

// chain returns one page's whole chain in seq order.
func (s *Store) chain(ctx context.Context, pageID string) ([]editorial.AuditEvent, error) {
	var page struct {
		Pending []editorial.AuditEvent `bson:"pending"`
	}
	err := s.coll(collPages).FindOne(ctx, bson.D{{Key: "_id", Value: pageID}},
		options.FindOne().SetProjection(bson.D{{Key: fPending, Value: 1}})).Decode(&page)
	if _, err := found(translate(err, "page")); err != nil {
		return nil, err
	}
	cur, err := s.coll(collAudit).Find(ctx, bson.D{{Key: "pageId", Value: pageID}},
		options.Find().SetSort(bson.D{{Key: "pageId", Value: 1}, {Key: "seq", Value: 1}}))
	events, err := all[editorial.AuditEvent](ctx, cur, err, "audit events")
	if err != nil || len(page.Pending) == 0 {
		return events, err
	}
	stored := make(map[int]bool, len(events))
	for _, e := range events {
		stored[e.Seq] = true
	}
	for _, e := range page.Pending {
		if !stored[e.Seq] {
			e.ID = editorial.EventID(e.PageID, e.Seq)
			events = append(events, e)
		}
	}
	slices.SortFunc(events, func(a, b editorial.AuditEvent) int { return cmp.Compare(a.Seq, b.Seq) })
	return events, nil
}
