package mongostore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readconcern"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/editorial"
)

var _ editorial.Store = (*Store)(nil)

// orphanAge is how long after it was stored a revision that no page points at may be
// replaced by another change of the same number on a standalone server. A change writes its
// revisions, then the page; until the page write, its revision looks exactly like a
// crashed change's leftover. A change finishes (or fails and removes its revision) well
// within this age, so only a leftover is ever replaced.
const orphanAge = 30 * time.Second

// Commit applies one page change (editorial.Store).
//
// On a replica set it is one transaction (majority writes, snapshot reads): revisions,
// change counter, the conditional page write, audit events and outbox, all or nothing.
//
// On a standalone server there are no multi-document transactions, so the change is made
// durable by ONE conditional write of the page document, which carries the change's audit
// events and outbox entries in its pending lists:
//
//  1. insert the revisions (the page does not point at them yet, so they are invisible);
//  2. for a live change, take the next change-counter value;
//  3. write the page, conditionally on its version and audit head: the change is committed
//     exactly when this write succeeds;
//  4. copy the pending events and outbox entries to their collections (idempotently) and
//     clear the lists. A crash before this is finished by Recover (at Open and every 30 s
//     in RunBackground); readers of a page's chain see the pending events meanwhile.
//
// A change refused at step 3 removes the revisions it wrote (by their WriteID). A live
// change is checked against the page before step 1, so a stale one takes no counter value;
// only one that loses a race after that check leaves a gap, which delivery treats as
// "reload".
func (s *Store) Commit(ctx context.Context, c *editorial.Change) error {
	for i := range c.Events {
		c.Events[i].LogIndex = nil // given by the sequencer (tlog.go), whatever the caller says
	}
	var err error
	if s.transactions {
		err = s.commitInTransaction(ctx, c)
	} else {
		err = s.commitStandalone(ctx, c)
	}
	if errors.Is(err, errPageDuplicate) {
		return s.createConflict(ctx, c.Page)
	}
	if err == nil && len(c.Events) > 0 {
		s.wakeLog()
	}
	return err
}

// CommitAll commits the changes in order. On a replica set, a batch of workflow changes
// without new text (a publication and the translations it makes outdated: no revisions, a
// few pages) is one transaction, all or nothing, so a crash cannot keep the publication and
// lose a translation's flag and webhook. Any other batch (an import, with whole histories)
// is committed one change at a time, stopping at the first that fails: each is atomic, the
// batch is not (a transaction holding a whole import would outgrow MongoDB's limits on a
// transaction's size and time); so is every batch on a standalone server, which has no
// transactions (the service's translations sweep sets a flag a crash left unset).
func (s *Store) CommitAll(ctx context.Context, cs []*editorial.Change) (int, error) {
	if s.transactions && len(cs) > 1 && len(cs) <= maxTxChanges && !slices.ContainsFunc(cs, func(c *editorial.Change) bool { return len(c.Revisions) > 0 }) {
		if err := s.commitAllInTransaction(ctx, cs); err != nil {
			return 0, err
		}
		return len(cs), nil
	}
	for i, c := range cs {
		if err := s.Commit(ctx, c); err != nil {
			return i, err
		}
	}
	return len(cs), nil
}

// maxTxChanges bounds the batch CommitAll commits in one transaction.
const maxTxChanges = 100

// commitAllInTransaction is commitInTransaction for several changes: one transaction.
func (s *Store) commitAllInTransaction(ctx context.Context, cs []*editorial.Change) error {
	events := false
	for _, c := range cs {
		for i := range c.Events {
			c.Events[i].LogIndex = nil // given by the sequencer (tlog.go)
		}
		events = events || len(c.Events) > 0
	}
	sess, err := s.client.StartSession()
	if err != nil {
		return translate(err, "session")
	}
	defer sess.EndSession(context.WithoutCancel(ctx))
	var current *editorial.Change
	_, err = sess.WithTransaction(ctx, func(ctx context.Context) (any, error) {
		for _, c := range cs {
			current = c
			if _, err := s.insertRevisions(ctx, c, false); err != nil {
				return nil, err
			}
			if err := s.takeChangeSeq(ctx, c); err != nil {
				return nil, err
			}
			if err := s.writePage(ctx, c, cms.NewID(), false); err != nil {
				return nil, err
			}
			if err := s.copyEvents(ctx, c.Events, false); err != nil {
				return nil, err
			}
			if err := s.copyOutbox(ctx, c.Outbox, false); err != nil {
				return nil, err
			}
		}
		return nil, nil
	}, transactionOptions)
	switch {
	case errors.Is(err, errPageDuplicate):
		return s.createConflict(ctx, current.Page)
	case err != nil:
		return translate(err, "page changes")
	}
	if events {
		s.wakeLog()
	}
	return nil
}

