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

// Presence: who else has a page open. Each tab of the admin's page screen sends a
// heartbeat every ~15 s while open, with an id it made for itself (tab), and a DELETE of
// that tab when it closes; an entry not renewed for presenceTTL is gone. A user is present
// while any of their tabs is, so closing one tab does not hide someone still editing in
// another. It is ephemeral state in this process's memory, not the store: with several
// server processes (on MongoDB) each knows only the heartbeats it received
// (docs/notifications.md).
const (
	presenceTTL = 40 * time.Second
	// presenceMax bounds the entries (tabs) held, whatever callers send; presencePerUser
	// bounds one account's, so no account can fill the board: past it, a new tab takes
	// the place of that account's least recently renewed one.
	presenceMax     = 10000
	presencePerUser = 20
	// presenceTabMax bounds a tab id's length.
	presenceTabMax = 64
)

// presenceEntry is one tab of one user on one page.
type presenceEntry struct {
	Name    string
	Since   time.Time
	Seen    time.Time
	Editing bool
}

// presenceKey names a user's tab.
type presenceKey struct{ user, tab string }

// presenceBoard holds, per page, the tabs that sent a heartbeat lately.
type presenceBoard struct {
	mu     sync.Mutex
	pages  map[string]map[presenceKey]*presenceEntry
	n      int
	byUser map[string]int // entries per user
	swept  time.Time      // the last sweep
}

func newPresenceBoard() *presenceBoard {
	return &presenceBoard{pages: map[string]map[presenceKey]*presenceEntry{}, byUser: map[string]int{}}
}

// validTab reports whether tab is a tab id the board keeps: empty (a client that sends
// none: one entry per user) or up to presenceTabMax letters, digits, '-' and '_'.
func validTab(tab string) bool {
	if len(tab) > presenceTabMax {
		return false
	}
	for _, r := range tab {
		if !(r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

// beat records that user's tab has page open (editing: with unsaved changes) at now; false
// when the board is full.
func (b *presenceBoard) beat(page, user, tab, name string, editing bool, now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sweepNow(now, false)
	k := presenceKey{user, tab}
	e := b.pages[page][k]
	if e == nil {
		if b.byUser[user] >= presencePerUser {
			b.evictOldest(user)
		} else if b.n >= presenceMax {
			if b.sweepNow(now, true); b.n >= presenceMax {
				return false
			}
		}
		if b.pages[page] == nil {
			b.pages[page] = map[presenceKey]*presenceEntry{}
		}
		e = &presenceEntry{Since: now}
		b.pages[page][k] = e
		b.n++
		b.byUser[user]++
	}
	e.Name, e.Seen, e.Editing = name, now, editing
	return true
}

// evictOldest drops user's least recently renewed entry (called with mu held).
func (b *presenceBoard) evictOldest(user string) {
	var page string
	var key presenceKey
	var oldest *presenceEntry
	for pg, tabs := range b.pages {
		for k, e := range tabs {
			if k.user == user && (oldest == nil || e.Seen.Before(oldest.Seen)) {
				page, key, oldest = pg, k, e
			}
		}
	}
	if oldest != nil {
		b.drop(page, key)
	}
}

// drop forgets one entry (called with mu held).
func (b *presenceBoard) drop(page string, k presenceKey) {
	tabs := b.pages[page]
	if tabs == nil || tabs[k] == nil {
		return
	}
	delete(tabs, k)
	b.n--
	if b.byUser[k.user]--; b.byUser[k.user] <= 0 {
		delete(b.byUser, k.user)
	}
	if len(tabs) == 0 {
		delete(b.pages, page)
	}
}

// leave forgets user's tab on page.
func (b *presenceBoard) leave(page, user, tab string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.drop(page, presenceKey{user, tab})
}

// sweepNow sweeps when the last sweep is a second old, or when forced (called with mu
// held): a sweep reads every entry, too much for every heartbeat of a full board, and
// others skips expired entries anyway.
func (b *presenceBoard) sweepNow(now time.Time, force bool) {
	if force || now.Sub(b.swept) >= time.Second || now.Before(b.swept) {
		b.sweep(now)
		b.swept = now
	}
}

// sweep drops the entries older than the TTL (called with mu held).
func (b *presenceBoard) sweep(now time.Time) {
	for page, tabs := range b.pages {
		for k, e := range tabs {
			if now.Sub(e.Seen) > presenceTTL {
				b.drop(page, k)
			}
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

// others lists who else than user has page open, longest first: one line per person, who
// is editing when any of their tabs is.
func (b *presenceBoard) others(page, user string, now time.Time) []presenceView {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sweepNow(now, false)
	people := map[string]*presenceView{}
	for k, e := range b.pages[page] {
		if k.user == user || now.Sub(e.Seen) > presenceTTL {
			continue
		}
		v := people[k.user]
		if v == nil {
			people[k.user] = &presenceView{User: presenceUser{ID: k.user, Name: e.Name}, Since: e.Since, Seen: e.Seen, Editing: e.Editing}
			continue
		}
		if e.Since.Before(v.Since) {
			v.Since = e.Since
		}
		if e.Seen.After(v.Seen) {
			v.Seen, v.User.Name = e.Seen, e.Name
		}
		v.Editing = v.Editing || e.Editing
	}
	out := []presenceView{}
	for _, v := range people {
		out = append(out, *v)
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
	// Tab is the id the caller's browser tab made for itself (see validTab).
	Tab string `json:"tab"`
}

func (s *Server) postPresence(c *gin.Context) {
	var req presenceRequest
	if err := bindOptional(c, &req); err != nil {
		s.writeError(c, err)
		return
	}
	if !validTab(req.Tab) {
		s.writeError(c, cms.InvalidField("tab", "at most 64 letters, digits, '-' and '_'"))
		return
	}
	id, found := s.presencePage(c)
	if !found {
		return
	}
	p := s.actor(c)
	now := s.clock.Now()
	if !s.presence.beat(id, p.UserID, req.Tab, p.Name, req.Editing, now) {
		s.writeError(c, &cms.Error{Code: cms.CodeUnavailable, Message: "too many people are present; try again later"})
		return
	}
	c.Header("Cache-Control", "no-store")
	ok(c, gin.H{"data": s.presence.others(id, p.UserID, now), "ttlSeconds": int(presenceTTL / time.Second)})
}

func (s *Server) deletePresence(c *gin.Context) {
	tab := c.Query("tab")
	if !validTab(tab) {
		s.writeError(c, cms.InvalidField("tab", "at most 64 letters, digits, '-' and '_'"))
		return
	}
	id, found := s.pageID(c)
	if !found {
		return
	}
	s.presence.leave(id, s.actor(c).UserID, tab)
	c.Status(http.StatusNoContent)
}
