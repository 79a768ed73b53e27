package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/storage"
	"github.com/monograph-cms/monograph/internal/workflow"
)

func historyTests() []test {
	return []test{
		{name: "RevisionSummariesAreOldestFirst", run: testRevisionSummaries},
		{name: "RevisionReturnsContent", run: testRevision},
		{name: "RevisionOfUnknownNumberOrPageIsNotFound", run: testRevisionNotFound},
		{name: "RevisionsAreOldestFirstWithContent", run: testRevisions},
		{name: "AuditEventsOfOnePageAreWholeChainInSeqOrder", run: testAuditWholeChain},
		{name: "AuditEventsFilteredAreNewestFirst", run: testAuditFilters},
		{name: "AuditEventsCursorWalksEveryEventOnce", run: testAuditCursorWalk},
	}
}

// history makes a page with three revisions (the second by a save whose note is set), and
// returns the page as stored and its revisions.
func history(tb testing.TB, s storage.Store) (editorial.Page, []editorial.Revision) {
	tb.Helper()
	create := NewPage(tb, ID("page/ketamine"), "ketamine", Content("Ketamine"), At(0))
	p := MustCommit(tb, s, create)
	revs := slices.Clone(create.Revisions)
	for n := 2; n <= 3; n++ {
		ch := SaveChange(tb, p, Content(fmt.Sprintf("Ketamine v%d", n)), At(time.Duration(n)*time.Minute))
		ch.Revisions[0].Note = fmt.Sprintf("note of revision %d", n)
		p = MustCommit(tb, s, ch)
		revs = append(revs, ch.Revisions...)
	}
	return p, revs
}

func testRevisionSummaries(t *testing.T, s storage.Store) {
	p, revs := history(t, s)
	MustCreate(t, s, "other", "Other", At(0))
	got, err := s.RevisionSummaries(t.Context(), p.ID)
	must(t, err, "RevisionSummaries")
	want := make([]editorial.RevisionSummary, len(revs))
	for i, r := range revs {
		want[i] = editorial.RevisionSummary{Number: r.Number, Author: r.Author, CreatedAt: r.CreatedAt, ContentHash: r.ContentHash, Note: r.Note}
	}
	assertEqual(t, "RevisionSummaries", got, want)
}

func testRevision(t *testing.T, s storage.Store) {
	p, revs := history(t, s)
	for _, r := range revs {
		got, err := s.Revision(t.Context(), p.ID, r.Number)
		must(t, err, "Revision")
		assertEqual(t, fmt.Sprintf("Revision %d", r.Number), withoutWriteIDs([]editorial.Revision{got}), withoutWriteIDs([]editorial.Revision{r}))
	}
}

func testRevisionNotFound(t *testing.T, s storage.Store) {
	p, _ := history(t, s)
	for _, tc := range []struct {
		id string
		n  int
	}{{p.ID, 4}, {p.ID, 0}, {ID("page/unknown"), 1}} {
		_, err := s.Revision(t.Context(), tc.id, tc.n)
		wantCode(t, err, cms.CodeNotFound, fmt.Sprintf("Revision(%s, %d)", tc.id, tc.n))
	}
}

func testRevisions(t *testing.T, s storage.Store) {
	p, revs := history(t, s)
	MustCreate(t, s, "other", "Other", At(0))
	got, err := s.Revisions(t.Context(), p.ID)
	must(t, err, "Revisions")
	assertEqual(t, "Revisions", withoutWriteIDs(got), withoutWriteIDs(revs))
}

func testAuditWholeChain(t *testing.T, s storage.Store) {
	create := NewPage(t, ID("page/ketamine"), "ketamine", Content("Ketamine"), At(0))
	p := MustCommit(t, s, create)
	events := slices.Clone(create.Events)
	for _, ch := range []func(editorial.Page) *editorial.Change{
		func(p editorial.Page) *editorial.Change {
			return SaveChange(t, p, Content("Ketamine v2"), At(time.Minute))
		},
		func(p editorial.Page) *editorial.Change { return PublishChange(t, p, At(2*time.Minute)) },
		func(p editorial.Page) *editorial.Change { return UnpublishChange(t, p, "withdrawn", At(3*time.Minute)) },
	} {
		c := ch(p)
		p = MustCommit(t, s, c)
		events = append(events, c.Events...)
	}
	MustPublish(t, s, MustCreate(t, s, "other", "Other", At(0)), At(time.Minute))
	if len(events) != 6 {
		t.Fatalf("fixture: %d events", len(events))
	}
	assertEqual(t, "AuditEvents of one page", chain(t, s, p), events)
}

