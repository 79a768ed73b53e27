package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/storage"
	"github.com/monograph-cms/monograph/internal/workflow"
)

func jobTests() []test {
	return []test{
		{name: "ScheduledDueReturnsScheduledPagesAtOrBeforeNow", run: testScheduledDue},
		{name: "ReviewDueReturnsLivePagesDueBeforeNow", run: testReviewDue},
		{name: "ReviewDueSkipsPagesNotifiedForThatDueDate", run: testReviewDueNotified},
	}
}

// dueIDs returns the sorted ids of pages.
func dueIDs(pages []editorial.Page) []string {
	out := ids(pages, pageID)
	slices.Sort(out)
	return out
}

func testScheduledDue(t *testing.T, s storage.Store) {
	early := MustSchedule(t, s, MustCreate(t, s, "early", "Early", At(0)), At(time.Hour), At(0))
	onTime := MustSchedule(t, s, MustCreate(t, s, "on-time", "On time", At(0)), At(2*time.Hour), At(0))
	MustSchedule(t, s, MustCreate(t, s, "future", "Future", At(0)), At(3*time.Hour), At(0))
	MustPublish(t, s, MustCreate(t, s, "published", "Published", At(0)), At(0))
	MustCreate(t, s, "draft", "Draft", At(0))
	// A schedule cancelled by a save (back to draft) is not due.
	cancelled := MustSchedule(t, s, MustCreate(t, s, "cancelled", "Cancelled", At(0)), At(time.Hour), At(0))
	MustSave(t, s, cancelled, Content("Cancelled v2"), At(time.Minute))

	got, err := s.ScheduledDue(t.Context(), At(2*time.Hour))
	must(t, err, "ScheduledDue")
	assertEqual(t, "ScheduledDue at the second schedule's time (ids)", dueIDs(got), dueIDs([]editorial.Page{early, onTime}))
	for _, p := range got {
		if p.Workflow.State != workflow.StateScheduled || p.Workflow.ScheduledAt == nil {
			t.Errorf("ScheduledDue returned page %s in state %s, scheduled at %v", p.Slug, p.Workflow.State, p.Workflow.ScheduledAt)
		}
	}
	none, err := s.ScheduledDue(t.Context(), At(time.Hour-time.Millisecond))
	must(t, err, "ScheduledDue")
	if len(none) != 0 {
		t.Errorf("ScheduledDue before every schedule: got %v", ids(none, pageID))
	}
}

func testReviewDue(t *testing.T, s storage.Store) {
	// Published at At(0), their next review is due a year later (Approve's default).
	overdue := MustPublish(t, s, MustCreate(t, s, "overdue", "Overdue", At(0)), At(0))
	dueNow := MustPublish(t, s, MustCreate(t, s, "due-now", "Due now", At(0)), At(time.Millisecond))
	MustPublish(t, s, MustCreate(t, s, "later", "Later", At(0)), At(time.Hour))
	MustCreate(t, s, "draft", "Draft", At(0))
	MustUnpublish(t, s, MustPublish(t, s, MustCreate(t, s, "unpublished", "Unpublished", At(0)), At(0)), "withdrawn", At(time.Minute))
	// Live at revision 1 while the working copy is a draft: the live approval counts.
	liveDraft := MustPublish(t, s, MustCreate(t, s, "live-draft", "Live draft", At(0)), At(0))
	liveDraft = MustSave(t, s, liveDraft, Content("Live draft v2"), At(time.Minute))

	due := overdue.Workflow.Live.Approval.NextReviewDue
	now := dueNow.Workflow.Live.Approval.NextReviewDue // one millisecond after due
	got, err := s.ReviewDue(t.Context(), now)
	must(t, err, "ReviewDue")
	assertEqual(t, "ReviewDue (ids)", dueIDs(got), dueIDs([]editorial.Page{overdue, liveDraft}))
	none, err := s.ReviewDue(t.Context(), due)
	must(t, err, "ReviewDue")
	if len(none) != 0 {
		t.Errorf("ReviewDue at the earliest due date itself: got %v, want none (due before now only)", ids(none, pageID))
	}
}

// notifyReviewDue commits what the service's NotifyReviewDue commits for p: the due date
// notified, the outbox event and the audit event, at p's version.
func notifyReviewDue(tb testing.TB, s storage.Store, p editorial.Page, at time.Time) editorial.Page {
	tb.Helper()
	ch := Next(p)
	ch.Page.Version = p.Version
	dueAt := p.Workflow.Live.Approval.NextReviewDue
	ch.Page.ReviewDueNotified = &dueAt
	ch.Outbox = append(ch.Outbox, OutboxEvent(ch.Page, editorial.EventReviewDue, p.Workflow.Live.Revision, at))
	LinkEvent(ch, workflow.Event{Action: "review_due", Actor: workflow.SystemActor, Revision: p.Workflow.Live.Revision,
		Data: map[string]any{"nextReviewDue": dueAt.Format(time.RFC3339)}}, "Scheduler", at)
	return MustCommit(tb, s, ch)
}

func testReviewDueNotified(t *testing.T, s storage.Store) {
	a := MustPublish(t, s, MustCreate(t, s, "a", "Drug A", At(0)), At(0))
	b := MustPublish(t, s, MustCreate(t, s, "b", "Drug B", At(0)), At(0))
	due := a.Workflow.Live.Approval.NextReviewDue
	now := due.Add(time.Hour)

	a = notifyReviewDue(t, s, a, now)
	got, err := s.ReviewDue(t.Context(), now)
	must(t, err, "ReviewDue")
	assertEqual(t, "ReviewDue after notifying one page", ids(got, pageID), []string{b.ID})

	// Reviewed and published again: a new due date, not yet notified, even though the page
	// still records the notification of the old one.
	ch := PublishChange(t, a, now)
	ch.Page.ReviewDueNotified = &due
	a = MustCommit(t, s, ch)
	newDue := a.Workflow.Live.Approval.NextReviewDue
	if !newDue.After(due) {
		t.Fatalf("fixture: the new due date %v is not after %v", newDue, due)
	}
	got, err = s.ReviewDue(t.Context(), now)
	must(t, err, "ReviewDue")
	assertEqual(t, "ReviewDue before the new due date", ids(got, pageID), []string{b.ID})
	got, err = s.ReviewDue(t.Context(), newDue.Add(time.Millisecond))
	must(t, err, "ReviewDue")
	assertEqual(t, "ReviewDue after the new due date (ids)", dueIDs(got), dueIDs([]editorial.Page{a, b}))
}
