package e2e

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/editorial"
)

// The findings of the sign-off review (issue 11), each reproduced against the real server
// and store: none of these may put text live that a reviewer did not sign as it stands.

// exportOf returns a page's export as a generic JSON tree, for editing as an attacker would.
func exportOf(t testing.TB, s *Server, id string) map[string]any {
	t.Helper()
	exp, err := s.App.Pages.Export(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(exp)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// checkImport runs the import's verification (what `monograph import` does before writing
// anything) on an edited export, against the server's accounts.
func checkImport(t testing.TB, s *Server, m map[string]any) error {
	t.Helper()
	b, _ := json.Marshal(m)
	var exp editorial.PageExport
	if err := json.Unmarshal(b, &exp); err != nil {
		t.Fatal(err)
	}
	checked, err := editorial.CheckImport(exp)
	if err != nil {
		return err
	}
	if br := editorial.CheckSigners(t.Context(), s.App.Pages.Accounts, checked.Signings()); br != nil {
		return br
	}
	return nil
}

func TestImportCannotForge(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	tm := signIn(t, s)
	p := tm.approved(t, "forge-me", "Forge me")

	honest := exportOf(t, s, p.ID)
	honest["page"].(map[string]any)["id"] = "aaaaaaaaaaaaaaaaaaaa" // another store's page
	fixIDs(honest)
	if err := checkImport(t, s, honest); err != nil {
		t.Fatalf("an honest export is refused: %v", err)
	}

	cases := []struct {
		name string
		edit func(m map[string]any)
		want string
	}{
		{"the working copy's text edited after approval", func(m map[string]any) {
			m["page"].(map[string]any)["content"].(map[string]any)["title"] = "Forged title"
		}, "page.content"},
		{"the approved revision's text edited, its hash kept", func(m map[string]any) {
			revs := m["revisions"].([]any)
			revs[len(revs)-1].(map[string]any)["content"].(map[string]any)["title"] = "Forged title"
		}, "contentHash"},
		{"an empty audit chain with an approval by a reviewer who never existed", func(m map[string]any) {
			m["audit"] = []any{}
			page := m["page"].(map[string]any)
			page["audit"] = map[string]any{"seq": 0, "hash": ""}
			wf := page["workflow"].(map[string]any)
			wf["approval"].(map[string]any)["reviewer"] = map[string]any{"id": "nobodynobodynobodyno", "name": "Dr. Nobody", "credentials": "MD"}
		}, "approval"},
		{"an approval by an account this store does not have", func(m map[string]any) {
			for _, e := range m["audit"].([]any) {
				if ev := e.(map[string]any); ev["action"] == "approve" {
					ev["actor"] = "nobodynobodynobodyno"
				}
			}
		}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := exportOf(t, s, p.ID)
			m["page"].(map[string]any)["id"] = "aaaaaaaaaaaaaaaaaaaa"
			fixIDs(m)
			tc.edit(m)
			err := checkImport(t, s, m)
			if err == nil {
				t.Fatal("the forged export would be imported")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not name %q", err, tc.want)
			}
		})
	}
}

// fixIDs rewrites the page id inside an export's revisions and events, as a file from
// another store would have it (the chain then no longer verifies, so it is re-linked the way
// an attacker with the file would: by recomputing every hash).
func fixIDs(m map[string]any) {
	id := m["page"].(map[string]any)["id"].(string)
	for _, r := range m["revisions"].([]any) {
		r.(map[string]any)["pageId"] = id
	}
	b, _ := json.Marshal(m["audit"])
	var events []editorial.ExportedEvent
	_ = json.Unmarshal(b, &events)
	prev := editorial.GenesisHash
	for i := range events {
		e := &events[i]
		e.PageID, e.PrevHash = id, prev
		ev := editorial.AuditEvent{Seq: e.Seq, At: e.At.Time(), Actor: e.Actor, ActorName: e.ActorName, Action: e.Action,
			PageID: id, Revision: e.Revision, Data: compact(e.Data), PrevHash: prev, ActorRoles: e.ActorRoles, RequestID: e.RequestID}
		e.Hash = ev.ComputeHash()
		prev = e.Hash
	}
	b, _ = json.Marshal(events)
	var out []any
	_ = json.Unmarshal(b, &out)
	m["audit"] = out
	m["page"].(map[string]any)["audit"] = map[string]any{"seq": len(events), "hash": prev}
}

// Finding 3: an approval past its nextReviewDue still allowed publishing.
func TestExpiredApprovalCannotPublish(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	tm := signIn(t, s)
	p := tm.approved(t, "expired-approval", "Expired approval")
	s.Clock.Advance(366 * 24 * time.Hour)
	editor := s.Login(t, Editor) // a year on: a new session
	MustProblem(t, editor.Action(t, p.ID, "publish", nil), 422, "approval_expired", "")
}

// Finding 4: a reviewer who wrote the live revision signed its periodic re-review.
func TestAuthorCannotSignPeriodicReview(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	tm := signIn(t, s)
	admin := s.Login(t, Admin)
	MustStatus(t, admin.Do(t, "POST", "/api/v1/manage/users", map[string]any{"email": "wr@example.com", "name": "Wren Writer-Reviewer",
		"password": "writer-reviewer-pass", "roles": []string{"writer", "reviewer"}, "credentials": "MD"}), 201)
	// The admin chose that password: its owner sets their own before they can sign.
	both := s.LoginWith(t, "wr@example.com", "writer-reviewer-pass")
	MustStatus(t, both.Do(t, "POST", "/api/v1/auth/password", map[string]any{"currentPassword": "writer-reviewer-pass", "newPassword": "wren-own-password-1"}), 204)
	both = s.LoginWith(t, "wr@example.com", "wren-own-password-1")
	p := both.Create(t, "periodic-review", Content("Periodic review"))
	p = both.MustAction(t, p.ID, "submit", nil)
	p = tm.reviewer.Approve(t, p)
	p = tm.editor.MustAction(t, p.ID, "publish", nil)
	// A year on, the page goes back for its periodic review, unchanged.
	p = tm.writer.MustAction(t, p.ID, "submit", nil)
	MustProblem(t, both.Action(t, p.ID, "approve", map[string]any{"revision": p.Revision, "password": "wren-own-password-1"}), 422, "self_approval", "")
	tm.reviewer.Approve(t, p)
}

// Finding 5: a scheduled publication went live after the editor who scheduled it was
// disabled.
func TestScheduleCancelledWhenEditorDisabled(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	tm := signIn(t, s)
	admin := s.Login(t, Admin)
	p := tm.approved(t, "orphan-schedule", "Orphan schedule")
	p = tm.editor.MustAction(t, p.ID, "publish", map[string]any{"at": s.Clock.Now().Add(time.Hour)})
	MustStatus(t, admin.Do(t, "PATCH", "/api/v1/manage/users/"+tm.editor.User.ID, map[string]any{"disabled": true}), 200)
	s.Clock.Advance(2 * time.Hour)
	if _, err := s.App.Pages.RunScheduled(t.Context()); err != nil {
		t.Fatal(err)
	}
	writer := s.Login(t, Writer) // two hours on: a new session
	got := writer.Page(t, p.ID)
	if got.State != "approved" || got.Live != nil || got.ScheduledAt != nil {
		t.Fatalf("after the scheduler: %+v", got)
	}
	events := writer.Audit(t, p.ID)
	last := events[len(events)-1]
	if last.Action != "schedule_cancelled" || last.DataMap()["reason"] != "publisher_inactive" {
		t.Fatalf("last event: %+v", last)
	}
	if s.Delivery(t) {
		MustStatus(t, deliver(t, s, "orphan-schedule"), 404)
	}
}

// Finding 6: after request-changes on revision 1 the writer resubmitted with no new save.
func TestResubmitNeedsNewRevision(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	tm := signIn(t, s)
	p := tm.writer.Create(t, "resubmit", Content("Resubmit"))
	p = tm.writer.MustAction(t, p.ID, "submit", nil)
	p = tm.reviewer.MustAction(t, p.ID, "request-changes", map[string]any{"revision": p.Revision, "comment": "dose is wrong"})
	MustProblem(t, tm.writer.Action(t, p.ID, "submit", nil), 409, "no_changes", "")
	p = tm.writer.MustSave(t, p.ID, p.Version, Content("Resubmit, dose fixed"))
	tm.writer.MustAction(t, p.ID, "submit", nil)
}

// Finding 11: every denied approve by a writer added a permanent event to the page's chain.
func TestDeniedRequestsDoNotGrowTheChain(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	tm := signIn(t, s)
	p := tm.writer.Create(t, "denied-growth", Content("Denied growth"))
	p = tm.writer.MustAction(t, p.ID, "submit", nil)
	before := len(tm.writer.Audit(t, p.ID))
	for range 20 {
		MustProblem(t, tm.writer.Action(t, p.ID, "approve", map[string]any{"revision": p.Revision, "password": "x"}), 403, "forbidden", "")
	}
	if after := len(tm.writer.Audit(t, p.ID)); after != before {
		t.Fatalf("20 refused requests added %d events to the page's chain", after-before)
	}
}

// Every audit event carries the actor's roles and the request id.
func TestAuditEventsCarryRolesAndRequestID(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	tm := signIn(t, s)
	p := tm.writer.Create(t, "roles-and-request", Content("Roles"))
	r := tm.writer.Do(t, "POST", pagesPath+"/"+p.ID+"/submit", nil, "X-Request-Id", "req-submit-42")
	MustStatus(t, r, 200)
	r = tm.writer.Do(t, "GET", pagesPath+"/"+p.ID+"/audit", nil)
	MustStatus(t, r, 200)
	var list struct {
		Data []map[string]any `json:"data"`
	}
	r.Decode(t, &list)
	last := list.Data[len(list.Data)-1]
	roles, _ := last["actorRoles"].([]any)
	if last["action"] != "submit" || last["requestId"] != "req-submit-42" || len(roles) != 1 || roles[0] != "writer" {
		t.Fatalf("submit event: %v", last)
	}
}

func compact(raw json.RawMessage) string {
	var b strings.Builder
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return "{}"
	}
	out, _ := json.Marshal(v)
	b.Write(out)
	return b.String()
}

// Finding 7, for the texts around the signature: a note, comment or reason with a bidi
// override is refused, naming the field, like page content.
func TestInvisibleCharactersInWorkflowTexts(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	tm := signIn(t, s)
	p := tm.writer.Create(t, "invisible-notes", Content("Invisible notes"))
	MustProblem(t, tm.writer.Action(t, p.ID, "submit", map[string]any{"note": "dose 5\u202e01 mg"}), 400, "invalid", "note")
	p = tm.writer.MustAction(t, p.ID, "submit", nil)
	MustProblem(t, tm.reviewer.Action(t, p.ID, "approve", map[string]any{"revision": p.Revision, "password": "monograph-demo", "comment": "ok\u200b"}), 400, "invalid", "comment")
	MustProblem(t, tm.reviewer.Action(t, p.ID, "request-changes", map[string]any{"revision": p.Revision, "comment": "fix \u2066this\u2069"}), 400, "invalid", "comment")
}
