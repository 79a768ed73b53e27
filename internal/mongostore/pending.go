package mongostore

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/monograph-cms/monograph/internal/editorial"
)

// The pending lists (standalone servers). A committed change's audit events and outbox
// entries are in its page document (pageDoc.Pending, PendingOutbox) from the moment the
// change commits; they are then copied to the audit and outbox collections and the lists
// are cleared. Copying is idempotent (an event's `_id` is EventID, an outbox entry's its id,
// so a second copy is a duplicate key and skipped), and clearing is conditional on the
// commitId the copier saw, so a clear never drops an entry that a later change appended.
// Whoever wrote the page last therefore always holds every pending entry; if it crashes
// before copying, Recover (at Open, and every sweepInterval in RunBackground) finishes.

// pendingLists is what a copier needs of a page document.
type pendingLists struct {
	ID            string                  `bson:"_id"`
	CommitID      string                  `bson:"commitId"`
	Pending       []editorial.AuditEvent  `bson:"pending"`
	PendingOutbox []editorial.OutboxEvent `bson:"pendingOutbox"`
	HasPending    bool                    `bson:"hasPending"`
}

var pendingProjection = bson.D{
	{Key: "_id", Value: 1}, {Key: fCommitID, Value: 1}, {Key: fPending, Value: 1},
	{Key: fPendingOutbox, Value: 1}, {Key: fHasPending, Value: 1},
}

// flushOwn copies the entries a change just appended and clears the lists, if they hold
// nothing else: the clear is conditional on this change's commitId (no later change) and
// on the lists' lengths (no entries from an earlier change left by a crash). If it does
// not match, the page is read: still this change's write with more entries pending means
// leftovers, copied too; another change's write means that change copies everything.
func (s *Store) flushOwn(ctx context.Context, own pendingLists) error {
	if err := s.copyPending(ctx, own); err != nil {
		return err
	}
	cleared, err := s.clearPending(ctx, own, true)
	if err != nil || cleared {
		return err
	}
	var cur pendingLists
	err = s.coll(collPages).FindOne(ctx, bson.D{{Key: "_id", Value: own.ID}},
		options.FindOne().SetProjection(pendingProjection)).Decode(&cur)
	if err != nil {
		return translate(err, "page")
	}
	if cur.CommitID != own.CommitID || !cur.HasPending {
		return nil
	}
	return s.flush(ctx, cur)
}

// flush copies everything in a page's pending lists as read and clears them unless
// another change wrote the page meanwhile.
func (s *Store) flush(ctx context.Context, p pendingLists) error {
	if err := s.copyPending(ctx, p); err != nil {
		return err
	}
	_, err := s.clearPending(ctx, p, false)
	return err
}

func (s *Store) copyPending(ctx context.Context, p pendingLists) error {
	if err := s.copyEvents(ctx, p.Pending, true); err != nil {
		return err
	}
	return s.copyOutbox(ctx, p.PendingOutbox, true)
}

// clearPending empties the lists if the page is still at the commit p was read at (and,
// with exact, the lists still have p's lengths). It reports whether it did.
func (s *Store) clearPending(ctx context.Context, p pendingLists, exact bool) (bool, error) {
	filter := bson.D{{Key: "_id", Value: p.ID}, {Key: fCommitID, Value: p.CommitID}}
	if exact {
		filter = append(filter,
			bson.E{Key: fPending, Value: bson.D{{Key: "$size", Value: len(p.Pending)}}},
			bson.E{Key: fPendingOutbox, Value: bson.D{{Key: "$size", Value: len(p.PendingOutbox)}}})
	}
	res, err := s.coll(collPages).UpdateOne(ctx, filter, bson.D{{Key: "$set", Value: bson.D{
		{Key: fPending, Value: bson.A{}}, {Key: fPendingOutbox, Value: bson.A{}}, {Key: fHasPending, Value: false},
	}}})
	if err != nil {
		return false, translate(err, "page")
	}
	return res.MatchedCount == 1, nil
}

// copyEvents inserts audit events. With idempotent, an event stored already (copied
// before a crash) is skipped; without (in a transaction), it means the chain moved on.
func (s *Store) copyEvents(ctx context.Context, events []editorial.AuditEvent, idempotent bool) error {
	if len(events) == 0 {
		return nil
	}
	docs := make([]any, len(events))
	for i, e := range events {
		e.ID, e.LogIndex = editorial.EventID(e.PageID, e.Seq), nil
		docs[i] = e
	}
	_, err := s.coll(collAudit).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	switch {
	case err == nil, idempotent && onlyDuplicates(err):
		return nil
	case onlyDuplicates(err):
		return versionConflict(err)
	default:
		return translate(err, "audit event")
	}
}

// copyOutbox inserts outbox entries for the webhook dispatcher; with idempotent, an entry
// stored already is skipped.
func (s *Store) copyOutbox(ctx context.Context, outbox []editorial.OutboxEvent, idempotent bool) error {
	if len(outbox) == 0 {
		return nil
	}
	docs := make([]any, len(outbox))
	for i, o := range outbox {
		docs[i] = newOutboxDoc(o)
	}
	_, err := s.coll(collOutbox).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	if err == nil || (idempotent && onlyDuplicates(err)) {
		return nil
	}
	return translate(err, "outbox event")
}

// Recover copies the pending audit events and outbox entries of every page that has any
// (a process crashed, or lost the server, between committing a change and copying them)
// and returns how many pages it finished. Open runs it; RunBackground runs it every
// sweepInterval. It reads only pages flagged hasPending, through their index.
func (s *Store) Recover(ctx context.Context) (int, error) {
	cur, err := s.coll(collPages).Find(ctx, bson.D{{Key: fHasPending, Value: true}},
		options.Find().SetProjection(pendingProjection))
	if err != nil {
		return 0, translate(err, "pages")
	}
	defer func() { _ = cur.Close(context.WithoutCancel(ctx)) }()
	n := 0
	var errs []error
	for cur.Next(ctx) {
		var p pendingLists
		if err := cur.Decode(&p); err != nil {
			return n, translate(err, "page")
		}
		if err := s.flush(ctx, p); err != nil {
			errs = append(errs, err) // the next sweep retries it; go on with the others
			continue
		}
		n++
	}
	if err := cur.Err(); err != nil {
		errs = append(errs, translate(err, "pages"))
	}
	return n, errors.Join(errs...)
}

// sweepInterval is how often RunBackground looks for unfinished page changes: the
// longest an audit event of a crashed process stays only in its page document.
const sweepInterval = 30 * time.Second

// RunBackground runs Recover every sweepInterval, and the verifiable log's sequencer
// (runLog), until ctx ends (the app starts it with its background jobs). On a replica set nothing is ever pending, and each sweep is one
// empty indexed query.
func (s *Store) RunBackground(ctx context.Context) {
	logDone := make(chan struct{})
	go func() { defer close(logDone); s.runLog(ctx) }()
	defer func() { <-logDone }()
	t := time.NewTicker(sweepInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if n, err := s.Recover(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("store: finishing interrupted page changes", "error", err)
		} else if n > 0 {
			// Usually a crashed process's; rarely a change caught between its two writes.
			s.log.Info("store: copied pending audit events and outbox entries", "pages", n)
		}
	}
}
