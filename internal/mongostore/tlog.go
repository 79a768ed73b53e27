package mongostore

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/editorial"
)

// The verifiable log (editorial.Store, "The verifiable log"). A page change cannot take a
// leaf index in its own write here: on a standalone server its events reach the audit
// collection after the change commits (pending.go), and several processes write at once.
// So events are stored without a LogIndex and a sequencer, AppendLog, gives them their
// leaves afterwards: right after each change of this process (Commit wakes runLog), and
// every logInterval for the changes of others.
//
// The sequencer's one commit point is a conditional update of the log state document
// (meta, `_id` "tlog"): from {size: N, done: N} to {size: N+k, done: N, batch: the k
// events' ids and hashes}. Whoever wins that update owns leaves N..N+k-1; a loser re-reads.
// The rest is idempotent and finished by any sequencer that finds a batch left over (a
// crash): the stored hashes are written with `_id` = their stored index (a second write of
// one is a duplicate key, and the same bytes, since they follow from the leaves), then
// `hashed` is set, then each event's logIndex, then done = size, after which new events
// may be taken. An event is therefore never given two leaves, and LogSize counts only
// leaves whose stored hashes are all written. (The conditions are on numbers only: FerretDB
// does not keep an empty array written by an upsert.)

// logStateID is the `_id` of the log state document in the meta collection.
const logStateID = "tlog"

// logState is the log state document.
type logState struct {
	// Size is the number of leaves given out.
	Size int64 `bson:"size"`
	// Done is the number of leaves whose events carry their logIndex; below Size while a
	// batch is being written.
	Done int64 `bson:"done"`
	// Batch holds the leaves Done..Size-1 while Done < Size.
	Batch []logLeaf `bson:"batch"`
	// Hashed says the stored hashes of Batch are all written.
	Hashed bool `bson:"hashed"`
}

// logLeaf is one leaf being appended: the event's `_id` and hash.
type logLeaf struct {
	ID   string `bson:"id"`
	Hash string `bson:"hash"`
}

// logHashDoc is one stored hash of the tree: `_id` is its tlog.StoredHashIndex.
type logHashDoc struct {
	ID   int64  `bson:"_id"`
	Hash []byte `bson:"h"`
}

const (
	// logBatch bounds the events one claim takes (and so the state document's size).
	logBatch = 500
	// logInterval is how often runLog looks for events of other processes.
	logInterval = 2 * time.Second
	// maxLostClaims bounds the claims in a row one AppendLog may lose to other processes
	// before it gives up until its next round.
	maxLostClaims = 100
)

// ensureLogState creates the empty log's state document unless it exists.
func (s *Store) ensureLogState(ctx context.Context) error {
	_, err := s.coll(collMeta).UpdateOne(ctx, bson.D{{Key: "_id", Value: logStateID}},
		bson.D{{Key: "$setOnInsert", Value: bson.D{
			{Key: "size", Value: int64(0)}, {Key: "done", Value: int64(0)}, {Key: "hashed", Value: true},
		}}}, options.UpdateOne().SetUpsert(true))
	if isDuplicate(err) {
		return nil // another process's Open created it at the same moment
	}
	return translate(err, "log state")
}

func (s *Store) logState(ctx context.Context) (logState, error) {
	var st logState
	err := s.coll(collMeta).FindOne(ctx, bson.D{{Key: "_id", Value: logStateID}}).Decode(&st)
	if cms.IsCode(translate(err, "log state"), cms.CodeNotFound) {
		return logState{Hashed: true}, nil
	}
	return st, translate(err, "log state")
}

// LogSize returns the number of leaves whose stored hashes are written.
func (s *Store) LogSize(ctx context.Context) (int64, error) {
	st, err := s.logState(ctx)
	if err != nil {
		return 0, err
	}
	if st.Done < st.Size && !st.Hashed {
		return st.Done, nil
	}
	return st.Size, nil
}

// LogHashes returns the stored hashes at these indexes, in order.
func (s *Store) LogHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
	if len(indexes) == 0 {
		return []tlog.Hash{}, nil
	}
	cur, err := s.coll(collLogHashes).Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: indexes}}}})
	docs, err := all[logHashDoc](ctx, cur, err, "log hashes")
	if err != nil {
		return nil, err
	}
	found := make(map[int64][]byte, len(docs))
	for _, d := range docs {
		found[d.ID] = d.Hash
	}
	out := make([]tlog.Hash, len(indexes))
	for i, idx := range indexes {
		b, ok := found[idx]
		if !ok {
			return nil, cms.Errorf(cms.CodeNotFound, "log hash %d not found", idx)
		}
		if len(b) != tlog.HashSize {
			return nil, &cms.Error{Code: cms.CodeInternal, Message: "store error", Err: fmt.Errorf("log hash %d has %d bytes", idx, len(b))}
		}
		copy(out[i][:], b)
	}
	return out, nil
}

