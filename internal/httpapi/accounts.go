package httpapi

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/monograph-cms/monograph/internal/auth"
)

// accountRoutes registers enrolment, password change and password reset. Enrolment and
// reset are public: the one-time token in the body is the credential.
func (s *Server) accountRoutes(a, session, manage *gin.RouterGroup) {
	a.POST("/enrol", s.enrol)
	a.POST("/reset", s.resetPassword)
	s.managed(session, http.MethodPost, "/password", perm("self", "update"), s.changePassword)
	s.managed(manage, http.MethodPost, "/users/:id/password-reset", perm("user", "manage"), s.issueReset)
}

// accountContext is the request's context carrying its request id, for the account events
// of requests made without a signed-in user.
func accountContext(c *gin.Context) context.Context {
	return auth.WithRequestID(c.Request.Context(), requestID(c))
}

type tokenPasswordRequest struct {
	Token    string `json:"token"`
	Password string `json:"password"`
}

func (s *Server) enrol(c *gin.Context) {
	var req tokenPasswordRequest
	if err := bind(c, &req, ""); err != nil {
		s.writeError(c, err)
		return
	}
	u, err := s.auth.Enrol(accountContext(c), req.Token, req.Password)
	if err != nil {
		s.writeError(c, err)
		return
	}
	ok(c, u)
}

func (s *Server) resetPassword(c *gin.Context) {
	var req tokenPasswordRequest
	if err := bind(c, &req, ""); err != nil {
		s.writeError(c, err)
		return
	}
	if err := s.auth.ResetPassword(accountContext(c), req.Token, req.Password); err != nil {
		s.writeError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

type changePasswordRequest struct {
	CurrentPassword string `json:"currentPassword"`
	NewPassword     string `json:"newPassword"`
}

func (s *Server) changePassword(c *gin.Context) {
	var req changePasswordRequest
	if err := bind(c, &req, ""); err != nil {
		s.writeError(c, err)
		return
	}
	p, _ := principalOf(c)
	if err := s.auth.ChangePassword(c.Request.Context(), p, claimsOf(c).SessionID, req.CurrentPassword, req.NewPassword); err != nil {
		s.writeError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) issueReset(c *gin.Context) {
	p, _ := principalOf(c)
	t, err := s.auth.IssueReset(c.Request.Context(), p, c.Param("id"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store") // the token is shown this once
	ok(c, t)
}
