package reviews_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/reviews"
	"github.com/monograph-cms/monograph/internal/storage"
	"github.com/monograph-cms/monograph/internal/teststore"
)

type liveSet map[string]bool

func (l liveSet) IsLive(slug string) bool { return l[slug] }

type statsRecorder struct {
	mu    sync.Mutex
	got   map[string][2]float64
	calls int
}

func (s *statsRecorder) SetReviewStats(stats map[string]reviews.PageStats) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.got == nil {
		s.got = map[string][2]float64{}
	}
	s.calls++
	for slug, st := range stats {
		s.got[slug] = [2]float64{float64(st.Count), st.Average}
	}
}

func (s *statsRecorder) of(slug string) [2]float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.got[slug]
}

// clock is a settable clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(time.Millisecond) // distinct creation times
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func rating(n int) *int { return &n }

func newService(t *testing.T, stats reviews.StatsSink) (*reviews.Service, storage.Store, *clock) {
	t.Helper()
	store := teststore.MustOpen(t)
	c := &clock{now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	svc := reviews.NewService(reviews.Config{ClientKey: []byte("k")}, reviews.Deps{
		Store: store, Live: liveSet{"ketamine": true}, Stats: stats, Clock: c,
	})
	return svc, store, c
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name  string
		sub   reviews.Submission
		field string // "" = valid
	}{
		{"valid", reviews.Submission{Name: "Ann", Rating: rating(5), Body: "Helpful.\nThanks"}, ""},
		{"valid limits", reviews.Submission{Name: strings.Repeat("é", 100), Rating: rating(1), Body: strings.Repeat("ü", 5000)}, ""},
		{"html kept as text", reviews.Submission{Name: "<b>x</b>", Rating: rating(3), Body: "<script>alert(1)</script>"}, ""},
		{"no name", reviews.Submission{Name: "  ", Rating: rating(5), Body: "b"}, "name"},
		{"long name", reviews.Submission{Name: strings.Repeat("a", 101), Rating: rating(5), Body: "b"}, "name"},
		{"newline in name", reviews.Submission{Name: "a\nb", Rating: rating(5), Body: "b"}, "name"},
		{"no rating", reviews.Submission{Name: "a", Body: "b"}, "rating"},
		{"rating 0", reviews.Submission{Name: "a", Rating: rating(0), Body: "b"}, "rating"},
		{"rating 6", reviews.Submission{Name: "a", Rating: rating(6), Body: "b"}, "rating"},
		{"no body", reviews.Submission{Name: "a", Rating: rating(5), Body: "\n"}, "body"},
		{"long body", reviews.Submission{Name: "a", Rating: rating(5), Body: strings.Repeat("a", 5001)}, "body"},
		{"control char in body", reviews.Submission{Name: "a", Rating: rating(5), Body: "a\x07b"}, "body"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := reviews.Validate(tc.sub)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("valid submission refused: %v", err)
				}
				return
			}
			e, ok := err.(*cms.Error)
			if !ok || e.Code != cms.CodeInvalid || len(e.Fields) != 1 || e.Fields[0].Field != tc.field {
				t.Fatalf("err = %v, want invalid %s", err, tc.field)
			}
		})
	}
}

