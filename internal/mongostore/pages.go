package mongostore

import (
	"context"
	"regexp"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/editorial"
)

var _ editorial.Store = (*Store)(nil)

// orphanAge is how old an unreferenced revision must be before a save may replace it on
// MongoDB, where several processes save at once: a save's page update finishes (or fails
// and removes its revision) well within it. Embedded mode needs no wait: the whole save
// runs under the write lock, so an unreferenced revision there is always a crash's leftover.
const orphanAge = 30 * time.Second

// InsertPage writes the first revision, then the page.
func (s *Store) InsertPage(ctx context.Context, p editorial.Page, rev editorial.Revision) error {
	return s.write(func() error {
		if s.perPage() {
			if _, taken := s.slugOwner(p.Slug); taken {
				return cms.Errorf(cms.CodeSlugTaken, "slug already taken")
			}
		}
		if _, err := s.revisionDocs(p.ID).InsertOne(ctx, rev); err != nil {
			return translate(err, "revision")
		}
		undo := func() {
			bg := context.WithoutCancel(ctx)
			if s.perPage() {
				_ = s.pageDocs(p.ID).Drop(bg)
				_ = s.revisionDocs(p.ID).Drop(bg)
				return
			}
			_, _ = s.revisionDocs(p.ID).DeleteOne(bg, bson.M{"_id": rev.ID, "writeId": rev.WriteID})
		}
		if _, err := s.pageDocs(p.ID).InsertOne(ctx, p); err != nil {
			undo()
			if err := translate(err, "page"); cms.IsCode(err, cms.CodeConflict) {
				return &cms.Error{Code: cms.CodeSlugTaken, Message: "slug already taken", Err: err}
			}
			return translate(err, "page")
		}
		s.remember(p)
		return nil
	})
}

// PageByID reads one page by `_id`.
func (s *Store) PageByID(ctx context.Context, id string) (editorial.Page, error) {
	var p editorial.Page
	err := s.pageDocs(id).FindOne(ctx, bson.M{"_id": id}).Decode(&p)
	return p, translate(err, "page")
}

// listProjection keeps the summary fields: the list never carries section bodies,
// revision lists or pending events.
var listProjection = bson.M{
	"_id": 1, "slug": 1, "version": 1, "workflow": 1, "reviewBaseline": 1,
	"content.title": 1, "content.summary": 1, "content.drug": 1, "content.tags": 1,
	"createdAt": 1, "createdBy": 1, "updatedAt": 1, "updatedBy": 1, "liveSeq": 1,
	"liveSnapshot.revision": 1, "liveSnapshot.publishedAt": 1, "liveSnapshot.approval": 1,
}

// ListPages returns page summaries matching f, newest update first.
func (s *Store) ListPages(ctx context.Context, f editorial.ListFilter) ([]editorial.Page, error) {
	if s.perPage() {
		return s.listFromCatalogue(f), nil
	}
	and := bson.A{}
	if f.State != "" {
		and = append(and, bson.M{"workflow.state": f.State})
	}
	if f.Query != "" {
		// QuoteMeta: the query is matched literally, never as a pattern.
		rx := bson.Regex{Pattern: regexp.QuoteMeta(f.Query), Options: "i"}
		and = append(and, bson.M{"$or": bson.A{
			bson.M{"content.title": rx}, bson.M{"slug": rx}, bson.M{"content.drug.name": rx},
			bson.M{"content.drug.genericName": rx},
		}})
	}
	if f.ReviewOverdue {
		and = append(and, bson.M{"liveSnapshot": bson.M{"$ne": nil}, "liveSnapshot.approval.nextReviewDue": bson.M{"$lt": f.Now}})
	}
	if f.AfterTime != nil {
		and = append(and, bson.M{"$or": bson.A{
			bson.M{"updatedAt": bson.M{"$lt": *f.AfterTime}},
			bson.M{"updatedAt": *f.AfterTime, "_id": bson.M{"$lt": f.AfterID}},
		}})
	}
	filter := bson.M{}
	if len(and) > 0 {
		filter = bson.M{"$and": and}
	}
	opts := options.Find().SetProjection(listProjection).
		SetSort(bson.D{{Key: "updatedAt", Value: -1}, {Key: "_id", Value: -1}}).SetLimit(int64(f.Limit))
	cur, err := s.coll(collPages).Find(ctx, filter, opts)
	if err != nil {
		return nil, translate(err, "pages")
	}
	pages := []editorial.Page{}
	if err := cur.All(ctx, &pages); err != nil {
		return nil, translate(err, "pages")
	}
	return pages, nil
}

