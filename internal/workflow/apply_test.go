package workflow_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
	wf "github.com/monograph-cms/monograph/internal/workflow"
)

func TestNewPage(t *testing.T) {
	p, ev, err := wf.NewPage(writer, 1, hash(1))
	if err != nil {
		t.Fatal(err)
	}
	want := wf.Page{State: wf.StateDraft, Revision: 1, ContentHash: hash(1), AuthorsSinceSignoff: []string{writer.UserID}}
	if !equalJSON(t, p, want) {
		t.Errorf("page = %+v, want %+v", p, want)
	}
	if ev.Action != wf.ActionCreate || ev.Actor != writer.UserID || ev.Revision != 1 || ev.Data["contentHash"] != hash(1) {
		t.Errorf("event = %+v", ev)
	}

	tests := []struct {
		name  string
		actor cms.Principal
		rev   int
		hash  string
		code  cms.Code
		field string
	}{
		{"no actor", cms.Principal{}, 1, hash(1), cms.CodeUnauthorized, ""},
		{"revision 0", writer, 0, hash(1), cms.CodeInvalid, "revision"},
		{"no hash", writer, 1, "", cms.CodeInvalid, "contentHash"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := wf.NewPage(tc.actor, tc.rev, tc.hash)
			e := mustCode(t, err, tc.code)
			if tc.field != "" && (len(e.Fields) != 1 || e.Fields[0].Field != tc.field) {
				t.Errorf("fields = %+v, want %q", e.Fields, tc.field)
			}
		})
	}
}

func TestSaveFromEveryState(t *testing.T) {
	for _, s := range wf.States {
		t.Run(string(s), func(t *testing.T) {
			f := mustFlowIn(t, s)
			before := snapshot(f.p)
			liveBefore := mustJSON(t, f.p.Live)
			ev := f.save(writer2, 2)
			p := f.p
			if p.State != wf.StateDraft || p.Revision != before.Revision+1 || p.ContentHash != hash(2) {
				t.Errorf("after save: state %q revision %d hash %q", p.State, p.Revision, p.ContentHash)
			}
			if p.ScheduledAt != nil || p.ScheduledBy != nil {
				t.Error("save kept the schedule")
			}
			if !bytes.Equal(mustJSON(t, p.Live), liveBefore) {
				t.Errorf("save changed the live revision:\n%s\n%s", liveBefore, mustJSON(t, p.Live))
			}
			if !equalJSON(t, p.Approval, before.Approval) {
				t.Error("save changed the approval; it must be kept, stale")
			}
			if !slices.Contains(p.AuthorsSinceSignoff, writer2.UserID) {
				t.Errorf("authors = %v, want %q among them", p.AuthorsSinceSignoff, writer2.UserID)
			}
			if ev.Action != wf.ActionSave || ev.Actor != writer2.UserID || ev.Revision != p.Revision ||
				ev.Data["contentHash"] != hash(2) || ev.Data["previousState"] != string(s) {
				t.Errorf("event = %+v", ev)
			}
			_, cancelled := ev.Data["cancelledSchedule"]
			if cancelled != (s == wf.StateScheduled) {
				t.Errorf("event data %v: cancelledSchedule present = %v", ev.Data, cancelled)
			}
		})
	}
}

func TestSaveAuthorsHaveNoDuplicates(t *testing.T) {
	f := mustNewFlow(t) // writer authored revision 1
	f.save(writer, 2)
	f.save(writer2, 3)
	f.save(writer, 4)
	if want := []string{writer.UserID, writer2.UserID}; !slices.Equal(f.p.AuthorsSinceSignoff, want) {
		t.Errorf("authors = %v, want %v", f.p.AuthorsSinceSignoff, want)
	}
}

func TestSaveErrors(t *testing.T) {
	tests := []struct {
		name  string
		cmd   wf.Save
		code  cms.Code
		field string
	}{
		{"no actor", wf.Save{Revision: 2, ContentHash: hash(2)}, cms.CodeUnauthorized, ""},
		{"same revision", wf.Save{Actor: writer, Revision: 1, ContentHash: hash(2)}, cms.CodeInvalid, "revision"},
		{"older revision", wf.Save{Actor: writer, Revision: 0, ContentHash: hash(2)}, cms.CodeInvalid, "revision"},
		{"no hash", wf.Save{Actor: writer, Revision: 2}, cms.CodeInvalid, "contentHash"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := mustNewFlow(t).fail(tc.cmd, tc.code)
			if tc.field != "" && (len(e.Fields) != 1 || e.Fields[0].Field != tc.field) {
				t.Errorf("fields = %+v, want %q", e.Fields, tc.field)
			}
		})
	}
	t.Run("unknown state", func(t *testing.T) {
		f := mustNewFlow(t)
		f.p.State = "bogus"
		f.fail(wf.Save{Actor: writer, Revision: 2, ContentHash: hash(2)}, cms.CodeInvalidState)
	})
}

func TestSubmit(t *testing.T) {
	for _, s := range wf.States {
		t.Run(string(s), func(t *testing.T) {
			f := mustFlowIn(t, s)
			cmd := wf.Submit{Actor: writer, Note: "  ready for review \n"}
			if s != wf.StateDraft && s != wf.StateChangesRequested && s != wf.StatePublished {
				e := f.fail(cmd, cms.CodeInvalidState)
				// The message says where the page is and where submit is allowed.
				for _, want := range []string{string(s), "draft", "changes_requested"} {
					if !strings.Contains(e.Message, want) {
						t.Errorf("message %q does not mention %q", e.Message, want)
					}
				}
				if e.Data["state"] != string(s) || !slices.Equal(e.Data["allowedFrom"].([]string), []string{"draft", "changes_requested", "published"}) {
					t.Errorf("data = %v", e.Data)
				}
				return
			}
			if s == wf.StateChangesRequested {
				// Finding: resubmitting the revision a reviewer sent back, unchanged.
				f.fail(cmd, cms.CodeNoChanges)
				f.save(writer, f.p.Revision+1)
				f.p.State = wf.StateChangesRequested // as if saved before the request, for the table
			}
			ev := f.do(cmd)
			if f.p.State != wf.StateInReview {
				t.Errorf("state = %q", f.p.State)
			}
			if ev.Action != wf.ActionSubmit || ev.Actor != writer.UserID || ev.Revision != f.p.Revision || ev.Data["note"] != "ready for review" {
				t.Errorf("event = %+v", ev)
			}
		})
	}
}

