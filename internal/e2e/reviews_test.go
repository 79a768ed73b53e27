package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// rvPublic is GET /api/v1/pages/:slug/reviews.
type rvPublic struct {
	Data []struct {
		ID        string    `json:"id"`
		Name      string    `json:"name"`
		Rating    int       `json:"rating"`
		Body      string    `json:"body"`
		CreatedAt time.Time `json:"createdAt"`
		Kind      string    `json:"kind"`
	} `json:"data"`
	NextCursor string `json:"nextCursor"`
}

// rvReview is a review as moderators see it.
type rvReview struct {
	ID          string     `json:"id"`
	Slug        string     `json:"slug"`
	Name        string     `json:"name"`
	Rating      int        `json:"rating"`
	Body        string     `json:"body"`
	State       string     `json:"state"`
	Kind        string     `json:"kind"`
	ModeratedAt *time.Time `json:"moderatedAt"`
	ModeratedBy *struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"moderatedBy"`
	Reason string `json:"reason"`
}

func rvPath(slug string) string { return "/api/v1/pages/" + slug + "/reviews" }

// rvSubmit posts a review anonymously and returns its id (202 expected).
func rvSubmit(t *testing.T, s *Server, slug, name string, rating int, body string) string {
	t.Helper()
	r := s.Anon().Do(t, "POST", rvPath(slug), map[string]any{"name": name, "rating": rating, "body": body})
	MustStatus(t, r, 202)
	var out struct {
		ID    string `json:"id"`
		State string `json:"state"`
	}
	r.Decode(t, &out)
	if out.ID == "" || out.State != "pending" {
		t.Fatalf("submit answer %s", r)
	}
	return out.ID
}

func rvPublicList(t *testing.T, s *Server, slug, query string) rvPublic {
	t.Helper()
	r := s.Anon().Do(t, "GET", rvPath(slug)+query, nil)
	MustStatus(t, r, 200)
	if cc := r.Header.Get("Cache-Control"); !strings.HasPrefix(cc, "public") {
		t.Fatalf("Cache-Control %q", cc)
	}
	var out rvPublic
	r.Decode(t, &out)
	return out
}

// Issue 7, Must show: pending reviews are never public; writers cannot moderate; invalid
// ratings, oversize bodies and operator-shaped values → 400; approval makes a review
// public and updates count and average on the delivered page.
func TestReaderReviews(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	tm := signIn(t, s)
	hasDelivery := s.Delivery(t)

	// Only live pages take reviews; the 404 is delivery's.
	draft := tm.writer.Create(t, "review-draft", Content("Draft"))
	for _, slug := range []string{"no-such-page", draft.Slug, "Not_A_Slug"} {
		r := s.Anon().Do(t, "POST", rvPath(slug), map[string]any{"name": "A", "rating": 5, "body": "Great"})
		p := MustProblem(t, r, 404, "not_found", "")
		MustProblem(t, s.Anon().Do(t, "GET", rvPath(slug), nil), 404, "not_found", "")
		if hasDelivery {
			d := MustProblem(t, deliver(t, s, "no-such-page"), 404, "not_found", "")
			if d.Detail != p.Detail || d.Type != p.Type || d.Title != p.Title {
				t.Fatalf("review 404 %+v differs from delivery's %+v", p, d)
			}
		}
	}

	// Invalid input → 400 naming the field; nothing stored.
	for _, tc := range []struct {
		body  any
		field string
	}{
		{map[string]any{"name": "A", "rating": 0, "body": "b"}, "rating"},
		{map[string]any{"name": "A", "rating": 6, "body": "b"}, "rating"},
		{map[string]any{"name": "A", "rating": 2.5, "body": "b"}, "rating"},
		{map[string]any{"name": "A", "rating": "5", "body": "b"}, "rating"},
		{map[string]any{"name": "A", "body": "b"}, "rating"},
		{map[string]any{"name": "A", "rating": 5, "body": strings.Repeat("x", 5001)}, "body"},
		{map[string]any{"name": "A", "rating": 5, "body": ""}, "body"},
		{map[string]any{"name": "", "rating": 5, "body": "b"}, "name"},
		{map[string]any{"name": strings.Repeat("n", 101), "rating": 5, "body": "b"}, "name"},
		{map[string]any{"name": map[string]any{"$gt": ""}, "rating": 5, "body": "b"}, "name"},
		{map[string]any{"name": "A", "rating": map[string]any{"$gte": 1}, "body": "b"}, "rating"},
		{map[string]any{"name": "A", "rating": 5, "body": []string{"b"}}, "body"},
		{map[string]any{"name": "A", "rating": 5, "body": "b", "state": "approved"}, "state"},
		{map[string]any{"name": "A", "rating": 5, "body": "b", "$where": "1"}, "$where"},
	} {
		r := s.Anon().Do(t, "POST", rvPath("ketamine"), tc.body)
		MustProblem(t, r, 400, "invalid", tc.field)
	}
	MustProblem(t, s.Anon().Do(t, "POST", rvPath("ketamine"), Raw(`{"name":"A","rating":5,"body":"b"}`), "Content-Type", "text/plain"), 415, "unsupported_media", "")

	// Submissions are pending, never public.
	html := `<script>alert("x")</script> & <b>bold</b>`
	// A millisecond between submissions, so "newest first" has one answer (the store keeps
	// times to the millisecond; a fast store takes less than that per submission).
	first := rvSubmit(t, s, "ketamine", "Ann Reader", 4, "Clear and helpful.\n"+html)
	s.Clock.Advance(time.Millisecond)
	second := rvSubmit(t, s, "ketamine", "Bob Reader", 2, "Too long.")
	s.Clock.Advance(time.Millisecond)
	third := rvSubmit(t, s, "ketamine", "Spam", 1, "Buy now")
	if got := rvPublicList(t, s, "ketamine", ""); len(got.Data) != 0 {
		t.Fatalf("pending reviews are public: %+v", got)
	}

	// Writers and reviewers cannot moderate (or even list); editors and admins can.
	for _, c := range []*Client{tm.writer, tm.reviewer} {
		MustProblem(t, c.Do(t, "GET", "/api/v1/manage/reviews?state=pending", nil), 403, "forbidden", "")
		MustProblem(t, c.Do(t, "POST", "/api/v1/manage/reviews/"+first+"/approve", nil), 403, "forbidden", "")
		MustProblem(t, c.Do(t, "POST", "/api/v1/manage/reviews/"+first+"/reject", nil), 403, "forbidden", "")
	}
	MustProblem(t, s.Anon().Do(t, "POST", "/api/v1/manage/reviews/"+first+"/approve", nil), 401, "unauthorized", "")
	r := tm.editor.Do(t, "GET", "/api/v1/manage/reviews?state=pending&slug=ketamine", nil)
	MustStatus(t, r, 200)
	var queue struct {
		Data []rvReview `json:"data"`
	}
	r.Decode(t, &queue)
	if len(queue.Data) != 3 || queue.Data[0].ID != third || queue.Data[0].State != "pending" || queue.Data[0].Kind != "reader_opinion" {
		t.Fatalf("moderation queue %s", r)
	}
	if strings.Contains(string(r.Body), "127.0.0.1") || strings.Contains(string(r.Body), "clientHash") {
		t.Fatalf("the client address leaks: %s", r)
	}
	MustProblem(t, tm.editor.Do(t, "GET", "/api/v1/manage/reviews?state=bogus", nil), 400, "invalid", "state")
	MustProblem(t, tm.editor.Do(t, "POST", "/api/v1/manage/reviews/nosuchidnosuchidnosu/approve", nil), 404, "not_found", "")

	// Approve two, reject one: the approved are public, newest first, marked as opinions.
	for _, id := range []string{first, second} {
		r := tm.editor.Do(t, "POST", "/api/v1/manage/reviews/"+id+"/approve", nil)
		MustStatus(t, r, 200)
		var rv rvReview
		r.Decode(t, &rv)
		if rv.State != "approved" || rv.ModeratedBy == nil || rv.ModeratedBy.ID != tm.editor.User.ID || rv.ModeratedAt == nil {
			t.Fatalf("approve answer %s", r)
		}
	}
	MustProblem(t, tm.editor.Do(t, "POST", "/api/v1/manage/reviews/"+first+"/approve", nil), 409, "invalid_state", "")
	r = tm.admin.Do(t, "POST", "/api/v1/manage/reviews/"+third+"/reject", map[string]any{"reason": "spam"})
	MustStatus(t, r, 200)
	if !strings.Contains(string(r.Body), `"state":"rejected"`) || !strings.Contains(string(r.Body), `"reason":"spam"`) {
		t.Fatalf("reject answer %s", r)
	}
	MustProblem(t, tm.editor.Do(t, "POST", "/api/v1/manage/reviews/"+third+"/reject", map[string]any{"reason": "x", "extra": 1}), 400, "invalid", "extra")

	page1 := rvPublicList(t, s, "ketamine", "?limit=1")
	if len(page1.Data) != 1 || page1.Data[0].ID != second || page1.Data[0].Kind != "reader_opinion" || page1.NextCursor == "" {
		t.Fatalf("first page %+v", page1)
	}
	page2 := rvPublicList(t, s, "ketamine", "?limit=1&cursor="+page1.NextCursor)
	if len(page2.Data) != 1 || page2.Data[0].ID != first || page2.NextCursor != "" {
		t.Fatalf("second page %+v", page2)
	}
	if page2.Data[0].Body != "Clear and helpful.\n"+html || page2.Data[0].Name != "Ann Reader" || page2.Data[0].Rating != 4 {
		t.Fatalf("the body is not kept as given: %+v", page2.Data[0])
	}
	MustProblem(t, s.Anon().Do(t, "GET", rvPath("ketamine")+"?cursor=garbage", nil), 400, "invalid", "cursor")
	MustProblem(t, s.Anon().Do(t, "GET", rvPath("ketamine")+"?limit=1000", nil), 400, "invalid", "limit")

	// The delivered page shows the figures of approved reviews only: 2 reviews, average 3.
	if hasDelivery {
		eventually(t, 5*time.Second, func() error {
			var pg struct {
				Reviews struct {
					Count         int      `json:"count"`
					AverageRating *float64 `json:"averageRating"`
				} `json:"reviews"`
			}
			r := deliver(t, s, "ketamine")
			if r.Status != 200 {
				return fmt.Errorf("%s", r)
			}
			r.Decode(t, &pg)
			if pg.Reviews.Count != 2 || pg.Reviews.AverageRating == nil || *pg.Reviews.AverageRating != 3 {
				return fmt.Errorf("delivered reviews block %s", r)
			}
			return nil
		})
	}

	// Rejecting an approved review takes it down.
	MustStatus(t, tm.editor.Do(t, "POST", "/api/v1/manage/reviews/"+second+"/reject", nil), 200)
	if got := rvPublicList(t, s, "ketamine", ""); len(got.Data) != 1 || got.Data[0].ID != first {
		t.Fatalf("after rejection: %+v", got)
	}
}

// Issue 7, Must show: 30 submissions from one client within a minute → 429 with
// Retry-After.
func TestReaderReviewsRateLimited(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	accepted, limited := 0, 0
	for i := range 30 {
		r := s.Anon().Do(t, "POST", rvPath("ketamine"), map[string]any{"name": "Flood", "rating": 5, "body": fmt.Sprint("review ", i)})
		switch r.Status {
		case 202:
			accepted++
		case 429:
			limited++
			p := MustProblem(t, r, 429, "rate_limited", "")
			if ra := r.Header.Get("Retry-After"); ra == "" || ra == "0" {
				t.Fatalf("429 without Retry-After: %s", r)
			}
			_ = p
		default:
			t.Fatalf("unexpected %s", r)
		}
	}
	if accepted != 5 || limited != 25 {
		t.Fatalf("accepted %d, limited %d; want 5 and 25", accepted, limited)
	}
}
