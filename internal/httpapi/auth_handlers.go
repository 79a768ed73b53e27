package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/monograph-cms/monograph/internal/auth"
)

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

func (s *Server) login(c *gin.Context) {
	var req loginRequest
	if err := bind(c, &req, ""); err != nil {
		s.writeError(c, err)
		return
	}
	sess, err := s.auth.Login(accountContext(c), req.Email, req.Password, c.ClientIP())
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	ok(c, sess)
}

type refreshRequest struct {
	RefreshToken string `json:"refreshToken"`
}

func (s *Server) refresh(c *gin.Context) {
	var req refreshRequest
	if err := bind(c, &req, ""); err != nil {
		s.writeError(c, err)
		return
	}
	sess, err := s.auth.Refresh(c.Request.Context(), req.RefreshToken)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	ok(c, sess)
}

func (s *Server) logout(c *gin.Context) {
	if err := s.auth.Logout(c.Request.Context(), claimsOf(c)); err != nil {
		s.writeError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) me(c *gin.Context) {
	p, _ := principalOf(c)
	u, err := s.auth.GetUser(c.Request.Context(), p.UserID)
	if err != nil {
		s.writeError(c, err)
		return
	}
	ok(c, meView{User: u, Permissions: s.permissionsOf(u.Roles)})
}

func (s *Server) createUser(c *gin.Context) {
	var in auth.NewUser
	if err := bind(c, &in, ""); err != nil {
		s.writeError(c, err)
		return
	}
	p, _ := principalOf(c)
	created, err := s.auth.CreateUserBy(c.Request.Context(), p, in)
	if err != nil {
		s.writeError(c, err)
		return
	}
	if created.Enrolment != nil {
		c.Header("Cache-Control", "no-store") // the token is shown this once
	}
	writeJSON(c, http.StatusCreated, "application/json", created)
}

func (s *Server) listUsers(c *gin.Context) {
	users, err := s.auth.ListUsers(c.Request.Context())
	if err != nil {
		s.writeError(c, err)
		return
	}
	ok(c, gin.H{"data": users})
}

func (s *Server) getUser(c *gin.Context) {
	u, err := s.auth.GetUser(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	ok(c, u)
}

func (s *Server) patchUser(c *gin.Context) {
	var patch auth.UserPatch
	if err := bind(c, &patch, ""); err != nil {
		s.writeError(c, err)
		return
	}
	p, _ := principalOf(c)
	u, err := s.auth.UpdateUser(c.Request.Context(), p, c.Param("id"), patch)
	if err != nil {
		s.writeError(c, err)
		return
	}
	ok(c, u)
}
