package workflow_test

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
	wf "github.com/monograph-cms/monograph/internal/workflow"
)

var (
	t0 = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

	writer    = cms.Principal{UserID: "u-writer", Name: "Wanda Writer", Roles: []cms.Role{cms.RoleWriter}}
	writer2   = cms.Principal{UserID: "u-writer2", Name: "Walt Writer", Roles: []cms.Role{cms.RoleWriter}}
	reviewer  = cms.Principal{UserID: "u-rev", Name: "Rita Reviewer", Credentials: "MD", Roles: []cms.Role{cms.RoleReviewer}}
	reviewer2 = cms.Principal{UserID: "u-rev2", Name: "Sam Second", Credentials: "PharmD", Roles: []cms.Role{cms.RoleReviewer}}
	editor    = cms.Principal{UserID: "u-editor", Name: "Ed Editor", Roles: []cms.Role{cms.RoleEditor}}
	admin     = cms.Principal{UserID: "u-admin", Name: "Ada Admin", Roles: []cms.Role{cms.RoleAdmin}}
	// everyone holds every role: the "no role bypasses" cases.
	everyone = cms.Principal{UserID: "u-all", Name: "Al All", Credentials: "MD", Roles: cms.AllRoles}
)

// hash returns a distinct, well-formed content hash for n.
func hash(n int) string { return fmt.Sprintf("sha256:%064x", n) }

// flow drives one page through real commands, so fixtures are reachable states, not
// hand-made ones.
type flow struct {
	t   testing.TB
	p   wf.Page
	now time.Time
}

// mustNewFlow starts a page whose first revision was written by writer.
func mustNewFlow(t testing.TB) *flow {
	t.Helper()
	p, ev, err := wf.NewPage(writer, 1, hash(1))
	if err != nil {
		t.Fatalf("NewPage: %v", err)
	}
	if ev.Action != wf.ActionCreate {
		t.Fatalf("NewPage event = %+v", ev)
	}
	return &flow{t: t, p: p, now: t0}
}

// do applies cmd, which must succeed, one minute after the previous step.
func (f *flow) do(cmd wf.Command) wf.Event {
	f.t.Helper()
	f.now = f.now.Add(time.Minute)
	before := snapshot(f.p)
	p, ev, err := wf.Apply(f.p, cmd, f.now)
	if err != nil {
		f.t.Fatalf("Apply(%s, %#v): %v", f.p.State, cmd, err)
	}
	mustUnchanged(f.t, before, f.p)
	if err := wf.CheckInvariant(p); err != nil {
		f.t.Fatalf("after %#v: %v", cmd, errors.Unwrap(err))
	}
	f.p = p
	return ev
}

// fail applies cmd, which must fail with code, and returns the error.
func (f *flow) fail(cmd wf.Command, code cms.Code) *cms.Error {
	f.t.Helper()
	before := snapshot(f.p)
	p, ev, err := wf.Apply(f.p, cmd, f.now)
	mustUnchanged(f.t, before, f.p)
	if !reflect.DeepEqual(p, wf.Page{}) || !reflect.DeepEqual(ev, wf.Event{}) {
		f.t.Errorf("failed Apply returned page %+v and event %+v, want zero values", p, ev)
	}
	return mustCode(f.t, err, code)
}

// mustFlowIn returns a flow whose page is in state s, reached the ordinary way: writer
// writes and submits, reviewer approves, editor publishes.
func mustFlowIn(t testing.TB, s wf.State) *flow {
	t.Helper()
	f := mustNewFlow(t)
	switch s {
	case wf.StateDraft:
	case wf.StateInReview:
		f.do(wf.Submit{Actor: writer})
	case wf.StateChangesRequested:
		f.do(wf.Submit{Actor: writer})
		f.do(wf.RequestChanges{Actor: reviewer, Revision: 1, Comment: "cite the dose"})
	case wf.StateApproved:
		f.do(wf.Submit{Actor: writer})
		f.do(wf.Approve{Actor: reviewer, Revision: 1})
	case wf.StateScheduled:
		f.do(wf.Submit{Actor: writer})
		f.do(wf.Approve{Actor: reviewer, Revision: 1})
		at := f.now.Add(24 * time.Hour)
		f.do(wf.Publish{Actor: editor, At: &at})
	case wf.StatePublished:
		f.do(wf.Submit{Actor: writer})
		f.do(wf.Approve{Actor: reviewer, Revision: 1})
		f.do(wf.Publish{Actor: editor})
	default:
		t.Fatalf("no fixture for state %q", s)
	}
	if f.p.State != s {
		t.Fatalf("fixture state = %q, want %q", f.p.State, s)
	}
	return f
}

// save writes the next revision as actor, with content hash hash(n).
func (f *flow) save(actor cms.Principal, n int) wf.Event {
	f.t.Helper()
	return f.do(wf.Save{Actor: actor, Revision: f.p.Revision + 1, ContentHash: hash(n)})
}

func mustCode(t testing.TB, err error, code cms.Code) *cms.Error {
	t.Helper()
	var e *cms.Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v (%T), want *cms.Error with code %q", err, err, code)
	}
	if e.Code != code {
		t.Fatalf("error code = %q (%v), want %q", e.Code, e, code)
	}
	if e.Message == "" {
		t.Errorf("error %q has no message", code)
	}
	return e
}

// snapshot deep-copies a page without the package's help, so that a bug in Page.Clone
// cannot hide a mutation.
func snapshot(p wf.Page) wf.Page {
	q := p
	if p.AuthorsSinceSignoff != nil {
		q.AuthorsSinceSignoff = append([]string{}, p.AuthorsSinceSignoff...)
	}
	if p.Approval != nil {
		a := *p.Approval
		q.Approval = &a
	}
	if p.Live != nil {
		l := *p.Live
		q.Live = &l
	}
	if p.ScheduledAt != nil {
		s := *p.ScheduledAt
		q.ScheduledAt = &s
	}
	if p.ScheduledBy != nil {
		s := *p.ScheduledBy
		q.ScheduledBy = &s
	}
	if p.Unpublished != nil {
		u := *p.Unpublished
		q.Unpublished = &u
	}
	return q
}

func mustUnchanged(t testing.TB, before, after wf.Page) {
	t.Helper()
	if !reflect.DeepEqual(before, after) {
		t.Fatalf("Apply mutated its input page:\nbefore %+v\nafter  %+v", before, after)
	}
}

func ptr[T any](v T) *T { return &v }