// CommitRevision writes rev, then replaces the page if it is still at the expected version
// and audit head. See orphanAge for revisions left by a crash between the two writes.
func (s *Store) CommitRevision(ctx context.Context, rev editorial.Revision, p editorial.Page, expectVersion, expectSeq int) error {
	return s.write(func() error {
		if err := s.insertRevision(ctx, rev); err != nil {
			return err
		}
		err := s.replacePage(ctx, p, expectVersion, expectSeq)
		if err != nil {
			// Ours and unreferenced: remove it so the next save can use the number.
			_, _ = s.revisionDocs(rev.PageID).DeleteOne(context.WithoutCancel(ctx), bson.M{"_id": rev.ID, "writeId": rev.WriteID})
		}
		return err
	})
}

func (s *Store) insertRevision(ctx context.Context, rev editorial.Revision) error {
	_, err := s.revisionDocs(rev.PageID).InsertOne(ctx, rev)
	if err == nil || !isDuplicate(err) {
		return translate(err, "revision")
	}
	// The number is taken. If the page already points at it, this save is stale; if not,
	// the existing document is a leftover of a crashed save, which we may replace.
	var page struct {
		Workflow struct {
			Revision int `bson:"revision"`
		} `bson:"workflow"`
	}
	if err := s.pageDocs(rev.PageID).FindOne(ctx, bson.M{"_id": rev.PageID}).Decode(&page); err != nil {
		return translate(err, "page")
	}
	if page.Workflow.Revision >= rev.Number {
		return cms.Errorf(cms.CodeVersionConflict, "the page was changed since you loaded it")
	}
	filter := bson.M{"_id": rev.ID}
	if !s.perPage() {
		filter["createdAt"] = bson.M{"$lt": time.Now().Add(-orphanAge)}
	}
	res, err := s.revisionDocs(rev.PageID).ReplaceOne(ctx, filter, rev)
	if err != nil {
		return translate(err, "revision")
	}
	if res.MatchedCount == 0 {
		return cms.Errorf(cms.CodeVersionConflict, "another save of this page is in progress")
	}
	return nil
}

// UpdatePage replaces the page if it is still at the expected version and audit head.
func (s *Store) UpdatePage(ctx context.Context, p editorial.Page, expectVersion, expectSeq int) error {
	return s.write(func() error { return s.replacePage(ctx, p, expectVersion, expectSeq) })
}

func (s *Store) replacePage(ctx context.Context, p editorial.Page, expectVersion, expectSeq int) error {
	if s.perPage() {
		// FerretDB uses its _id index only for a filter that is exactly {_id}; a conditional
		// filter scans the whole collection. Writes here run one at a time under writeMu and
		// the data dir belongs to this process, so check-then-replace by _id is just as
		// atomic as the conditional update.
		// The catalogue holds every page's current version and chain head (layout.go).
		cur, ok := s.catalogueEntryOf(p.ID)
		if !ok {
			return cms.Errorf(cms.CodeNotFound, "page not found")
		}
		if cur.Version != expectVersion || cur.Audit.Seq != expectSeq {
			return cms.Errorf(cms.CodeVersionConflict, "the page was changed since you loaded it")
		}
		s.prunePending(&p)
		if _, err := s.pageDocs(p.ID).ReplaceOne(ctx, bson.M{"_id": p.ID}, p); err != nil {
			return translate(err, "page")
		}
		s.remember(p)
		return nil
	}
	res, err := s.coll(collPages).ReplaceOne(ctx, bson.M{"_id": p.ID, "version": expectVersion, "audit.seq": expectSeq}, p)
	if err != nil {
		return translate(err, "page")
	}
	if res.MatchedCount == 0 {
		return cms.Errorf(cms.CodeVersionConflict, "the page was changed since you loaded it")
	}
	return nil
}

// pageHead is what a conditional page write compares.
type pageHead struct {
	Version int `bson:"version"`
	Audit   struct {
		Seq int `bson:"seq"`
	} `bson:"audit"`
}

var pageHeadProjection = bson.M{"version": 1, "audit": 1}

// RevisionSummaries lists a page's revisions without their content, by number.
func (s *Store) RevisionSummaries(ctx context.Context, pageID string) ([]editorial.RevisionSummary, error) {
	cur, err := s.revisionDocs(pageID).Find(ctx, bson.M{"pageId": pageID},
		options.Find().SetProjection(bson.M{"content": 0}).SetSort(bson.D{{Key: "number", Value: 1}}))
	if err != nil {
		return nil, translate(err, "revisions")
	}
	revs := []editorial.RevisionSummary{}
	if err := cur.All(ctx, &revs); err != nil {
		return nil, translate(err, "revisions")
	}
	return revs, nil
}

// Revision reads revision n of a page by its computed `_id`.
func (s *Store) Revision(ctx context.Context, pageID string, n int) (editorial.Revision, error) {
	var r editorial.Revision
	err := s.revisionDocs(pageID).FindOne(ctx, bson.M{"_id": editorial.RevisionID(pageID, n)}).Decode(&r)
	return r, translate(err, "revision")
}