func (s *Store) commitStandalone(ctx context.Context, c *editorial.Change) error {
	if c.LiveChange() {
		// A counter value, once taken, cannot be given back; a change that would be
		// refused is refused before it takes one. (Only a change that loses a race
		// between this check and its page write still skips a value.)
		if err := s.precheck(ctx, c); err != nil {
			return err
		}
	}
	written, err := s.insertRevisions(ctx, c, true)
	if err != nil {
		s.dropRevisions(ctx, written)
		return err
	}
	if err := s.takeChangeSeq(ctx, c); err != nil {
		s.dropRevisions(ctx, written) // the page write never ran
		return err
	}
	commitID := cms.NewID()
	if err := s.writePage(ctx, c, commitID, true); err != nil {
		// Only a refused write is known not to point at the revisions; after any other
		// error (a timeout, say) the page may have been written, so they stay, and an
		// unreferenced one is replaced once it is older than orphanAge.
		if errors.Is(err, errPageDuplicate) || cms.IsCode(err, cms.CodeVersionConflict) || cms.IsCode(err, cms.CodeSlugTaken) {
			s.dropRevisions(ctx, written)
		}
		return err
	}
	if (len(c.Events) > 0 || len(c.Outbox) > 0) && !s.skipFlush {
		// The change is committed: a failed copy is finished by the sweep, so it is logged,
		// not returned (the caller must not retry a stored change).
		// It also runs when the caller gave up meanwhile: the change is stored either way.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), serverSelectionTimeout)
		defer cancel()
		lists := pendingLists{ID: c.Page.ID, CommitID: commitID, Pending: c.Events, PendingOutbox: c.Outbox, HasPending: true}
		if err := s.flushOwn(fctx, lists); err != nil {
			s.log.Warn("store: copying a page change's audit events and outbox failed; the sweep will finish it",
				"page", c.Page.ID, "error", err)
		}
	}
	return nil
}