// LogEvents returns the events with from <= logIndex < to, in logIndex order.
func (s *Store) LogEvents(ctx context.Context, from, to int64) ([]editorial.AuditEvent, error) {
	cur, err := s.coll(collAudit).Find(ctx,
		bson.D{{Key: "logIndex", Value: bson.D{{Key: "$gte", Value: from}, {Key: "$lt", Value: to}}}},
		options.Find().SetSort(bson.D{{Key: "logIndex", Value: 1}}))
	return all[editorial.AuditEvent](ctx, cur, err, "audit events")
}

// AppendLog sequences the events of the audit collection that have no leaf yet, oldest
// first, and returns how many it gave leaves to (those another process took are not
// counted). Within a process one call runs at a time; processes race through the state
// document.
func (s *Store) AppendLog(ctx context.Context) (int64, error) {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	var total int64
	for lost := 0; ; {
		st, err := s.logState(ctx)
		if err != nil {
			return total, err
		}
		if st.Done < st.Size {
			// A batch another call claimed and did not finish (yet, or ever: a crash).
			if err := s.finishLogBatch(ctx, st); err != nil {
				return total, err
			}
			continue
		}
		leaves, err := s.unlogged(ctx)
		if err != nil || len(leaves) == 0 {
			return total, err
		}
		next := logState{Size: st.Size + int64(len(leaves)), Done: st.Size, Batch: leaves}
		res, err := s.coll(collMeta).UpdateOne(ctx,
			bson.D{{Key: "_id", Value: logStateID}, {Key: "size", Value: st.Size}, {Key: "done", Value: st.Size}},
			bson.D{{Key: "$set", Value: bson.D{
				{Key: "size", Value: next.Size}, {Key: "batch", Value: next.Batch}, {Key: "hashed", Value: false},
			}}})
		if err != nil {
			return total, translate(err, "log state")
		}
		if res.MatchedCount == 0 {
			// Another process claimed first: read what it did.
			if lost++; lost > maxLostClaims {
				return total, cms.Errorf(cms.CodeUnavailable, "the verifiable log's state keeps changing under this process")
			}
			continue
		}
		lost = 0
		total += int64(len(leaves))
		if s.logCrashAfterClaim {
			return total, nil
		}
		if err := s.finishLogBatch(ctx, next); err != nil {
			return total, err
		}
	}
}

// unlogged reads up to logBatch events without a leaf, oldest first, then by chain and seq
// (as the embedded store orders the events it sequences late): every process sees them in
// the same order, and a chain's events in the order of the chain.
func (s *Store) unlogged(ctx context.Context) ([]logLeaf, error) {
	cur, err := s.coll(collAudit).Find(ctx, bson.D{{Key: "logIndex", Value: nil}}, options.Find().
		SetSort(bson.D{{Key: "logIndex", Value: 1}, {Key: "at", Value: 1}, {Key: "pageId", Value: 1}, {Key: "seq", Value: 1}}).
		SetProjection(bson.D{{Key: "_id", Value: 1}, {Key: "hash", Value: 1}}).
		SetLimit(logBatch))
	docs, err := all[struct {
		ID   string `bson:"_id"`
		Hash string `bson:"hash"`
	}](ctx, cur, err, "audit events")
	if err != nil {
		return nil, err
	}
	out := make([]logLeaf, len(docs))
	for i, d := range docs {
		out[i] = logLeaf{ID: d.ID, Hash: d.Hash}
	}
	return out, nil
}

