package delivery

import (
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"iter"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
)

// spill keeps the identity bytes of every live page in a file of the data dir, so that a
// client without gzip asking for a page outside the hot cache gets it with one read
// instead of inflating the gzip bytes (a read of 13 KB costs a few microseconds, inflating
// it about 25). The file's name is removed as soon as it is made (mode 0600): it is reached
// only through the server's open descriptor, a backup or a listing never sees it, and a crash
// leaves at most an empty name (the instant between making and removing it), which the next
// start removes. Its bytes live in the kernel's page cache, which the kernel can reclaim
// under memory pressure (a read then goes to disk), so they do not count in the process's
// resident memory and are not scanned by the collector.
//
// Every read is checked against the CRC-32C taken when the bytes were written; a failed
// read, a wrong checksum or a file this process could not create or write makes the page be
// inflated from its gzip bytes, which stay in memory and remain the reference. The checksum
// catches disk faults and stray writes; it is not a MAC (a keyed hash of 13 KB costs more than
// inflating it): whoever runs as the server's user or as root can open the file through
// /proc/<pid>/fd and write bytes with a matching checksum, but they can equally read the
// data dir's keys that seal the live snapshots and the signing keys, so the file widens no
// trust boundary (docs/security.md).
//
// The file only grows (each new body is appended). When, at a snapshot install, it holds
// more than twice the bytes of the snapshot's bodies plus spillSlack, those bodies are copied
// to a new file and the old one is closed. No compaction runs while bodies are being built
// outside the Service's lock (a publication's or a load's, see building), so every body
// written before a compaction is either in the snapshot it copies or no longer served.
type spill struct {
	dir   string
	log   *slog.Logger
	slack int64 // spillSlack; smaller in tests

	mu          sync.Mutex
	f           *os.File
	end         int64  // bytes written to f
	buf         []byte // bytes added since the last flush, to be written at end
	pending     []pendingBody
	retryAt     int64 // after a failed compaction, the size at which to try again
	summedAt    int64 // the file's end when tidy last summed the bodies served from it
	broken      bool  // no file could be made or written: every page inflates
	compactions int

	builders atomic.Int64 // bodies being built outside the Service's lock (building)
	warned   atomic.Bool  // a read failed or gave wrong bytes (logged once)
}

// spillAt is where a body's identity bytes are in a spill file.
type spillAt struct {
	f   *os.File
	off int64
	sum uint32 // CRC-32C of the bytes
}

// pendingBody is a body whose bytes are in spill.buf at off (from the start of the file).
type pendingBody struct {
	pb  *pageBody
	off int64
	sum uint32
}

// spillSlack is the growth always allowed before a compaction.
const spillSlack = 64 << 20

// spillBuffer is how many bytes are gathered before one write (a start with 10,000 pages
// writes about 155 MB).
const spillBuffer = 1 << 20

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// spillPrefix and spillPattern name the file for the instant it has a name.
const (
	spillPrefix  = ".delivery-spill-"
	spillPattern = spillPrefix + "*"
)

// newSpill returns a spill in dir, or nil when dir is empty (every page then inflates).
// The file is created on the first write.
func newSpill(dir string, log *slog.Logger) *spill {
	if dir == "" {
		return nil
	}
	return &spill{dir: dir, log: log, slack: spillSlack}
}

// building marks bodies being built outside the Service's lock (Apply's and Reload's
// entries): until done is called, which the caller does under the lock just before it
// installs them (or gives up), no compaction runs, since it would leave those bodies on a
// closed file. done may be called more than once.
func (s *spill) building() (done func()) {
	if s == nil {
		return func() {}
	}
	s.builders.Add(1)
	var once sync.Once
	return func() { once.Do(func() { s.builders.Add(-1) }) }
}

// create makes a file and removes its name. The first call also removes names a crash left:
// empty regular files (a name is removed before anything is written; another process's file
// in that instant is empty too, and its own removal then finds the name gone). Caller holds
// mu.
func (s *spill) create() (*os.File, error) {
	if s.f == nil && s.compactions == 0 {
		entries, _ := os.ReadDir(s.dir)
		for _, e := range entries {
			if !strings.HasPrefix(e.Name(), spillPrefix) || !e.Type().IsRegular() {
				continue
			}
			if info, err := e.Info(); err == nil && info.Size() == 0 {
				_ = os.Remove(filepath.Join(s.dir, e.Name()))
			}
		}
	}
	f, err := os.CreateTemp(s.dir, spillPattern)
	if err != nil {
		return nil, err
	}
	if err := os.Remove(f.Name()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		// A system that cannot remove an open file (Windows): do without, leaving nothing.
		_ = f.Close()
		_ = os.Remove(f.Name())
		return nil, err
	}
	return f, nil
}

// add queues pb's identity bytes for the file; they are read from it once flushed (until
// then pb is inflated).
func (s *spill) add(pb *pageBody, body []byte) {
	if s == nil || len(body) == 0 {
		return
	}
	sum := crc32.Checksum(body, castagnoli)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.broken {
		return
	}
	s.pending = append(s.pending, pendingBody{pb: pb, off: s.end + int64(len(s.buf)), sum: sum})
	s.buf = append(s.buf, body...)
	if len(s.buf) >= spillBuffer {
		s.flushLocked()
	}
}

