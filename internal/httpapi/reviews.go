package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/reviews"
)

// reviewRoutes registers the reader reviews (docs/api.md "Reader reviews (public)"): public submission
// and listing beside delivery's page routes, moderation under /manage.
func (s *Server) reviewRoutes(e *gin.Engine, m *gin.RouterGroup) {
	e.POST("/api/v1/pages/:slug/reviews", s.submitReview)
	e.GET("/api/v1/pages/:slug/reviews", s.publicReviews)
	p := perm("review", "moderate")
	s.managed(m, http.MethodGet, "/reviews", p, s.listReviews)
	s.managed(m, http.MethodPost, "/reviews/:id/approve", p, s.approveReview)
	s.managed(m, http.MethodPost, "/reviews/:id/reject", p, s.rejectReview)
}

// publicReviewView is an approved review as websites get it: marked as a reader opinion,
// the body plain text (never HTML: insert it as text).
type publicReviewView struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Rating    int       `json:"rating"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"createdAt"`
	Kind      string    `json:"kind"`
}

// reviewView is a review as moderators see it.
type reviewView struct {
	reviews.Review
	Kind string `json:"kind"`
}

type submitReviewRequest struct {
	Name   string `json:"name"`
	Rating *int   `json:"rating"`
	Body   string `json:"body"`
}

// reviewSlug returns :slug if it is well formed; otherwise it answers 404 like delivery.
func (s *Server) reviewSlug(c *gin.Context) (string, bool) {
	slug := c.Param("slug")
	if editorial.ValidateSlug(slug) != nil {
		s.writeError(c, cms.Errorf(cms.CodeNotFound, "page not found"))
		return "", false
	}
	return slug, true
}

func (s *Server) submitReview(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	slug, found := s.reviewSlug(c)
	if !found {
		return
	}
	var req submitReviewRequest
	if err := bind(c, &req, ""); err != nil {
		s.writeError(c, err)
		return
	}
	r, err := s.reviews.Submit(c.Request.Context(), slug, reviews.Submission{Name: req.Name, Rating: req.Rating, Body: req.Body}, c.ClientIP())
	if err != nil {
		s.writeError(c, err)
		return
	}
	writeJSON(c, http.StatusAccepted, "application/json", gin.H{"id": r.ID, "state": r.State})
}

type reviewCursor struct {
	At time.Time `json:"t"`
	ID string    `json:"id"`
}

// reviewCursorParam parses ?cursor=.
func reviewCursorParam(c *gin.Context) (*reviews.Cursor, error) {
	raw := c.Query("cursor")
	if raw == "" {
		return nil, nil
	}
	var rc reviewCursor
	if err := decodeCursor(raw, &rc); err != nil || !cms.ValidID(rc.ID) {
		return nil, cms.InvalidField("cursor", "not a cursor this API returned; start without one")
	}
	return &reviews.Cursor{At: rc.At, ID: rc.ID}, nil
}

func (s *Server) publicReviews(c *gin.Context) {
	slug, found := s.reviewSlug(c)
	if !found {
		return
	}
	limit, err := queryLimit(c, 20)
	if err != nil {
		s.writeError(c, err)
		return
	}
	after, err := reviewCursorParam(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	list, more, err := s.reviews.Public(c.Request.Context(), slug, after, limit)
	if err != nil {
		s.writeError(c, err)
		return
	}
	data := make([]publicReviewView, len(list))
	for i, r := range list {
		data[i] = publicReviewView{ID: r.ID, Name: r.Name, Rating: r.Rating, Body: r.Body, CreatedAt: r.CreatedAt, Kind: reviews.Kind}
	}
	next := ""
	if more && len(list) > 0 {
		last := list[len(list)-1]
		next = encodeCursor(reviewCursor{At: last.CreatedAt, ID: last.ID})
	}
	c.Header("Cache-Control", "public, max-age=30")
	ok(c, gin.H{"data": data, "nextCursor": next})
}

func (s *Server) listReviews(c *gin.Context) {
	limit, err := queryLimit(c, 50)
	if err != nil {
		s.writeError(c, err)
		return
	}
	f := reviews.Filter{State: reviews.StatePending, Limit: limit + 1}
	if st := c.Query("state"); st != "" {
		f.State = reviews.State(st)
	}
	if slug := c.Query("slug"); slug != "" {
		if editorial.ValidateSlug(slug) != nil {
			s.writeError(c, cms.InvalidField("slug", "not a valid slug"))
			return
		}
		f.Slug = slug
	}
	if f.After, err = reviewCursorParam(c); err != nil {
		s.writeError(c, err)
		return
	}
	list, err := s.reviews.List(c.Request.Context(), f)
	if err != nil {
		s.writeError(c, err)
		return
	}
	next := ""
	if len(list) > limit {
		list = list[:limit]
		last := list[len(list)-1]
		next = encodeCursor(reviewCursor{At: last.CreatedAt, ID: last.ID})
	}
	data := make([]reviewView, len(list))
	for i, r := range list {
		data[i] = reviewView{Review: r, Kind: reviews.Kind}
	}
	c.Header("Cache-Control", "no-store")
	ok(c, gin.H{"data": data, "nextCursor": next})
}

func (s *Server) approveReview(c *gin.Context) {
	var req struct{}
	if err := bindOptional(c, &req); err != nil {
		s.writeError(c, err)
		return
	}
	r, err := s.reviews.Approve(c.Request.Context(), s.actor(c), c.Param("id"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	ok(c, reviewView{Review: r, Kind: reviews.Kind})
}

type rejectReviewRequest struct {
	Reason string `json:"reason"`
}

func (s *Server) rejectReview(c *gin.Context) {
	var req rejectReviewRequest
	if err := bindOptional(c, &req); err != nil {
		s.writeError(c, err)
		return
	}
	r, err := s.reviews.Reject(c.Request.Context(), s.actor(c), c.Param("id"), req.Reason)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	ok(c, reviewView{Review: r, Kind: reviews.Kind})
}
