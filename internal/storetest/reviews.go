package storetest

import (
	"cmp"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/reviews"
	"github.com/monograph-cms/monograph/internal/storage"
)

func reviewTests() []test {
	return []test{
		{name: "InsertedReviewIsRead", run: testReviewRoundTrip},
		{name: "UnknownReviewIsNotFound", run: testReviewNotFound},
		{name: "ReviewsFilteredAreNewestFirst", run: testReviewsFiltered},
		{name: "ReviewsCursorWalksEveryReviewOnce", run: testReviewsCursor},
		{name: "ModerateReviewIsConditionalOnFromState", run: testModerateReview},
		{name: "ApprovedRatingsAreOnlyApproved", run: testApprovedRatings},
		{name: "SlugLiveOnlyForLivePages", run: testSlugLive},
		{name: "ConcurrentModerationsHaveOneWinner", concurrent: true, run: testConcurrentModeration},
	}
}

// moderated returns r decided as state by Reviewer at at.
func moderated(r reviews.Review, state reviews.State, reason string, at time.Time) reviews.Review {
	r.State, r.ModeratedAt, r.ModeratedBy, r.Reason = state, &at, &reviews.Moderator{ID: Reviewer.UserID, Name: Reviewer.Name}, reason
	return r
}

func insertReviews(tb testing.TB, s storage.Store, rs ...reviews.Review) {
	tb.Helper()
	for _, r := range rs {
		must(tb, s.InsertReview(tb.Context(), r), "InsertReview")
	}
}

func testReviewRoundTrip(t *testing.T, s storage.Store) {
	pending := Review("pending", "ketamine", 4, At(0))
	decided := moderated(Review("decided", "ketamine", 2, At(time.Minute)), reviews.StateRejected, "off topic", At(time.Hour))
	insertReviews(t, s, pending, decided)
	for _, want := range []reviews.Review{pending, decided} {
		got, err := s.Review(t.Context(), want.ID)
		must(t, err, "Review")
		assertEqual(t, "Review "+want.Name, got, want)
	}
}

func testReviewNotFound(t *testing.T, s storage.Store) {
	insertReviews(t, s, Review("one", "ketamine", 4, At(0)))
	_, err := s.Review(t.Context(), ID("review/unknown"))
	wantCode(t, err, cms.CodeNotFound, "Review of an unknown id")
}

// reviewFixture inserts reviews of two pages in every state, several at the same instant,
// and returns them.
func reviewFixture(tb testing.TB, s storage.Store) []reviews.Review {
	tb.Helper()
	var all []reviews.Review
	minutes := []int{1, 2, 2, 2, 3, 4, 4, 5, 6}
	for i, m := range minutes {
		slug := []string{"ketamine", "ibuprofen"}[i%2]
		r := Review(fmt.Sprintf("r%d", i), slug, 1+i%5, At(time.Duration(m)*time.Minute))
		switch i % 3 {
		case 1:
			r = moderated(r, reviews.StateApproved, "", At(time.Hour))
		case 2:
			r = moderated(r, reviews.StateRejected, "spam", At(time.Hour))
		}
		all = append(all, r)
	}
	insertReviews(tb, s, all...)
	return all
}

// newestReviewsFirst returns the reviews matching f's state and slug, by (createdAt, id)
// descending.
func newestReviewsFirst(all []reviews.Review, f reviews.Filter) []reviews.Review {
	var out []reviews.Review
	for _, r := range all {
		if (f.State == "" || r.State == f.State) && (f.Slug == "" || r.Slug == f.Slug) {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b reviews.Review) int { return newestFirst(a.CreatedAt, a.ID, b.CreatedAt, b.ID) })
	return out
}

func testReviewsFiltered(t *testing.T, s storage.Store) {
	all := reviewFixture(t, s)
	for _, f := range []reviews.Filter{
		{},
		{State: reviews.StatePending},
		{State: reviews.StateApproved},
		{Slug: "ketamine"},
		{State: reviews.StateApproved, Slug: "ibuprofen"},
		{Slug: "unknown"},
		{Limit: 4},
		{State: reviews.StateRejected, Limit: 1},
	} {
		got, err := s.Reviews(t.Context(), f)
		must(t, err, "Reviews")
		want := newestReviewsFirst(all, f)
		if f.Limit > 0 {
			want = want[:min(f.Limit, len(want))]
		}
		assertEqual(t, fmt.Sprintf("Reviews(%+v)", f), got, want)
	}
}