func TestSubmitModeratePublic(t *testing.T) {
	stats := &statsRecorder{}
	svc, store, _ := newService(t, stats)
	ctx := context.Background()
	editor := cms.Principal{UserID: "ed1", Name: "Eddie"}

	if _, err := svc.Submit(ctx, "draft-only", reviews.Submission{Name: "a", Rating: rating(4), Body: "b"}, "203.0.113.1"); !cms.IsCode(err, cms.CodeNotFound) {
		t.Fatalf("review of a page that is not live: %v", err)
	}
	var ids []string
	for i, addr := range []string{"203.0.113.1", "203.0.113.2", "203.0.113.3"} {
		r, err := svc.Submit(ctx, "ketamine", reviews.Submission{Name: "Reader", Rating: rating(i + 2), Body: "Body <b>" + addr + "</b>"}, addr)
		if err != nil {
			t.Fatal(err)
		}
		if r.State != reviews.StatePending || r.ClientHash == "" || strings.Contains(r.ClientHash, addr) {
			t.Fatalf("stored review %+v", r)
		}
		ids = append(ids, r.ID)
	}
	list, more, err := svc.Public(ctx, "ketamine", nil, 10)
	if err != nil || len(list) != 0 || more {
		t.Fatalf("pending reviews public: %v %v", list, err)
	}
	// Approve two (ratings 2 and 3), reject the third.
	for _, id := range ids[:2] {
		r, err := svc.Approve(ctx, editor, id)
		if err != nil || r.State != reviews.StateApproved || r.ModeratedBy.ID != "ed1" || r.ModeratedAt == nil {
			t.Fatalf("approve: %+v %v", r, err)
		}
	}
	if _, err := svc.Reject(ctx, editor, ids[2], "off topic"); err != nil {
		t.Fatal(err)
	}
	if got := stats.of("ketamine"); got != [2]float64{2, 2.5} {
		t.Fatalf("stats %v, want count 2 average 2.5", got)
	}
	if _, err := svc.Approve(ctx, editor, ids[0]); !cms.IsCode(err, cms.CodeInvalidState) {
		t.Fatalf("approving twice: %v", err)
	}
	if _, err := svc.Approve(ctx, editor, "nosuchidnosuchidnosu"); !cms.IsCode(err, cms.CodeNotFound) {
		t.Fatalf("unknown id: %v", err)
	}
	// Newest first, one per page with a cursor.
	first, more, err := svc.Public(ctx, "ketamine", nil, 1)
	if err != nil || len(first) != 1 || !more || first[0].ID != ids[1] {
		t.Fatalf("first page %+v more=%v %v", first, more, err)
	}
	second, more, err := svc.Public(ctx, "ketamine", &reviews.Cursor{At: first[0].CreatedAt, ID: first[0].ID}, 1)
	if err != nil || len(second) != 1 || more || second[0].ID != ids[0] {
		t.Fatalf("second page %+v more=%v %v", second, more, err)
	}
	// Moderation list by state.
	pending, err := svc.List(ctx, reviews.Filter{State: reviews.StateRejected})
	if err != nil || len(pending) != 1 || pending[0].Reason != "off topic" {
		t.Fatalf("rejected list %+v %v", pending, err)
	}
	if _, err := svc.List(ctx, reviews.Filter{State: "bogus"}); !cms.IsCode(err, cms.CodeInvalid) {
		t.Fatalf("bad state: %v", err)
	}
	// Rejecting an approved review takes it down and updates the figures.
	if _, err := svc.Reject(ctx, editor, ids[1], ""); err != nil {
		t.Fatal(err)
	}
	if got := stats.of("ketamine"); got != [2]float64{1, 2} {
		t.Fatalf("stats after rejection %v", got)
	}
	// At start, the figures come from the store.
	fresh := &statsRecorder{}
	svc2 := reviews.NewService(reviews.Config{ClientKey: []byte("k")}, reviews.Deps{Store: store, Live: liveSet{"ketamine": true}, Stats: fresh})
	if err := svc2.PublishStats(ctx); err != nil {
		t.Fatal(err)
	}
	if got := fresh.of("ketamine"); got != [2]float64{1, 2} {
		t.Fatalf("stats at start %v", got)
	}
	// Without a LiveChecker the store answers (no page exists in this store).
	svc3 := reviews.NewService(reviews.Config{ClientKey: []byte("k")}, reviews.Deps{Store: store})
	if _, _, err := svc3.Public(ctx, "ketamine", nil, 10); !cms.IsCode(err, cms.CodeNotFound) {
		t.Fatalf("store fallback: %v", err)
	}
}

func TestSubmitRateLimited(t *testing.T) {
	svc, _, c := newService(t, nil)
	ctx := context.Background()
	sub := reviews.Submission{Name: "a", Rating: rating(5), Body: "b"}
	accepted, limited := 0, 0
	var retry int
	for range 30 {
		_, err := svc.Submit(ctx, "ketamine", sub, "198.51.100.9")
		switch {
		case err == nil:
			accepted++
		case cms.IsCode(err, cms.CodeRateLimited):
			limited++
			retry = err.(*cms.Error).RetryAfterSeconds
		default:
			t.Fatal(err)
		}
	}
	if accepted != 5 || limited != 25 || retry < 1 || retry > 60 {
		t.Fatalf("accepted %d, limited %d, retry-after %d", accepted, limited, retry)
	}
	// Invalid submissions do not use up the allowance of another client.
	for range 10 {
		if _, err := svc.Submit(ctx, "ketamine", reviews.Submission{}, "198.51.100.10"); !cms.IsCode(err, cms.CodeInvalid) {
			t.Fatal(err)
		}
	}
	if _, err := svc.Submit(ctx, "ketamine", sub, "198.51.100.10"); err != nil {
		t.Fatalf("another client: %v", err)
	}
	c.Advance(time.Minute)
	if _, err := svc.Submit(ctx, "ketamine", sub, "198.51.100.9"); err != nil {
		t.Fatalf("a minute later: %v", err)
	}
}

// TestPublishStatsAtStartIsOneCall: at start the figures of every reviewed page reach the
// sink in one call (delivery rebuilds its snapshot once, not once per page), and a page's
// figures are passed on again only when they change.
func TestPublishStatsAtStartIsOneCall(t *testing.T) {
	store := teststore.MustOpen(t)
	ctx := context.Background()
	live := liveSet{"alpha": true, "beta": true, "gamma": true}
	svc := reviews.NewService(reviews.Config{ClientKey: []byte("k")}, reviews.Deps{Store: store, Live: live})
	editor := cms.Principal{UserID: "ed1", Name: "Eddie"}
	for i, slug := range []string{"alpha", "beta", "gamma"} {
		r, err := svc.Submit(ctx, slug, reviews.Submission{Name: "Reader", Rating: rating(i + 3), Body: "Useful."}, "203.0.113.1"+strconv.Itoa(i))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Approve(ctx, editor, r.ID); err != nil {
			t.Fatal(err)
		}
	}
	rec := &statsRecorder{}
	started := reviews.NewService(reviews.Config{ClientKey: []byte("k")}, reviews.Deps{Store: store, Live: live, Stats: rec})
	if err := started.PublishStats(ctx); err != nil {
		t.Fatal(err)
	}
	if rec.calls != 1 || rec.of("alpha") != [2]float64{1, 3} || rec.of("gamma") != [2]float64{1, 5} {
		t.Fatalf("%d calls, figures %v", rec.calls, rec.got)
	}
	if err := started.PublishStats(ctx); err != nil || rec.calls != 1 {
		t.Fatalf("unchanged figures passed on again: %d calls, %v", rec.calls, err)
	}
}
