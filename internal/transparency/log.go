// Package transparency is the verifiable record: every audit event of every chain is one
// leaf of one append-only Merkle tree (golang.org/x/mod/sumdb/tlog hashing, leaf record
// data = the event's hash string), whose signed checkpoints, inclusion proofs and
// consistency proofs anyone can check with the x/mod packages alone. The store keeps the
// tree (editorial.Store, "The verifiable log"); this package signs checkpoints with the
// instance's log key, makes proofs from the stored hashes, attests a live page's approval
// and publication, and verifies a whole store against a kept checkpoint (Verify).
//
// It knows nothing of HTTP or of a database: the store is the Store below.
package transparency

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/editorial"
)

// Store is what the log reads (editorial.Store implements it).
type Store interface {
	LogSize(ctx context.Context) (int64, error)
	LogHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error)
	LogEvents(ctx context.Context, from, to int64) ([]editorial.AuditEvent, error)
	AppendLog(ctx context.Context) (int64, error)
	AuditEvents(ctx context.Context, f editorial.AuditFilter) ([]editorial.AuditEvent, error)
	LiveSnapshot(ctx context.Context, pageID string) (editorial.LivePage, error)
}

// Log serves the verifiable record of one store under one key.
type Log struct {
	store Store
	key   *Key
	log   *slog.Logger

	// livePages finds the page live at a slug (AttestSlug).
	livePages func(slug string) (string, bool)

	mu   sync.Mutex
	last *Signed // the latest checkpoint signed, reused while the tree has not grown
	// attested caches each live publication's approval and publication events (Attest).
	attested map[attestKey][2]editorial.AuditEvent
}

// Signed is a checkpoint and its signed note.
type Signed struct {
	Checkpoint
	Note []byte
}

// New returns the log of store, signed with key.
func New(store Store, key *Key, log *slog.Logger) *Log {
	if log == nil {
		log = slog.Default()
	}
	return &Log{store: store, key: key, log: log, attested: map[attestKey][2]editorial.AuditEvent{}}
}

// Key returns the log key.
func (l *Log) Key() *Key { return l.key }

// HashReader reads the tree's stored hashes from the store.
func HashReader(ctx context.Context, s Store) tlog.HashReader {
	return tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) { return s.LogHashes(ctx, indexes) })
}

// Checkpoint returns the signed checkpoint of the current tree.
func (l *Log) Checkpoint(ctx context.Context) (Signed, error) {
	size, err := l.store.LogSize(ctx)
	if err != nil {
		return Signed{}, err
	}
	return l.checkpointAt(ctx, size)
}

// checkpointAt signs the tree of the given size (at most the current one).
func (l *Log) checkpointAt(ctx context.Context, size int64) (Signed, error) {
	l.mu.Lock()
	last := l.last
	l.mu.Unlock()
	if last != nil && last.Size == size {
		return *last, nil
	}
	root, err := tlog.TreeHash(size, HashReader(ctx, l.store))
	if err != nil {
		return Signed{}, storeError(err)
	}
	c := Checkpoint{Origin: l.key.Origin(), Size: size, Root: root}
	msg, err := Sign(c, l.key)
	if err != nil {
		return Signed{}, err
	}
	s := Signed{Checkpoint: c, Note: msg}
	l.mu.Lock()
	if l.last == nil || l.last.Size < size {
		l.last = &s
	}
	l.mu.Unlock()
	return s, nil
}

// storeError keeps a store's cms.Error and marks anything else (tlog's own complaints
// about missing hashes) internal.
func storeError(err error) error {
	if _, ok := err.(*cms.Error); ok {
		return err
	}
	return &cms.Error{Code: cms.CodeInternal, Message: "the verifiable log is incomplete", Err: err}
}

// InclusionProof proves that leaf index is in the tree of the given size. Errors:
// CodeInvalid naming "index" or "size" when index is not below size or size is beyond the
// current tree.
func (l *Log) InclusionProof(ctx context.Context, index, size int64) (tlog.RecordProof, error) {
	cur, err := l.store.LogSize(ctx)
	if err != nil {
		return nil, err
	}
	switch {
	case size < 1 || size > cur:
		return nil, cms.InvalidField("size", fmt.Sprintf("a tree size from 1 to the current %d", cur))
	case index < 0 || index >= size:
		return nil, cms.InvalidField("index", fmt.Sprintf("a leaf index from 0 to %d (below size)", size-1))
	}
	p, err := tlog.ProveRecord(size, index, HashReader(ctx, l.store))
	if err != nil {
		return nil, storeError(err)
	}
	return p, nil
}

// ConsistencyProof proves that the tree of size oldSize is a prefix of the tree of size
// newSize. Errors: CodeInvalid naming "old" or "new" when 1 <= old <= new <= the current
// size does not hold.
func (l *Log) ConsistencyProof(ctx context.Context, oldSize, newSize int64) (tlog.TreeProof, error) {
	cur, err := l.store.LogSize(ctx)
	if err != nil {
		return nil, err
	}
	switch {
	case newSize < 1 || newSize > cur:
		return nil, cms.InvalidField("new", fmt.Sprintf("a tree size from 1 to the current %d", cur))
	case oldSize < 1 || oldSize > newSize:
		return nil, cms.InvalidField("old", fmt.Sprintf("a tree size from 1 to new (%d)", newSize))
	}
	p, err := tlog.ProveTree(newSize, oldSize, HashReader(ctx, l.store))
	if err != nil {
		return nil, storeError(err)
	}
	return p, nil
}

// HashStrings returns proof hashes as base64 strings (tlog.Hash.String), as the API
// serves them.
func HashStrings(hashes []tlog.Hash) []string {
	out := make([]string, len(hashes))
	for i, h := range hashes {
		out[i] = h.String()
	}
	return out
}