func TestSubmitErrors(t *testing.T) {
	t.Run("blocking checks", func(t *testing.T) {
		checks := []string{"references: at least one is required", "sections: overview is missing"}
		f := mustNewFlow(t)
		cmd := wf.Submit{Actor: writer, BlockingChecks: checks}
		e := f.fail(cmd, cms.CodeCheckFailed)
		got, _ := e.Data["checks"].([]string)
		if !slices.Equal(got, checks) {
			t.Errorf("data checks = %v, want %v", e.Data["checks"], checks)
		}
		got[0] = "changed"
		if cmd.BlockingChecks[0] == "changed" {
			t.Error("the error shares the command's checks slice")
		}
		for _, c := range checks {
			if !strings.Contains(e.Message, c) {
				t.Errorf("message %q does not list %q", e.Message, c)
			}
		}
	})
	t.Run("state is checked before the checks", func(t *testing.T) {
		mustFlowIn(t, wf.StateApproved).fail(wf.Submit{Actor: writer, BlockingChecks: []string{"x"}}, cms.CodeInvalidState)
	})
	t.Run("no actor", func(t *testing.T) {
		mustNewFlow(t).fail(wf.Submit{}, cms.CodeUnauthorized)
	})
	t.Run("no revision", func(t *testing.T) {
		f := &flow{t: t, p: wf.Page{State: wf.StateDraft}, now: t0}
		f.fail(wf.Submit{Actor: writer}, cms.CodeInvalidState)
	})
	t.Run("no note is not recorded", func(t *testing.T) {
		ev := mustNewFlow(t).do(wf.Submit{Actor: writer, Note: "   "})
		if _, ok := ev.Data["note"]; ok {
			t.Errorf("data = %v", ev.Data)
		}
	})
}

func TestRequestChanges(t *testing.T) {
	tests := []struct {
		name  string
		state wf.State
		cmd   wf.RequestChanges
		code  cms.Code
		field string
	}{
		{"reviewer", wf.StateInReview, wf.RequestChanges{Actor: reviewer, Revision: 1, Comment: " cite sources "}, "", ""},
		{"reviewer who also writes", wf.StateInReview, wf.RequestChanges{Actor: everyone, Revision: 1, Comment: "x"}, "", ""},
		{"writer", wf.StateInReview, wf.RequestChanges{Actor: writer, Revision: 1, Comment: "x"}, cms.CodeForbidden, ""},
		{"editor", wf.StateInReview, wf.RequestChanges{Actor: editor, Revision: 1, Comment: "x"}, cms.CodeForbidden, ""},
		{"admin", wf.StateInReview, wf.RequestChanges{Actor: admin, Revision: 1, Comment: "x"}, cms.CodeForbidden, ""},
		{"no actor", wf.StateInReview, wf.RequestChanges{Revision: 1, Comment: "x"}, cms.CodeUnauthorized, ""},
		{"no comment", wf.StateInReview, wf.RequestChanges{Actor: reviewer, Revision: 1, Comment: " \t"}, cms.CodeInvalid, "comment"},
		{"role before comment", wf.StateInReview, wf.RequestChanges{Actor: writer, Revision: 1}, cms.CodeForbidden, ""},
		{"comment before revision", wf.StateInReview, wf.RequestChanges{Actor: reviewer, Revision: 9}, cms.CodeInvalid, "comment"},
		{"older revision", wf.StateInReview, wf.RequestChanges{Actor: reviewer, Revision: 0, Comment: "x"}, cms.CodeRevisionNotLatest, ""},
		{"newer revision", wf.StateInReview, wf.RequestChanges{Actor: reviewer, Revision: 2, Comment: "x"}, cms.CodeRevisionNotLatest, ""},
		{"revision before state", wf.StateDraft, wf.RequestChanges{Actor: reviewer, Revision: 0, Comment: "x"}, cms.CodeRevisionNotLatest, ""},
		{"draft", wf.StateDraft, wf.RequestChanges{Actor: reviewer, Revision: 1, Comment: "x"}, cms.CodeInvalidState, ""},
		{"changes requested", wf.StateChangesRequested, wf.RequestChanges{Actor: reviewer, Revision: 1, Comment: "x"}, cms.CodeInvalidState, ""},
		{"approved", wf.StateApproved, wf.RequestChanges{Actor: reviewer, Revision: 1, Comment: "x"}, cms.CodeInvalidState, ""},
		{"scheduled", wf.StateScheduled, wf.RequestChanges{Actor: reviewer, Revision: 1, Comment: "x"}, cms.CodeInvalidState, ""},
		{"published", wf.StatePublished, wf.RequestChanges{Actor: reviewer, Revision: 1, Comment: "x"}, cms.CodeInvalidState, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := mustFlowIn(t, tc.state)
			if tc.code != "" {
				e := f.fail(tc.cmd, tc.code)
				if tc.field != "" && (len(e.Fields) != 1 || e.Fields[0].Field != tc.field) {
					t.Errorf("fields = %+v, want %q", e.Fields, tc.field)
				}
				if tc.code == cms.CodeRevisionNotLatest && e.Data["revision"] != f.p.Revision {
					t.Errorf("data = %v, want revision %d", e.Data, f.p.Revision)
				}
				return
			}
			before := snapshot(f.p)
			ev := f.do(tc.cmd)
			if f.p.State != wf.StateChangesRequested {
				t.Errorf("state = %q", f.p.State)
			}
			if !slices.Equal(f.p.AuthorsSinceSignoff, before.AuthorsSinceSignoff) || f.p.Approval != nil {
				t.Errorf("request changes changed authorship or approval: %+v", f.p)
			}
			if ev.Action != wf.ActionRequestChanges || ev.Actor != tc.cmd.Actor.UserID || ev.Revision != 1 ||
				ev.Data["comment"] != strings.TrimSpace(tc.cmd.Comment) {
				t.Errorf("event = %+v", ev)
			}
		})
	}
}

