package notify

import (
	"slices"
	"testing"

	"github.com/monograph-cms/monograph/internal/auth"
	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/editorial"
)

func ev(seq int, action, actor string) editorial.AuditEvent {
	return editorial.AuditEvent{Seq: seq, Action: action, Actor: actor, PageID: "p"}
}

var people = directory{users: []auth.User{
	{ID: "wendy", Roles: []cms.Role{cms.RoleWriter}},
	{ID: "walter", Roles: []cms.Role{cms.RoleWriter}},
	{ID: "gone", Roles: []cms.Role{cms.RoleWriter}, Disabled: true},
	{ID: "rosa", Roles: []cms.Role{cms.RoleReviewer}, Languages: []string{"en", "es"}},
	{ID: "ravi", Roles: []cms.Role{cms.RoleReviewer}, Languages: []string{"en"}},
	{ID: "ed", Roles: []cms.Role{cms.RoleEditor}},
	{ID: "ada", Roles: []cms.Role{cms.RoleAdmin}},
}}

// Who hears of what: from the page's own chain before the event, never the actor, never a
// disabled account.
func TestRecipients(t *testing.T) {
	// Wendy wrote revision 1, it was approved and published; then Walter and Gone (now
	// disabled) saved, Wendy submitted, Rosa saved a fix too.
	c := chain{
		ev(1, "create", "wendy"), ev(2, "submit", "wendy"), ev(3, "approve", "ravi"), ev(4, "publish", "ed"),
		ev(5, "save", "walter"), ev(6, "save", "gone"), ev(7, "save", "rosa"), ev(8, "submit", "wendy"),
	}
	for _, tc := range []struct {
		kind   Kind
		event  editorial.AuditEvent
		locale string
		want   []string
	}{
		// Sent back: the writers since the approval (Walter, Rosa), not Wendy (before it).
		{KindChangesRequested, ev(9, "request_changes", "ravi"), "", []string{"walter", "rosa"}},
		// Rosa requests changes on text she partly wrote: she is not told of her own act.
		{KindChangesRequested, ev(9, "request_changes", "rosa"), "", []string{"walter"}},
		{KindReviewRequested, ev(9, "submit", "wendy"), "", []string{"rosa", "ravi"}},
		// A Spanish translation: only the reviewer who reads Spanish (regional variants too).
		{KindReviewRequested, ev(9, "submit", "wendy"), "es-MX", []string{"rosa"}},
		{KindApproved, ev(9, "approve", "ravi"), "", []string{"ed", "wendy"}},
		// Published: the authors since the previous publication and the submitter.
		{KindPublished, ev(9, "publish", "ed"), "", []string{"walter", "rosa", "wendy"}},
		{KindReviewDue, ev(9, "review_due", "system"), "", []string{"rosa", "ravi"}},
		{KindTranslationOutdated, ev(9, "translation_outdated", "system"), "", []string{"wendy", "walter", "rosa"}},
	} {
		got := recipients(tc.kind, tc.event, c, people, tc.locale)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s by %s (locale %q): %v, want %v", tc.kind, tc.event.Actor, tc.locale, got, tc.want)
		}
	}
}

func TestKindOf(t *testing.T) {
	refused := ev(1, "scheduled_publish", "system")
	refused.Data = `{"outcome":"refused"}`
	done := ev(1, "scheduled_publish", "system")
	done.Data = `{"outcome":"published"}`
	for _, tc := range []struct {
		e    editorial.AuditEvent
		want Kind
		ok   bool
	}{
		{ev(1, "save", "w"), "", false},
		{ev(1, "unpublish", "w"), "", false},
		{refused, KindPublished, false},
		{done, KindPublished, true},
		{ev(1, "request_changes", "r"), KindChangesRequested, true},
		{ev(1, "translation_outdated", "system"), KindTranslationOutdated, true},
	} {
		if k, ok := kindOf(tc.e); ok != tc.ok || (ok && k != tc.want) {
			t.Errorf("kindOf(%s %s) = %s %v", tc.e.Action, tc.e.Data, k, ok)
		}
	}
}