// AuditEvents returns events matching f.
func (s *Store) AuditEvents(ctx context.Context, f editorial.AuditFilter) ([]editorial.AuditEvent, error) {
	filter := bson.M{}
	if f.PageID != "" {
		filter["pageId"] = f.PageID
	}
	if f.Actor != "" {
		filter["actor"] = f.Actor
	}
	if f.Action != "" {
		filter["action"] = f.Action
	}
	opts := options.Find()
	if f.PageID != "" && f.Actor == "" && f.Action == "" && f.Limit == 0 {
		opts.SetSort(bson.D{{Key: "seq", Value: 1}})
	} else {
		if f.BeforeAt != nil {
			filter["$or"] = bson.A{
				bson.M{"at": bson.M{"$lt": *f.BeforeAt}},
				bson.M{"at": *f.BeforeAt, "_id": bson.M{"$lt": f.BeforeID}},
			}
		}
		opts.SetSort(bson.D{{Key: "at", Value: -1}, {Key: "_id", Value: -1}})
		if f.Limit > 0 {
			opts.SetLimit(int64(f.Limit))
		}
	}
	cur, err := s.coll(collAudit).Find(ctx, filter, opts)
	if err != nil {
		return nil, translate(err, "audit events")
	}
	events := []editorial.AuditEvent{}
	if err := cur.All(ctx, &events); err != nil {
		return nil, translate(err, "audit events")
	}
	return events, nil
}

// PagesWithPendingEvents returns pages whose events or outbox are not yet moved.
func (s *Store) PagesWithPendingEvents(ctx context.Context) ([]editorial.Page, error) {
	projection := options.FindOne().SetProjection(bson.M{"_id": 1, "audit": 1, "pendingEvents": 1, "outbox": 1})
	if s.perPage() {
		// Only pages whose chain moved past what this process already flushed are read
		// (all of them once after a start, when nothing is known to be flushed).
		s.writeMu.Lock()
		candidates := ids(s.catalogued(func(c editorial.Page) bool { return c.Audit.Seq > s.flushed[c.ID].seq }))
		s.writeMu.Unlock()
		var pages []editorial.Page
		for _, id := range candidates {
			var p editorial.Page
			if err := s.pageDocs(id).FindOne(ctx, bson.M{"_id": id}, projection).Decode(&p); err != nil {
				return nil, translate(err, "page")
			}
			s.writeMu.Lock()
			s.prunePending(&p)
			if len(p.PendingEvents) == 0 && len(p.Outbox) == 0 {
				// Nothing left to move up to this head: do not read the page again until
				// its chain grows.
				done := s.flushed[id]
				done.seq = max(done.seq, p.Audit.Seq)
				s.flushed[id] = done
			}
			s.writeMu.Unlock()
			if len(p.PendingEvents) > 0 || len(p.Outbox) > 0 {
				pages = append(pages, p)
			}
		}
		return pages, nil
	}
	filter := bson.M{"$or": bson.A{
		bson.M{"pendingEvents.0": bson.M{"$exists": true}},
		bson.M{"outbox.0": bson.M{"$exists": true}},
	}}
	cur, err := s.coll(collPages).Find(ctx, filter, options.Find().SetProjection(bson.M{"_id": 1, "audit": 1, "pendingEvents": 1, "outbox": 1}))
	if err != nil {
		return nil, translate(err, "pages")
	}
	pages := []editorial.Page{}
	if err := cur.All(ctx, &pages); err != nil {
		return nil, translate(err, "pages")
	}
	return pages, nil
}

// FlushPending copies pending events and outbox entries (idempotently: their ids are
// unique), then clears both lists if no event was appended meanwhile.
func (s *Store) FlushPending(ctx context.Context, p editorial.Page) error {
	return s.write(func() error {
		done := s.flushed[p.ID] // embedded mode: what this process already moved
		for _, e := range p.PendingEvents {
			if e.Seq <= done.seq {
				continue
			}
			if _, err := s.coll(collAudit).InsertOne(ctx, e); err != nil && !isDuplicate(err) {
				return translate(err, "audit event")
			}
		}
		for _, o := range p.Outbox {
			if done.outbox[o.ID] {
				continue
			}
			if err := s.enqueueOutbox(ctx, o); err != nil {
				return err
			}
		}
		if s.perPage() {
			// Rewriting the page document only to empty these lists would cost a full
			// decode and encode of it in FerretDB; instead remember what was moved, and
			// the page's next write drops it (prunePending). A restart forgets this, and
			// the sweep then moves the same events again: their unique ids make that a
			// no-op.
			st := flushState{seq: done.seq, outbox: map[string]bool{}}
			for _, e := range p.PendingEvents {
				st.seq = max(st.seq, e.Seq)
			}
			for _, o := range p.Outbox {
				st.outbox[o.ID] = true
			}
			s.flushed[p.ID] = st
			return nil
		}
		clear := bson.M{"$set": bson.M{"pendingEvents": bson.A{}, "outbox": bson.A{}}}
		_, err := s.coll(collPages).UpdateOne(ctx, bson.M{"_id": p.ID, "audit.seq": p.Audit.Seq}, clear)
		return translate(err, "page")
	})
}

