package transparency

import (
	"context"
	"fmt"
	"math"

	"golang.org/x/mod/sumdb/tlog"
)

// Report is what Verify checked.
type Report struct {
	// Size and Root are the current tree's.
	Size int64
	Root tlog.Hash
	// Checkpoint is the kept checkpoint the tree was proved to extend, if one was given.
	Checkpoint *Checkpoint
}

// verifyBatch is how many leaves Verify reads at a time (a variable for the tests, which
// make batches small to cross their edges).
var verifyBatch int64 = 1000

// Verify checks a store's log from its events up:
//
//   - every leaf 0..size-1 has exactly one event claiming it (its LogIndex), no event claims
//     a leaf beyond the tree, and every such event's hash matches its content;
//   - the tree is recomputed from the events' hashes alone, and every stored hash (what
//     proofs are made of) equals the recomputed one, so the stored root is the events' root;
//   - with a kept checkpoint (a signed note), its signature verifies with the log's
//     verifier key vkey, and the current tree is proved to extend the checkpoint's tree
//     (tlog.ProveTree, checked with tlog.CheckTree): no leaf it covered was removed or
//     changed since it was signed.
//
// It returns an error naming the first thing that failed. Memory stays small: leaves are
// read in batches and only the tree's right edge is kept between them.
func Verify(ctx context.Context, s Store, vkey string, checkpoint []byte) (Report, error) {
	size, err := s.LogSize(ctx)
	if err != nil {
		return Report{}, err
	}
	r := Report{Size: size}
	edge := map[int64]tlog.Hash{} // recomputed hashes the next leaves (and the root) need
	fromEdge := tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		for i, idx := range indexes {
			h, ok := edge[idx]
			if !ok {
				return nil, fmt.Errorf("internal error: stored hash %d not recomputed", idx)
			}
			out[i] = h
		}
		return out, nil
	})
	for from := int64(0); from < size; from += verifyBatch {
		to := min(from+verifyBatch, size)
		if err := verifyLeaves(ctx, s, from, to, edge, fromEdge); err != nil {
			return r, err
		}
		keep := map[int64]bool{}
		for _, idx := range rightEdge(to) {
			keep[idx] = true
		}
		for idx := range edge {
			if !keep[idx] {
				delete(edge, idx)
			}
		}
	}
	if extra, err := s.LogEvents(ctx, size, math.MaxInt64); err != nil {
		return r, err
	} else if len(extra) > 0 {
		return r, fmt.Errorf("log: event %s claims leaf %d, beyond the tree of %d leaves", extra[0].ID, *extra[0].LogIndex, size)
	}
	recomputed, err := tlog.TreeHash(size, fromEdge)
	if err != nil {
		return r, err
	}
	stored, err := tlog.TreeHash(size, HashReader(ctx, s))
	if err != nil {
		return r, fmt.Errorf("log: the stored hashes of the tree of %d leaves are incomplete: %w", size, err)
	}
	if stored != recomputed {
		return r, fmt.Errorf("log: the stored root %s is not the root %s recomputed from the events", stored, recomputed)
	}
	r.Root = stored
	if checkpoint == nil {
		return r, nil
	}
	cp, err := OpenCheckpoint(checkpoint, vkey)
	if err != nil {
		return r, fmt.Errorf("checkpoint: %w", err)
	}
	r.Checkpoint = &cp
	if cp.Size > size {
		return r, fmt.Errorf("checkpoint: the log has %d leaves, fewer than the %d of the checkpoint: events it covered were removed", size, cp.Size)
	}
	if cp.Size == 0 {
		return r, nil // the empty tree is a prefix of every tree
	}
	proof, err := tlog.ProveTree(size, cp.Size, HashReader(ctx, s))
	if err != nil {
		return r, fmt.Errorf("checkpoint: proving the tree extends it: %w", err)
	}
	if err := tlog.CheckTree(proof, size, r.Root, cp.Size, cp.Root); err != nil {
		return r, fmt.Errorf("checkpoint: the current tree of %d leaves is not an extension of the checkpoint's tree of %d leaves "+
			"(root %s): events it covered were changed or replaced", size, cp.Size, cp.Root)
	}
	return r, nil
}

// verifyLeaves checks leaves from..to-1: one event each, intact, and recomputed stored
// hashes equal to the stored ones. It adds the recomputed hashes to edge.
func verifyLeaves(ctx context.Context, s Store, from, to int64, edge map[int64]tlog.Hash, fromEdge tlog.HashReader) error {
	events, err := s.LogEvents(ctx, from, to)
	if err != nil {
		return err
	}
	lo, hi := tlog.StoredHashIndex(0, from), tlog.StoredHashIndex(0, to)
	indexes := make([]int64, 0, hi-lo)
	for idx := lo; idx < hi; idx++ {
		indexes = append(indexes, idx)
	}
	stored, err := s.LogHashes(ctx, indexes)
	if err != nil {
		return fmt.Errorf("log: the stored hashes of leaves %d to %d are incomplete: %w", from, to-1, err)
	}
	next := from
	for _, e := range events {
		n := *e.LogIndex
		switch {
		case n < next:
			return fmt.Errorf("log: leaf %d is claimed by two events (%s is one)", n, e.ID)
		case n > next:
			return fmt.Errorf("log: no event claims leaf %d (an event was removed, or its logIndex changed)", next)
		case e.ComputeHash() != e.Hash:
			return fmt.Errorf("log: leaf %d: event %s was altered (its hash does not match its content)", n, e.ID)
		}
		hashes, err := tlog.StoredHashesForRecordHash(n, tlog.RecordHash([]byte(e.Hash)), fromEdge)
		if err != nil {
			return err
		}
		base := tlog.StoredHashIndex(0, n)
		for j, h := range hashes {
			if stored[base+int64(j)-lo] != h {
				return fmt.Errorf("log: leaf %d: the stored hash %d is not the one recomputed from event %s "+
					"(the event or the tree was changed after it was logged)", n, base+int64(j), e.ID)
			}
			edge[base+int64(j)] = h
		}
		next++
	}
	if next < to {
		return fmt.Errorf("log: no event claims leaf %d (an event was removed, or its logIndex changed)", next)
	}
	return nil
}

// rightEdge returns the stored-hash indexes of the roots of the complete subtrees a tree of
// n leaves splits into, left to right: what the next leaves' hashes and the root are made
// of.
func rightEdge(n int64) []int64 {
	var out []int64
	var start int64
	for level := 62; level >= 0; level-- {
		if n&(1<<level) != 0 {
			out = append(out, tlog.StoredHashIndex(level, start>>level))
			start += 1 << level
		}
	}
	return out
}
