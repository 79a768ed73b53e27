package sqlitestore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/editorial"
)

// The verifiable log (editorial.Store, "The verifiable log"). The embedded store has one
// writer, so the order of its transactions is the order of the log: every transaction that
// writes audit events appends their leaves itself (appendLeaves), with the events and the
// tree's new stored hashes (table tlog_hashes, keyed by tlog.StoredHashIndex). A change and
// its leaves are committed together or not at all, so the log never lags and never has a
// gap. The tree's size follows from its last stored hash (treeSize), so a commit writes
// nothing else for the log.

// logEdge is the right edge of the tree of size leaves: the roots of the complete subtrees
// it splits into, by stored-hash index. Appending a leaf reads only these (and the
// subtrees it completes), so a writer that keeps the edge of the committed tree appends
// without reading the table.
type logEdge struct {
	size   int64
	hashes map[int64]tlog.Hash
}

// rightEdge returns the stored-hash indexes of the roots of the complete subtrees a tree of
// n leaves splits into, left to right.
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

// appendLeaves appends one leaf per event (record data: the event's Hash string), in order,
// and returns the index of the first. Appending leaf n needs at most log2(n) earlier stored
// hashes (one per trailing 1 bit of n, one on average), all on the tree's right edge, which
// the store keeps from its last commit (write); it writes about two, in one statement for a
// save. Without a kept edge (the first append, or after a rollback) it reads the table.
func (s *Store) appendLeaves(ctx context.Context, tx *sql.Tx, events []editorial.AuditEvent) (int64, error) {
	var first int64
	known := map[int64]tlog.Hash{} // the edge, then what this call writes
	// An earlier append of this transaction (CommitAll), else the last commit's.
	kept := s.pendingEdge
	if kept == nil {
		kept = s.edge
	}
	if kept != nil {
		first = kept.size
		for idx, h := range kept.hashes {
			known[idx] = h
		}
	} else {
		var err error
		if first, err = treeSize(s.txRow(ctx, tx, lastStoredHash)); err != nil {
			return 0, err
		}
	}
	read := tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		for i, idx := range indexes {
			if h, ok := known[idx]; ok {
				out[i] = h
				continue
			}
			var b []byte
			if err := s.txRow(ctx, tx, `SELECT hash FROM tlog_hashes WHERE idx = ?`, idx).Scan(&b); err != nil {
				return nil, translate(err, "log hash")
			}
			if err := copyHash(&out[i], b); err != nil {
				return nil, err
			}
		}
		return out, nil
	})
	var args []any
	for i, e := range events {
		n := first + int64(i)
		hashes, err := tlog.StoredHashes(n, []byte(e.Hash), read)
		if err != nil {
			return 0, translate(err, "log")
		}
		base := tlog.StoredHashIndex(0, n)
		for j, h := range hashes {
			known[base+int64(j)] = h
			args = append(args, base+int64(j), h[:])
		}
	}
	// The edge of the tree with these leaves: each of its roots is a root of the edge
	// before, or a subtree these leaves completed. write keeps it once the transaction
	// commits.
	end := first + int64(len(events))
	next := &logEdge{size: end, hashes: map[int64]tlog.Hash{}}
	edge, err := read.ReadHashes(rightEdge(end))
	if err != nil {
		return 0, err
	}
	for i, idx := range rightEdge(end) {
		next.hashes[idx] = edge[i]
	}
	s.pendingEdge = next
	for len(args) > 0 {
		// At most hashRowsPerInsert rows a statement, so a handful of statement texts serve
		// every change (prepared once each).
		rows := min(len(args)/2, hashRowsPerInsert)
		q := `INSERT INTO tlog_hashes (idx, hash) VALUES (?, ?)` + strings.Repeat(`, (?, ?)`, rows-1)
		if _, err := s.exec(ctx, tx, q, args[:2*rows]...); err != nil {
			return 0, translate(err, "log hash")
		}
		args = args[2*rows:]
	}
	return first, nil
}

// hashRowsPerInsert bounds the stored hashes one statement inserts (a save writes about two).
const hashRowsPerInsert = 8

// lastStoredHash selects the index of the tree's last stored hash (no row when empty).
const lastStoredHash = `SELECT idx FROM tlog_hashes ORDER BY idx DESC LIMIT 1`

// treeSize reads lastStoredHash's row and returns the size of the tree it ends: the last
// stored hash completes the subtree of the last leaf (tlog.SplitStoredHashIndex).
func treeSize(row *sql.Row) (int64, error) {
	var last int64
	switch err := row.Scan(&last); {
	case errors.Is(err, sql.ErrNoRows):
		return 0, nil
	case err != nil:
		return 0, translate(err, "log size")
	}
	level, n := tlog.SplitStoredHashIndex(last)
	return (n + 1) << level, nil
}

func copyHash(dst *tlog.Hash, b []byte) error {
	if len(b) != tlog.HashSize {
		return &cms.Error{Code: cms.CodeInternal, Message: "store error", Err: fmt.Errorf("a stored log hash has %d bytes", len(b))}
	}
	copy(dst[:], b)
	return nil
}