func TestApproveChecks(t *testing.T) {
	// selfAuthored: in review at revision 2, written by reviewer after writer's revision 1.
	selfAuthored := func(t *testing.T) *flow {
		f := mustNewFlow(t)
		f.save(reviewer, 2)
		f.do(wf.Submit{Actor: writer})
		return f
	}
	inState := func(s wf.State) func(*testing.T) *flow {
		return func(t *testing.T) *flow { return mustFlowIn(t, s) }
	}
	tests := []struct {
		name string
		page func(*testing.T) *flow
		cmd  wf.Approve
		code cms.Code
	}{
		{"reviewer", inState(wf.StateInReview), wf.Approve{Actor: reviewer, Revision: 1}, ""},
		{"writer", inState(wf.StateInReview), wf.Approve{Actor: writer, Revision: 1}, cms.CodeForbidden},
		{"editor", inState(wf.StateInReview), wf.Approve{Actor: editor, Revision: 1}, cms.CodeForbidden},
		{"admin", inState(wf.StateInReview), wf.Approve{Actor: admin, Revision: 1}, cms.CodeForbidden},
		{"no actor", inState(wf.StateInReview), wf.Approve{Revision: 1}, cms.CodeUnauthorized},
		{"older revision", inState(wf.StateInReview), wf.Approve{Actor: reviewer, Revision: 0}, cms.CodeRevisionNotLatest},
		{"newer revision", inState(wf.StateInReview), wf.Approve{Actor: reviewer, Revision: 2}, cms.CodeRevisionNotLatest},
		{"draft", inState(wf.StateDraft), wf.Approve{Actor: reviewer, Revision: 1}, cms.CodeInvalidState},
		{"changes requested", inState(wf.StateChangesRequested), wf.Approve{Actor: reviewer, Revision: 1}, cms.CodeInvalidState},
		{"approved", inState(wf.StateApproved), wf.Approve{Actor: reviewer2, Revision: 1}, cms.CodeInvalidState},
		{"scheduled", inState(wf.StateScheduled), wf.Approve{Actor: reviewer2, Revision: 1}, cms.CodeInvalidState},
		{"published", inState(wf.StatePublished), wf.Approve{Actor: reviewer2, Revision: 1}, cms.CodeInvalidState},
		{"self approval", selfAuthored, wf.Approve{Actor: reviewer, Revision: 2}, cms.CodeSelfApproval},
		{"self approval with every role", func(t *testing.T) *flow {
			f := mustNewFlow(t)
			f.save(everyone, 2)
			f.do(wf.Submit{Actor: everyone})
			return f
		}, wf.Approve{Actor: everyone, Revision: 2}, cms.CodeSelfApproval},
		{"creator who is a reviewer", func(t *testing.T) *flow {
			p, _, err := wf.NewPage(reviewer, 1, hash(1))
			if err != nil {
				t.Fatal(err)
			}
			f := &flow{t: t, p: p, now: t0}
			f.do(wf.Submit{Actor: reviewer})
			return f
		}, wf.Approve{Actor: reviewer, Revision: 1}, cms.CodeSelfApproval},
		{"second reviewer after self-authored", selfAuthored, wf.Approve{Actor: reviewer2, Revision: 2}, ""},
		// Order: role, then revision, then state, then authorship.
		{"role before revision", inState(wf.StateDraft), wf.Approve{Actor: writer, Revision: 7}, cms.CodeForbidden},
		{"revision before state", inState(wf.StateDraft), wf.Approve{Actor: reviewer, Revision: 7}, cms.CodeRevisionNotLatest},
		{"state before authorship", func(t *testing.T) *flow {
			f := mustNewFlow(t)
			f.save(reviewer, 2)
			return f
		}, wf.Approve{Actor: reviewer, Revision: 2}, cms.CodeInvalidState},
		{"revision before authorship", selfAuthored, wf.Approve{Actor: reviewer, Revision: 1}, cms.CodeRevisionNotLatest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.page(t)
			if tc.code != "" {
				e := f.fail(tc.cmd, tc.code)
				switch tc.code {
				case cms.CodeRevisionNotLatest:
					if e.Data["revision"] != f.p.Revision {
						t.Errorf("data = %v, want revision %d", e.Data, f.p.Revision)
					}
				case cms.CodeSelfApproval:
					if !strings.Contains(e.Message, "another reviewer") {
						t.Errorf("message %q does not say another reviewer must approve", e.Message)
					}
				}
				return
			}
			f.do(tc.cmd)
			if f.p.State != wf.StateApproved || f.p.Approval.Reviewer.ID != tc.cmd.Actor.UserID {
				t.Errorf("page = %+v", f.p)
			}
		})
	}
}

func TestApproveEffects(t *testing.T) {
	signAt := time.Date(2025, 6, 1, 12, 30, 15, 123456789, time.FixedZone("CEST", 2*60*60))
	wantSigned := time.Date(2025, 6, 1, 10, 30, 15, 123000000, time.UTC) // UTC, milliseconds
	tests := []struct {
		name        string
		pageDays    int
		defaultDays int
		wantDays    int
	}{
		{"built-in default", 0, 0, 365},
		{"configured default", 0, 180, 180},
		{"page override", 90, 180, 90},
		{"page override without default", 30, 0, 30},
		{"negative values ignored", -1, -5, 365},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := mustNewFlow(t)
			f.p.ReviewIntervalDays = tc.pageDays
			f.save(writer2, 2)
			f.do(wf.Submit{Actor: writer2})
			before := snapshot(f.p)
			p, ev, err := wf.Apply(f.p, wf.Approve{Actor: reviewer, Revision: 2, Comment: " dosing checked ", DefaultReviewIntervalDays: tc.defaultDays}, signAt)
			if err != nil {
				t.Fatal(err)
			}
			mustUnchanged(t, before, f.p)
			want := wf.Approval{
				Revision:      2,
				ContentHash:   hash(2),
				Reviewer:      wf.Signer{ID: reviewer.UserID, Name: reviewer.Name, Credentials: reviewer.Credentials},
				SignedAt:      wantSigned,
				Meaning:       wf.MeaningApproved,
				Comment:       "dosing checked",
				NextReviewDue: wantSigned.AddDate(0, 0, tc.wantDays),
			}
			if p.Approval == nil || *p.Approval != want {
				t.Errorf("approval = %+v\nwant       %+v", p.Approval, want)
			}
			if p.Approval.SignedAt.Location() != time.UTC {
				t.Errorf("signedAt location = %v", p.Approval.SignedAt.Location())
			}
			if p.State != wf.StateApproved || p.AuthorsSinceSignoff != nil {
				t.Errorf("state %q authors %v", p.State, p.AuthorsSinceSignoff)
			}
			if p.Live != nil || p.Revision != 2 || p.ContentHash != hash(2) {
				t.Errorf("approve changed other facts: %+v", p)
			}
			wantData := map[string]any{
				"contentHash":   hash(2),
				"reviewer":      map[string]any{"id": reviewer.UserID, "name": reviewer.Name, "credentials": reviewer.Credentials},
				"meaning":       wf.MeaningApproved,
				"signedAt":      "2025-06-01T10:30:15.123Z",
				"nextReviewDue": wantSigned.AddDate(0, 0, tc.wantDays).Format(time.RFC3339Nano),
				"comment":       "dosing checked",
			}
			if ev.Action != wf.ActionApprove || ev.Actor != reviewer.UserID || ev.Revision != 2 || !equalJSON(t, ev.Data, wantData) {
				t.Errorf("event = %+v", ev)
			}
		})
	}
}

