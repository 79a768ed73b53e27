package storetest

import (
	"cmp"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/storage"
)

func liveTests() []test {
	return []test{
		{name: "EachLivePageWalksLiveAndUnpublishedPagesNeverDrafts", run: testEachLivePage},
		{name: "EachLivePageStopsAtFnError", run: testEachLivePageStops},
		{name: "LiveSnapshotOfNeverPublishedPageIsNotFound", run: testLiveSnapshotNotFound},
		{name: "ChangeSeqReadsWithoutChanging", run: testChangeSeqReads},
	}
}

func testEachLivePage(t *testing.T, s storage.Store) {
	if got := eachLive(t, s); len(got) != 0 {
		t.Fatalf("EachLivePage of an empty store: got %d pages", len(got))
	}
	MustCreate(t, s, "draft", "Draft", At(0))
	MustSchedule(t, s, MustCreate(t, s, "scheduled", "Scheduled", At(0)), At(time.Hour), At(0))
	var want []editorial.LivePage
	live := PublishChange(t, MustCreate(t, s, "live", "Live", At(0)), At(time.Minute))
	MustCommit(t, s, live)
	want = append(want, live.Page.LivePage(live.Live))
	// Live at revision 1, the working copy a draft of revision 2: delivery serves revision 1.
	liveDraft := PublishChange(t, MustCreate(t, s, "live-draft", "Live draft", At(0)), At(time.Minute))
	MustCommit(t, s, liveDraft)
	MustSave(t, s, liveDraft.Page, Content("Live draft v2"), At(2*time.Minute))
	want = append(want, liveDraft.Page.LivePage(liveDraft.Live))
	unpublished := UnpublishChange(t, MustPublish(t, s, MustCreate(t, s, "unpublished", "Unpublished", At(0)), At(time.Minute)),
		"withdrawn", At(2*time.Minute))
	MustCommit(t, s, unpublished)
	want = append(want, unpublished.Page.LivePage(nil))

	got := eachLive(t, s)
	want = sortLive(want)
	assertEqual(t, "EachLivePage", got, want)
	for _, lp := range want {
		one, err := s.LiveSnapshot(t.Context(), lp.ID)
		must(t, err, "LiveSnapshot")
		assertEqual(t, "LiveSnapshot of "+lp.Slug, one, lp)
	}
}

func sortLive(list []editorial.LivePage) []editorial.LivePage {
	out := slices.Clone(list)
	slices.SortFunc(out, func(a, b editorial.LivePage) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

func testEachLivePageStops(t *testing.T, s storage.Store) {
	for _, slug := range []string{"a", "b", "c"} {
		MustPublish(t, s, MustCreate(t, s, slug, "Drug "+slug, At(0)), At(time.Minute))
	}
	stop := errors.New("stop here")
	calls := 0
	err := s.EachLivePage(t.Context(), func(editorial.LivePage) error {
		calls++
		return stop
	})
	if !errors.Is(err, stop) {
		t.Errorf("EachLivePage with a failing fn: got %v, want fn's error", err)
	}
	if calls != 1 {
		t.Errorf("EachLivePage called fn %d times after its error, want once", calls)
	}
}

func testLiveSnapshotNotFound(t *testing.T, s storage.Store) {
	p := MustCreate(t, s, "draft", "Draft", At(0))
	MustSchedule(t, s, MustCreate(t, s, "scheduled", "Scheduled", At(0)), At(time.Hour), At(0))
	for _, id := range []string{p.ID, ID("page/scheduled"), ID("page/unknown")} {
		_, err := s.LiveSnapshot(t.Context(), id)
		wantCode(t, err, cms.CodeNotFound, "LiveSnapshot of a page never published")
	}
}

func testChangeSeqReads(t *testing.T, s storage.Store) {
	first := changeSeq(t, s)
	if first < 0 {
		t.Errorf("ChangeSeq of an empty store: %d", first)
	}
	if again := changeSeq(t, s); again != first {
		t.Errorf("ChangeSeq read twice: %d then %d", first, again)
	}
	p := MustPublish(t, s, MustCreate(t, s, "ketamine", "Ketamine", At(0)), At(time.Minute))
	for range 3 {
		if seq := changeSeq(t, s); seq != p.LiveSeq {
			t.Errorf("ChangeSeq after a publication: got %d, want its LiveSeq %d", seq, p.LiveSeq)
		}
	}
}
