package httpapi

import (
	"github.com/monograph-cms/monograph/internal/editorial"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/delivery"
)

// previewTTL is how long a preview link works: long enough to share with a colleague for a
// read, short enough that a leaked link soon stops showing unreviewed text.
const previewTTL = 30 * time.Minute

// previewRoutes registers the preview of a page's working copy: a manager asks for a token
// scoped to one page; anyone holding it may read that page's latest revision in the delivery
// shape until it expires, and only while the session that asked for it stays open and its
// user may still preview (a link must not outlive the access that made it). The token is
// not an access token (its audience differs), so it opens nothing else.
func (s *Server) previewRoutes(e *gin.Engine, m *gin.RouterGroup) {
	s.managed(m, http.MethodPost, "/pages/:id/preview-token", perm("page", "preview"), s.previewToken)
	e.GET("/api/v1/preview/pages/:id", s.preview)
}

func (s *Server) previewToken(c *gin.Context) {
	id, found := s.pageID(c)
	if !found {
		return
	}
	if _, err := s.pages.Get(c.Request.Context(), id); err != nil {
		s.writeError(c, err)
		return
	}
	claims := claimsOf(c)
	token, expires, err := s.auth.Tokens().IssuePreview(id, claims.UserID, claims.SessionID, previewTTL)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	ok(c, gin.H{"token": token, "expiresAt": expires, "url": "/api/v1/preview/pages/" + id + "?token=" + token})
}

func (s *Server) preview(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	p, found := s.previewedPage(c)
	if !found {
		return
	}
	body, err := delivery.EncodePreview(p, s.clock.Now())
	if err != nil {
		s.writeError(c, err)
		return
	}
	body = previewBodyMedia(body, p.ID, c.Query("token")) // its images through the token (media.go)
	c.Data(http.StatusOK, "application/json; charset=utf-8", body)
}

// previewedPage checks the request's preview token for the page :id and returns that page's
// working copy; false when it answered the request with an error. Every preview route (the
// page, its images) goes through it.
func (s *Server) previewedPage(c *gin.Context) (editorial.Page, bool) {
	c.Header("X-Robots-Tag", "noindex, nofollow")
	id := c.Param("id")
	token := c.Query("token")
	if token == "" || !cms.ValidID(id) {
		s.writeError(c, cms.Errorf(cms.CodeUnauthorized, "a preview needs ?token= from POST /api/v1/manage/pages/:id/preview-token"))
		return editorial.Page{}, false
	}
	creator, err := s.auth.VerifyPreview(c.Request.Context(), token, id)
	if err != nil {
		s.writeError(c, err)
		return editorial.Page{}, false
	}
	// Roles are read afresh like the user: a creator who lost the right to preview no
	// longer lends it through a link.
	if !s.authz.Allowed(creator.Roles, perm("page", "preview")) {
		s.writeError(c, cms.Errorf(cms.CodeUnauthorized, "invalid or expired preview token"))
		return editorial.Page{}, false
	}
	p, err := s.pages.Get(c.Request.Context(), id)
	if err != nil {
		s.writeError(c, err)
		return editorial.Page{}, false
	}
	return p, true
}
