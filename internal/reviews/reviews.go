// Package reviews holds the rules of reader reviews: the public submission (name, rating
// 1–5, a plain-text body) on live pages only, rate limited per client and held as pending;
// moderation by editors; the approved reviews websites list; and the count and average
// shown on the delivered page.
//
// Reader reviews are opinions of readers. They are stored apart from the page (collection
// reader_reviews), never touch the medically reviewed content, and are marked
// "kind": "reader_opinion" wherever they are delivered. A review body is plain text: it is
// stored as given and delivered as a JSON string, never rendered as Markdown or HTML, so
// a website must insert it as text (escaped), not as markup.
package reviews

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/monograph-cms/monograph/internal/cms"
)

// State is a review's moderation state.
type State string

// The moderation states.
const (
	StatePending  State = "pending"
	StateApproved State = "approved"
	StateRejected State = "rejected"
)

// Valid reports whether s is a known state.
func (s State) Valid() bool { return s == StatePending || s == StateApproved || s == StateRejected }

// Kind marks reader reviews in delivery JSON: opinions, not medical review.
const Kind = "reader_opinion"

// Limits of a submission, in characters.
const (
	MaxName   = 100
	MaxBody   = 5000
	MaxReason = 1000
)

// Moderator names the editor who decided.
type Moderator struct {
	ID   string `bson:"id" json:"id"`
	Name string `bson:"name" json:"name"`
}

// Review is one stored reader review.
type Review struct {
	ID     string `bson:"_id" json:"id"`
	Slug   string `bson:"slug" json:"slug"`
	Name   string `bson:"name" json:"name"`
	Rating int    `bson:"rating" json:"rating"`
	// Body is plain text, stored as given; never rendered as HTML.
	Body  string `bson:"body" json:"body"`
	State State  `bson:"state" json:"state"`
	// ClientHash is a keyed hash (HMAC-SHA256) of the submitting address: enough to spot
	// a flood from one client in the data, not the address itself.
	ClientHash  string     `bson:"clientHash" json:"-"`
	CreatedAt   time.Time  `bson:"createdAt" json:"createdAt"`
	ModeratedAt *time.Time `bson:"moderatedAt" json:"moderatedAt"`
	ModeratedBy *Moderator `bson:"moderatedBy" json:"moderatedBy"`
	Reason      string     `bson:"reason" json:"reason"`
}

// Submission is what a reader sends.
type Submission struct {
	Name   string
	Rating *int
	Body   string
}

// Cursor is a position in a newest-first list: strictly older than (At, ID).
type Cursor struct {
	At time.Time `json:"t"`
	ID string    `json:"id"`
}

// Filter selects reviews, newest first.
type Filter struct {
	State State
	Slug  string
	Limit int
	After *Cursor
}

// SlugRating is one approved review's slug and rating (for the statistics).
type SlugRating struct {
	Slug   string `bson:"slug"`
	Rating int    `bson:"rating"`
}

// Store keeps reviews. It is implemented by the store adapters (internal/sqlitestore, internal/mongostore).
type Store interface {
	// InsertReview stores a new review.
	InsertReview(ctx context.Context, r Review) error
	// Review returns one review; cms.CodeNotFound if there is none.
	Review(ctx context.Context, id string) (Review, error)
	// Reviews returns up to f.Limit reviews matching f (all when Limit is 0), newest
	// first by (createdAt, _id).
	Reviews(ctx context.Context, f Filter) ([]Review, error)
	// ModerateReview stores r's state and moderation fields if the review is still in
	// state from; cms.CodeConflict otherwise.
	ModerateReview(ctx context.Context, r Review, from State) error
	// ApprovedRatings returns the slug and rating of every approved review.
	ApprovedRatings(ctx context.Context) ([]SlugRating, error)
	// SlugLive reports whether a page with this slug is live (the fallback LiveChecker).
	SlugLive(ctx context.Context, slug string) (bool, error)
}

// LiveChecker answers cheaply whether a slug is live (delivery's in-memory snapshot).
type LiveChecker interface {
	IsLive(slug string) bool
}

