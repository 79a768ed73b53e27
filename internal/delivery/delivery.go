// Package delivery serves published pages to websites: GET /api/v1/pages/{slug}, the page
// list and the sync feed (docs/api.md "Delivery"). It reads only the live snapshots written at
// publish time, never a working copy, and answers every request from an immutable
// in-memory snapshot of encoded responses, so the hot path is a map lookup and a write.
//
// Freshness. Apply is called in-process right after a publish or unpublish and replaces the
// snapshot at once. Run polls the store's change counter every Config.Poll and reloads when
// it moved (publications by other server processes on the same MongoDB), and flips the
// medicalReview.overdue flags when a review falls due.
//
// The package knows nothing of HTTP routers or MongoDB: the store is the Source below.
package delivery

import (
	"context"
	"log/slog"
	"maps"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/locale"
	"github.com/monograph-cms/monograph/internal/search"
)

// Source reads what delivery serves. It is implemented by the store adapters (editorial.Store).
type Source interface {
	// EachLivePage calls fn with every page that is live or was unpublished, one at a time.
	// An error from fn stops the walk and is returned. Store errors: cms.CodeUnavailable,
	// cms.CodeInternal.
	EachLivePage(ctx context.Context, fn func(editorial.LivePage) error) error
	// ChangeSeq returns the change counter, which every publish and unpublish increments
	// before its page update. Store errors: cms.CodeUnavailable, cms.CodeInternal.
	ChangeSeq(ctx context.Context) (int64, error)
}

// Config holds the delivery settings. Zero values take the defaults noted.
type Config struct {
	// MaxAge and StaleWhileRevalidate make the Cache-Control header of pages and lists.
	MaxAge               time.Duration
	StaleWhileRevalidate time.Duration
	// Poll is how often the change counter is read (default 1 s): the bound on how late a
	// publication by another server process shows here.
	Poll time.Duration
	// SyncGrace bounds how long a publication may take between taking its change number and
	// becoming visible on this process (its page update plus Poll). The sync feed never
	// hands out a token beyond changes seen less than SyncGrace ago, so a publication that
	// commits out of order is not skipped. Default 5 s + Poll.
	SyncGrace time.Duration
	// Exclusive says this process alone writes the store (the embedded store, whose data
	// dir is locked): every change of what is live then arrives through Apply, so the change
	// counter is not polled and no reload ever runs after the first.
	Exclusive bool
	// SiteURL is the base of the "url" in JSON-LD documents: SiteURL + slug. Default "/",
	// a site-relative URL.
	SiteURL string
	// ListCacheSize caps the encoded list responses kept per snapshot (default 4096).
	ListCacheSize int
	// HotBytes is the budget of uncompressed page bytes kept for clients that do not accept
	// gzip (default DefaultHotBytes); pages outside it are read from the spill file
	// (SpillDir), else inflated from their gzip bytes per request.
	HotBytes int64
	// SpillDir, when set, is where the identity bytes of every live page are kept, in a file
	// whose name is removed at once (spill.go): pages outside the hot cache are then read
	// from it instead of inflated. Empty: they are inflated.
	SpillDir string
	// Logger receives reload errors and refused snapshots.
	Logger *slog.Logger
	// Derive, when set, makes what is served of each page loaded from the store anew from
	// its stored live revision, checking the signature (editorial.Service.DeriveLive): the
	// snapshot stored beside the page is never trusted at load. A page it refuses is not
	// served and is logged.
	Derive func(context.Context, editorial.LivePage) (editorial.LivePage, error)
	// Media reads image files for /media/ (media.go); without it every image is 404.
	Media MediaFiles
	// Locales are the configured languages (translations.go); zero: just "en".
	Locales locale.Set
}

