package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/content"
	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/storage"
	"github.com/monograph-cms/monograph/internal/workflow"
)

func pageReadTests() []test {
	return []test{
		{name: "PageByIDOfUnknownPageIsNotFound", run: testPageByIDNotFound},
		{name: "PageStateIsThePageWithoutItsContent", run: testPageState},
		{name: "ListPagesIsNewestUpdateFirst", run: testListNewestFirst},
		{name: "ListPagesCursorIsStrictlyAfter", run: testListCursorStrict},
		{name: "ListPagesCursorWalksEveryPageOnce", run: testListCursorWalk},
		{name: "ListPagesHonoursLimit", run: testListLimit},
		{name: "ListPagesFiltersByState", run: testListState},
		{name: "ListPagesReviewOverdueAgainstNow", run: testListReviewOverdue},
		{name: "ListPagesReturnsSummariesWithoutBodies", run: testListSummaries},
		{name: "ListPagesIgnoresQuery", run: testListIgnoresQuery},
		{name: "PageSummariesLeavesOutUnknownIDs", run: testPageSummaries},
		{name: "AllPageIDsInIDOrder", run: testAllPageIDs},
		{name: "SlugTakenOnlyForStoredSlugs", run: testSlugTaken},
	}
}

func testPageByIDNotFound(t *testing.T, s storage.Store) {
	MustCreate(t, s, "ketamine", "Ketamine", At(0))
	_, err := s.PageByID(t.Context(), ID("page/unknown"))
	wantCode(t, err, cms.CodeNotFound, "PageByID of an unknown page")
}

func testPageState(t *testing.T, s storage.Store) {
	p := MustCreate(t, s, "ketamine", "Ketamine", At(0))
	p = MustSave(t, s, p, Content("Ketamine, edited"), At(time.Minute))
	got, err := s.PageState(t.Context(), p.ID)
	must(t, err, "PageState")
	want := p
	want.Content = content.Content{}
	assertEqual(t, "PageState", got, want)
	_, err = s.PageState(t.Context(), ID("page/unknown"))
	wantCode(t, err, cms.CodeNotFound, "PageState of an unknown page")
}

// listed returns ListPages' answer as page ids.
func listed(tb testing.TB, s storage.Store, f editorial.ListFilter) []string {
	tb.Helper()
	pages, err := s.ListPages(tb.Context(), f)
	must(tb, err, "ListPages")
	return ids(pages, pageID)
}

// newestUpdateFirst returns the ids of pages in ListPages' order: (UpdatedAt, ID) descending.
func newestUpdateFirst(pages []editorial.Page) []string {
	sorted := slices.Clone(pages)
	slices.SortFunc(sorted, func(a, b editorial.Page) int { return newestFirst(a.UpdatedAt, a.ID, b.UpdatedAt, b.ID) })
	return ids(sorted, pageID)
}

// createMany creates pages page-0 … page-(n-1), page i updated at at(i).
func createMany(tb testing.TB, s storage.Store, n int, at func(i int) time.Time) []editorial.Page {
	tb.Helper()
	pages := make([]editorial.Page, n)
	for i := range pages {
		pages[i] = MustCreate(tb, s, fmt.Sprintf("page-%d", i), fmt.Sprintf("Drug %d", i), at(i))
	}
	return pages
}

func testListNewestFirst(t *testing.T, s storage.Store) {
	minutes := []int{3, 1, 4, 2}
	pages := createMany(t, s, len(minutes), func(i int) time.Time { return At(time.Duration(minutes[i]) * time.Minute) })
	// A later save moves a page to the front.
	pages[1] = MustSave(t, s, pages[1], Content("Drug 1 revised"), At(10*time.Minute))
	want := []string{pages[1].ID, pages[2].ID, pages[0].ID, pages[3].ID}
	assertEqual(t, "ListPages order", listed(t, s, editorial.ListFilter{Limit: 100}), want)
}