// flushState is what FlushPending moved of one page's lists (embedded mode).
type flushState struct {
	seq    int
	outbox map[string]bool
}

// prunePending drops from p the events and outbox entries already moved (embedded mode).
// Caller holds the write lock.
func (s *Store) prunePending(p *editorial.Page) {
	done, ok := s.flushed[p.ID]
	if !ok {
		return
	}
	p.PendingEvents = slices.DeleteFunc(slices.Clone(p.PendingEvents), func(e editorial.AuditEvent) bool { return e.Seq <= done.seq })
	p.Outbox = slices.DeleteFunc(slices.Clone(p.Outbox), func(o editorial.OutboxEvent) bool { return done.outbox[o.ID] })
}

// ScheduledDue returns scheduled pages whose time has come.
func (s *Store) ScheduledDue(ctx context.Context, now time.Time) ([]editorial.Page, error) {
	if s.perPage() {
		return s.fullPages(ctx, s.catalogued(func(p editorial.Page) bool {
			return p.Workflow.State == "scheduled" && p.Workflow.ScheduledAt != nil && !p.Workflow.ScheduledAt.After(now)
		}))
	}
	return s.findPages(ctx, bson.M{"workflow.state": "scheduled", "workflow.scheduledAt": bson.M{"$lte": now}})
}

// ReviewDue returns live pages past their next review date.
func (s *Store) ReviewDue(ctx context.Context, now time.Time) ([]editorial.Page, error) {
	var pages []editorial.Page
	var err error
	if s.perPage() {
		pages, err = s.fullPages(ctx, s.catalogued(func(p editorial.Page) bool {
			return p.LiveSnapshot != nil && p.LiveSnapshot.Approval.NextReviewDue.Before(now)
		}))
	} else {
		pages, err = s.findPages(ctx, bson.M{"liveSnapshot": bson.M{"$ne": nil}, "liveSnapshot.approval.nextReviewDue": bson.M{"$lt": now}})
	}
	if err != nil {
		return nil, err
	}
	out := pages[:0]
	for _, p := range pages {
		if p.ReviewDueNotified == nil || !p.ReviewDueNotified.Equal(p.LiveSnapshot.Approval.NextReviewDue) {
			out = append(out, p)
		}
	}
	return out, nil
}

func (s *Store) findPages(ctx context.Context, filter bson.M) ([]editorial.Page, error) {
	cur, err := s.coll(collPages).Find(ctx, filter)
	if err != nil {
		return nil, translate(err, "pages")
	}
	pages := []editorial.Page{}
	if err := cur.All(ctx, &pages); err != nil {
		return nil, translate(err, "pages")
	}
	return pages, nil
}

// NextChangeSeq increments the change counter and returns its new value.
func (s *Store) NextChangeSeq(ctx context.Context) (int64, error) {
	var doc struct {
		Seq int64 `bson:"seq"`
	}
	err := s.write(func() error {
		return s.coll(collMeta).FindOneAndUpdate(ctx, bson.M{"_id": "changes"}, bson.M{"$inc": bson.M{"seq": int64(1)}},
			options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)).Decode(&doc)
	})
	return doc.Seq, translate(err, "change counter")
}

// ChangeSeq returns the change counter without changing it (what delivery caches poll).
func (s *Store) ChangeSeq(ctx context.Context) (int64, error) {
	var doc struct {
		Seq int64 `bson:"seq"`
	}
	err := s.coll(collMeta).FindOne(ctx, bson.M{"_id": "changes"}).Decode(&doc)
	if err := translate(err, "change counter"); err != nil && !cms.IsCode(err, cms.CodeNotFound) {
		return 0, err
	}
	return doc.Seq, nil
}

// AllPageIDs returns every page id in order.
func (s *Store) AllPageIDs(ctx context.Context) ([]string, error) {
	if s.perPage() {
		return ids(s.catalogued(func(editorial.Page) bool { return true })), nil
	}
	cur, err := s.coll(collPages).Find(ctx, bson.M{}, options.Find().SetProjection(bson.M{"_id": 1}).SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, translate(err, "pages")
	}
	var rows []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &rows); err != nil {
		return nil, translate(err, "pages")
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.ID
	}
	return out, nil
}