// auditFixture makes two pages with events by three people at distinct and equal times,
// and returns every event.
func auditFixture(tb testing.TB, s storage.Store) []editorial.AuditEvent {
	tb.Helper()
	var all []editorial.AuditEvent
	commit := func(ch *editorial.Change) editorial.Page {
		p := MustCommit(tb, s, ch)
		all = append(all, ch.Events...)
		return p
	}
	a := commit(NewPage(tb, ID("page/ketamine"), "ketamine", Content("Ketamine"), At(0)))
	b := commit(NewPage(tb, ID("page/ibuprofen"), "ibuprofen", Content("Ibuprofen"), At(0)))
	a = commit(SaveChange(tb, a, Content("Ketamine v2"), At(time.Minute)))
	b = commit(PublishChange(tb, b, At(time.Minute))) // submit, approve, publish at one instant
	a = commit(PublishChange(tb, a, At(2*time.Minute)))
	commit(SaveChange(tb, b, Content("Ibuprofen v2"), At(3*time.Minute)))
	ch := Next(a)
	ch.Page.Version = a.Version
	LinkEvent(ch, workflow.Event{Action: workflow.ActionAccessDenied, Actor: Writer.UserID, Revision: 2,
		Data: map[string]any{"attempted": "approve"}}, Writer.Name, At(3*time.Minute))
	commit(ch)
	return all
}

// newestEventsFirst returns the events matching keep, ordered by (At, ID) descending.
func newestEventsFirst(all []editorial.AuditEvent, keep func(editorial.AuditEvent) bool) []editorial.AuditEvent {
	var out []editorial.AuditEvent
	for _, e := range all {
		if keep(e) {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b editorial.AuditEvent) int { return newestFirst(a.At, a.ID, b.At, b.ID) })
	return out
}

func testAuditFilters(t *testing.T, s storage.Store) {
	all := auditFixture(t, s)
	a := ID("page/ketamine")
	cases := []struct {
		name string
		f    editorial.AuditFilter
		keep func(editorial.AuditEvent) bool
	}{
		{"Everything", editorial.AuditFilter{Limit: 100}, func(editorial.AuditEvent) bool { return true }},
		{"ByActor", editorial.AuditFilter{Actor: Reviewer.UserID, Limit: 100}, func(e editorial.AuditEvent) bool { return e.Actor == Reviewer.UserID }},
		{"ByAction", editorial.AuditFilter{Action: "save", Limit: 100}, func(e editorial.AuditEvent) bool { return e.Action == "save" }},
		{"ByActorAndAction", editorial.AuditFilter{Actor: Writer.UserID, Action: "submit", Limit: 100},
			func(e editorial.AuditEvent) bool { return e.Actor == Writer.UserID && e.Action == "submit" }},
		{"ByPageWithLimit", editorial.AuditFilter{PageID: a, Limit: 100}, func(e editorial.AuditEvent) bool { return e.PageID == a }},
		{"ByPageAndActor", editorial.AuditFilter{PageID: a, Actor: Writer.UserID, Limit: 100}, func(e editorial.AuditEvent) bool { return e.PageID == a && e.Actor == Writer.UserID }},
		{"NoMatch", editorial.AuditFilter{Actor: ID("user/nobody"), Limit: 100}, func(editorial.AuditEvent) bool { return false }},
		{"Limit", editorial.AuditFilter{Limit: 3}, func(editorial.AuditEvent) bool { return true }},
	}
	for _, tc := range cases {
		got, err := s.AuditEvents(t.Context(), tc.f)
		must(t, err, "AuditEvents")
		want := newestEventsFirst(all, tc.keep)
		if tc.f.Limit > 0 {
			want = want[:min(tc.f.Limit, len(want))]
		}
		assertEqual(t, "AuditEvents "+tc.name, got, want)
	}
}

func testAuditCursorWalk(t *testing.T, s storage.Store) {
	all := auditFixture(t, s)
	for _, tc := range []struct {
		name string
		f    editorial.AuditFilter
		keep func(editorial.AuditEvent) bool
	}{
		{"Everything", editorial.AuditFilter{Limit: 3}, func(editorial.AuditEvent) bool { return true }},
		{"ByActor", editorial.AuditFilter{Actor: Writer.UserID, Limit: 2}, func(e editorial.AuditEvent) bool { return e.Actor == Writer.UserID }},
	} {
		want := newestEventsFirst(all, tc.keep)
		var walked []editorial.AuditEvent
		f := tc.f
		for range len(all) + 1 {
			batch, err := s.AuditEvents(t.Context(), f)
			must(t, err, "AuditEvents")
			if len(batch) == 0 {
				break
			}
			walked = append(walked, batch...)
			last := batch[len(batch)-1]
			f.BeforeAt, f.BeforeID = &last.At, last.ID
		}
		assertEqual(t, "AuditEvents walked "+tc.name, walked, want)
	}
	// The cursor is strict: from the newest event on, every other one.
	want := newestEventsFirst(all, func(editorial.AuditEvent) bool { return true })
	got, err := s.AuditEvents(t.Context(), editorial.AuditFilter{Limit: 100, BeforeAt: &want[0].At, BeforeID: want[0].ID})
	must(t, err, "AuditEvents")
	assertEqual(t, "AuditEvents before the newest", got, want[1:])
}