// precheck refuses, before anything is written, a change its page write would refuse:
// a create whose id or slug is taken, an update of a page no longer at the expected
// version and audit head.
func (s *Store) precheck(ctx context.Context, c *editorial.Change) error {
	p := c.Page
	if c.Create {
		err := s.coll(collPages).FindOne(ctx, bson.D{{Key: "$or", Value: bson.A{
			bson.D{{Key: "_id", Value: p.ID}}, bson.D{{Key: "slug", Value: p.Slug}},
		}}}, options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err()
		if taken, err := found(translate(err, "page")); err != nil || !taken {
			return err
		}
		return s.createConflict(ctx, p)
	}
	err := s.coll(collPages).FindOne(ctx,
		bson.D{{Key: "_id", Value: p.ID}, {Key: "version", Value: c.ExpectVersion}, {Key: "audit.seq", Value: c.ExpectSeq}},
		options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err()
	if current, err := found(translate(err, "page")); err != nil || current {
		return err
	}
	return versionConflict(nil)
}

// transactionOptions: a change commits on a majority of the replica set (so a failover
// cannot roll it back) and reads one consistent snapshot.
var transactionOptions = options.Transaction().
	SetReadConcern(readconcern.Snapshot()).
	SetWriteConcern(writeconcern.Majority())

// commitInTransaction runs the same steps as commitStandalone in one transaction, with
// the events and outbox written straight to their collections (the pending lists stay
// empty). WithTransaction retries the whole function on transient errors (a write
// conflict with a concurrent transaction), after which the conditional page write reports
// a version conflict if the other change won.
func (s *Store) commitInTransaction(ctx context.Context, c *editorial.Change) error {
	sess, err := s.client.StartSession()
	if err != nil {
		return translate(err, "session")
	}
	defer sess.EndSession(context.WithoutCancel(ctx))
	_, err = sess.WithTransaction(ctx, func(ctx context.Context) (any, error) {
		if _, err := s.insertRevisions(ctx, c, false); err != nil {
			return nil, err
		}
		if err := s.takeChangeSeq(ctx, c); err != nil {
			return nil, err
		}
		if err := s.writePage(ctx, c, cms.NewID(), false); err != nil {
			return nil, err
		}
		if err := s.copyEvents(ctx, c.Events, false); err != nil {
			return nil, err
		}
		return nil, s.copyOutbox(ctx, c.Outbox, false)
	}, transactionOptions)
	if err != nil && !errors.Is(err, errPageDuplicate) {
		return translate(err, "page change")
	}
	return err
}

// insertRevisions stores the change's new revisions and returns those it wrote. A number
// that is taken means a stale change (the page points at it already: CodeVersionConflict,
// or CodeConflict for a create of an existing page). With repair (standalone), an
// unreferenced revision of that number older than orphanAge is a crashed change's leftover
// and is replaced. After an error whose outcome is unknown (a timeout), written is empty:
// what it did write is left for the leftover rule rather than removed blindly.
func (s *Store) insertRevisions(ctx context.Context, c *editorial.Change, repair bool) (written []editorial.Revision, err error) {
	if len(c.Revisions) == 0 {
		return nil, nil
	}
	now := time.Now().UTC()
	docs := make([]any, len(c.Revisions))
	for i, r := range c.Revisions {
		docs[i] = revisionDoc{Revision: r, StoredAt: now}
	}
	_, err = s.coll(collRevisions).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	if err == nil {
		return c.Revisions, nil
	}
	var bwe mongo.BulkWriteException
	if !onlyDuplicates(err) || !errors.As(err, &bwe) {
		return nil, translate(err, "revision")
	}
	taken := map[int]bool{}
	for _, we := range bwe.WriteErrors {
		taken[we.Index] = true
	}
	for i, r := range c.Revisions {
		if !taken[i] {
			written = append(written, r)
		}
	}
	if !repair {
		// In a transaction nothing is left over by a crash, and the failed write ended the
		// transaction: the number is another change's.
		return written, revisionTaken(c, err)
	}
	for i, r := range c.Revisions {
		if !taken[i] {
			continue
		}
		if err := s.replaceLeftover(ctx, c, r, now); err != nil {
			return written, err
		}
		written = append(written, r)
	}
	return written, nil
}

// revisionTaken is the answer when a revision number is taken by another change.
func revisionTaken(c *editorial.Change, cause error) error {
	if c.Create {
		return &cms.Error{Code: cms.CodeConflict, Message: "a page with id " + c.Page.ID + " exists already", Err: cause}
	}
	return versionConflict(cause)
}

// replaceLeftover replaces the stored revision with r's number if no page points at it and
// it is older than orphanAge; otherwise the change is stale or races another one.
func (s *Store) replaceLeftover(ctx context.Context, c *editorial.Change, r editorial.Revision, now time.Time) error {
	var head struct {
		Workflow struct {
			Revision int `bson:"revision"`
		} `bson:"workflow"`
	}
	err := s.coll(collPages).FindOne(ctx, bson.D{{Key: "_id", Value: r.PageID}},
		options.FindOne().SetProjection(bson.D{{Key: "workflow.revision", Value: 1}})).Decode(&head)
	switch err := translate(err, "page"); {
	case err == nil && (c.Create || head.Workflow.Revision >= r.Number):
		return revisionTaken(c, nil)
	case cms.IsCode(err, cms.CodeNotFound) && !c.Create:
		return versionConflict(nil) // the page is gone: the caller re-reads and learns it
	case err != nil && !cms.IsCode(err, cms.CodeNotFound):
		return err
	}
	res, err := s.coll(collRevisions).ReplaceOne(ctx,
		bson.D{{Key: "_id", Value: r.ID}, {Key: "storedAt", Value: bson.D{{Key: "$lt", Value: now.Add(-orphanAge)}}}},
		revisionDoc{Revision: r, StoredAt: now})
	if err != nil {
		return translate(err, "revision")
	}
	if res.MatchedCount == 0 {
		// A recent unreferenced revision: another change of this page is in flight.
		return revisionTaken(c, nil)
	}
	s.log.Info("store: replaced a revision left by an interrupted change", "revision", r.ID)
	return nil
}

// dropRevisions removes the revisions of a refused change, each only if it is still the
// one this change wrote (its WriteID): never another change's revision of the same number.
// It runs even when ctx is cancelled, since the change already failed.
func (s *Store) dropRevisions(ctx context.Context, revs []editorial.Revision) {
	if len(revs) == 0 {
		return
	}
	or := make(bson.A, len(revs))
	for i, r := range revs {
		or[i] = bson.D{{Key: "_id", Value: r.ID}, {Key: "writeId", Value: r.WriteID}}
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if _, err := s.coll(collRevisions).DeleteMany(ctx, bson.D{{Key: "$or", Value: or}}); err != nil {
		s.log.Warn("store: removing the revisions of a refused change failed; they are replaced when next needed",
			"page", revs[0].PageID, "error", err)
	}
}

// takeChangeSeq takes the next change-counter value for a live change and writes it into
// the page and the live snapshot.
func (s *Store) takeChangeSeq(ctx context.Context, c *editorial.Change) error {
	if !c.LiveChange() {
		return nil
	}
	var doc struct {
		Seq int64 `bson:"seq"`
	}
	next := func() error {
		return s.coll(collMeta).FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: changeCounterID}},
			bson.D{{Key: "$inc", Value: bson.D{{Key: "seq", Value: int64(1)}}}},
			options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)).Decode(&doc)
	}
	err := next()
	if isDuplicate(err) && !s.transactions {
		err = next() // two first-ever upserts raced: the counter exists now
	}
	if err != nil {
		return translate(err, "change counter")
	}
	c.Page.LiveSeq = doc.Seq
	if c.Live != nil {
		c.Live.Seq = doc.Seq
	}
	return nil
}