func testListCursorStrict(t *testing.T, s storage.Store) {
	pages := createMany(t, s, 4, func(i int) time.Time { return At(time.Duration(i) * time.Minute) })
	all := newestUpdateFirst(pages)
	for i, p := range pages {
		f := editorial.ListFilter{Limit: 100, AfterTime: &p.UpdatedAt, AfterID: p.ID}
		at := slices.Index(all, p.ID)
		assertEqual(t, fmt.Sprintf("ListPages after page %d", i), listed(t, s, f), all[at+1:])
	}
}

func testListCursorWalk(t *testing.T, s storage.Store) {
	// Seven pages, several updated at the same instant: the cursor's id breaks the ties.
	minutes := []int{1, 2, 2, 2, 3, 3, 0}
	pages := createMany(t, s, len(minutes), func(i int) time.Time { return At(time.Duration(minutes[i]) * time.Minute) })
	want := newestUpdateFirst(pages)
	assertEqual(t, "ListPages order with ties", listed(t, s, editorial.ListFilter{Limit: 100}), want)

	var walked []string
	f := editorial.ListFilter{Limit: 2}
	for range len(pages) + 1 {
		batch, err := s.ListPages(t.Context(), f)
		must(t, err, "ListPages")
		if len(batch) == 0 {
			break
		}
		walked = append(walked, ids(batch, pageID)...)
		last := batch[len(batch)-1]
		f.AfterTime, f.AfterID = &last.UpdatedAt, last.ID
	}
	assertEqual(t, "pages walked two at a time", walked, want)
}

func testListLimit(t *testing.T, s storage.Store) {
	pages := createMany(t, s, 5, func(i int) time.Time { return At(time.Duration(i) * time.Minute) })
	want := newestUpdateFirst(pages)
	for _, limit := range []int{1, 3, 5, 10} {
		assertEqual(t, fmt.Sprintf("ListPages with limit %d", limit), listed(t, s, editorial.ListFilter{Limit: limit}), want[:min(limit, len(want))])
	}
}

func testListState(t *testing.T, s storage.Store) {
	draft := MustCreate(t, s, "draft", "Draft", At(0))
	inReview := MustCreate(t, s, "in-review", "In review", At(time.Minute))
	ch := Next(inReview)
	Submit(t, ch, At(2*time.Minute))
	inReview = MustCommit(t, s, ch)
	published := MustPublish(t, s, MustCreate(t, s, "published", "Published", At(3*time.Minute)), At(4*time.Minute))
	republished := MustPublish(t, s, MustCreate(t, s, "published-2", "Published 2", At(5*time.Minute)), At(6*time.Minute))

	cases := []struct {
		state workflow.State
		want  []editorial.Page
	}{
		{workflow.StateDraft, []editorial.Page{draft}},
		{workflow.StateInReview, []editorial.Page{inReview}},
		{workflow.StatePublished, []editorial.Page{republished, published}},
		{workflow.StateApproved, nil},
		{"", []editorial.Page{republished, published, inReview, draft}},
	}
	for _, tc := range cases {
		got := listed(t, s, editorial.ListFilter{State: string(tc.state), Limit: 100})
		assertEqual(t, fmt.Sprintf("ListPages in state %q", tc.state), got, ids(tc.want, pageID))
	}
}

func testListReviewOverdue(t *testing.T, s storage.Store) {
	// Published at At(0), their next review is due a year later (Approve's default).
	overdue := MustPublish(t, s, MustCreate(t, s, "overdue", "Overdue", At(0)), At(0))
	dueAtNow := MustPublish(t, s, MustCreate(t, s, "due-now", "Due now", At(0)), At(time.Millisecond))
	later := MustPublish(t, s, MustCreate(t, s, "later", "Later", At(0)), At(time.Hour))
	MustCreate(t, s, "draft", "Draft", At(0))
	MustUnpublish(t, s, MustPublish(t, s, MustCreate(t, s, "unpublished", "Unpublished", At(0)), At(0)), "withdrawn", At(time.Minute))
	due := overdue.Workflow.Live.Approval.NextReviewDue
	if !dueAtNow.Workflow.Live.Approval.NextReviewDue.Equal(due.Add(time.Millisecond)) {
		t.Fatalf("fixture: due dates %v and %v", due, dueAtNow.Workflow.Live.Approval.NextReviewDue)
	}
	now := due.Add(time.Millisecond) // overdue is past due; dueAtNow is due exactly now, not before

	assertEqual(t, "ListPages(ReviewOverdue) at the due date's next millisecond",
		listed(t, s, editorial.ListFilter{ReviewOverdue: true, Now: now, Limit: 100}), []string{overdue.ID})
	assertEqual(t, "ListPages(ReviewOverdue) before any due date",
		listed(t, s, editorial.ListFilter{ReviewOverdue: true, Now: At(0), Limit: 100}), []string{})
	farLater := later.Workflow.Live.Approval.NextReviewDue.Add(time.Millisecond)
	assertEqual(t, "ListPages(ReviewOverdue) after every due date",
		listed(t, s, editorial.ListFilter{ReviewOverdue: true, Now: farLater, Limit: 100}),
		newestUpdateFirst([]editorial.Page{overdue, dueAtNow, later}))
}