func (c Config) withDefaults() Config {
	if c.Poll <= 0 {
		c.Poll = time.Second
	}
	if c.SyncGrace <= 0 {
		c.SyncGrace = 5*time.Second + c.Poll
	}
	if c.SiteURL == "" {
		c.SiteURL = "/"
	}
	if c.ListCacheSize <= 0 {
		c.ListCacheSize = 4096
	}
	if c.HotBytes <= 0 {
		c.HotBytes = DefaultHotBytes
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.MaxAge < 0 {
		c.MaxAge = 0
	}
	if c.StaleWhileRevalidate < 0 {
		c.StaleWhileRevalidate = 0
	}
	return c
}

// DefaultHotBytes is Config.HotBytes's default: about 1,250 pages of 13 KB, so a library
// of a thousand pages is served entirely from uncompressed bytes in memory, while pages
// beyond it come from the spill file at about the same speed. A server of 10,000 live pages
// read by identity clients measured 172.5–173.4 MB of RSS with it, 183.4–184.5 MB with
// 24 MiB (the default until then), at the same speed (scripts/bench, alternating runs).
const DefaultHotBytes = 16 << 20

// ReviewStats are the reader-review figures shown in a page's "reviews" block: reader
// opinions, not medical review.
type ReviewStats struct {
	Count   int
	Average float64
}

// Service is the delivery cache and its HTTP handler. Its methods are safe for concurrent
// use. Readers never lock: they load the current snapshot with one atomic read.
type Service struct {
	cfg   Config
	src   Source
	clock cms.Clock
	log   *slog.Logger

	cacheControl []string
	negCache     []string
	hot          *hotCache
	// grams interns the search grams of live pages (internal/search) for the list's q.
	grams *search.Table

	cur    atomic.Pointer[snapshot]
	media  mediaState  // the live pages' image files (media.go)
	loaded atomic.Bool // a full load succeeded

	// mu serialises every change of the snapshot (Apply, Reload, overdue flips, review
	// stats); the fields below it are guarded by it.
	mu    sync.Mutex
	stats map[string]ReviewStats
	// loadedSeq is the change counter read before the last full load; applied holds the
	// change numbers Apply has seen beyond it, so the poller does not reload for changes
	// this process made itself.
	loadedSeq int64
	applied   map[int64]bool
	// recheckAt, when set, asks for one more full load: a change taken before a load may
	// commit after it (see Config.SyncGrace).
	recheckAt time.Time
	// marks records when the highest visible change number moved, for the sync tokens.
	marks []seqMark
	// rebuilds counts the snapshots built from scratch rather than moved from the one
	// before (snapshot_update.go): a publication must cost its own pages, not the library's.
	rebuilds int
}

// seqMark says that from At on, every change up to Seq was visible here.
type seqMark struct {
	At  time.Time
	Seq int64
}

// New returns a Service with an empty snapshot: call Reload (or Run) before serving, or
// everything answers 404.
func New(cfg Config, src Source, clock cms.Clock) *Service {
	cfg = cfg.withDefaults()
	if clock == nil {
		clock = cms.SystemClock{}
	}
	s := &Service{
		cfg: cfg, src: src, clock: clock, log: cfg.Logger,
		stats:   map[string]ReviewStats{},
		applied: map[int64]bool{},
		hot:     newHotCache(cfg.HotBytes, newSpill(cfg.SpillDir, cfg.Logger)),
		grams:   search.NewTable(),
	}
	s.cacheControl = []string{"public, max-age=" + secs(cfg.MaxAge) + ", stale-while-revalidate=" + secs(cfg.StaleWhileRevalidate)}
	s.negCache = []string{"public, max-age=" + secs(cfg.MaxAge)}
	s.cur.Store(s.build(map[string]*entry{}, nil))
	return s
}

// Close releases the spill file. Requests still served afterwards get the same bytes,
// inflated from gzip.
func (s *Service) Close() error { return s.hot.spill.close() }

func secs(d time.Duration) string { return strconv.FormatInt(int64(d/time.Second), 10) }

// Reload reads every live and unpublished page from the source and replaces the snapshot.
// Pages whose change number did not move keep their encoded responses. A change applied
// meanwhile with a newer change number wins over what the load read.
func (s *Service) Reload(ctx context.Context) error {
	built := s.hot.spill.building()
	defer built()
	seq, err := s.src.ChangeSeq(ctx)
	if err != nil {
		return err
	}
	old := s.cur.Load()
	now := s.clock.Now()
	loaded := make(map[string]*entry, len(old.byID))
	// Encoding and compressing a page is most of a load's work: it runs on every core while
	// the store streams the pages in.
	var loadedMu sync.Mutex
	work := make(chan editorial.LivePage, 64)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range work {
				if s.cfg.Derive != nil && p.Live != nil {
					d, err := s.cfg.Derive(ctx, p)
					if err != nil {
						s.log.Error("delivery: page not served: its stored live revision does not match its signature",
							"pageId", p.ID, "slug", p.Slug, "error", err)
						continue
					}
					p = d
				}
				if e := s.newEntry(p, now, false); e != nil {
					loadedMu.Lock()
					loaded[p.ID] = e
					loadedMu.Unlock()
				}
			}
		}()
	}
	err = s.src.EachLivePage(ctx, func(p editorial.LivePage) error {
		if prev := old.byID[p.ID]; prev != nil && prev.ownSeq() == p.LiveSeq && prev.slug == p.Slug {
			loadedMu.Lock()
			loaded[p.ID] = prev // unchanged: keep its encoded bytes
			loadedMu.Unlock()
			return nil
		}
		work <- p
		return nil
	})
	close(work)
	wg.Wait()
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	built() // installed below, under mu
	cur := s.cur.Load()
	for id, e := range cur.byID {
		if l := loaded[id]; l == nil || l.seq < e.seq {
			loaded[id] = e // applied meanwhile, or not yet visible to the load's query
		}
	}
	for id, e := range loaded {
		loaded[id] = s.refresh(e, now)
	}
	if seq != s.loadedSeq && !s.cfg.Exclusive {
		// A change numbered before this load may commit after its query: look once more.
		s.recheckAt = now.Add(s.cfg.SyncGrace)
	}
	s.loadedSeq = seq
	for n := range s.applied {
		if n <= seq {
			delete(s.applied, n)
		}
	}
	s.install(loaded, now, nil)
	s.loaded.Store(true)
	return nil
}

