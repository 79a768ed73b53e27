package e2e

import (
	"context"
	"net/url"
	"testing"
	"time"
)

// TestReviewCadence: a per-page review interval set by an editor applies at the next
// approval; when the review is due the page stays live, is flagged overdue in delivery,
// appears in ?reviewOverdue=true, and page.review_due is emitted once; the periodic
// re-review of the unchanged text renews the attestation.
func TestReviewCadence(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	tm := signIn(t, s)
	ctx := context.Background()

	p := tm.writer.Create(t, "cadence", Content("Cadence"))
	// Writers do not set the cadence; editors do.
	MustProblem(t, tm.writer.Do(t, "PATCH", pagesPath+"/"+p.ID, map[string]any{"reviewIntervalDays": 30}), 403, "forbidden", "")
	MustProblem(t, tm.editor.Do(t, "PATCH", pagesPath+"/"+p.ID, map[string]any{"reviewIntervalDays": 9999}), 400, "invalid", "reviewIntervalDays")
	MustStatus(t, tm.editor.Do(t, "PATCH", pagesPath+"/"+p.ID, map[string]any{"reviewIntervalDays": 30}), 200)
	p = tm.writer.MustAction(t, p.ID, "submit", nil)
	p = tm.reviewer.Approve(t, p)
	if got := p.Approval.NextReviewDue.Sub(p.Approval.SignedAt); got != 30*24*time.Hour {
		t.Fatalf("next review due %v after signing, want 30 days", got)
	}
	p = tm.editor.MustAction(t, p.ID, "publish", nil)

	overdueList := func() []map[string]any {
		var list struct {
			Data []map[string]any `json:"data"`
		}
		tm.reviewer.Do(t, "GET", pagesPath+"?reviewOverdue=true&"+url.Values{"q": {"cadence"}}.Encode(), nil).Decode(t, &list)
		return list.Data
	}
	if n := len(overdueList()); n != 0 {
		t.Fatalf("%d overdue pages before the due date", n)
	}
	if n, err := s.App.Pages.NotifyReviewDue(ctx); err != nil || n != 0 {
		t.Fatalf("review_due before the due date: %d, %v", n, err)
	}

	s.Clock.Advance(31 * 24 * time.Hour)
	tm = signIn(t, s) // a month later: the old sessions have expired
	if err := s.App.Delivery.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	var d deliveryPage
	r := deliver(t, s, "cadence")
	MustStatus(t, r, 200)
	r.Decode(t, &d)
	if !d.MedicalReview.Overdue {
		t.Fatal("delivery does not flag the overdue review")
	}
	if n := len(overdueList()); n != 1 {
		t.Fatalf("%d pages in ?reviewOverdue=true, want 1", n)
	}
	for round, want := range []int{1, 0, 0} {
		if n, err := s.App.Pages.NotifyReviewDue(ctx); err != nil || n != want {
			t.Fatalf("round %d: review_due emitted %d times (%v), want %d", round, n, err, want)
		}
	}
	dueEvents := 0
	for _, e := range tm.reviewer.Audit(t, p.ID) {
		if e.Action == "review_due" {
			dueEvents++
		}
	}
	if dueEvents != 1 {
		t.Fatalf("%d review_due events in the audit chain, want 1", dueEvents)
	}

	// The periodic re-review of the unchanged live text.
	p = tm.writer.MustAction(t, p.ID, "submit", map[string]any{"note": "periodic review"})
	p = tm.reviewer2.Approve(t, p)
	p = tm.editor.MustAction(t, p.ID, "publish", nil)
	if err := s.App.Delivery.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	r = deliver(t, s, "cadence")
	r.Decode(t, &d)
	if d.MedicalReview.Overdue || d.MedicalReview.Reviewer.Name != "Ravi Reviewer" || d.Revision != 1 {
		t.Fatalf("after re-review: %+v", d)
	}
	if n := len(overdueList()); n != 0 {
		t.Fatalf("%d overdue pages after the re-review", n)
	}
}