// PageStats are the count and average rating of a page's approved reviews.
type PageStats struct {
	Count   int
	Average float64
}

// StatsSink receives the approved-review figures of pages by slug (delivery shows them in
// each page's "reviews" block): one page's after a moderation, every page's in one call at
// start, so the sink rebuilds what it serves once, not once per page.
type StatsSink interface {
	SetReviewStats(stats map[string]PageStats)
}

// Config holds the review settings; zero fields take the defaults in brackets.
type Config struct {
	// Limits are the per-client submission limits [5 per minute, 20 per hour].
	Limits []Window
	// MaxClients bounds the clients the limiter remembers [10000].
	MaxClients int
	// ClientKey keys the hash of client addresses stored with reviews; keep it outside
	// the database so a dump does not allow brute-forcing addresses (required).
	ClientKey []byte
	// CacheTTL is how long a page's approved reviews are served from memory before they
	// are read again (so approvals made by other server processes show) [10 s].
	CacheTTL time.Duration
}

// Deps are what the service uses. Live and Stats are optional: without Live, Store.SlugLive
// answers; without Stats, statistics go nowhere.
type Deps struct {
	Store Store
	Live  LiveChecker
	Stats StatsSink
	Clock cms.Clock
}

// Service runs reader reviews. It is safe for concurrent use.
type Service struct {
	cfg     Config
	store   Store
	live    LiveChecker
	stats   StatsSink
	clock   cms.Clock
	limiter *limiter

	mu        sync.Mutex
	cache     map[string]cachedList // approved reviews per slug, newest first
	lastStats map[string]stat       // what was last sent to Stats
}

type cachedList struct {
	reviews []Review
	at      time.Time
}

type stat struct {
	count int
	avg   float64
}

// NewService returns a Service.
func NewService(cfg Config, d Deps) *Service {
	if len(cfg.Limits) == 0 {
		cfg.Limits = []Window{{Limit: 5, Period: time.Minute}, {Limit: 20, Period: time.Hour}}
	}
	if cfg.MaxClients <= 0 {
		cfg.MaxClients = 10000
	}
	if cfg.CacheTTL <= 0 {
		cfg.CacheTTL = 10 * time.Second
	}
	if d.Clock == nil {
		d.Clock = cms.SystemClock{}
	}
	return &Service{
		cfg: cfg, store: d.Store, live: d.Live, stats: d.Stats, clock: d.Clock,
		limiter: newLimiter(cfg.Limits, cfg.MaxClients),
		cache:   map[string]cachedList{}, lastStats: map[string]stat{},
	}
}

// Validate checks a submission, naming every failing field.
func Validate(sub Submission) error {
	var errs []cms.FieldError
	bad := func(field, msg string) { errs = append(errs, cms.FieldError{Field: field, Message: msg}) }
	switch n := utf8.RuneCountInString(sub.Name); {
	case strings.TrimSpace(sub.Name) == "":
		bad("name", "required")
	case n > MaxName:
		bad("name", fmt.Sprintf("at most %d characters", MaxName))
	case strings.IndexFunc(sub.Name, unicode.IsControl) >= 0:
		bad("name", "must be one line of text without control characters")
	}
	switch {
	case sub.Rating == nil:
		bad("rating", "required: an integer from 1 to 5")
	case *sub.Rating < 1 || *sub.Rating > 5:
		bad("rating", "an integer from 1 to 5")
	}
	switch n := utf8.RuneCountInString(sub.Body); {
	case strings.TrimSpace(sub.Body) == "":
		bad("body", "required")
	case n > MaxBody:
		bad("body", fmt.Sprintf("at most %d characters (got %d)", MaxBody, n))
	case strings.IndexFunc(sub.Body, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }) >= 0:
		bad("body", "plain text without control characters")
	}
	if len(errs) > 0 {
		return cms.Invalid(errs...)
	}
	return nil
}

// notFound is the answer for a slug that is not live, the same as delivery's.
func notFound() error { return cms.Errorf(cms.CodeNotFound, "page not found") }