func testListSummaries(t *testing.T, s storage.Store) {
	a := MustCreate(t, s, "ketamine", "Ketamine", At(0))
	b := MustPublish(t, s, MustCreate(t, s, "ibuprofen", "Ibuprofen", At(0)), At(time.Minute))
	pages, err := s.ListPages(t.Context(), editorial.ListFilter{Limit: 100})
	must(t, err, "ListPages")
	assertEqual(t, "ListPages", pages, []editorial.Page{b.Summary(), a.Summary()})
	for _, p := range pages {
		if len(p.Content.Sections) > 0 || len(p.Content.ClinicalUses) > 0 || len(p.Content.References) > 0 {
			t.Errorf("ListPages returned page %s with its long content fields", p.Slug)
		}
	}
}

func testListIgnoresQuery(t *testing.T, s storage.Store) {
	pages := createMany(t, s, 3, func(i int) time.Time { return At(time.Duration(i) * time.Minute) })
	assertEqual(t, "ListPages with a Query", listed(t, s, editorial.ListFilter{Query: "zzzz unrelated", Limit: 100}), newestUpdateFirst(pages))
}

func testPageSummaries(t *testing.T, s storage.Store) {
	ctx := t.Context()
	a := MustCreate(t, s, "ketamine", "Ketamine", At(0))
	b := MustPublish(t, s, MustCreate(t, s, "ibuprofen", "Ibuprofen", At(0)), At(time.Minute))
	MustCreate(t, s, "paracetamol", "Paracetamol", At(0))

	got, err := s.PageSummaries(ctx, []string{b.ID, ID("page/unknown"), a.ID})
	must(t, err, "PageSummaries")
	assertEqual(t, "PageSummaries (ordered by id)", sortedByID(got), sortedByID(summaries([]editorial.Page{a, b})))
	none, err := s.PageSummaries(ctx, nil)
	must(t, err, "PageSummaries of no ids")
	if len(none) != 0 {
		t.Errorf("PageSummaries of no ids: got %d pages", len(none))
	}
}

func testAllPageIDs(t *testing.T, s storage.Store) {
	got, err := s.AllPageIDs(t.Context())
	must(t, err, "AllPageIDs")
	if len(got) != 0 {
		t.Fatalf("AllPageIDs of an empty store: got %v", got)
	}
	pages := createMany(t, s, 6, func(i int) time.Time { return At(time.Duration(i) * time.Minute) })
	want := ids(pages, pageID)
	slices.Sort(want)
	got, err = s.AllPageIDs(t.Context())
	must(t, err, "AllPageIDs")
	assertEqual(t, "AllPageIDs", got, want)
}

func testSlugTaken(t *testing.T, s storage.Store) {
	MustCreate(t, s, "ketamine", "Ketamine", At(0))
	for slug, want := range map[string]bool{"ketamine": true, "ketamin": false, "ketamine-2": false, "": false} {
		got, err := s.SlugTaken(t.Context(), slug)
		must(t, err, "SlugTaken")
		if got != want {
			t.Errorf("SlugTaken(%q) = %v, want %v", slug, got, want)
		}
	}
}
