package httpapi

import (
	"github.com/gin-gonic/gin"

	"github.com/monograph-cms/monograph/internal/auth"
	"github.com/monograph-cms/monograph/internal/authz"
	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/content"
	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/workflow"
)

// actionPermissions is the permission of each workflow action's route (pageRoutes): the
// page JSON's actions refuse what the route would refuse, before the workflow rules.
var actionPermissions = map[workflow.Action]authz.Permission{
	workflow.ActionSave:           perm("page", "save"),
	workflow.ActionSubmit:         perm("page", "submit"),
	workflow.ActionRequestChanges: perm("page", "request_changes"),
	workflow.ActionApprove:        perm("page", "approve"),
	workflow.ActionPublish:        perm("page", "publish"),
	workflow.ActionSchedule:       perm("page", "publish"),
	workflow.ActionCancelSchedule: perm("page", "cancel_schedule"),
	workflow.ActionUnpublish:      perm("page", "unpublish"),
}

// pageActions says which workflow actions the caller may take on p now, and why not the
// others: the policy first (as the route's authorization does), then the workflow rules.
// It is what the admin shows and hides its controls by, so no rule is written twice.
func (s *Server) pageActions(c *gin.Context, p editorial.Page, checks []content.CheckResult) []workflow.ActionAvailability {
	actor := s.actor(c)
	a := workflow.Asker{Actor: actor}
	for _, r := range checks {
		if r.Severity == content.SeverityBlocker {
			a.BlockingChecks = append(a.BlockingChecks, r.ID)
		}
	}
	// Who wrote the latest revision and whether the caller may sign at all are read only
	// where a signature is possible: a reviewer on a page in review.
	if p.Workflow.State == workflow.StateInReview && s.authz.Allowed(actor.Roles, actionPermissions[workflow.ActionApprove]) {
		if r, err := s.pages.Revision(c.Request.Context(), p.ID, p.Workflow.Revision); err == nil {
			a.LatestAuthor = r.Author.ID
		} else {
			s.log.Warn("page actions: latest revision not read", "pageId", p.ID, "error", err)
		}
		if u, err := s.auth.GetUser(c.Request.Context(), actor.UserID); err == nil {
			a.PasswordChangeRequired = u.PasswordChangeRequired
		}
	}
	out := workflow.Available(p.Workflow, a, s.clock.Now())
	for i, av := range out {
		pm, known := actionPermissions[av.Action]
		if !known || !s.authz.Allowed(actor.Roles, pm) {
			out[i] = workflow.ActionAvailability{Action: av.Action, Reason: cms.CodeForbidden, Message: "your roles do not allow " + pm.String()}
		}
	}
	return out
}

// cancelSchedule calls off a scheduled publication (the page returns to approved).
func (s *Server) cancelSchedule(c *gin.Context) {
	action(s, func(c *gin.Context, id string, ifm *int, _ struct{}) (editorial.Page, error) {
		return s.pages.CancelSchedule(c.Request.Context(), s.actor(c), id, ifm)
	})(c)
}

// meView is the signed-in user with the permissions their roles grant ("page:publish"),
// so a client shows what the policy allows without a copy of it.
type meView struct {
	auth.User
	Permissions []string `json:"permissions"`
}

func (s *Server) permissionsOf(roles []cms.Role) []string {
	out := []string{}
	for _, p := range authz.Known {
		if s.authz.Allowed(roles, p) {
			out = append(out, p.String())
		}
	}
	return out
}

// checkContent runs the pre-review checks on content not saved yet, so the editor shows them
// (and whether submitting would be refused) as the writer types, from the server's own rules.
func (s *Server) checkContent(c *gin.Context) {
	var body content.Content
	if err := bind(c, &body, "content"); err != nil {
		s.writeError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	ok(c, gin.H{"checks": s.pages.Checks(editorial.Page{Content: body})})
}
