package workflow_test

import (
	"strings"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
	wf "github.com/monograph-cms/monograph/internal/workflow"
)

func TestAvailable(t *testing.T) {
	const ok = cms.Code("") // allowed
	type want map[wf.Action]cms.Code
	tests := []struct {
		name  string
		page  func(t *testing.T) *flow
		asker wf.Asker
		// later moves the clock past the page's last step.
		later time.Duration
		want  want
	}{
		{
			name:  "draft, its writer",
			page:  func(t *testing.T) *flow { return mustFlowIn(t, wf.StateDraft) },
			asker: wf.Asker{Actor: writer},
			want: want{
				wf.ActionSave: ok, wf.ActionSubmit: ok, wf.ActionRequestChanges: cms.CodeForbidden, wf.ActionApprove: cms.CodeForbidden,
				wf.ActionPublish: cms.CodeApprovalMissing, wf.ActionSchedule: cms.CodeApprovalMissing,
				wf.ActionCancelSchedule: cms.CodeInvalidState, wf.ActionUnpublish: cms.CodeInvalidState,
			},
		},
		{
			name:  "draft with a blocking check",
			page:  func(t *testing.T) *flow { return mustFlowIn(t, wf.StateDraft) },
			asker: wf.Asker{Actor: writer, BlockingChecks: []string{"references_missing"}},
			want:  want{wf.ActionSubmit: cms.CodeCheckFailed},
		},
		{
			name:  "in review, another reviewer",
			page:  func(t *testing.T) *flow { return mustFlowIn(t, wf.StateInReview) },
			asker: wf.Asker{Actor: reviewer, LatestAuthor: writer.UserID},
			want: want{
				wf.ActionApprove: ok, wf.ActionRequestChanges: ok, wf.ActionSubmit: cms.CodeInvalidState,
				wf.ActionPublish: cms.CodeApprovalMissing,
			},
		},
		{
			name:  "in review, a reviewer whose password someone else chose",
			page:  func(t *testing.T) *flow { return mustFlowIn(t, wf.StateInReview) },
			asker: wf.Asker{Actor: reviewer, LatestAuthor: writer.UserID, PasswordChangeRequired: true},
			want:  want{wf.ActionApprove: cms.CodePasswordChangeRequired, wf.ActionRequestChanges: ok},
		},
		{
			name: "in review, a reviewer who wrote a revision this round",
			page: func(t *testing.T) *flow {
				f := mustFlowIn(t, wf.StateDraft)
				f.save(reviewer, 2)
				f.do(wf.Submit{Actor: writer})
				return f
			},
			asker: wf.Asker{Actor: reviewer, LatestAuthor: reviewer.UserID},
			want:  want{wf.ActionApprove: cms.CodeSelfApproval, wf.ActionRequestChanges: ok},
		},
		{
			name: "periodic review, the live revision's author",
			page: func(t *testing.T) *flow {
				f := mustFlowIn(t, wf.StatePublished)
				f.do(wf.Submit{Actor: writer})
				return f
			},
			// reviewer2 wrote revision 1 in this story: no author is pending since the
			// publication, only the revision's author rule refuses.
			asker: wf.Asker{Actor: reviewer2, LatestAuthor: reviewer2.UserID},
			want:  want{wf.ActionApprove: cms.CodeSelfApproval},
		},
		{
			name:  "changes requested, nothing saved since",
			page:  func(t *testing.T) *flow { return mustFlowIn(t, wf.StateChangesRequested) },
			asker: wf.Asker{Actor: writer},
			want:  want{wf.ActionSubmit: cms.CodeNoChanges, wf.ActionSave: ok},
		},
		{
			name:  "approved, an admin",
			page:  func(t *testing.T) *flow { return mustFlowIn(t, wf.StateApproved) },
			asker: wf.Asker{Actor: admin},
			want: want{
				wf.ActionPublish: ok, wf.ActionSchedule: ok, wf.ActionCancelSchedule: cms.CodeInvalidState,
				wf.ActionApprove: cms.CodeForbidden, wf.ActionUnpublish: cms.CodeInvalidState,
			},
		},
		{
			name:  "approved, the approval past its review date",
			page:  func(t *testing.T) *flow { return mustFlowIn(t, wf.StateApproved) },
			asker: wf.Asker{Actor: editor},
			later: 400 * 24 * time.Hour,
			want:  want{wf.ActionPublish: cms.CodeApprovalExpired, wf.ActionSchedule: cms.CodeApprovalExpired},
		},
		{
			name:  "scheduled, an editor",
			page:  func(t *testing.T) *flow { return mustFlowIn(t, wf.StateScheduled) },
			asker: wf.Asker{Actor: editor},
			want:  want{wf.ActionCancelSchedule: ok, wf.ActionPublish: ok, wf.ActionSchedule: ok, wf.ActionSave: ok},
		},
		{
			name: "published, then edited",
			page: func(t *testing.T) *flow {
				f := mustFlowIn(t, wf.StatePublished)
				f.save(writer, 2)
				return f
			},
			asker: wf.Asker{Actor: editor},
			want:  want{wf.ActionPublish: cms.CodeApprovalStale, wf.ActionUnpublish: ok, wf.ActionSubmit: ok},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.page(t)
			before := snapshot(f.p)
			got := wf.Available(f.p, tc.asker, f.now.Add(tc.later))
			mustUnchanged(t, before, f.p)
			if len(got) != len(wf.UserActions) {
				t.Fatalf("got %d actions, want one per user action (%d)", len(got), len(wf.UserActions))
			}
			for i, av := range got {
				if av.Action != wf.UserActions[i] {
					t.Errorf("action %d is %s, want %s", i, av.Action, wf.UserActions[i])
				}
				if av.Allowed != (av.Reason == "") || av.Allowed != (av.Message == "") {
					t.Errorf("%s: allowed %v with reason %q and message %q", av.Action, av.Allowed, av.Reason, av.Message)
				}
				w, checked := tc.want[av.Action]
				if checked && av.Reason != w {
					t.Errorf("%s: reason %q (%s), want %q", av.Action, av.Reason, av.Message, w)
				}
				if strings.Contains(av.Message, "to be written") {
					t.Errorf("%s: the message shows the placeholder: %s", av.Action, av.Message)
				}
			}
		})
	}
}