// Apply puts one page's live state into the snapshot at once: called right after a
// publish or unpublish commits (editorial.Service.OnLiveChange). A page older than the one
// held (by change number) is ignored.
func (s *Service) Apply(p editorial.LivePage) {
	now := s.clock.Now()
	built := s.hot.spill.building()
	defer built()
	e := s.newEntry(p, now, true)
	s.mu.Lock()
	defer s.mu.Unlock()
	built() // installed below, under mu, or dropped
	cur := s.cur.Load()
	prev := cur.byID[p.ID]
	if prev != nil && prev.ownSeq() > p.LiveSeq {
		if e != nil && e.page != nil {
			s.hot.drop(e.page) // never installed
			s.hot.drop(e.jsonLD)
		}
		return
	}
	if p.LiveSeq > s.loadedSeq {
		s.applied[p.LiveSeq] = true
	}
	next := maps.Clone(cur.byID)
	if e == nil {
		delete(next, p.ID)
	} else {
		r := s.refresh(e, now)
		if r != e && e.page != nil {
			s.hot.drop(e.page) // superseded before it was installed
		}
		next[p.ID] = r
	}
	changed := map[string]bool{}
	if next[p.ID] != prev {
		changed[p.ID] = true
	}
	s.install(next, now, changed)
}

// IsLive reports whether slug is live now (reader reviews accept submissions only then).
func (s *Service) IsLive(slug string) bool {
	e := s.cur.Load().bySlug[slug]
	return e != nil && e.live
}

// SetAllReviewStats sets the reader-review figures of pages by slug and re-encodes them,
// in one snapshot rebuild for all (at start, every reviewed page). Reader reviews are
// opinions, not medical review, and say so in the JSON ("kind").
func (s *Service) SetAllReviewStats(stats map[string]ReviewStats) {
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for slug, st := range stats {
		s.stats[slug] = st
	}
	cur := s.cur.Load()
	next := maps.Clone(cur.byID)
	changed := false
	for id, e := range next {
		if _, ok := stats[e.slug]; ok {
			if r := s.refresh(e, now); r != e {
				next[id], changed = r, true
			}
		}
	}
	if changed {
		s.install(next, now, nil)
	}
}

// Run keeps the snapshot fresh until ctx ends: it loads everything first (unless Reload
// succeeded already), then every Config.Poll reloads when the change counter moved and
// flips overdue flags whose nextReviewDue passed. Errors are logged and retried on the
// next tick.
func (s *Service) Run(ctx context.Context) {
	if !s.loaded.Load() {
		if err := s.Reload(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("delivery: initial load", "error", err)
		}
	}
	t := time.NewTicker(s.cfg.Poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := s.Tick(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("delivery: refresh", "error", err)
		}
	}
}