// flushLocked writes the queued bytes and records where each body is. Caller holds mu.
func (s *spill) flushLocked() {
	if s.broken || len(s.buf) == 0 {
		return
	}
	defer func() {
		clear(s.pending) // let the bodies go
		s.buf, s.pending = s.buf[:0], s.pending[:0]
	}()
	if s.f == nil {
		f, err := s.create()
		if err != nil {
			s.fail("cannot create the file", err)
			return
		}
		s.f = f
	}
	if _, err := s.f.WriteAt(s.buf, s.end); err != nil {
		s.fail("cannot write to the file", err)
		return
	}
	for _, p := range s.pending {
		p.pb.at.Store(&spillAt{f: s.f, off: p.off, sum: p.sum})
	}
	s.end += int64(len(s.buf))
}

// fail gives up the file: pages written so far keep being read from it (each read is
// checked), later ones inflate. Caller holds mu.
func (s *spill) fail(what string, err error) {
	s.broken = true
	s.buf, s.pending = nil, nil // flushLocked's deferred truncation keeps them nil
	s.log.Warn("delivery: identity responses of pages outside the hot cache will be inflated from gzip (slower): "+what+
		"; check free space and permissions of the directory (--delivery-spill-dir, by default the data dir)", "dir", s.dir, "error", err)
}

// read fills out (of pb's identity length) from the file and reports whether it could.
func (s *spill) read(pb *pageBody, out []byte) bool {
	at := pb.at.Load()
	if at == nil {
		return false
	}
	_, err := at.f.ReadAt(out, at.off)
	if err == nil && crc32.Checksum(out, castagnoli) == at.sum {
		return true
	}
	pb.at.CompareAndSwap(at, nil) // inflate this page from now on (when moved, at is already new)
	if errors.Is(err, os.ErrClosed) {
		return false // its file was closed by a compaction: it is no longer served, or moved
	}
	if s.warned.CompareAndSwap(false, true) {
		if err == nil {
			err = errors.New("checksum mismatch")
		}
		s.log.Error("delivery: the spill file gave wrong bytes or failed; serving those pages from their gzip bytes",
			"dir", s.dir, "error", err)
	}
	return false
}

// tidy writes the queued bytes, so every body of the snapshot just installed is read from
// the file from now on, and when the file has grown past twice the bytes of the bodies still
// served (bodies) plus the slack, and no bodies are being built, compacts it. Bodies not
// among them (they left the snapshot) keep their gzip bytes for requests still holding them.
func (s *spill) tidy(bodies iter.Seq[*pageBody]) error {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.flushLocked()
	if cap(s.buf) > 64<<10 {
		s.buf = nil // the start's load grew it to a MiB; a publication needs a few KB
	}
	if s.f == nil || s.broken || s.end <= s.slack || s.end <= s.retryAt || s.builders.Load() > 0 {
		return nil
	}
	// Summing the bodies served walks every live page (3 ms at 10,000 pages, in every
	// publication), so it waits until the file has grown by a sixteenth since the last sum.
	// Pages withdrawn meanwhile leave their bytes in the file until then: the file does not
	// grow by them, it is compacted a little later.
	if s.summedAt > 0 && s.end < s.summedAt+s.summedAt/16 {
		return nil
	}
	s.summedAt = s.end
	var live int64
	for pb := range bodies {
		if at := pb.at.Load(); at != nil && at.f == s.f {
			live += int64(pb.size())
		}
	}
	if s.end <= 2*live+s.slack {
		return nil
	}
	if err := s.compactLocked(bodies); err != nil {
		s.retryAt = 2 * s.end // not at every install: once the file has doubled again
		return fmt.Errorf("delivery: compacting the spill file (identity responses keep being read from the old one): %w", err)
	}
	s.retryAt, s.summedAt = 0, s.end
	return nil
}

// compactLocked copies the bodies on the current file to a new one, in writes of
// spillBuffer bytes, and closes the old one. Caller holds mu.
func (s *spill) compactLocked(bodies iter.Seq[*pageBody]) error {
	old := s.f
	f, err := s.create()
	if err != nil {
		return err
	}
	type move struct {
		pb *pageBody
		at *spillAt
	}
	var moves []move
	var end int64
	var out []byte // bytes to write at end
	write := func() error {
		if _, err := f.WriteAt(out, end); err != nil {
			_ = f.Close() // every body still reads the old file
			return err
		}
		end += int64(len(out))
		out = out[:0]
		return nil
	}
	seen := map[*pageBody]bool{}
	for pb := range bodies {
		at := pb.at.Load()
		if at == nil || at.f != old || seen[pb] {
			continue
		}
		seen[pb] = true
		n := len(out)
		out = append(out, make([]byte, pb.size())...)
		if _, err := old.ReadAt(out[n:], at.off); err != nil || crc32.Checksum(out[n:], castagnoli) != at.sum {
			out = out[:n]
			pb.at.CompareAndSwap(at, nil)
			continue
		}
		moves = append(moves, move{pb, &spillAt{f: f, off: end + int64(n), sum: at.sum}})
		if len(out) >= spillBuffer {
			if err := write(); err != nil {
				return err
			}
		}
	}
	if err := write(); err != nil {
		return err
	}
	for _, m := range moves {
		m.pb.at.Store(m.at)
	}
	s.f, s.end = f, end
	s.compactions++
	return old.Close() // a read in flight finishes first; later ones inflate or read the new file
}

// close closes the file; pages read afterwards are inflated.
func (s *spill) close() error {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.broken = true // a late publication must not make a new file
	s.buf, s.pending = nil, nil
	if s.f == nil {
		return nil
	}
	err := s.f.Close()
	s.f = nil
	return err
}

// size returns the bytes written to the current file (tests and diagnostics).
func (s *spill) size() int64 {
	if s == nil {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.end
}
