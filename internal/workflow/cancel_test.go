package workflow_test

import (
	"testing"

	"github.com/monograph-cms/monograph/internal/cms"
	wf "github.com/monograph-cms/monograph/internal/workflow"
)

func TestCancelSchedule(t *testing.T) {
	f := mustFlowIn(t, wf.StateScheduled)
	at := f.p.ScheduledAt.UTC()
	ev := f.do(wf.CancelSchedule{Actor: editor})
	if f.p.State != wf.StateApproved || f.p.ScheduledAt != nil || f.p.ScheduledBy != nil {
		t.Fatalf("after cancel: state %s, scheduledAt %v, scheduledBy %v; want approved and no schedule", f.p.State, f.p.ScheduledAt, f.p.ScheduledBy)
	}
	if f.p.Approval == nil || f.p.Approval.Revision != 1 {
		t.Fatalf("the approval must stand: %+v", f.p.Approval)
	}
	if ev.Action != wf.ActionScheduleCancelled || ev.Actor != editor.UserID || ev.Revision != 1 {
		t.Fatalf("event = %+v", ev)
	}
	if ev.Data["reason"] != "cancelled by Ed Editor" || ev.Data["scheduledAt"] != at.Format("2006-01-02T15:04:05Z07:00") {
		t.Fatalf("event data = %v", ev.Data)
	}
	// Publishing again needs no new review.
	f.do(wf.Publish{Actor: editor})
	if f.p.State != wf.StatePublished {
		t.Fatalf("publish after cancel: %s", f.p.State)
	}
}

func TestCancelScheduleRefused(t *testing.T) {
	for _, s := range []wf.State{wf.StateDraft, wf.StateInReview, wf.StateChangesRequested, wf.StateApproved, wf.StatePublished} {
		t.Run(string(s), func(t *testing.T) {
			f := mustFlowIn(t, s)
			e := f.fail(wf.CancelSchedule{Actor: editor}, cms.CodeInvalidState)
			if e.Data["state"] != string(s) {
				t.Fatalf("data = %v", e.Data)
			}
		})
	}
	f := mustFlowIn(t, wf.StateScheduled)
	f.fail(wf.CancelSchedule{}, cms.CodeUnauthorized)
}
