package workflow_test

import (
	"fmt"
	"slices"
	"testing"

	wf "github.com/monograph-cms/monograph/internal/workflow"
)

// TestTransitionTable walks every (state, action) pair, including audit-only actions and
// unknown states, against an expectation written out independently of the table.
func TestTransitionTable(t *testing.T) {
	const (
		draft = wf.StateDraft
		inRev = wf.StateInReview
		chReq = wf.StateChangesRequested
		appr  = wf.StateApproved
		sched = wf.StateScheduled
		pub   = wf.StatePublished
		no    = wf.State("") // refused
	)
	// Rows: from-state; columns: wf.Actions in order.
	cols := []wf.Action{
		wf.ActionSave, wf.ActionSubmit, wf.ActionRequestChanges, wf.ActionApprove, wf.ActionPublish,
		wf.ActionSchedule, wf.ActionUnpublish, wf.ActionScheduledPublish, wf.ActionScheduleCancelled,
		wf.ActionCreate, wf.ActionSignatureFailed, wf.ActionAccessDenied,
	}
	if !slices.Equal(cols, wf.Actions) {
		t.Fatalf("wf.Actions = %v; this test's columns must list every action", wf.Actions)
	}
	want := map[wf.State][]wf.State{
		//      save   submit  req.ch  approve publish schedule unpub sch.pub sch.canc create sigfail denied
		draft: {draft, inRev, no, no, no, no, draft, no, no, no, no, no},
		inRev: {draft, no, chReq, appr, no, no, draft, no, no, no, no, no},
		chReq: {draft, inRev, no, no, no, no, draft, no, no, no, no, no},
		appr:  {draft, no, no, no, pub, sched, draft, no, no, no, no, no},
		sched: {draft, no, no, no, pub, sched, draft, pub, appr, no, no, no},
		pub:   {draft, inRev, no, no, no, no, draft, no, no, no, no, no},
		// Unknown states allow nothing, not even a save: fail closed on corrupt data.
		"":      {no, no, no, no, no, no, no, no, no, no, no, no},
		"bogus": {no, no, no, no, no, no, no, no, no, no, no, no},
	}
	for _, s := range wf.States {
		if _, ok := want[s]; !ok {
			t.Fatalf("state %q has no expectation row", s)
		}
	}
	rows := 0
	for from, row := range want {
		for i, a := range cols {
			t.Run(fmt.Sprintf("%s/%s", from, a), func(t *testing.T) {
				got, ok := wf.Next(from, a)
				if wantOK := row[i] != no; ok != wantOK || got != row[i] {
					t.Errorf("Next(%q, %q) = (%q, %v), want (%q, %v)", from, a, got, ok, row[i], wantOK)
				}
			})
			if row[i] != no {
				rows++
			}
		}
	}
	if n := len(wf.Transitions()); n != rows {
		t.Errorf("table has %d rows, expectation allows %d pairs", n, rows)
	}
}

func TestTransitionsIsACopy(t *testing.T) {
	tr := wf.Transitions()
	tr[0].To = wf.StatePublished
	if to, _ := wf.Next(tr[0].From, tr[0].Action); to == wf.StatePublished {
		t.Fatal("changing the returned table changed the workflow")
	}
}

func TestSaveAllowedEverywhere(t *testing.T) {
	for _, s := range wf.States {
		if to, ok := wf.Next(s, wf.ActionSave); !ok || to != wf.StateDraft {
			t.Errorf("Next(%q, save) = (%q, %v), want (draft, true)", s, to, ok)
		}
	}
}

func TestAllowedAndAllowedFrom(t *testing.T) {
	tests := []struct {
		state wf.State
		want  []wf.Action
	}{
		{wf.StateDraft, []wf.Action{wf.ActionSave, wf.ActionSubmit, wf.ActionUnpublish}},
		{wf.StateInReview, []wf.Action{wf.ActionSave, wf.ActionRequestChanges, wf.ActionApprove, wf.ActionUnpublish}},
		{wf.StateChangesRequested, []wf.Action{wf.ActionSave, wf.ActionSubmit, wf.ActionUnpublish}},
		{wf.StateApproved, []wf.Action{wf.ActionSave, wf.ActionPublish, wf.ActionSchedule, wf.ActionUnpublish}},
		{wf.StateScheduled, []wf.Action{wf.ActionSave, wf.ActionPublish, wf.ActionSchedule, wf.ActionScheduledPublish, wf.ActionScheduleCancelled, wf.ActionUnpublish}},
		{wf.StatePublished, []wf.Action{wf.ActionSave, wf.ActionSubmit, wf.ActionUnpublish}},
		{"bogus", nil},
	}
	for _, tc := range tests {
		t.Run(string(tc.state), func(t *testing.T) {
			got := wf.Allowed(tc.state)
			slices.Sort(got)
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("Allowed(%q) = %v, want %v", tc.state, got, want)
			}
		})
	}
	if got := wf.AllowedFrom(wf.ActionSubmit); !slices.Equal(got, []wf.State{wf.StateDraft, wf.StateChangesRequested, wf.StatePublished}) {
		t.Errorf("AllowedFrom(submit) = %v", got)
	}
	if got := wf.AllowedFrom(wf.ActionCreate); got != nil {
		t.Errorf("AllowedFrom(create) = %v, want none: audit-only actions are not transitions", got)
	}
}

func TestValid(t *testing.T) {
	for _, s := range wf.States {
		if !s.Valid() {
			t.Errorf("%q not valid", s)
		}
	}
	for _, a := range wf.Actions {
		if !a.Valid() {
			t.Errorf("%q not valid", a)
		}
	}
	if wf.State("live").Valid() || wf.State("").Valid() || wf.Action("delete").Valid() {
		t.Error("unknown state or action reported valid")
	}
}
