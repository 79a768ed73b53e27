package httpapi

import (
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/monograph-cms/monograph/internal/cms"
)

// Presence: who else has a page open. The admin's page screen sends a heartbeat every
// ~15 s while open and a DELETE when it closes; an entry not renewed for presenceTTL is
// gone. It is ephemeral state in this process's memory, not the store: with several server
// processes (on MongoDB) each knows only the heartbeats it received (docs/notifications.md).
const (
	presenceTTL = 40 * time.Second
	// presenceMax bounds the entries held, whatever callers send.
	presenceMax = 10000
)

type presenceEntry struct {
	Name    string
	Since   time.Time
	Seen    time.Time
	Editing bool
}

// presenceBoard holds, per page, the users who sent a heartbeat lately.
type presenceBoard struct {
	mu    sync.Mutex
	pages map[string]map[string]*presenceEntry
	n     int
}

func newPresenceBoard() *presenceBoard {
	return &presenceBoard{pages: map[string]map[string]*presenceEntry{}}
}

// beat records that user has page open (editing: with unsaved changes) at now; false when
// the board is full.
func (b *presenceBoard) beat(page, user, name string, editing bool, now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sweep(now)
	users := b.pages[page]
	if users == nil {
		users = map[string]*presenceEntry{}
		b.pages[page] = users
	}
	e := users[user]
	if e == nil {
		if b.n >= presenceMax {
			return false
		}
		e = &presenceEntry{Since: now}
		users[user] = e
		b.n++
	}
	e.Name, e.Seen, e.Editing = name, now, editing
	return true
}

// leave forgets user on page.
func (b *presenceBoard) leave(page, user string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if users := b.pages[page]; users != nil && users[user] != nil {
		delete(users, user)
		b.n--
		if len(users) == 0 {
			delete(b.pages, page)
		}
	}
}

// sweep drops the entries older than the TTL (called with mu held).
func (b *presenceBoard) sweep(now time.Time) {
	for page, users := range b.pages {
		for id, e := range users {
			if now.Sub(e.Seen) > presenceTTL {
				delete(users, id)
				b.n--
			}
		}
		if len(users) == 0 {
			delete(b.pages, page)
		}
	}
}

type presenceView struct {
	User    presenceUser `json:"user"`
	Since   time.Time    `json:"since"`
	Seen    time.Time    `json:"seen"`
	Editing bool         `json:"editing"`
}

type presenceUser struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// others lists who else than user has page open, longest first.
func (b *presenceBoard) others(page, user string, now time.Time) []presenceView {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sweep(now)
	out := []presenceView{}
	for id, e := range b.pages[page] {
		if id != user {
			out = append(out, presenceView{User: presenceUser{ID: id, Name: e.Name}, Since: e.Since, Seen: e.Seen, Editing: e.Editing})
		}
	}
	slices.SortFunc(out, func(a, b presenceView) int {
		if c := a.Since.Compare(b.Since); c != 0 {
			return c
		}
		return strings.Compare(a.User.ID, b.User.ID)
	})
	return out
}

func (s *Server) presenceRoutes(m *gin.RouterGroup) {
	s.managed(m, http.MethodGet, "/pages/:id/presence", perm("page", "read"), s.getPresence)
	s.managed(m, http.MethodPost, "/pages/:id/presence", perm("page", "read"), s.postPresence)
	s.managed(m, http.MethodDelete, "/pages/:id/presence", perm("page", "read"), s.deletePresence)
}

// presencePage returns the :id of an existing page (404 otherwise: presence is not kept
// for pages that do not exist).
func (s *Server) presencePage(c *gin.Context) (string, bool) {
	id, found := s.pageID(c)
	if !found {
		return "", false
	}
	if _, err := s.pages.Get(c.Request.Context(), id); err != nil {
		s.writeError(c, err)
		return "", false
	}
	return id, true
}

func (s *Server) getPresence(c *gin.Context) {
	id, found := s.presencePage(c)
	if !found {
		return
	}
	c.Header("Cache-Control", "no-store")
	ok(c, gin.H{"data": s.presence.others(id, s.actor(c).UserID, s.clock.Now()), "ttlSeconds": int(presenceTTL / time.Second)})
}

type presenceRequest struct {
	// Editing says the caller has unsaved changes on the page.
	Editing bool `json:"editing"`
}

func (s *Server) postPresence(c *gin.Context) {
	var req presenceRequest
	if err := bindOptional(c, &req); err != nil {
		s.writeError(c, err)
		return
	}
	id, found := s.presencePage(c)
	if !found {
		return
	}
	p := s.actor(c)
	now := s.clock.Now()
	if !s.presence.beat(id, p.UserID, p.Name, req.Editing, now) {
		s.writeError(c, &cms.Error{Code: cms.CodeUnavailable, Message: "too many people are present; try again later"})
		return
	}
	c.Header("Cache-Control", "no-store")
	ok(c, gin.H{"data": s.presence.others(id, p.UserID, now), "ttlSeconds": int(presenceTTL / time.Second)})
}

func (s *Server) deletePresence(c *gin.Context) {
	id, found := s.pageID(c)
	if !found {
		return
	}
	s.presence.leave(id, s.actor(c).UserID)
	c.Status(http.StatusNoContent)
}
