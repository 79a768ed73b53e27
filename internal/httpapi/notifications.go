package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/notify"
)

// notificationRoutes serve the caller's notifications and work queues (internal/notify).
// Without the notification service (route-only tests) they answer 503.
func (s *Server) notificationRoutes(m *gin.RouterGroup) {
	s.managed(m, http.MethodGet, "/notifications", perm("notification", "read"), s.listNotifications)
	s.managed(m, http.MethodPost, "/notifications/read", perm("notification", "update"), s.markNotificationsRead)
	s.managed(m, http.MethodGet, "/queues", perm("page", "read"), s.queues)
	s.managed(m, http.MethodGet, "/pages/:id/notified", perm("page", "read"), s.notified)
}

// notificationView is a notification as the admin shows it: Text is the server's one
// sentence about it, Email where its e-mail is ("off" when SMTP is not configured).
type notificationView struct {
	ID        string     `json:"id"`
	Kind      string     `json:"kind"`
	Text      string     `json:"text"`
	PageID    string     `json:"pageId"`
	Slug      string     `json:"slug"`
	Title     string     `json:"title"`
	Revision  int        `json:"revision"`
	ActorName string     `json:"actorName"`
	Comment   string     `json:"comment,omitempty"`
	At        time.Time  `json:"at"`
	ReadAt    *time.Time `json:"readAt"`
	Email     string     `json:"email"`
	EmailErr  string     `json:"emailError,omitempty"`
}

func viewNotification(n notify.Notification) notificationView {
	v := notificationView{
		ID: n.ID, Kind: string(n.Kind), Text: notify.Subject(n), PageID: n.PageID, Slug: n.Slug, Title: n.Title,
		Revision: n.Revision, ActorName: n.ActorName, Comment: n.Comment, At: n.At, ReadAt: n.ReadAt,
		Email: string(n.Mail.State),
	}
	if v.Email == "" {
		v.Email = "off"
	}
	if n.Mail.State != notify.MailSent {
		// A kind of failure only: every recipient sees it, and the server's address,
		// account and answer are for its log (notify.PublicMailError).
		v.EmailErr = notify.PublicMailError(n.Mail.Error)
	}
	return v
}

type notificationCursor struct {
	T  time.Time `json:"t"`
	ID string    `json:"id"`
}

func (s *Server) notifyReady(c *gin.Context) bool {
	if s.notify == nil {
		s.writeError(c, &cms.Error{Code: cms.CodeUnavailable, Message: "notifications are not available"})
		return false
	}
	return true
}

func (s *Server) listNotifications(c *gin.Context) {
	if !s.notifyReady(c) {
		return
	}
	limit, err := queryLimit(c, 20)
	if err != nil {
		s.writeError(c, err)
		return
	}
	p := s.actor(c)
	f := notify.Filter{UserID: p.UserID, Limit: limit + 1}
	switch c.Query("unread") {
	case "", "false":
	case "true":
		f.Unread = true
	default:
		s.writeError(c, cms.InvalidField("unread", "true or false"))
		return
	}
	if cur := c.Query("cursor"); cur != "" {
		var nc notificationCursor
		if err := decodeCursor(cur, &nc); err != nil || !notify.ValidID(nc.ID) {
			s.writeError(c, cms.InvalidField("cursor", "not a cursor this API returned; start without one"))
			return
		}
		f.BeforeAt, f.BeforeID = &nc.T, nc.ID
	}
	ctx := c.Request.Context()
	list, err := s.notify.List(ctx, f)
	if err != nil {
		s.writeError(c, err)
		return
	}
	unread, err := s.notify.Unread(ctx, p.UserID)
	if err != nil {
		s.writeError(c, err)
		return
	}
	next := ""
	if len(list) > limit {
		list = list[:limit]
		last := list[len(list)-1]
		next = encodeCursor(notificationCursor{T: last.At, ID: last.ID})
	}
	data := make([]notificationView, len(list))
	for i, n := range list {
		data[i] = viewNotification(n)
	}
	c.Header("Cache-Control", "no-store")
	ok(c, gin.H{"data": data, "nextCursor": next, "unread": unread, "email": s.notify.MailEnabled()})
}

// markReadRequest names the notifications to mark read, or all of them.
type markReadRequest struct {
	IDs []string `json:"ids"`
	All bool     `json:"all"`
}

func (s *Server) markNotificationsRead(c *gin.Context) {
	if !s.notifyReady(c) {
		return
	}
	var req markReadRequest
	if err := bind(c, &req, ""); err != nil {
		s.writeError(c, err)
		return
	}
	switch {
	case req.All && req.IDs != nil:
		s.writeError(c, cms.InvalidField("ids", "give ids or all, not both"))
		return
	case !req.All && len(req.IDs) == 0:
		s.writeError(c, cms.InvalidField("ids", "at least one id, or \"all\": true"))
		return
	case len(req.IDs) > 100:
		s.writeError(c, cms.InvalidField("ids", "at most 100 at a time"))
		return
	}
	for i, id := range req.IDs {
		if !notify.ValidID(id) {
			s.writeError(c, cms.InvalidField("ids["+strconv.Itoa(i)+"]", "not a notification id"))
			return
		}
	}
	ids := req.IDs
	if req.All {
		ids = nil
	}
	p := s.actor(c)
	ctx := c.Request.Context()
	n, err := s.notify.MarkRead(ctx, p.UserID, ids)
	if err != nil {
		s.writeError(c, err)
		return
	}
	unread, err := s.notify.Unread(ctx, p.UserID)
	if err != nil {
		s.writeError(c, err)
		return
	}
	ok(c, gin.H{"marked": n, "unread": unread})
}

type queueView struct {
	Queue string     `json:"queue"`
	Pages []pageView `json:"pages"`
	More  bool       `json:"more"`
}

func (s *Server) queues(c *gin.Context) {
	if !s.notifyReady(c) {
		return
	}
	qs, err := s.notify.Queues(c.Request.Context(), s.actor(c))
	if err != nil {
		s.writeError(c, err)
		return
	}
	data := make([]queueView, len(qs))
	for i, q := range qs {
		v := queueView{Queue: string(q.Name), Pages: make([]pageView, len(q.Pages)), More: q.More}
		for j, p := range q.Pages {
			v.Pages[j] = s.viewPage(p, false)
		}
		data[i] = v
	}
	c.Header("Cache-Control", "no-store")
	ok(c, gin.H{"data": data})
}

// notified answers how many people the caller's latest event of ?action= on the page
// notified (the admin's honest "the writer will see your comment").
func (s *Server) notified(c *gin.Context) {
	if !s.notifyReady(c) {
		return
	}
	id, found := s.pageID(c)
	if !found {
		return
	}
	action := c.Query("action")
	switch action {
	case "submit", "request_changes", "approve", "publish":
	default:
		s.writeError(c, cms.InvalidField("action", "one of submit, request_changes, approve, publish"))
		return
	}
	n, err := s.notify.NotifiedAbout(c.Request.Context(), s.actor(c), id, action)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	ok(c, gin.H{"recorded": n.Recorded, "recipients": n.Recipients, "kind": string(n.Kind)})
}
