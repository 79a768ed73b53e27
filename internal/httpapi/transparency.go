package httpapi

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/delivery"
	"github.com/monograph-cms/monograph/internal/transparency"
)

// transparencyRoutes registers the public routes of the verifiable record: the signed
// checkpoint, the verifier key, inclusion and consistency proofs, and a live page's
// attestation. None needs a login: the point is that anyone can check.
func (s *Server) transparencyRoutes(e *gin.Engine) {
	t := e.Group("/api/v1/transparency")
	t.GET("/checkpoint", s.checkpoint)
	t.GET("/key", s.logKey)
	t.GET("/proof", s.inclusionProof)
	t.GET("/consistency", s.consistencyProof)
	e.GET("/api/v1/pages/:slug"+delivery.AttestationSuffix, s.attestation)
}

// transparencyLog returns the log, or answers 503 when this server has none (a test server
// built without it).
func (s *Server) transparencyLog(c *gin.Context) (*transparency.Log, bool) {
	if s.transparency == nil {
		s.writeError(c, cms.Errorf(cms.CodeUnavailable, "this server does not keep the verifiable log"))
		return nil, false
	}
	return s.transparency, true
}

func (s *Server) checkpoint(c *gin.Context) {
	l, found := s.transparencyLog(c)
	if !found {
		return
	}
	cp, err := l.Checkpoint(c.Request.Context())
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.Header("Cache-Control", "no-cache") // the tree grows with every audit event
	c.Data(http.StatusOK, "text/plain; charset=utf-8", cp.Note)
}

func (s *Server) logKey(c *gin.Context) {
	l, found := s.transparencyLog(c)
	if !found {
		return
	}
	c.Header("Cache-Control", "public, max-age=3600")
	c.Data(http.StatusOK, "text/plain; charset=utf-8", []byte(l.Key().VerifierKey()))
}

type inclusionProofView struct {
	Index int64    `json:"index"`
	Size  int64    `json:"size"`
	Proof []string `json:"proof"`
}

func (s *Server) inclusionProof(c *gin.Context) {
	l, found := s.transparencyLog(c)
	if !found {
		return
	}
	index, err := int64Query(c, "index")
	if err != nil {
		s.writeError(c, err)
		return
	}
	size, err := int64Query(c, "size")
	if err != nil {
		s.writeError(c, err)
		return
	}
	p, err := l.InclusionProof(c.Request.Context(), index, size)
	if err != nil {
		s.writeError(c, err)
		return
	}
	ok(c, inclusionProofView{Index: index, Size: size, Proof: transparency.HashStrings(p)})
}

type consistencyProofView struct {
	Old   int64    `json:"old"`
	New   int64    `json:"new"`
	Proof []string `json:"proof"`
}

func (s *Server) consistencyProof(c *gin.Context) {
	l, found := s.transparencyLog(c)
	if !found {
		return
	}
	oldSize, err := int64Query(c, "old")
	if err != nil {
		s.writeError(c, err)
		return
	}
	newSize, err := int64Query(c, "new")
	if err != nil {
		s.writeError(c, err)
		return
	}
	p, err := l.ConsistencyProof(c.Request.Context(), oldSize, newSize)
	if err != nil {
		s.writeError(c, err)
		return
	}
	ok(c, consistencyProofView{Old: oldSize, New: newSize, Proof: transparency.HashStrings(p)})
}

func (s *Server) attestation(c *gin.Context) {
	l, found := s.transparencyLog(c)
	if !found {
		return
	}
	a, err := l.AttestSlug(c.Request.Context(), c.Param("slug"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.Header("Cache-Control", "no-cache")
	ok(c, a)
}

// int64Query reads a required integer query parameter, naming it when it is missing or
// not an integer.
func int64Query(c *gin.Context, name string) (int64, error) {
	v, present := c.GetQuery(name)
	if !present || v == "" {
		return 0, cms.InvalidField(name, "required")
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, cms.InvalidField(name, "an integer")
	}
	return n, nil
}