// finishLogBatch writes what follows from a claimed batch, each step idempotent: the stored
// hashes, then `hashed`, then the events' logIndex, then done.
func (s *Store) finishLogBatch(ctx context.Context, st logState) error {
	if int64(len(st.Batch)) != st.Size-st.Done {
		return &cms.Error{Code: cms.CodeInternal, Message: "store error",
			Err: fmt.Errorf("the log state has %d leaves in its batch for leaves %d to %d", len(st.Batch), st.Done, st.Size-1)}
	}
	mine := bson.D{{Key: "_id", Value: logStateID}, {Key: "size", Value: st.Size}, {Key: "done", Value: st.Done}}
	if !st.Hashed {
		if err := s.writeLogHashes(ctx, st); err != nil {
			return err
		}
		if _, err := s.coll(collMeta).UpdateOne(ctx, mine, bson.D{{Key: "$set", Value: bson.D{{Key: "hashed", Value: true}}}}); err != nil {
			return translate(err, "log state")
		}
	}
	models := make([]mongo.WriteModel, len(st.Batch))
	for i, l := range st.Batch {
		models[i] = mongo.NewUpdateOneModel().SetFilter(bson.D{{Key: "_id", Value: l.ID}}).
			SetUpdate(bson.D{{Key: "$set", Value: bson.D{{Key: "logIndex", Value: st.Done + int64(i)}}}})
	}
	if _, err := s.coll(collAudit).BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false)); err != nil {
		return translate(err, "audit events")
	}
	_, err := s.coll(collMeta).UpdateOne(ctx, mine, bson.D{{Key: "$set", Value: bson.D{
		{Key: "done", Value: st.Size}, {Key: "batch", Value: bson.A{}},
	}}})
	return translate(err, "log state")
}

// writeLogHashes computes and stores the stored hashes of the batch's leaves.
func (s *Store) writeLogHashes(ctx context.Context, st logState) error {
	written := map[int64]tlog.Hash{}
	read := tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		var missing []int64
		for i, idx := range indexes {
			if h, ok := written[idx]; ok {
				out[i] = h
			} else {
				missing = append(missing, idx)
			}
		}
		if len(missing) == 0 {
			return out, nil
		}
		stored, err := s.LogHashes(ctx, missing)
		if err != nil {
			return nil, err
		}
		for i, j := 0, 0; i < len(indexes); i++ {
			if _, ok := written[indexes[i]]; !ok {
				out[i] = stored[j]
				j++
			}
		}
		return out, nil
	})
	var docs []any
	for i, l := range st.Batch {
		n := st.Done + int64(i)
		hashes, err := tlog.StoredHashes(n, []byte(l.Hash), read)
		if err != nil {
			return translate(err, "log")
		}
		base := tlog.StoredHashIndex(0, n)
		for j, h := range hashes {
			written[base+int64(j)] = h
			docs = append(docs, logHashDoc{ID: base + int64(j), Hash: h[:]})
		}
	}
	_, err := s.coll(collLogHashes).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	if err != nil && !onlyDuplicates(err) {
		return translate(err, "log hashes")
	}
	return nil
}

// wakeLog asks runLog to sequence soon (after a change that stored events).
func (s *Store) wakeLog() {
	select {
	case s.logWake <- struct{}{}:
	default:
	}
}

// runLog runs AppendLog after every wake and every logInterval until ctx ends.
func (s *Store) runLog(ctx context.Context) {
	t := time.NewTicker(logInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.logWake:
		}
		if _, err := s.AppendLog(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("store: appending audit events to the verifiable log", "error", err)
		}
	}
}

// AppendAuditEvent stores an event of the accounts chain if the chain has no event of its
// seq yet (the unique index on pageId and seq decides between racing appends).
func (s *Store) AppendAuditEvent(ctx context.Context, e editorial.AuditEvent) error {
	if e.PageID != editorial.AccountsChain {
		return cms.Errorf(cms.CodeInternal, "AppendAuditEvent is for the accounts chain, not page %s", e.PageID)
	}
	e.ID, e.LogIndex = editorial.EventID(e.PageID, e.Seq), nil
	_, err := s.coll(collAudit).InsertOne(ctx, e)
	if isDuplicate(err) {
		return &cms.Error{Code: cms.CodeVersionConflict, Message: "the audit chain moved on", Err: err}
	}
	if err != nil {
		return translate(err, "audit event")
	}
	s.wakeLog()
	return nil
}

// AccountsHead returns the accounts chain's last event's seq and hash.
func (s *Store) AccountsHead(ctx context.Context) (editorial.AuditHead, error) {
	var h editorial.AuditHead
	err := s.coll(collAudit).FindOne(ctx, bson.D{{Key: "pageId", Value: editorial.AccountsChain}},
		options.FindOne().SetSort(bson.D{{Key: "pageId", Value: 1}, {Key: "seq", Value: -1}}).
			SetProjection(bson.D{{Key: "seq", Value: 1}, {Key: "hash", Value: 1}})).Decode(&h)
	if cms.IsCode(translate(err, "audit event"), cms.CodeNotFound) {
		return editorial.AuditHead{}, nil
	}
	return h, translate(err, "audit event")
}
