package delivery

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// pageBody is the delivered JSON of one live page. Its gzip bytes are always kept: browsers,
// CDNs and HTTP libraries ask for gzip, and they are about a third of the size. Its identity
// bytes are kept only while the page is in the hot cache, within a byte budget, and are
// inflated from the gzip bytes on a miss. Memory therefore grows with the compressed size of
// the library plus the budget, not with the full size of every page (issue 5: RSS under
// 200 MB with 10,000 live pages), while a library that fits the budget is served exactly as
// if every page were held uncompressed.
type pageBody struct {
	plain *response // identity headers (ETag, Content-Length, Last-Modified); body is nil
	gz    *response // the gzip bytes with their own ETag
	n     int       // length of the identity bytes

	hot atomic.Pointer[[]byte] // identity bytes while cached
	ref atomic.Bool            // CLOCK reference bit: served since the hand last passed

	// Guarded by hotCache.mu.
	slot    int  // index in hotCache.ring, -1 when not cached
	dropped bool // replaced in the snapshot: never cache again
}

var gzipWriters = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(io.Discard, gzip.DefaultCompression)
	return w
}}

var gzipReaders sync.Pool // *gzip.Reader

// newPageBody compresses body and offers its identity bytes to the hot cache.
func (c *hotCache) newPageBody(body []byte, etag string, lastMod time.Time) *pageBody {
	var buf bytes.Buffer
	zw := gzipWriters.Get().(*gzip.Writer)
	zw.Reset(&buf)
	_, _ = zw.Write(body)
	_ = zw.Close()
	gzipWriters.Put(zw)
	gz := bytes.Clone(buf.Bytes()) // exact size: this lives as long as the page is live
	plain := newResponse(http.StatusOK, ctJSON, nil, etag, lastMod)
	plain.length = []string{strconv.Itoa(len(body))}
	pb := &pageBody{
		plain: plain, n: len(body),
		gz:    newResponse(http.StatusOK, ctJSON, gz, etag[:len(etag)-1]+`-gz"`, lastMod),
		slot:  -1,
	}
	c.admit(pb, body)
	return pb
}

// size is the length of the identity bytes.
func (pb *pageBody) size() int { return pb.n }

// inflate returns the identity bytes decompressed from the gzip bytes.
func (pb *pageBody) inflate() []byte {
	out := make([]byte, pb.size())
	src := bytes.NewReader(pb.gz.body)
	zr, _ := gzipReaders.Get().(*gzip.Reader)
	var err error
	if zr == nil {
		zr, err = gzip.NewReader(src)
	} else {
		err = zr.Reset(src)
	}
	if err == nil {
		_, err = io.ReadFull(zr, out)
		gzipReaders.Put(zr)
	}
	if err != nil {
		// Only a bug can get here: the bytes were compressed by this process.
		panic("delivery: cannot inflate a page this process compressed: " + err.Error())
	}
	return out
}

// hotCache keeps the identity bytes of recently served pages within a byte budget and
// evicts with CLOCK (second chance): a hit only sets a reference bit (no lock, and no write
// at all when the bit is already set); a miss inflates the page and, under the lock, moves
// the hand past referenced pages, clearing their bits, to the first unreferenced one.
type hotCache struct {
	budget int64

	mu   sync.Mutex
	used int64
	ring []*pageBody
	hand int
}

func newHotCache(budget int64) *hotCache { return &hotCache{budget: budget} }

// bytes returns pb's identity bytes for a response, caching them on a miss.
func (c *hotCache) bytes(pb *pageBody) []byte {
	if b := pb.hot.Load(); b != nil {
		if !pb.ref.Load() {
			pb.ref.Store(true)
		}
		return *b
	}
	b := pb.inflate()
	c.admit(pb, b)
	return b
}

// peek returns pb's identity bytes without caching them (re-encoding a page's tail).
func (c *hotCache) peek(pb *pageBody) []byte {
	if b := pb.hot.Load(); b != nil {
		return *b
	}
	return pb.inflate()
}

// admit caches b as pb's identity bytes, evicting others as needed.
func (c *hotCache) admit(pb *pageBody, b []byte) {
	n := int64(len(b))
	if n > c.budget {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if pb.dropped || pb.slot >= 0 {
		return
	}
	for c.used+n > c.budget {
		c.evictOne()
	}
	pb.hot.Store(&b)
	pb.slot = len(c.ring)
	c.ring = append(c.ring, pb)
	c.used += n
}

// evictOne removes the first unreferenced page at or after the hand. The ring is not empty
// (used > 0), and one full turn clears every bit, so it ends. Caller holds mu.
func (c *hotCache) evictOne() {
	for {
		if c.hand >= len(c.ring) {
			c.hand = 0
		}
		pb := c.ring[c.hand]
		if pb.ref.Load() {
			pb.ref.Store(false)
			c.hand++
			continue
		}
		c.remove(pb)
		return
	}
}

// remove takes pb out of the ring (the last page takes its slot). Caller holds mu.
func (c *hotCache) remove(pb *pageBody) {
	i, last := pb.slot, len(c.ring)-1
	c.ring[i] = c.ring[last]
	c.ring[i].slot = i
	c.ring[last] = nil
	c.ring = c.ring[:last]
	pb.slot = -1
	if b := pb.hot.Swap(nil); b != nil {
		c.used -= int64(len(*b))
	}
}

// drop releases a page body that left the snapshot (a new publication, an unpublication, a
// re-encoded tail), so its bytes stop counting against the budget and can be collected.
func (c *hotCache) drop(pb *pageBody) {
	c.mu.Lock()
	defer c.mu.Unlock()
	pb.dropped = true
	if pb.slot >= 0 {
		c.remove(pb)
	}
}

// stats returns the cached pages and bytes (tests and diagnostics).
func (c *hotCache) stats() (pages int, used int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.ring), c.used
}
