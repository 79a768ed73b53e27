package httpapi

import (
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/monograph-cms/monograph/internal/auth"
	"github.com/monograph-cms/monograph/internal/authz"
	"github.com/monograph-cms/monograph/internal/cms"
)

const principalKey, claimsKey = "principal", "claims"

// authenticate requires a valid Bearer access token for a user who is enabled now; the
// user (and so the roles) is loaded on every request.
func (s *Server) authenticate(c *gin.Context) {
	h := c.GetHeader("Authorization")
	token, found := strings.CutPrefix(h, "Bearer ")
	if !found || token == "" {
		c.Header("WWW-Authenticate", `Bearer realm="monograph"`)
		s.writeError(c, cms.Errorf(cms.CodeUnauthorized, "send an access token as Authorization: Bearer <token> (POST /api/v1/auth/login gives one)"))
		return
	}
	p, claims, err := s.auth.Authenticate(c.Request.Context(), token)
	if err != nil {
		c.Header("WWW-Authenticate", `Bearer realm="monograph", error="invalid_token"`)
		s.writeError(c, err)
		return
	}
	p.RequestID = requestID(c)
	c.Set(principalKey, p)
	c.Set(claimsKey, claims)
	c.Next()
}

// authorize returns the middleware that lets the request through only if casbin grants
// perm to one of the principal's roles. It fails closed: no principal, no permission.
func (s *Server) authorize(perm authz.Permission) gin.HandlerFunc {
	return func(c *gin.Context) {
		p, ok := principalOf(c)
		if !ok || !s.authz.Allowed(p.Roles, perm) {
			if s.onDenied != nil && ok {
				s.onDenied(c, p, perm)
			}
			s.writeError(c, cms.Errorf(cms.CodeForbidden, "your roles do not allow %s", perm))
			return
		}
		c.Next()
	}
}

func principalOf(c *gin.Context) (cms.Principal, bool) {
	v, ok := c.Get(principalKey)
	if !ok {
		return cms.Principal{}, false
	}
	p, ok := v.(cms.Principal)
	return p, ok
}

func claimsOf(c *gin.Context) auth.AccessClaims {
	v, _ := c.Get(claimsKey)
	cl, _ := v.(auth.AccessClaims)
	return cl
}

// recordDenied notes an authorization denial of a workflow action (logged with the request
// id; see editorial.Service.RecordDenied for why it is not on the page's chain).
func (s *Server) recordDenied(c *gin.Context, p cms.Principal, perm authz.Permission) {
	if perm.Object != "page" || s.pages == nil {
		return
	}
	switch perm.Action {
	case "submit", "request_changes", "approve", "publish", "unpublish", "save", "cancel_schedule":
		s.pages.RecordDenied(c.Request.Context(), p, c.Param("id"), perm.Action)
	}
}
