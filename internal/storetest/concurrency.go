package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/storage"
)

// racers is how many goroutines race for one change.
const racers = 16

func concurrencyTests() []test {
	return []test{
		{name: "ConcurrentSavesHaveOneWinnerPerVersion", concurrent: true, run: testConcurrentSaves},
		{name: "ConcurrentCreatesOfOneSlugHaveOneWinner", concurrent: true, run: testConcurrentCreates},
		{name: "ConcurrentPublicationsTakeDistinctChangeSeqs", concurrent: true, run: testConcurrentPublications},
	}
}

// race runs fn(i) for i in [0, n) in n goroutines released at once, and returns their
// errors.
func race(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = fn(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// oneWinner checks that exactly one of errs is nil and every other carries loserCode, and
// returns the winner's index.
func oneWinner(tb testing.TB, errs []error, loserCode cms.Code) int {
	tb.Helper()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			tb.Fatalf("racers %d and %d both succeeded", winner, i)
		case err == nil:
			winner = i
		case !cms.IsCode(err, loserCode):
			tb.Fatalf("racer %d lost with %v (code %q), want code %q", i, err, cms.ErrorCode(err), loserCode)
		}
	}
	if winner < 0 {
		tb.Fatalf("no racer succeeded: %v", errs[0])
	}
	return winner
}

func testConcurrentSaves(t *testing.T, s storage.Store) {
	ctx := t.Context()
	p := MustCreate(t, s, "ketamine", "Ketamine", At(0))
	events := chain(t, s, p)
	const rounds = 4
	for round := range rounds {
		read := MustPage(t, s, p.ID)
		at := At(time.Duration(round+1) * time.Minute)
		chs := make([]*editorial.Change, racers)
		for i := range chs {
			chs[i] = SaveChange(t, read, Content(fmt.Sprintf("Ketamine round %d writer %d", round, i)), at)
		}
		w := oneWinner(t, race(racers, func(i int) error { return s.Commit(ctx, chs[i]) }), cms.CodeVersionConflict)

		got := MustPage(t, s, p.ID)
		assertEqual(t, fmt.Sprintf("round %d: the page", round), got, chs[w].Page)
		n := read.Workflow.Revision + 1
		rev, err := s.Revision(ctx, p.ID, n)
		must(t, err, "Revision")
		assertEqual(t, fmt.Sprintf("round %d: revision %d", round, n),
			withoutWriteIDs([]editorial.Revision{rev}), withoutWriteIDs(chs[w].Revisions))
		events = append(events, chs[w].Events...)
		assertEqual(t, fmt.Sprintf("round %d: the audit chain", round), chain(t, s, got), events)
	}
	sums, err := s.RevisionSummaries(ctx, p.ID)
	must(t, err, "RevisionSummaries")
	if len(sums) != rounds+1 {
		t.Errorf("got %d revisions after %d contested saves, want %d", len(sums), rounds, rounds+1)
	}
}

func testConcurrentCreates(t *testing.T, s storage.Store) {
	chs := make([]*editorial.Change, racers)
	for i := range chs {
		chs[i] = NewPage(t, ID(fmt.Sprintf("page/racer-%d", i)), "ketamine", Content("Ketamine"), At(0))
	}
	w := oneWinner(t, race(racers, func(i int) error { return s.Commit(t.Context(), chs[i]) }), cms.CodeSlugTaken)

	got, err := s.AllPageIDs(t.Context())
	must(t, err, "AllPageIDs")
	assertEqual(t, "AllPageIDs", got, []string{chs[w].Page.ID})
	assertEqual(t, "the winner's page", MustPage(t, s, chs[w].Page.ID), chs[w].Page)
	evs, err := s.AuditEvents(t.Context(), editorial.AuditFilter{Limit: everything})
	must(t, err, "AuditEvents")
	assertEqual(t, "every audit event", evs, chs[w].Events)
}

func testConcurrentPublications(t *testing.T, s storage.Store) {
	const pages = 8
	chs := make([]*editorial.Change, pages)
	for i := range chs {
		p := MustCreate(t, s, fmt.Sprintf("page-%d", i), fmt.Sprintf("Drug %d", i), At(0))
		chs[i] = PublishChange(t, p, At(time.Minute))
	}
	seq0 := changeSeq(t, s)
	for i, err := range race(pages, func(i int) error { return s.Commit(t.Context(), chs[i]) }) {
		must(t, err, fmt.Sprintf("publication %d", i))
	}

	seen := map[int64]int{}
	var last int64
	for i, ch := range chs {
		if j, dup := seen[ch.Page.LiveSeq]; dup {
			t.Errorf("publications %d and %d both took change seq %d", j, i, ch.Page.LiveSeq)
		}
		seen[ch.Page.LiveSeq] = i
		if ch.Page.LiveSeq <= seq0 || ch.Live.Seq != ch.Page.LiveSeq {
			t.Errorf("publication %d: LiveSeq %d, Live.Seq %d; want equal and above %d", i, ch.Page.LiveSeq, ch.Live.Seq, seq0)
		}
		last = max(last, ch.Page.LiveSeq)
		lp, err := s.LiveSnapshot(t.Context(), ch.Page.ID)
		must(t, err, "LiveSnapshot")
		assertEqual(t, fmt.Sprintf("LiveSnapshot of page %d", i), lp, ch.Page.LivePage(ch.Live))
	}
	if seq := changeSeq(t, s); seq != last {
		t.Errorf("ChangeSeq after %d concurrent publications: got %d, want the highest LiveSeq %d", pages, seq, last)
	}
}