func TestPublishNeedsApproval(t *testing.T) {
	publishers := []cms.Principal{editor, admin, everyone}
	cases := []struct {
		name string
		page func(t *testing.T) *flow
		code cms.Code
	}{
		{"never approved, draft", func(t *testing.T) *flow { return mustFlowIn(t, wf.StateDraft) }, cms.CodeApprovalMissing},
		{"never approved, in review", func(t *testing.T) *flow { return mustFlowIn(t, wf.StateInReview) }, cms.CodeApprovalMissing},
		{"never approved, changes requested", func(t *testing.T) *flow { return mustFlowIn(t, wf.StateChangesRequested) }, cms.CodeApprovalMissing},
		{"edited after approval", func(t *testing.T) *flow {
			f := mustFlowIn(t, wf.StateApproved)
			f.save(writer, 2)
			return f
		}, cms.CodeApprovalStale},
		{"edited after approval and resubmitted", func(t *testing.T) *flow {
			f := mustFlowIn(t, wf.StateApproved)
			f.save(writer, 2)
			f.do(wf.Submit{Actor: writer})
			return f
		}, cms.CodeApprovalStale},
		{"reverted to the approved text", func(t *testing.T) *flow {
			// Same words as the approved revision 1, but a new revision nobody signed.
			f := mustFlowIn(t, wf.StateApproved)
			f.save(writer, 2)
			f.save(writer, 1)
			return f
		}, cms.CodeApprovalStale},
		{"edited after publication", func(t *testing.T) *flow {
			f := mustFlowIn(t, wf.StatePublished)
			f.save(writer, 2)
			return f
		}, cms.CodeApprovalStale},
		{"same revision, other hash (stored facts changed behind the workflow)", func(t *testing.T) *flow {
			f := mustFlowIn(t, wf.StateApproved)
			f.p.ContentHash = hash(2)
			return f
		}, cms.CodeApprovalStale},
		{"already published", func(t *testing.T) *flow { return mustFlowIn(t, wf.StatePublished) }, cms.CodeInvalidState},
	}
	for _, pub := range publishers {
		for _, tc := range cases {
			t.Run(pub.UserID+"/"+tc.name, func(t *testing.T) {
				f := tc.page(t)
				for _, at := range []*time.Time{nil, ptr(f.now.Add(time.Hour)), ptr(f.now.Add(-time.Hour))} {
					e := f.fail(wf.Publish{Actor: pub, At: at}, tc.code)
					if tc.code == cms.CodeApprovalStale && !strings.Contains(e.Message, "revision") {
						t.Errorf("message %q does not explain the stale approval", e.Message)
					}
				}
			})
		}
	}
	t.Run("no actor", func(t *testing.T) {
		mustFlowIn(t, wf.StateApproved).fail(wf.Publish{}, cms.CodeUnauthorized)
	})
}

func TestPublishNow(t *testing.T) {
	for _, at := range []struct {
		name string
		at   func(now time.Time) *time.Time
	}{
		{"no time", func(time.Time) *time.Time { return nil }},
		{"in the past", func(now time.Time) *time.Time { return ptr(now.Add(-time.Hour)) }},
		{"now", func(now time.Time) *time.Time { return ptr(now) }},
		{"within the same millisecond", func(now time.Time) *time.Time { return ptr(now.Add(time.Microsecond)) }},
	} {
		for _, from := range []wf.State{wf.StateApproved, wf.StateScheduled} {
			t.Run(at.name+"/"+string(from), func(t *testing.T) {
				f := mustFlowIn(t, from)
				approval := *f.p.Approval
				now := f.now.Add(time.Minute) // what f.do will use
				ev := f.do(wf.Publish{Actor: editor, At: at.at(now)})
				want := wf.Live{
					Revision:    1,
					ContentHash: hash(1),
					Approval:    approval,
					PublishedAt: now,
					PublishedBy: wf.Signer{ID: editor.UserID, Name: editor.Name},
				}
				if f.p.State != wf.StatePublished || f.p.Live == nil || *f.p.Live != want {
					t.Errorf("state %q live %+v\nwant %+v", f.p.State, f.p.Live, want)
				}
				if f.p.ScheduledAt != nil || f.p.ScheduledBy != nil || f.p.AuthorsSinceSignoff != nil {
					t.Errorf("page = %+v", f.p)
				}
				if ev.Action != wf.ActionPublish || ev.Actor != editor.UserID || ev.Revision != 1 ||
					ev.Data["contentHash"] != hash(1) || ev.Data["approvalRevision"] != 1 {
					t.Errorf("event = %+v", ev)
				}
			})
		}
	}
}

func TestPublishReplacesLiveAndClearsUnpublished(t *testing.T) {
	f := mustFlowIn(t, wf.StatePublished)
	f.do(wf.Unpublish{Actor: editor, Reason: "dose error"})
	if f.p.Unpublished == nil {
		t.Fatal("unpublish not recorded")
	}
	f.save(writer, 2)
	f.do(wf.Submit{Actor: writer})
	f.do(wf.Approve{Actor: reviewer, Revision: 2})
	f.do(wf.Publish{Actor: admin})
	if f.p.Unpublished != nil || f.p.Live.Revision != 2 || f.p.Live.ContentHash != hash(2) || f.p.Live.Approval.Revision != 2 {
		t.Errorf("page = %+v live %+v", f.p, f.p.Live)
	}
}