// isLive asks the LiveChecker, or the store without one.
func (s *Service) isLive(ctx context.Context, slug string) (bool, error) {
	if s.live != nil {
		return s.live.IsLive(slug), nil
	}
	return s.store.SlugLive(ctx, slug)
}

// Submit stores a reader's review as pending. Errors: cms.CodeInvalid naming the fields;
// cms.CodeNotFound when the slug is not live; cms.CodeRateLimited (with RetryAfterSeconds)
// when the client sent too many. Only valid submissions to live pages count against the
// limit. clientAddr is the client's IP address.
func (s *Service) Submit(ctx context.Context, slug string, sub Submission, clientAddr string) (Review, error) {
	if err := Validate(sub); err != nil {
		return Review{}, err
	}
	live, err := s.isLive(ctx, slug)
	if err != nil {
		return Review{}, err
	}
	if !live {
		return Review{}, notFound()
	}
	now := s.clock.Now()
	if wait := s.limiter.allow(clientKey(clientAddr), now); wait > 0 {
		secs := int((wait + time.Second - 1) / time.Second)
		return Review{}, &cms.Error{Code: cms.CodeRateLimited, RetryAfterSeconds: secs,
			Message: fmt.Sprintf("too many reviews from your address; try again in %d seconds", secs)}
	}
	r := Review{
		ID: cms.NewID(), Slug: slug, Name: sub.Name, Rating: *sub.Rating, Body: sub.Body,
		State: StatePending, ClientHash: s.hashClient(clientAddr), CreatedAt: now,
	}
	if err := s.store.InsertReview(ctx, r); err != nil {
		return Review{}, err
	}
	return r, nil
}

func (s *Service) hashClient(addr string) string {
	m := hmac.New(sha256.New, s.cfg.ClientKey)
	m.Write([]byte(addr))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// Public returns up to limit approved reviews of a live page, newest first, after the
// cursor, and whether more follow. cms.CodeNotFound when the slug is not live.
func (s *Service) Public(ctx context.Context, slug string, after *Cursor, limit int) ([]Review, bool, error) {
	live, err := s.isLive(ctx, slug)
	if err != nil {
		return nil, false, err
	}
	if !live {
		return nil, false, notFound()
	}
	all, err := s.approved(ctx, slug)
	if err != nil {
		return nil, false, err
	}
	i := 0
	if after != nil {
		for i < len(all) && !before(all[i], *after) {
			i++
		}
	}
	end := min(i+limit, len(all))
	return slices.Clone(all[i:end]), end < len(all), nil
}

// compareKey orders (t, id) pairs ascending.
func compareKey(t1 time.Time, id1 string, t2 time.Time, id2 string) int {
	if c := t1.Compare(t2); c != 0 {
		return c
	}
	return strings.Compare(id1, id2)
}

// before reports whether r comes strictly after the cursor in newest-first order.
func before(r Review, c Cursor) bool { return compareKey(r.CreatedAt, r.ID, c.At, c.ID) < 0 }

// approved returns a page's approved reviews, newest first, from the cache when fresh.
// A reload also refreshes the page's statistics if another process changed them.
func (s *Service) approved(ctx context.Context, slug string) ([]Review, error) {
	now := s.clock.Now()
	s.mu.Lock()
	c, ok := s.cache[slug]
	s.mu.Unlock()
	if ok && now.Sub(c.at) < s.cfg.CacheTTL {
		return c.reviews, nil
	}
	list, err := s.store.Reviews(ctx, Filter{State: StateApproved, Slug: slug})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if len(s.cache) > 10000 {
		clear(s.cache) // bounded: at most one entry per live page in practice
	}
	s.cache[slug] = cachedList{reviews: list, at: now}
	s.mu.Unlock()
	sum := 0
	for _, r := range list {
		sum += r.Rating
	}
	s.sendStats(slug, len(list), sum)
	return list, nil
}

// sendStats passes a page's figures to the sink when they changed.
func (s *Service) sendStats(slug string, count, sum int) {
	if s.stats == nil {
		return
	}
	if changed := s.changedStats(map[string][2]int{slug: {count, sum}}); len(changed) > 0 {
		s.stats.SetReviewStats(changed)
	}
}

// changedStats returns the figures of the pages (slug → count, sum of ratings) that differ
// from what the sink was last given, and records them as given.
func (s *Service) changedStats(pages map[string][2]int) map[string]PageStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	changed := map[string]PageStats{}
	for slug, cs := range pages {
		st := stat{count: cs[0]}
		if cs[0] > 0 {
			st.avg = float64(cs[1]) / float64(cs[0])
		}
		if old, known := s.lastStats[slug]; known && old == st {
			continue
		}
		s.lastStats[slug] = st
		changed[slug] = PageStats{Count: st.count, Average: st.avg}
	}
	return changed
}