func testReviewsCursor(t *testing.T, s storage.Store) {
	all := reviewFixture(t, s)
	for _, base := range []reviews.Filter{{Limit: 2}, {Slug: "ketamine", Limit: 2}} {
		want := newestReviewsFirst(all, base)
		var walked []reviews.Review
		f := base
		for range len(all) + 1 {
			batch, err := s.Reviews(t.Context(), f)
			must(t, err, "Reviews")
			if len(batch) == 0 {
				break
			}
			walked = append(walked, batch...)
			last := batch[len(batch)-1]
			f.After = &reviews.Cursor{At: last.CreatedAt, ID: last.ID}
		}
		assertEqual(t, fmt.Sprintf("Reviews(%+v) walked", base), walked, want)
	}
}

func testModerateReview(t *testing.T, s storage.Store) {
	ctx := t.Context()
	r := Review("one", "ketamine", 4, At(0))
	insertReviews(t, s, r)

	approved := moderated(r, reviews.StateApproved, "", At(time.Hour))
	must(t, s.ModerateReview(ctx, approved, reviews.StatePending), "ModerateReview")
	got, err := s.Review(ctx, r.ID)
	must(t, err, "Review")
	assertEqual(t, "the approved review", got, approved)

	// A second moderator who read it while pending: refused, nothing changed.
	stale := moderated(r, reviews.StateRejected, "spam", At(2*time.Hour))
	wantCode(t, s.ModerateReview(ctx, stale, reviews.StatePending), cms.CodeConflict, "ModerateReview from a state it left")
	got, err = s.Review(ctx, r.ID)
	must(t, err, "Review")
	assertEqual(t, "the review after a refused moderation", got, approved)

	// Rejecting it from approved is allowed.
	rejected := moderated(r, reviews.StateRejected, "spam after all", At(3*time.Hour))
	must(t, s.ModerateReview(ctx, rejected, reviews.StateApproved), "ModerateReview")
	got, err = s.Review(ctx, r.ID)
	must(t, err, "Review")
	assertEqual(t, "the rejected review", got, rejected)
}

func testApprovedRatings(t *testing.T, s storage.Store) {
	got, err := s.ApprovedRatings(t.Context())
	must(t, err, "ApprovedRatings")
	if len(got) != 0 {
		t.Fatalf("ApprovedRatings of an empty store: %v", got)
	}
	all := reviewFixture(t, s)
	var want []reviews.SlugRating
	for _, r := range all {
		if r.State == reviews.StateApproved {
			want = append(want, reviews.SlugRating{Slug: r.Slug, Rating: r.Rating})
		}
	}
	got, err = s.ApprovedRatings(t.Context())
	must(t, err, "ApprovedRatings")
	order := func(a, b reviews.SlugRating) int {
		return cmp.Or(cmp.Compare(a.Slug, b.Slug), cmp.Compare(a.Rating, b.Rating))
	}
	slices.SortFunc(got, order)
	slices.SortFunc(want, order)
	assertEqual(t, "ApprovedRatings (sorted)", got, want)
}

func testSlugLive(t *testing.T, s storage.Store) {
	MustPublish(t, s, MustCreate(t, s, "live", "Live", At(0)), At(time.Minute))
	MustCreate(t, s, "draft", "Draft", At(0))
	MustSchedule(t, s, MustCreate(t, s, "scheduled", "Scheduled", At(0)), At(time.Hour), At(0))
	MustUnpublish(t, s, MustPublish(t, s, MustCreate(t, s, "unpublished", "Unpublished", At(0)), At(time.Minute)), "withdrawn", At(2*time.Minute))
	liveDraft := MustPublish(t, s, MustCreate(t, s, "live-draft", "Live draft", At(0)), At(time.Minute))
	MustSave(t, s, liveDraft, Content("Live draft v2"), At(2*time.Minute))
	for slug, want := range map[string]bool{
		"live": true, "live-draft": true, "draft": false, "scheduled": false, "unpublished": false, "unknown": false,
	} {
		got, err := s.SlugLive(t.Context(), slug)
		must(t, err, "SlugLive")
		if got != want {
			t.Errorf("SlugLive(%q) = %v, want %v", slug, got, want)
		}
	}
}

func testConcurrentModeration(t *testing.T, s storage.Store) {
	r := Review("one", "ketamine", 4, At(0))
	insertReviews(t, s, r)
	decisions := make([]reviews.Review, racers)
	for i := range decisions {
		state := []reviews.State{reviews.StateApproved, reviews.StateRejected}[i%2]
		decisions[i] = moderated(r, state, fmt.Sprintf("moderator %d", i), At(time.Duration(i+1)*time.Minute))
	}
	w := oneWinner(t, race(racers, func(i int) error {
		return s.ModerateReview(t.Context(), decisions[i], reviews.StatePending)
	}), cms.CodeConflict)
	got, err := s.Review(t.Context(), r.ID)
	must(t, err, "Review")
	assertEqual(t, "the review after concurrent moderations", got, decisions[w])
}