func TestSchedule(t *testing.T) {
	f := mustFlowIn(t, wf.StateApproved)
	due := time.Date(2025, 3, 2, 8, 0, 0, 987654321, time.FixedZone("X", 3600))
	ev := f.do(wf.Publish{Actor: editor, At: &due})
	wantAt := due.UTC().Truncate(time.Millisecond)
	if f.p.State != wf.StateScheduled || f.p.ScheduledAt == nil || !f.p.ScheduledAt.Equal(wantAt) || f.p.ScheduledAt.Location() != time.UTC {
		t.Fatalf("state %q scheduledAt %v", f.p.State, f.p.ScheduledAt)
	}
	if *f.p.ScheduledBy != (wf.Signer{ID: editor.UserID, Name: editor.Name}) {
		t.Errorf("scheduledBy = %+v", f.p.ScheduledBy)
	}
	if f.p.Live != nil {
		t.Error("scheduling put something live")
	}
	if ev.Action != wf.ActionSchedule || ev.Actor != editor.UserID || ev.Data["at"] != "2025-03-02T07:00:00.987Z" {
		t.Errorf("event = %+v", ev)
	}

	t.Run("reschedule", func(t *testing.T) {
		f := mustFlowIn(t, wf.StateScheduled)
		later := f.now.Add(48 * time.Hour)
		f.do(wf.Publish{Actor: admin, At: &later})
		if f.p.State != wf.StateScheduled || !f.p.ScheduledAt.Equal(later) || f.p.ScheduledBy.ID != admin.UserID {
			t.Errorf("page = %+v", f.p)
		}
	})
	t.Run("from published", func(t *testing.T) {
		f := mustFlowIn(t, wf.StatePublished)
		f.fail(wf.Publish{Actor: editor, At: ptr(f.now.Add(time.Hour))}, cms.CodeInvalidState)
	})
}

func TestRunSchedule(t *testing.T) {
	t.Run("before due does nothing", func(t *testing.T) {
		f := mustFlowIn(t, wf.StateScheduled)
		due := *f.p.ScheduledAt
		for _, early := range []time.Duration{time.Millisecond, time.Hour, 24*time.Hour - time.Millisecond} {
			f.now = due.Add(-early)
			e := f.fail(wf.RunSchedule{PublisherActive: true}, cms.CodeInvalidState)
			if !strings.Contains(e.Message, "not due") {
				t.Errorf("message %q", e.Message)
			}
		}
	})
	for _, late := range []time.Duration{0, time.Millisecond, 72 * time.Hour} {
		t.Run("due+"+late.String(), func(t *testing.T) {
			f := mustFlowIn(t, wf.StateScheduled)
			due := *f.p.ScheduledAt
			approval := *f.p.Approval
			before := snapshot(f.p)
			p, ev, err := wf.Apply(f.p, wf.RunSchedule{PublisherActive: true}, due.Add(late))
			if err != nil {
				t.Fatal(err)
			}
			mustUnchanged(t, before, f.p)
			want := wf.Live{
				Revision: 1, ContentHash: hash(1), Approval: approval, PublishedAt: due.Add(late),
				PublishedBy: wf.Signer{ID: editor.UserID, Name: editor.Name},
			}
			if p.State != wf.StatePublished || p.Live == nil || *p.Live != want || p.ScheduledAt != nil || p.ScheduledBy != nil {
				t.Errorf("page = %+v live %+v", p, p.Live)
			}
			if ev.Action != wf.ActionScheduledPublish || ev.Actor != wf.SystemActor || ev.Revision != 1 ||
				ev.Data["outcome"] != "published" || ev.Data["contentHash"] != hash(1) {
				t.Errorf("event = %+v", ev)
			}
			if err := wf.CheckInvariant(p); err != nil {
				t.Error(err)
			}
		})
	}
	t.Run("not scheduled", func(t *testing.T) {
		for _, s := range wf.States {
			if s == wf.StateScheduled {
				continue
			}
			f := mustFlowIn(t, s)
			f.now = f.now.Add(1000 * time.Hour)
			f.fail(wf.RunSchedule{PublisherActive: true}, cms.CodeInvalidState)
		}
	})
	t.Run("save while scheduled prevents it", func(t *testing.T) {
		f := mustFlowIn(t, wf.StateScheduled)
		due := *f.p.ScheduledAt
		f.save(writer2, 2)
		if f.p.State != wf.StateDraft || f.p.ScheduledAt != nil {
			t.Fatalf("page = %+v", f.p)
		}
		f.now = due.Add(time.Hour)
		f.fail(wf.RunSchedule{PublisherActive: true}, cms.CodeInvalidState)
		// Even once the new revision is approved, the old schedule is gone: only a new
		// publish or schedule puts it live.
		f.do(wf.Submit{Actor: writer2})
		f.do(wf.Approve{Actor: reviewer, Revision: 2})
		f.fail(wf.RunSchedule{PublisherActive: true}, cms.CodeInvalidState)
		if f.p.Live != nil {
			t.Error("something went live")
		}
	})
	t.Run("stale approval is refused and recorded", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			mutate func(p *wf.Page)
			reason string
		}{
			{"content changed behind the workflow", func(p *wf.Page) { p.Revision, p.ContentHash = 2, hash(2) }, "approval_stale"},
			{"hash changed behind the workflow", func(p *wf.Page) { p.ContentHash = hash(9) }, "approval_stale"},
			{"approval lost", func(p *wf.Page) { p.Approval = nil }, "approval_missing"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				f := mustFlowIn(t, wf.StateScheduled)
				tc.mutate(&f.p)
				scheduledAt := *f.p.ScheduledAt
				f.now = scheduledAt
				ev := f.do(wf.RunSchedule{PublisherActive: true})
				if f.p.State != wf.StateDraft || f.p.ScheduledAt != nil || f.p.ScheduledBy != nil || f.p.Live != nil {
					t.Errorf("page = %+v", f.p)
				}
				if ev.Action != wf.ActionScheduledPublish || ev.Actor != wf.SystemActor ||
					ev.Data["outcome"] != "refused" || ev.Data["reason"] != tc.reason ||
					ev.Data["scheduledAt"] != scheduledAt.Format(time.RFC3339Nano) {
					t.Errorf("event = %+v", ev)
				}
			})
		}
	})
	t.Run("previous live revision stays until the scheduled one replaces it", func(t *testing.T) {
		f := mustFlowIn(t, wf.StatePublished)
		f.save(writer, 2)
		f.do(wf.Submit{Actor: writer})
		f.do(wf.Approve{Actor: reviewer, Revision: 2})
		at := f.now.Add(time.Hour)
		f.do(wf.Publish{Actor: editor, At: &at})
		if f.p.Live.Revision != 1 {
			t.Fatalf("live = %+v", f.p.Live)
		}
		f.now = at
		f.do(wf.RunSchedule{PublisherActive: true})
		if f.p.Live.Revision != 2 || f.p.Live.Approval.Revision != 2 {
			t.Fatalf("live = %+v", f.p.Live)
		}
	})
	t.Run("no scheduler signer recorded", func(t *testing.T) {
		f := mustFlowIn(t, wf.StateScheduled)
		f.p.ScheduledBy = nil
		f.now = *f.p.ScheduledAt
		p, _, err := wf.Apply(f.p, wf.RunSchedule{PublisherActive: true}, f.now)
		if err != nil {
			t.Fatal(err)
		}
		if p.Live.PublishedBy.ID != wf.SystemActor {
			t.Errorf("publishedBy = %+v", p.Live.PublishedBy)
		}
	})
	t.Run("scheduled without a time", func(t *testing.T) {
		f := mustFlowIn(t, wf.StateScheduled)
		f.p.ScheduledAt = nil
		f.fail(wf.RunSchedule{PublisherActive: true}, cms.CodeInvalidState)
	})
}