// Tick does one round of Run: reload if the change counter moved (or a recheck is due),
// then flip overdue flags that are due.
func (s *Service) Tick(ctx context.Context) error {
	if s.cfg.Exclusive && s.loaded.Load() {
		s.flipOverdue(s.clock.Now())
		return nil
	}
	seq, err := s.src.ChangeSeq(ctx)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	s.mu.Lock()
	reload := !s.loaded.Load()
	if reload {
		// nothing loaded yet: the initial load failed
	} else if seq != s.loadedSeq {
		covered := seq > s.loadedSeq && seq-s.loadedSeq <= int64(len(s.applied))
		for n := s.loadedSeq + 1; covered && n <= seq; n++ {
			covered = s.applied[n]
		}
		if covered {
			// Every change since the last load was made here and applied after its commit.
			for n := s.loadedSeq + 1; n <= seq; n++ {
				delete(s.applied, n)
			}
			s.loadedSeq = seq
		} else {
			reload = true
		}
	} else if !s.recheckAt.IsZero() && !now.Before(s.recheckAt) {
		reload = true
		s.recheckAt = time.Time{}
	}
	s.mu.Unlock()
	if reload {
		if err := s.Reload(ctx); err != nil {
			return err
		}
	}
	s.flipOverdue(now)
	return nil
}

// flipOverdue re-encodes the pages whose review fell due since the snapshot was built.
func (s *Service) flipOverdue(now time.Time) {
	if cur := s.cur.Load(); cur.nextFlip.IsZero() || !now.After(cur.nextFlip) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.cur.Load()
	next := maps.Clone(cur.byID)
	for id, e := range next {
		next[id] = s.refresh(e, now)
	}
	s.install(next, now, nil)
}

// install builds and publishes a snapshot of entries, recording the sync mark. changed
// holds the ids whose entry differs from the installed snapshot's (changed or gone); nil
// when the caller does not know them. Callers hold mu.
func (s *Service) install(entries map[string]*entry, now time.Time, changed map[string]bool) {
	old := s.cur.Load()
	if changed == nil {
		changed = changedIDs(old.byID, entries)
	}
	if maxSeq := highestSeq(old, entries, changed); maxSeq != old.maxSeq {
		s.marks = append(s.marks, seqMark{At: now, Seq: maxSeq})
	}
	// Keep the newest mark at least SyncGrace old and everything after it.
	cut := 0
	for i, m := range s.marks {
		if !m.At.After(now.Add(-s.cfg.SyncGrace)) {
			cut = i
		}
	}
	s.marks = s.marks[cut:]
	s.linkTranslations(entries, now, changed)
	sn, ok := s.buildFrom(old, entries, changed, slices.Clone(s.marks))
	if !ok {
		sn = s.build(entries, slices.Clone(s.marks))
		s.rebuilds++
	}
	s.cur.Store(sn)
	// Bodies that left the snapshot stop counting against the hot cache's budget.
	for id := range changed {
		e, n := old.byID[id], entries[id]
		if e == nil {
			continue
		}
		if e.page != nil && (n == nil || n.page != e.page) {
			s.hot.drop(e.page)
		}
		if e.jsonLD != nil && (n == nil || n.jsonLD != e.jsonLD) {
			s.hot.drop(e.jsonLD)
		}
	}
	if err := s.hot.spill.tidy(s.cur.Load().bodies()); err != nil {
		s.log.Warn(err.Error())
	}
}

// highestSeq returns the highest change number among entries, from the installed
// snapshot's when only the changed entries need looking at: its own highest is its
// newest page's (every page's slug has a holder at least as new), and stands unless that
// page changed.
func highestSeq(installed *snapshot, entries map[string]*entry, changed map[string]bool) int64 {
	var m int64
	if len(changed) <= incrementalLimit {
		for id := range changed {
			if e := entries[id]; e != nil {
				m = max(m, e.seq)
			}
		}
		if m >= installed.maxSeq {
			return m
		}
		if n := len(installed.bySeq); n == 0 || !changed[installed.bySeq[n-1].id] {
			return installed.maxSeq
		}
	}
	for _, e := range entries {
		m = max(m, e.seq)
	}
	return m
}

// changedIDs returns the ids whose entry differs between two snapshots' entries.
func changedIDs(old, entries map[string]*entry) map[string]bool {
	changed := map[string]bool{}
	for id, e := range entries {
		if old[id] != e {
			changed[id] = true
		}
	}
	for id := range old {
		if entries[id] == nil {
			changed[id] = true
		}
	}
	return changed
}