// List returns reviews for moderation, newest first. Errors: cms.CodeInvalid for an
// unknown state.
func (s *Service) List(ctx context.Context, f Filter) ([]Review, error) {
	if f.State != "" && !f.State.Valid() {
		return nil, cms.InvalidField("state", "one of pending, approved, rejected")
	}
	return s.store.Reviews(ctx, f)
}

// Approve makes a review public. Errors: cms.CodeNotFound, cms.CodeInvalidState when it
// is approved already, cms.CodeConflict when another moderator decided meanwhile.
func (s *Service) Approve(ctx context.Context, actor cms.Principal, id string) (Review, error) {
	return s.moderate(ctx, actor, id, StateApproved, "")
}

// Reject hides a review (also one approved earlier), with an optional reason. Errors as
// Approve, plus cms.CodeInvalid for an over-long reason.
func (s *Service) Reject(ctx context.Context, actor cms.Principal, id, reason string) (Review, error) {
	if utf8.RuneCountInString(reason) > MaxReason {
		return Review{}, cms.InvalidField("reason", fmt.Sprintf("at most %d characters", MaxReason))
	}
	return s.moderate(ctx, actor, id, StateRejected, reason)
}

func (s *Service) moderate(ctx context.Context, actor cms.Principal, id string, to State, reason string) (Review, error) {
	if !cms.ValidID(id) {
		return Review{}, cms.Errorf(cms.CodeNotFound, "review not found")
	}
	r, err := s.store.Review(ctx, id)
	if err != nil {
		return Review{}, err
	}
	if r.State == to {
		return Review{}, cms.Errorf(cms.CodeInvalidState, "the review is %s already", to)
	}
	from := r.State
	now := s.clock.Now()
	r.State, r.ModeratedAt, r.ModeratedBy, r.Reason = to, &now, &Moderator{ID: actor.UserID, Name: actor.Name}, reason
	if err := s.store.ModerateReview(ctx, r, from); err != nil {
		return Review{}, err
	}
	if from == StateApproved || to == StateApproved {
		s.mu.Lock()
		delete(s.cache, r.Slug)
		s.mu.Unlock()
		if err := s.refreshStats(ctx, r.Slug); err != nil {
			return r, nil // decided; the figures catch up at the next cache reload
		}
	}
	return r, nil
}

// refreshStats recomputes one page's figures and passes them on.
func (s *Service) refreshStats(ctx context.Context, slug string) error {
	_, err := s.approved(ctx, slug)
	return err
}

// PublishStats computes the figures of every page with approved reviews and passes them
// to the sink (at start).
func (s *Service) PublishStats(ctx context.Context) error {
	if s.stats == nil {
		return nil
	}
	ratings, err := s.store.ApprovedRatings(ctx)
	if err != nil {
		return err
	}
	pages := map[string][2]int{} // slug → count, sum
	for _, r := range ratings {
		cs := pages[r.Slug]
		pages[r.Slug] = [2]int{cs[0] + 1, cs[1] + r.Rating}
	}
	if changed := s.changedStats(pages); len(changed) > 0 {
		s.stats.SetReviewStats(changed)
	}
	return nil
}