// TestEditAfterApproval is the product's first promise end to end: the live revision stays
// exactly as approved while a new one is drafted, and the new one cannot go live unapproved.
func TestEditAfterApproval(t *testing.T) {
	f := mustFlowIn(t, wf.StatePublished)
	live := mustJSON(t, f.p.Live)
	f.save(writer, 2)
	f.do(wf.Submit{Actor: writer})
	f.do(wf.Approve{Actor: reviewer, Revision: 2})
	f.save(writer2, 3) // edit after approval
	if f.p.State != wf.StateDraft {
		t.Fatalf("state = %q, want draft", f.p.State)
	}
	for _, pub := range []cms.Principal{editor, admin, everyone} {
		e := f.fail(wf.Publish{Actor: pub}, cms.CodeApprovalStale)
		if e.Data["revision"] != 3 || e.Data["approvedRevision"] != 2 {
			t.Errorf("data = %v", e.Data)
		}
	}
	if !bytes.Equal(mustJSON(t, f.p.Live), live) {
		t.Errorf("live changed:\n%s\n%s", live, mustJSON(t, f.p.Live))
	}
	// Separation of duties after approval: writer2 wrote revision 3, reviewer did not.
	f.do(wf.Submit{Actor: writer2})
	f.do(wf.Approve{Actor: reviewer, Revision: 3})
	f.do(wf.Publish{Actor: editor})
	if f.p.Live.Revision != 3 || f.p.Live.ContentHash != hash(3) {
		t.Errorf("live = %+v", f.p.Live)
	}
}

// TestSeparationOfDuties covers "authored any revision since the last approval or
// publication" across rounds.
func TestSeparationOfDuties(t *testing.T) {
	t.Run("authorship before the last approval does not count", func(t *testing.T) {
		p, _, _ := wf.NewPage(reviewer, 1, hash(1))
		f := &flow{t: t, p: p, now: t0}
		f.do(wf.Submit{Actor: reviewer})
		f.do(wf.Approve{Actor: reviewer2, Revision: 1})
		f.save(writer, 2)
		f.do(wf.Submit{Actor: writer})
		f.do(wf.Approve{Actor: reviewer, Revision: 2})
	})
	t.Run("authorship across request changes counts", func(t *testing.T) {
		f := mustFlowIn(t, wf.StateInReview)
		f.do(wf.RequestChanges{Actor: reviewer, Revision: 1, Comment: "fix"})
		f.save(reviewer, 2) // the reviewer fixes it themselves
		f.save(writer, 3)
		f.do(wf.Submit{Actor: writer})
		f.fail(wf.Approve{Actor: reviewer, Revision: 3}, cms.CodeSelfApproval)
		f.do(wf.Approve{Actor: reviewer2, Revision: 3})
	})
	t.Run("authorship since publication counts", func(t *testing.T) {
		f := mustFlowIn(t, wf.StatePublished)
		f.save(reviewer2, 2)
		f.do(wf.Submit{Actor: writer})
		f.fail(wf.Approve{Actor: reviewer2, Revision: 2}, cms.CodeSelfApproval)
	})
	t.Run("unpublishing does not reset authorship", func(t *testing.T) {
		f := mustFlowIn(t, wf.StatePublished)
		f.save(reviewer2, 2)
		f.do(wf.Unpublish{Actor: admin, Reason: "withdrawn"})
		f.do(wf.Submit{Actor: writer})
		f.fail(wf.Approve{Actor: reviewer2, Revision: 2}, cms.CodeSelfApproval)
	})
}