// errPageDuplicate marks a new page's insert refused by a unique index: Commit then reads
// which one (createConflict), outside any transaction.
var errPageDuplicate = errors.New("a page with this id or slug exists")

// writePage is the change's one conditional write of the page document. A create inserts
// it; any other change updates it only if it is still at c.ExpectVersion and c.ExpectSeq
// ($set of every page field, so the live snapshot survives a change that does not touch
// it). With pending (standalone), the events and outbox entries are appended to the
// page's pending lists in the same write.
func (s *Store) writePage(ctx context.Context, c *editorial.Change, commitID string, pending bool) error {
	p := c.Page
	hasPending := pending && (len(c.Events) > 0 || len(c.Outbox) > 0)
	if c.Create {
		doc := pageDoc{Page: p, LiveSnapshot: c.Live, SearchGrams: editorial.PageGrams(p), CommitID: commitID}
		if hasPending {
			doc.Pending, doc.PendingOutbox, doc.HasPending = c.Events, c.Outbox, true
		}
		_, err := s.coll(collPages).InsertOne(ctx, doc)
		if isDuplicate(err) {
			return fmt.Errorf("%w: %w", errPageDuplicate, err)
		}
		return translate(err, "page")
	}
	set, err := fieldsOf(p)
	if err != nil {
		return &cms.Error{Code: cms.CodeInternal, Message: "store error", Err: err}
	}
	set = append(set, bson.E{Key: fSearchGrams, Value: editorial.PageGrams(p)}, bson.E{Key: fCommitID, Value: commitID})
	switch {
	case c.Live != nil:
		set = append(set, bson.E{Key: fLiveSnapshot, Value: c.Live})
	case c.Unpublish:
		set = append(set, bson.E{Key: fLiveSnapshot, Value: nil})
	}
	update := bson.D{}
	if hasPending {
		set = append(set, bson.E{Key: fHasPending, Value: true})
		push := bson.D{}
		if len(c.Events) > 0 {
			push = append(push, bson.E{Key: fPending, Value: bson.D{{Key: "$each", Value: c.Events}}})
		}
		if len(c.Outbox) > 0 {
			push = append(push, bson.E{Key: fPendingOutbox, Value: bson.D{{Key: "$each", Value: c.Outbox}}})
		}
		// $push, not $set: entries of an earlier change not copied yet (a crash) stay.
		update = append(update, bson.E{Key: "$push", Value: push})
	}
	update = append(update, bson.E{Key: "$set", Value: set})
	filter := bson.D{{Key: "_id", Value: p.ID}, {Key: "version", Value: c.ExpectVersion}, {Key: "audit.seq", Value: c.ExpectSeq}}
	res, err := s.coll(collPages).UpdateOne(ctx, filter, update)
	if isDuplicate(err) {
		// Only the slug index can be violated by an update (the `_id` is the filter's).
		return &cms.Error{Code: cms.CodeSlugTaken, Message: "the slug " + p.Slug + " is already used by another page", Err: err}
	}
	if err != nil {
		return translate(err, "page")
	}
	if res.MatchedCount == 0 {
		return versionConflict(nil) // moved on, or gone: the caller re-reads and learns which
	}
	return nil
}

// createConflict tells which unique index refused a new page: its id (CodeConflict) or
// its slug (CodeSlugTaken).
func (s *Store) createConflict(ctx context.Context, p editorial.Page) error {
	err := s.coll(collPages).FindOne(ctx, bson.D{{Key: "_id", Value: p.ID}},
		options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err()
	switch err := translate(err, "page"); {
	case err == nil:
		return cms.Errorf(cms.CodeConflict, "a page with id %s exists already", p.ID)
	case cms.IsCode(err, cms.CodeNotFound):
		return cms.Errorf(cms.CodeSlugTaken, "the slug %s is already used by another page", p.Slug)
	default:
		return err
	}
}
