package workflow_test

import (
	"errors"
	"testing"

	"github.com/monograph-cms/monograph/internal/cms"
	wf "github.com/monograph-cms/monograph/internal/workflow"
)

func TestCheckInvariantAcceptsReachablePages(t *testing.T) {
	for _, s := range wf.States {
		f := mustFlowIn(t, s)
		if err := wf.CheckInvariant(f.p); err != nil {
			t.Errorf("%s: %v", s, errors.Unwrap(err))
		}
	}
	if err := wf.CheckInvariant(wf.Page{State: wf.StateDraft}); err != nil {
		t.Errorf("empty draft: %v", errors.Unwrap(err))
	}
}

func TestCheckInvariantRefuses(t *testing.T) {
	published := func(t *testing.T) wf.Page { return mustFlowIn(t, wf.StatePublished).p }
	approved := func(t *testing.T) wf.Page { return mustFlowIn(t, wf.StateApproved).p }
	scheduled := func(t *testing.T) wf.Page { return mustFlowIn(t, wf.StateScheduled).p }
	draft := func(t *testing.T) wf.Page { return mustFlowIn(t, wf.StateDraft).p }
	tests := []struct {
		name   string
		page   func(*testing.T) wf.Page
		breaks func(p *wf.Page)
	}{
		{"unknown state", draft, func(p *wf.Page) { p.State = "live" }},
		{"negative revision", draft, func(p *wf.Page) { p.Revision = -1 }},
		{"revision without hash", draft, func(p *wf.Page) { p.ContentHash = "" }},
		{"hash without revision", draft, func(p *wf.Page) { p.Revision = 0 }},
		{"live hash differs from its approval", published, func(p *wf.Page) { p.Live.ContentHash = hash(7) }},
		{"live revision differs from its approval", published, func(p *wf.Page) {
			p.Revision, p.ContentHash, p.State = 2, hash(2), wf.StateDraft
			p.Live.Revision = 2
		}},
		{"live approval of other content", published, func(p *wf.Page) { p.Live.Approval.ContentHash = hash(7) }},
		{"live approval unsigned", published, func(p *wf.Page) { p.Live.Approval.Reviewer.ID = "" }},
		{"live approval other meaning", published, func(p *wf.Page) { p.Live.Approval.Meaning = "looked at it" }},
		{"live without hash", published, func(p *wf.Page) { p.Live.ContentHash, p.Live.Approval.ContentHash = "", "" }},
		{"live beyond latest", published, func(p *wf.Page) {
			p.Live.Revision, p.Live.Approval.Revision = 5, 5
		}},
		{"live and unpublished", published, func(p *wf.Page) { p.Unpublished = &wf.Unpublished{Reason: "x"} }},
		{"approval beyond latest", approved, func(p *wf.Page) { p.Approval.Revision = 3 }},
		{"approval unsigned", approved, func(p *wf.Page) { p.Approval.Reviewer.ID = "" }},
		{"approved with pending authors", approved, func(p *wf.Page) { p.AuthorsSinceSignoff = []string{"u-x"} }},
		{"approved without approval", approved, func(p *wf.Page) { p.Approval = nil }},
		{"approved with stale approval", approved, func(p *wf.Page) { p.ContentHash = hash(8) }},
		{"scheduled with stale approval", scheduled, func(p *wf.Page) { p.Approval.ContentHash = hash(8) }},
		{"published with stale approval", published, func(p *wf.Page) { p.Approval.ContentHash = hash(8) }},
		{"published without live", published, func(p *wf.Page) { p.Live = nil }},
		{"scheduled without time", scheduled, func(p *wf.Page) { p.ScheduledAt = nil }},
		{"scheduled without signer", scheduled, func(p *wf.Page) { p.ScheduledBy = nil }},
		{"time without scheduled", approved, func(p *wf.Page) { p.ScheduledAt = ptr(t0) }},
		{"signer without scheduled", approved, func(p *wf.Page) { p.ScheduledBy = &wf.Signer{ID: "x"} }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.page(t)
			tc.breaks(&p)
			err := wf.CheckInvariant(p)
			e := mustCode(t, err, cms.CodeInternal)
			if e.Err == nil {
				t.Error("no detail for the log")
			}
		})
	}
}