func TestUnpublish(t *testing.T) {
	t.Run("reason required", func(t *testing.T) {
		f := mustFlowIn(t, wf.StatePublished)
		e := f.fail(wf.Unpublish{Actor: editor, Reason: "  "}, cms.CodeInvalid)
		if len(e.Fields) != 1 || e.Fields[0].Field != "reason" {
			t.Errorf("fields = %+v", e.Fields)
		}
	})
	t.Run("no actor", func(t *testing.T) {
		mustFlowIn(t, wf.StatePublished).fail(wf.Unpublish{Reason: "x"}, cms.CodeUnauthorized)
	})
	for _, s := range []wf.State{wf.StateDraft, wf.StateInReview, wf.StateChangesRequested, wf.StateApproved, wf.StateScheduled} {
		t.Run("not live/"+string(s), func(t *testing.T) {
			e := mustFlowIn(t, s).fail(wf.Unpublish{Actor: editor, Reason: "x"}, cms.CodeInvalidState)
			if !strings.Contains(e.Message, "not live") {
				t.Errorf("message %q", e.Message)
			}
		})
	}
	t.Run("reason before liveness", func(t *testing.T) {
		mustFlowIn(t, wf.StateDraft).fail(wf.Unpublish{Actor: editor}, cms.CodeInvalid)
	})
	t.Run("twice", func(t *testing.T) {
		f := mustFlowIn(t, wf.StatePublished)
		f.do(wf.Unpublish{Actor: editor, Reason: "x"})
		f.fail(wf.Unpublish{Actor: editor, Reason: "x"}, cms.CodeInvalidState)
	})

	// Live at revision 1 while the working copy is in each state.
	liveAnd := map[wf.State]func(f *flow){
		wf.StatePublished: func(f *flow) {},
		wf.StateDraft:     func(f *flow) { f.save(writer, 2) },
		wf.StateInReview: func(f *flow) {
			f.save(writer, 2)
			f.do(wf.Submit{Actor: writer})
		},
		wf.StateChangesRequested: func(f *flow) {
			f.save(writer, 2)
			f.do(wf.Submit{Actor: writer})
			f.do(wf.RequestChanges{Actor: reviewer, Revision: 2, Comment: "no"})
		},
		wf.StateApproved: func(f *flow) {
			f.save(writer, 2)
			f.do(wf.Submit{Actor: writer})
			f.do(wf.Approve{Actor: reviewer, Revision: 2})
		},
		wf.StateScheduled: func(f *flow) {
			f.save(writer, 2)
			f.do(wf.Submit{Actor: writer})
			f.do(wf.Approve{Actor: reviewer, Revision: 2})
			f.do(wf.Publish{Actor: editor, At: ptr(f.now.Add(time.Hour))})
		},
	}
	// Unpublish voids the approval: back to draft from everywhere.
	for _, s := range wf.States {
		t.Run("live and "+string(s), func(t *testing.T) {
			f := mustFlowIn(t, wf.StatePublished)
			liveAnd[s](f)
			if f.p.State != s || f.p.Live == nil {
				t.Fatalf("fixture: state %q live %v", f.p.State, f.p.Live)
			}
			before := snapshot(f.p)
			ev := f.do(wf.Unpublish{Actor: reviewer2, Reason: " dosing error \n"})
			p := f.p
			if p.State != wf.StateDraft || p.Live != nil || p.ScheduledAt != nil || p.Approval != nil {
				t.Errorf("state %q live %v scheduledAt %v", p.State, p.Live, p.ScheduledAt)
			}
			wantUn := wf.Unpublished{Revision: 1, At: f.now, By: wf.Signer{ID: reviewer2.UserID, Name: reviewer2.Name, Credentials: reviewer2.Credentials}, Reason: "dosing error"}
			if p.Unpublished == nil || *p.Unpublished != wantUn {
				t.Errorf("unpublished = %+v, want %+v", p.Unpublished, wantUn)
			}
			if p.Revision != before.Revision || !slices.Equal(p.AuthorsSinceSignoff, before.AuthorsSinceSignoff) {
				t.Errorf("unpublish changed the working copy: %+v", p)
			}
			if ev.Action != wf.ActionUnpublish || ev.Actor != reviewer2.UserID || ev.Revision != 1 ||
				ev.Data["reason"] != "dosing error" || ev.Data["contentHash"] != hash(1) {
				t.Errorf("event = %+v", ev)
			}
			if _, ok := ev.Data["cancelledSchedule"]; ok != (s == wf.StateScheduled) {
				t.Errorf("event data = %v", ev.Data)
			}
		})
	}
	t.Run("published with a stale approval goes to draft", func(t *testing.T) {
		f := mustFlowIn(t, wf.StatePublished)
		f.p.Approval.ContentHash = hash(99) // stored facts changed behind the workflow
		f.do(wf.Unpublish{Actor: editor, Reason: "x"})
		if f.p.State != wf.StateDraft {
			t.Errorf("state = %q", f.p.State)
		}
	})
	// Finding: after "medical error, do not republish" one click put the same text back.
	t.Run("republishing needs a new review", func(t *testing.T) {
		f := mustFlowIn(t, wf.StatePublished)
		f.do(wf.Unpublish{Actor: editor, Reason: "medical error, do not republish"})
		f.fail(wf.Publish{Actor: editor}, cms.CodeApprovalMissing)
		f.do(wf.Submit{Actor: writer})
		f.do(wf.Approve{Actor: reviewer2, Revision: f.p.Revision})
		f.do(wf.Publish{Actor: editor})
		if f.p.Live == nil || f.p.Unpublished != nil || f.p.State != wf.StatePublished {
			t.Errorf("page = %+v", f.p)
		}
	})
}

func TestUnknownCommand(t *testing.T) {
	mustNewFlow(t).fail(nil, cms.CodeInternal)
}

// TestApplyResultSharesNothing: changing the returned page must not reach the input (the
// caller may keep both, e.g. to build the conditional update).
func TestApplyResultSharesNothing(t *testing.T) {
	f := mustFlowIn(t, wf.StateScheduled)
	f.p.Live = &wf.Live{Revision: 1, ContentHash: hash(1), Approval: *f.p.Approval}
	f.p.Unpublished = &wf.Unpublished{Reason: "x"}
	f.p.AuthorsSinceSignoff = make([]string, 1, 10)
	f.p.AuthorsSinceSignoff[0] = writer.UserID
	in := snapshot(f.p)
	cmds := []wf.Command{
		wf.Publish{Actor: editor, At: ptr(f.now.Add(time.Hour))},
		wf.Unpublish{Actor: editor, Reason: "y"},
		wf.Save{Actor: writer2, Revision: 2, ContentHash: hash(2)},
	}
	for _, cmd := range cmds {
		p, _, err := wf.Apply(f.p, cmd, f.now)
		if err != nil {
			t.Fatalf("%#v: %v", cmd, err)
		}
		p.AuthorsSinceSignoff = append(p.AuthorsSinceSignoff[:0], "mallory", "eve")
		for _, ptr := range []any{p.Approval, p.Live, p.ScheduledAt, p.ScheduledBy, p.Unpublished} {
			scribble(ptr)
		}
		mustUnchanged(t, in, f.p)
	}
}

func scribble(v any) {
	switch x := v.(type) {
	case *wf.Approval:
		if x != nil {
			x.ContentHash = "scribbled"
		}
	case *wf.Live:
		if x != nil {
			x.ContentHash = "scribbled"
		}
	case *time.Time:
		if x != nil {
			*x = time.Time{}
		}
	case *wf.Signer:
		if x != nil {
			x.ID = "scribbled"
		}
	case *wf.Unpublished:
		if x != nil {
			x.Reason = "scribbled"
		}
	}
}