// LogSize returns the number of leaves of the log.
func (s *Store) LogSize(ctx context.Context) (int64, error) {
	return treeSize(s.row(ctx, lastStoredHash))
}

// LogHashes returns the stored hashes at these indexes, in order.
func (s *Store) LogHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
	if len(indexes) == 0 {
		return []tlog.Hash{}, nil
	}
	list, err := json.Marshal(indexes)
	if err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, `SELECT idx, hash FROM tlog_hashes WHERE idx IN (SELECT value FROM json_each(?))`, string(list))
	if err != nil {
		return nil, translate(err, "log hashes")
	}
	defer rows.Close()
	found := make(map[int64]tlog.Hash, len(indexes))
	for rows.Next() {
		var idx int64
		var b []byte
		if err := rows.Scan(&idx, &b); err != nil {
			return nil, translate(err, "log hashes")
		}
		var h tlog.Hash
		if err := copyHash(&h, b); err != nil {
			return nil, err
		}
		found[idx] = h
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err, "log hashes")
	}
	out := make([]tlog.Hash, len(indexes))
	for i, idx := range indexes {
		h, ok := found[idx]
		if !ok {
			return nil, cms.Errorf(cms.CodeNotFound, "log hash %d not found", idx)
		}
		out[i] = h
	}
	return out, nil
}

// LogEvents returns the events with from <= LogIndex < to, in LogIndex order.
func (s *Store) LogEvents(ctx context.Context, from, to int64) ([]editorial.AuditEvent, error) {
	return s.queryEvents(ctx, logEventsQuery, from, to)
}

// The verifiable log's queries on the audit table (their plans: TestAuditQueriesUseIndexes).
const (
	logEventsQuery   = `SELECT ` + eventColumns + ` FROM audit WHERE log_index >= ? AND log_index < ? ORDER BY log_index`
	unloggedQuery    = `SELECT page_id, seq, hash FROM audit WHERE log_index IS NULL ORDER BY at, page_id, seq LIMIT ?`
	setLogIndexQuery = `UPDATE audit SET log_index = ? WHERE page_id = ? AND seq = ?`
)

// appendLogBatch bounds the events one AppendLog transaction sequences.
const appendLogBatch = 1000

// AppendLog sequences the events stored without a leaf: only those written before this
// store had the log (Open runs it after the migration); every later event gets its leaf in
// its own transaction.
func (s *Store) AppendLog(ctx context.Context) (int64, error) {
	var total int64
	for {
		var n int
		err := s.write(ctx, func(tx *sql.Tx) error {
			events, err := s.unlogged(ctx, tx)
			if err != nil || len(events) == 0 {
				return err
			}
			first, err := s.appendLeaves(ctx, tx, events)
			if err != nil {
				return err
			}
			for i, e := range events {
				if _, err := s.exec(ctx, tx, setLogIndexQuery, first+int64(i), e.PageID, e.Seq); err != nil {
					return translate(err, "audit event")
				}
			}
			n = len(events)
			return nil
		})
		if err != nil || n == 0 {
			return total, err
		}
		total += int64(n)
	}
}

// unlogged reads up to appendLogBatch events without a leaf, oldest first (then by chain
// and seq): a deterministic order, so the same database always yields the same tree.
func (s *Store) unlogged(ctx context.Context, tx *sql.Tx) ([]editorial.AuditEvent, error) {
	rows, err := tx.QueryContext(ctx, unloggedQuery, appendLogBatch)
	if err != nil {
		return nil, translate(err, "audit events")
	}
	defer rows.Close()
	var out []editorial.AuditEvent
	for rows.Next() {
		var e editorial.AuditEvent
		if err := rows.Scan(&e.PageID, &e.Seq, &e.Hash); err != nil {
			return nil, translate(err, "audit events")
		}
		out = append(out, e)
	}
	return out, translate(rows.Err(), "audit events")
}

// AppendAuditEvent stores an event of the accounts chain with its leaf, if the chain has no
// event of its seq yet.
func (s *Store) AppendAuditEvent(ctx context.Context, e editorial.AuditEvent) error {
	if e.PageID != editorial.AccountsChain {
		return cms.Errorf(cms.CodeInternal, "AppendAuditEvent is for the accounts chain, not page %s", e.PageID)
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		return s.insertEvents(ctx, tx, []editorial.AuditEvent{e})
	})
}

// AccountsHead returns the accounts chain's last event's seq and hash.
func (s *Store) AccountsHead(ctx context.Context) (editorial.AuditHead, error) {
	var h editorial.AuditHead
	err := s.row(ctx, `SELECT seq, hash FROM audit WHERE page_id = '' ORDER BY seq DESC LIMIT 1`).Scan(&h.Seq, &h.Hash)
	if cms.IsCode(translate(err, "audit event"), cms.CodeNotFound) {
		return editorial.AuditHead{}, nil
	}
	return h, translate(err, "audit event")
}
