package delivery

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	// klauspost/compress: the same gzip format and ratio as compress/gzip, compressing in
	// about half the time (every live page is compressed at start and on publish) and
	// inflating faster (identity clients on a hot-cache miss).
	"github.com/klauspost/compress/gzip"
)

// pageBody is the delivered JSON of one live page (or its JSON-LD). Its gzip bytes are
// always kept: browsers, CDNs and HTTP libraries ask for gzip, and they are about a third of
// the size. Its identity bytes are kept in memory only while the page is in the hot cache,
// within a byte budget; on a miss they are read from the spill file (spill.go), or inflated
// from the gzip bytes when the file does not have them. Memory therefore grows with the
// compressed size of the library plus the budget, not with the full size of every page
// (issue 5: RSS under 200 MB with 10,000 live pages), while a library that fits the budget
// is served exactly as if every page were held uncompressed.
type pageBody struct {
	plain *response               // identity headers (ETag, Content-Length, Last-Modified); body is nil
	gz    *response               // the gzip bytes with their own ETag
	n     int                     // length of the identity bytes
	at    atomic.Pointer[spillAt] // the identity bytes in the spill file (spill.go), if there

	hot     atomic.Pointer[[]byte] // identity bytes while cached
	ref     atomic.Bool            // CLOCK reference bit: served since the hand last passed
	seenGen atomic.Uint32          // the miss window of its last miss (0: none), see worthCaching

	// Guarded by hotCache.mu.
	slot    int  // index in hotCache.ring, -1 when not cached
	dropped bool // replaced in the snapshot: never cache again
}

var gzipWriters = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(io.Discard, gzip.DefaultCompression)
	return w
}}

var gzipReaders sync.Pool // *gzip.Reader

// newPageBody compresses body, writes it to the spill file and offers its identity bytes
// to the hot cache.
func (c *hotCache) newPageBody(body []byte, etag string, lastMod time.Time) *pageBody {
	pb := c.newColdBody(ctJSON, body, etag, lastMod)
	c.admit(pb, body)
	return pb
}

// newColdBody compresses body and writes it to the spill file; its identity bytes join the
// hot cache only once they are asked for (JSON-LD documents: fetched by crawlers, rarely by
// the websites' pages; pages loaded at start).
func (c *hotCache) newColdBody(ct []string, body []byte, etag string, lastMod time.Time) *pageBody {
	pb := newBody(ct, body, etag, lastMod)
	c.spill.add(pb, body)
	return pb
}

func newBody(ct []string, body []byte, etag string, lastMod time.Time) *pageBody {
	var buf bytes.Buffer
	zw := gzipWriters.Get().(*gzip.Writer)
	zw.Reset(&buf)
	_, _ = zw.Write(body)
	_ = zw.Close()
	gzipWriters.Put(zw)
	gz := bytes.Clone(buf.Bytes()) // exact size: this lives as long as the page is live
	plain := newResponse(http.StatusOK, ct, nil, etag, lastMod)
	plain.length = []string{strconv.Itoa(len(body))}
	return &pageBody{
		plain: plain, n: len(body),
		gz:   newResponse(http.StatusOK, ct, gz, etag[:len(etag)-1]+`-gz"`, lastMod),
		slot: -1,
	}
}

// size is the length of the identity bytes.
func (pb *pageBody) size() int { return pb.n }

// read fills out (of length pb.size()) with pb's identity bytes, from the spill file when
// it has them, else inflated from the gzip bytes, and returns it.
func (c *hotCache) read(pb *pageBody, out []byte) []byte {
	if c.spill.read(pb, out) {
		return out
	}
	return pb.inflate(out)
}

// inflate decompresses the identity bytes into out (of length size()) and returns it.
func (pb *pageBody) inflate(out []byte) []byte {
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
// at all when the bit is already set); an admission that needs room moves the hand, under
// the lock, past referenced pages, clearing their bits, to the first unreferenced one.
type hotCache struct {
	spill  *spill // nil: pages outside the cache are inflated
	budget int64
	window uint64        // misses per doorkeeper window: about the pages the budget holds
	misses atomic.Uint64 // identity misses so far

	mu   sync.Mutex
	used int64
	ring []*pageBody
	hand int
}

func newHotCache(budget int64, sp *spill) *hotCache {
	return &hotCache{spill: sp, budget: budget, window: uint64(max(64, budget>>14))}
}

// inflateBufs recycles the buffers of pages read or inflated for one response only.
var inflateBufs = sync.Pool{New: func() any { return new([]byte) }}

// write writes pb's identity bytes to w: from the cache, or on a miss read from the spill
// file or inflated, into a new buffer that joins the cache while the budget has room (after
// a start, which caches nothing), or else into a recycled one. A page that has to be
// inflated also gets in when worthCaching says so, evicting another; a page in the spill
// file never evicts one: a read from the spill costs little more than a hit, while every
// admission makes a buffer for the collector, which under traffic spread over a library
// larger than the budget cost more than the hits saved (by slug at 10,000 pages, identity:
// 0.70× the reference server with a 24 MiB budget admitting through the doorkeeper, 0.87×
// with a 1 MiB one, measured alternately in one run).
func (c *hotCache) write(w io.Writer, pb *pageBody) {
	if b := pb.hot.Load(); b != nil {
		if !pb.ref.Load() {
			pb.ref.Store(true)
		}
		_, _ = w.Write(*b)
		return
	}
	if c.hasRoom(pb.size()) || (pb.at.Load() == nil && c.worthCaching(pb)) {
		b := c.read(pb, make([]byte, pb.size()))
		c.admit(pb, b)
		_, _ = w.Write(b)
		return
	}
	bp := inflateBufs.Get().(*[]byte)
	if cap(*bp) < pb.size() {
		*bp = make([]byte, pb.size())
	}
	_, _ = w.Write(c.read(pb, (*bp)[:pb.size()]))
	inflateBufs.Put(bp) // Write does not keep the slice
}

// worthCaching is the doorkeeper in front of the cache: a page gets in on its second miss
// within about two windows of misses, a window being as many misses as the budget holds
// pages. So pages asked for again and again get in, while a crawl of cold pages, or uniform
// traffic over a library larger than the budget, does not churn the cache (each admission
// evicts a page and leaves its bytes to the collector).
func (c *hotCache) worthCaching(pb *pageBody) bool {
	gen := uint32(c.misses.Add(1)/c.window) + 1 // +1: 0 means never missed
	last := pb.seenGen.Swap(gen)
	return last != 0 && gen-last <= 1
}

// hasRoom reports whether n more bytes fit the budget without evicting anything: then a
// miss joins the cache at once (after a start, until the budget is full), since nothing
// is churned.
func (c *hotCache) hasRoom(n int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.used+int64(n) <= c.budget
}

// peek returns pb's identity bytes without caching them (re-encoding a page's tail).
func (c *hotCache) peek(pb *pageBody) []byte {
	if b := pb.hot.Load(); b != nil {
		return *b
	}
	return c.read(pb, make([]byte, pb.size()))
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