func TestReviewOverdue(t *testing.T) {
	due := t0.AddDate(1, 0, 0)
	a := &wf.Approval{NextReviewDue: due}
	tests := []struct {
		name string
		a    *wf.Approval
		now  time.Time
		want bool
	}{
		{"nil", nil, due.Add(time.Hour), false},
		{"before", a, due.Add(-time.Second), false},
		{"at due", a, due, false},
		{"after", a, due.Add(time.Millisecond), true},
		{"zero due date", &wf.Approval{}, t0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := wf.ReviewOverdue(tc.a, tc.now); got != tc.want {
				t.Errorf("ReviewOverdue = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestMedicalReview(t *testing.T) {
	f := mustFlowIn(t, wf.StatePublished)
	a := f.p.Approval
	for _, tc := range []struct {
		now     time.Time
		overdue bool
	}{{f.now, false}, {a.NextReviewDue.Add(time.Second), true}} {
		got := f.p.Live.MedicalReview(tc.now)
		want := wf.MedicalReview{
			Reviewer:      wf.Reviewer{Name: reviewer.Name, Credentials: reviewer.Credentials},
			ReviewedAt:    a.SignedAt,
			NextReviewDue: a.NextReviewDue,
			Overdue:       tc.overdue,
		}
		if got != want {
			t.Errorf("MedicalReview(%v) = %+v, want %+v", tc.now, got, want)
		}
	}
	b, err := json.Marshal(f.p.Live.MedicalReview(f.now))
	if err != nil {
		t.Fatal(err)
	}
	wantKeys(t, b, "reviewer", "reviewedAt", "nextReviewDue", "overdue")
}

// TestJSONNames checks the names shared with the API's page JSON.
func TestJSONNames(t *testing.T) {
	f := mustFlowIn(t, wf.StatePublished)
	b := mustJSON(t, f.p)
	wantKeys(t, b, "state", "revision", "contentHash", "approval", "live", "scheduledAt")
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if string(m["scheduledAt"]) != "null" {
		t.Errorf("scheduledAt = %s, want null", m["scheduledAt"])
	}
	wantKeys(t, m["approval"], "revision", "contentHash", "reviewer", "signedAt", "meaning", "comment", "nextReviewDue")
	wantKeys(t, m["live"], "revision", "contentHash", "approval", "publishedAt", "publishedBy")
	var a map[string]json.RawMessage
	_ = json.Unmarshal(m["approval"], &a)
	wantKeys(t, a["reviewer"], "id", "name", "credentials")

	var back wf.Page
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !equalJSON(t, back, f.p) {
		t.Errorf("round trip changed the page:\n%s\n%s", b, mustJSON(t, back))
	}
}

func wantKeys(t *testing.T, b []byte, keys ...string) {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			t.Errorf("%s lacks %q", b, k)
		}
	}
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func equalJSON(t testing.TB, a, b any) bool {
	t.Helper()
	return bytes.Equal(mustJSON(t, a), mustJSON(t, b))
}

// TestPeriodicReReview: the unchanged live text goes back to review, a (different or the
// same) reviewer signs it again, and publishing it again renews the attestation and the next
// review date while the same revision stays live throughout.
func TestPeriodicReReview(t *testing.T) {
	f := mustFlowIn(t, wf.StatePublished)
	first := *f.p.Live
	f.now = f.now.AddDate(1, 0, 1) // a year later: overdue
	if !wf.ReviewOverdue(&f.p.Live.Approval, f.now) {
		t.Fatal("expected the review to be overdue")
	}
	f.do(wf.Submit{Actor: writer, Note: "annual review"})
	if f.p.State != wf.StateInReview || f.p.Live == nil || f.p.Live.Revision != first.Revision {
		t.Fatalf("after submit: state %s, live %+v", f.p.State, f.p.Live)
	}
	f.do(wf.Approve{Actor: reviewer2, Revision: f.p.Revision})
	f.do(wf.Publish{Actor: editor})
	if f.p.Live.Revision != first.Revision || f.p.Live.ContentHash != first.ContentHash {
		t.Fatalf("live revision changed: %+v", f.p.Live)
	}
	if f.p.Live.Approval.Reviewer.ID != reviewer2.UserID || !f.p.Live.Approval.NextReviewDue.After(first.Approval.NextReviewDue) {
		t.Fatalf("attestation not renewed: %+v", f.p.Live.Approval)
	}
	if wf.ReviewOverdue(&f.p.Live.Approval, f.now) {
		t.Fatal("still overdue after re-review")
	}
}

// Findings of the sign-off review: an expired approval published, the author of the live
// text signed its periodic review, and a schedule outlived its editor.
func TestSignoffRulesAdditions(t *testing.T) {
	t.Run("an approval past nextReviewDue cannot publish", func(t *testing.T) {
		f := mustFlowIn(t, wf.StateApproved)
		f.now = f.p.Approval.NextReviewDue.Add(time.Minute)
		e := f.fail(wf.Publish{Actor: editor}, cms.CodeApprovalExpired)
		if e.Data["nextReviewDue"] == nil {
			t.Errorf("data = %v", e.Data)
		}
		f.fail(wf.Publish{Actor: editor, At: ptr(f.now.Add(time.Hour))}, cms.CodeApprovalExpired)
	})
	t.Run("a scheduled publication whose approval expired is refused", func(t *testing.T) {
		f := mustFlowIn(t, wf.StateScheduled)
		f.now = f.p.Approval.NextReviewDue.Add(time.Minute)
		ev := f.do(wf.RunSchedule{PublisherActive: true})
		if ev.Data["outcome"] != "refused" || ev.Data["reason"] != string(cms.CodeApprovalExpired) || f.p.Live != nil {
			t.Errorf("event %+v live %+v", ev, f.p.Live)
		}
	})
	t.Run("the author of the live revision cannot sign its periodic review", func(t *testing.T) {
		f := mustFlowIn(t, wf.StatePublished)
		f.do(wf.Submit{Actor: writer})
		f.fail(wf.Approve{Actor: reviewer, Revision: f.p.Revision, RevisionAuthor: reviewer.UserID}, cms.CodeSelfApproval)
		f.do(wf.Approve{Actor: reviewer, Revision: f.p.Revision, RevisionAuthor: writer.UserID})
	})
	t.Run("a schedule whose editor may no longer publish is cancelled", func(t *testing.T) {
		f := mustFlowIn(t, wf.StateScheduled)
		f.now = f.p.ScheduledAt.Add(time.Second)
		ev := f.do(wf.RunSchedule{PublisherActive: false})
		if ev.Action != wf.ActionScheduleCancelled || ev.Actor != wf.SystemActor || ev.Data["reason"] != "publisher_inactive" {
			t.Errorf("event = %+v", ev)
		}
		if f.p.State != wf.StateApproved || f.p.ScheduledAt != nil || f.p.Live != nil || f.p.Approval == nil {
			t.Errorf("page = %+v", f.p)
		}
	})
}
