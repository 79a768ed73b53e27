package e2e

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// pageActions is the page JSON's actions: what the caller may do now, and why not.
type pageActions struct {
	State   string `json:"state"`
	Actions []struct {
		Action  string `json:"action"`
		Allowed bool   `json:"allowed"`
		Reason  string `json:"reason"`
		Message string `json:"message"`
	} `json:"actions"`
}

// actionsOf GETs page id as c and returns its actions keyed by action; the value is "" when
// allowed, else the reason.
func (c *Client) actionsOf(tb testing.TB, id string) map[string]string {
	tb.Helper()
	r := c.Do(tb, "GET", pagesPath+"/"+id, nil)
	MustStatus(tb, r, 200)
	var pa pageActions
	r.Decode(tb, &pa)
	if len(pa.Actions) == 0 {
		tb.Fatalf("the page JSON has no actions: %s", r)
	}
	out := map[string]string{}
	for _, a := range pa.Actions {
		if a.Allowed != (a.Reason == "") || (!a.Allowed && a.Message == "") {
			tb.Fatalf("%s: allowed %v, reason %q, message %q", a.Action, a.Allowed, a.Reason, a.Message)
		}
		out[a.Action] = a.Reason
	}
	return out
}

// mustActions fails unless each named action has the wanted reason ("" = allowed).
func mustActions(tb testing.TB, who string, got map[string]string, want map[string]string) {
	tb.Helper()
	for a, w := range want {
		g, ok := got[a]
		if !ok {
			tb.Errorf("%s: no %s in actions %v", who, a, got)
		} else if g != w {
			tb.Errorf("%s: %s is %q, want %q", who, a, g, w)
		}
	}
}

// Issue 15, point 1: the page JSON says what the caller may do, from the policy and the
// workflow rules, so the admin needs no copy of either.
func TestPageActionsFollowPolicyAndRules(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	tm := signIn(t, s)

	p := tm.writer.Create(t, "actions-page", Content("Actions"))
	mustActions(t, "writer on a draft", tm.writer.actionsOf(t, p.ID), map[string]string{
		"save": "", "submit": "", "approve": "forbidden", "request_changes": "forbidden", "publish": "forbidden", "schedule_cancelled": "forbidden",
	})
	// The policy lets an admin publish: what stops them is the missing signature.
	mustActions(t, "admin on a draft", tm.admin.actionsOf(t, p.ID), map[string]string{
		"publish": "approval_missing", "schedule": "approval_missing", "approve": "forbidden", "unpublish": "invalid_state",
	})

	p = tm.writer.MustAction(t, p.ID, "submit", map[string]any{"note": "ready"})
	mustActions(t, "reviewer on a page in review", tm.reviewer.actionsOf(t, p.ID), map[string]string{
		"approve": "", "request_changes": "", "submit": "forbidden",
	})
	mustActions(t, "writer on a page in review", tm.writer.actionsOf(t, p.ID), map[string]string{"submit": "invalid_state"})

	// A reviewer whose password an admin chose may request changes, not sign.
	const chosen = "the-admin-chose-this"
	MustStatus(t, tm.admin.Do(t, "POST", "/api/v1/manage/users", map[string]any{"email": "puppet@example.com", "name": "Pat Puppet",
		"password": chosen, "roles": []string{"reviewer"}, "credentials": "MD"}), 201)
	puppet := s.LoginWith(t, "puppet@example.com", chosen)
	mustActions(t, "reviewer with a chosen password", puppet.actionsOf(t, p.ID), map[string]string{
		"approve": "password_change_required", "request_changes": "",
	})

	// Changes requested: submitting again needs a new revision.
	p = tm.reviewer.MustAction(t, p.ID, "request-changes", map[string]any{"revision": p.Revision, "comment": "cite the dose"})
	mustActions(t, "writer after request changes", tm.writer.actionsOf(t, p.ID), map[string]string{"submit": "no_changes", "save": ""})

	// The reviewer corrects the text themselves: then someone else must sign.
	body := Content("Actions, corrected")
	p = tm.reviewer.MustSave(t, p.ID, p.Version, body)
	p = tm.writer.MustAction(t, p.ID, "submit", nil)
	mustActions(t, "reviewer who wrote the revision", tm.reviewer.actionsOf(t, p.ID), map[string]string{"approve": "self_approval"})
	p = tm.reviewer2.Approve(t, p)

	mustActions(t, "admin on an approved page", tm.admin.actionsOf(t, p.ID), map[string]string{
		"publish": "", "schedule": "", "schedule_cancelled": "invalid_state",
	})
	at := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
	p = tm.admin.MustAction(t, p.ID, "publish", map[string]any{"at": at})
	if p.State != "scheduled" {
		t.Fatalf("after scheduling: %s", p.State)
	}
	mustActions(t, "editor on a scheduled page", tm.editor.actionsOf(t, p.ID), map[string]string{"schedule_cancelled": "", "publish": ""})
	mustActions(t, "writer on a scheduled page", tm.writer.actionsOf(t, p.ID), map[string]string{"schedule_cancelled": "forbidden"})
}

// Issue 15, point 1: /auth/me carries the permissions of the user's roles.
func TestMeCarriesPermissions(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	tm := signIn(t, s)
	perms := func(c *Client) []string {
		r := c.Do(t, "GET", "/api/v1/auth/me", nil)
		MustStatus(t, r, 200)
		var me struct {
			ID          string   `json:"id"`
			Permissions []string `json:"permissions"`
		}
		r.Decode(t, &me)
		if me.ID != c.User.ID {
			t.Fatalf("me: %s", r)
		}
		return me.Permissions
	}
	for _, tc := range []struct {
		who       *Client
		has, lack []string
	}{
		{tm.writer, []string{"page:save", "page:submit", "page:read"}, []string{"page:publish", "page:approve", "user:manage"}},
		{tm.reviewer, []string{"page:approve", "page:request_changes"}, []string{"page:publish", "review:moderate"}},
		{tm.editor, []string{"page:publish", "page:cancel_schedule", "review:moderate"}, []string{"page:approve", "user:manage"}},
		{tm.admin, []string{"page:publish", "review:moderate", "user:manage", "webhook:manage"}, []string{"page:approve"}},
	} {
		got := perms(tc.who)
		for _, p := range tc.has {
			if !slices.Contains(got, p) {
				t.Errorf("%s: permissions %v lack %s", tc.who.Email, got, p)
			}
		}
		for _, p := range tc.lack {
			if slices.Contains(got, p) {
				t.Errorf("%s: permissions %v include %s", tc.who.Email, got, p)
			}
		}
	}
}

// Issue 15, publishing: an editor can call off a scheduled publication; the page goes back
// to approved and the audit trail says who cancelled it.
func TestCancelScheduleRoute(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	tm := signIn(t, s)
	p := tm.approved(t, "cancel-me", "Cancel me")
	at := time.Now().Add(72 * time.Hour).UTC().Truncate(time.Second)
	p = tm.editor.MustAction(t, p.ID, "publish", map[string]any{"at": at})

	MustProblem(t, tm.writer.Action(t, p.ID, "cancel-schedule", nil), 403, "forbidden", "")
	MustProblem(t, tm.editor.Action(t, p.ID, "cancel-schedule", map[string]any{"when": "now"}), 400, "invalid", "")
	MustProblem(t, tm.editor.Do(t, "POST", pagesPath+"/"+p.ID+"/cancel-schedule", nil, "If-Match", `"1"`), 412, "version_conflict", "")

	q := tm.editor.MustAction(t, p.ID, "cancel-schedule", nil)
	if q.State != "approved" || q.ScheduledAt != nil || q.Approval == nil || q.Approval.Revision != p.Revision {
		t.Fatalf("after cancel: state %s, scheduledAt %v, approval %+v", q.State, q.ScheduledAt, q.Approval)
	}
	events := tm.editor.Audit(t, p.ID)
	last := events[len(events)-1]
	data := last.DataMap()
	if last.Action != "schedule_cancelled" || last.Actor != tm.editor.User.ID || !strings.HasPrefix(data["reason"].(string), "cancelled by ") ||
		!strings.Contains(data["reason"].(string), tm.editor.User.Name) {
		t.Fatalf("last event: %+v %v", last, data)
	}
	MustProblem(t, tm.editor.Action(t, p.ID, "cancel-schedule", nil), 409, "invalid_state", "")
	// The signature stands: it publishes without a new review.
	if got := tm.admin.MustAction(t, p.ID, "publish", nil); got.State != "published" {
		t.Fatalf("publish after cancel: %s", got.State)
	}
}

// Issue 15, point 6: the pre-review checks of content not saved yet, so the editor shows
// them as the writer types; nothing is stored.
func TestChecksOfUnsavedContent(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	tm := signIn(t, s)
	body := Content("Checked")
	body["disclaimer"] = ""
	r := tm.writer.Do(t, "POST", "/api/v1/manage/checks", body)
	MustStatus(t, r, 200)
	var out struct {
		Checks []struct {
			ID       string `json:"id"`
			Severity string `json:"severity"`
			Field    string `json:"field"`
			Message  string `json:"message"`
		} `json:"checks"`
	}
	r.Decode(t, &out)
	found := false
	for _, c := range out.Checks {
		if c.ID == "disclaimer_missing" && c.Severity == "blocker" && c.Field == "content.disclaimer" && c.Message != "" {
			found = true
		}
	}
	if !found {
		t.Fatalf("no disclaimer_missing blocker: %s", r)
	}
	MustProblem(t, tm.writer.Do(t, "POST", "/api/v1/manage/checks", map[string]any{"title": "x", "colour": "red"}), 400, "invalid", "content.colour")
	MustProblem(t, s.Anon().Do(t, "POST", "/api/v1/manage/checks", body), 401, "unauthorized", "")
}
