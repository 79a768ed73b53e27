package httpapi

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/content"
	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/workflow"
)

func (s *Server) pageRoutes(m *gin.RouterGroup) {
	s.managed(m, http.MethodPost, "/pages", perm("page", "create"), s.createPage)
	s.managed(m, http.MethodGet, "/pages", perm("page", "read"), s.listPages)
	s.managed(m, http.MethodGet, "/pages/:id", perm("page", "read"), s.getPage)
	s.managed(m, http.MethodPatch, "/pages/:id", perm("page", "settings"), s.patchPage)
	s.managed(m, http.MethodPut, "/pages/:id/content", perm("page", "save"), s.saveContent)
	s.managed(m, http.MethodGet, "/pages/:id/revisions", perm("page", "read"), s.listRevisions)
	s.managed(m, http.MethodGet, "/pages/:id/revisions/:n", perm("page", "read"), s.getRevision)
	s.managed(m, http.MethodGet, "/pages/:id/diff", perm("page", "read"), s.diff)
	s.managed(m, http.MethodPost, "/pages/:id/submit", perm("page", "submit"), s.submit)
	s.managed(m, http.MethodPost, "/pages/:id/request-changes", perm("page", "request_changes"), s.requestChanges)
	s.managed(m, http.MethodPost, "/pages/:id/approve", perm("page", "approve"), s.approve)
	s.managed(m, http.MethodPost, "/pages/:id/publish", perm("page", "publish"), s.publish)
	s.managed(m, http.MethodPost, "/pages/:id/unpublish", perm("page", "unpublish"), s.unpublish)
	s.managed(m, http.MethodPost, "/pages/:id/cancel-schedule", perm("page", "cancel_schedule"), s.cancelSchedule)
	s.managed(m, http.MethodGet, "/pages/:id/audit", perm("page", "audit"), s.pageAudit)
	s.managed(m, http.MethodGet, "/audit", perm("audit", "read"), s.audit)
	s.managed(m, http.MethodPost, "/render", perm("render", "use"), s.render)
	s.managed(m, http.MethodPost, "/checks", perm("page", "save"), s.checkContent)
}

// pageView is the page JSON of docs/api.md, plus the pre-review checks and the review baseline.
type pageView struct {
	ID                 string                `json:"id"`
	Slug               string                `json:"slug"`
	State              workflow.State        `json:"state"`
	Version            int                   `json:"version"`
	Revision           int                   `json:"revision"`
	Content            *content.Content      `json:"content,omitempty"`
	ContentHash        string                `json:"contentHash"`
	Approval           *workflow.Approval    `json:"approval"`
	Live               *liveView             `json:"live"`
	ScheduledAt        *time.Time            `json:"scheduledAt"`
	Unpublished        *workflow.Unpublished `json:"unpublished"`
	ReviewBaseline     int                   `json:"reviewBaseline"`
	ReviewIntervalDays int                   `json:"reviewIntervalDays"`
	ReviewOverdue      bool                  `json:"reviewOverdue"`
	Checks             []content.CheckResult `json:"checks,omitempty"`
	Title              string                `json:"title,omitempty"`
	DrugName           string                `json:"drugName,omitempty"`
	CreatedAt          time.Time             `json:"createdAt"`
	CreatedBy          editorial.Person      `json:"createdBy"`
	UpdatedAt          time.Time             `json:"updatedAt"`
	UpdatedBy          editorial.Person      `json:"updatedBy"`
	// Actions are the workflow actions the caller may take now (page_actions.go); only
	// on a whole page, never in lists.
	Actions []workflow.ActionAvailability `json:"actions,omitempty"`
	// Translations (translations.go): the page's locale; on a translation the source
	// revision it renders and whether it is outdated; on a whole source page its translations.
	Locale        string            `json:"locale"`
	TranslationOf *translationRef   `json:"translationOf,omitempty"`
	Outdated      *bool             `json:"outdated,omitempty"`
	Translations  []translationItem `json:"translations,omitempty"`
}

type liveView struct {
	Revision      int             `json:"revision"`
	PublishedAt   time.Time       `json:"publishedAt"`
	PublishedBy   workflow.Signer `json:"publishedBy"`
	ContentHash   string          `json:"contentHash"`
	NextReviewDue time.Time       `json:"nextReviewDue"`
}

func (s *Server) viewPage(p editorial.Page, full bool) pageView {
	w := p.Workflow
	v := pageView{
		ID: p.ID, Slug: p.Slug, State: w.State, Version: p.Version, Revision: w.Revision,
		ContentHash: w.ContentHash, Approval: w.Approval, ScheduledAt: w.ScheduledAt,
		Unpublished: w.Unpublished, ReviewBaseline: p.ReviewBaseline, ReviewIntervalDays: w.ReviewIntervalDays,
		CreatedAt: p.CreatedAt, CreatedBy: p.CreatedBy, UpdatedAt: p.UpdatedAt, UpdatedBy: p.UpdatedBy,
	}
	if w.Live != nil {
		v.Live = &liveView{Revision: w.Live.Revision, PublishedAt: w.Live.PublishedAt, PublishedBy: w.Live.PublishedBy,
			ContentHash: w.Live.ContentHash, NextReviewDue: w.Live.Approval.NextReviewDue}
		v.ReviewOverdue = workflow.ReviewOverdue(&w.Live.Approval, s.clock.Now())
	}
	if full {
		c := p.Content
		v.Content = &c
		v.Checks = s.pages.Checks(p)
	} else {
		v.Title, v.DrugName = p.Content.Title, p.Content.Drug.Name
	}
	s.translationFields(nil, p, &v, false)
	return v
}

// pageID returns the :id parameter if it is well formed; otherwise it answers 404.
func (s *Server) pageID(c *gin.Context) (string, bool) {
	id := c.Param("id")
	if !cms.ValidID(id) {
		s.writeError(c, cms.Errorf(cms.CodeNotFound, "page not found"))
		return "", false
	}
	return id, true
}

func (s *Server) answerPage(c *gin.Context, status int, p editorial.Page) {
	c.Header("ETag", `"`+strconv.Itoa(p.Version)+`"`)
	c.Header("Cache-Control", "no-store")
	v := s.viewPage(p, true)
	s.translationFields(c, p, &v, true)
	v.Actions = s.pageActions(c, p, v.Checks)
	s.translationActions(c, p, v.Actions)
	writeJSON(c, status, "application/json", v)
}

type createPageRequest struct {
	Slug    string          `json:"slug"`
	Content content.Content `json:"content"`
	Note    string          `json:"note"`
}

func (s *Server) createPage(c *gin.Context) {
	var req createPageRequest
	if err := bind(c, &req, ""); err != nil {
		s.writeError(c, err)
		return
	}
	p, err := s.pages.Create(c.Request.Context(), s.actor(c), req.Slug, req.Content, req.Note)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.Header("Location", "/api/v1/manage/pages/"+p.ID)
	s.answerPage(c, http.StatusCreated, p)
}

func (s *Server) actor(c *gin.Context) cms.Principal {
	p, _ := principalOf(c)
	return p
}

type pageCursor struct {
	T  time.Time `json:"t"`
	ID string    `json:"id"`
	// S is a search result's rank (editorial.Page.SearchShared), absent without a query.
	S int `json:"s,omitempty"`
}

func encodeCursor(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(b, v) != nil {
		return cms.InvalidField("cursor", "not a cursor this API returned; start without one")
	}
	return nil
}

// queryLimit parses ?limit= (default def, at most 100).
func queryLimit(c *gin.Context, def int) (int, error) {
	raw := c.Query("limit")
	if raw == "" {
		return def, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 || n > 100 {
		return 0, cms.InvalidField("limit", "an integer from 1 to 100")
	}
	return n, nil
}

func (s *Server) listPages(c *gin.Context) {
	limit, err := queryLimit(c, 20)
	if err != nil {
		s.writeError(c, err)
		return
	}
	f := editorial.ListFilter{Limit: limit + 1, Query: c.Query("q")}
	if len(f.Query) > 200 {
		s.writeError(c, cms.InvalidField("q", "at most 200 characters"))
		return
	}
	if st := c.Query("state"); st != "" {
		if !workflow.State(st).Valid() {
			s.writeError(c, cms.InvalidField("state", "one of draft, in_review, changes_requested, approved, scheduled, published"))
			return
		}
		f.State = st
	}
	switch c.Query("reviewOverdue") {
	case "", "false":
	case "true":
		f.ReviewOverdue = true
	default:
		s.writeError(c, cms.InvalidField("reviewOverdue", "true or false"))
		return
	}
	if err := s.translationFilters(c, &f); err != nil {
		s.writeError(c, err)
		return
	}
	if cur := c.Query("cursor"); cur != "" {
		var pc pageCursor
		if err := decodeCursor(cur, &pc); err != nil || !cms.ValidID(pc.ID) {
			s.writeError(c, cms.InvalidField("cursor", "not a cursor this API returned; start without one"))
			return
		}
		f.AfterTime, f.AfterID, f.AfterShared = &pc.T, pc.ID, pc.S
	}
	pages, err := s.pages.List(c.Request.Context(), f)
	if err != nil {
		s.writeError(c, err)
		return
	}
	next := ""
	if len(pages) > limit {
		pages = pages[:limit]
		last := pages[len(pages)-1]
		next = encodeCursor(pageCursor{T: last.UpdatedAt, ID: last.ID, S: last.SearchShared})
	}
	data := make([]pageView, len(pages))
	for i, p := range pages {
		data[i] = s.viewPage(p, false)
	}
	c.Header("Cache-Control", "no-store")
	ok(c, gin.H{"data": data, "nextCursor": next})
}

func (s *Server) getPage(c *gin.Context) {
	id, found := s.pageID(c)
	if !found {
		return
	}
	p, err := s.pages.Get(c.Request.Context(), id)
	if err != nil {
		s.writeError(c, err)
		return
	}
	if inm := c.GetHeader("If-None-Match"); inm != "" && inm == `"`+strconv.Itoa(p.Version)+`"` {
		c.Header("ETag", inm)
		c.Status(http.StatusNotModified)
		return
	}
	s.answerPage(c, http.StatusOK, p)
}

// ifMatch parses If-Match: "7" (or 7). required makes a missing header a 428.
func ifMatch(c *gin.Context, required bool) (*int, error) {
	raw := strings.TrimSpace(c.GetHeader("If-Match"))
	if raw == "" {
		if required {
			return nil, cms.Errorf(cms.CodePreconditionRequired, "send If-Match with the page version you edited (the ETag of GET /pages/:id), so nobody's changes are overwritten")
		}
		return nil, nil
	}
	n, err := strconv.Atoi(strings.Trim(strings.TrimPrefix(raw, "W/"), `"`))
	if err != nil || n < 1 {
		return nil, &cms.Error{Code: cms.CodeInvalid, Message: `If-Match must be the page version as an entity tag, e.g. "7"`, Fields: []cms.FieldError{{Field: "If-Match", Message: `expected "<version>"`}}}
	}
	return &n, nil
}

func (s *Server) saveContent(c *gin.Context) {
	id, found := s.pageID(c)
	if !found {
		return
	}
	version, err := ifMatch(c, true)
	if err != nil {
		s.writeError(c, err)
		return
	}
	var body content.Content
	if err := bind(c, &body, "content"); err != nil {
		s.writeError(c, err)
		return
	}
	p, _, err := s.pages.SaveContent(c.Request.Context(), s.actor(c), id, *version, body, c.GetHeader("X-Revision-Note"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	s.answerPage(c, http.StatusOK, p)
}

func (s *Server) listRevisions(c *gin.Context) {
	id, found := s.pageID(c)
	if !found {
		return
	}
	revs, err := s.pages.Revisions(c.Request.Context(), id)
	if err != nil {
		s.writeError(c, err)
		return
	}
	ok(c, gin.H{"data": revs})
}

func (s *Server) getRevision(c *gin.Context) {
	id, found := s.pageID(c)
	if !found {
		return
	}
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil || n < 1 {
		s.writeError(c, cms.Errorf(cms.CodeNotFound, "revision not found"))
		return
	}
	r, err := s.pages.Revision(c.Request.Context(), id, n)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.Header("Cache-Control", "private, max-age=31536000, immutable")
	ok(c, r)
}

func (s *Server) diff(c *gin.Context) {
	id, found := s.pageID(c)
	if !found {
		return
	}
	from, err1 := strconv.Atoi(c.Query("from"))
	to, err2 := strconv.Atoi(c.Query("to"))
	var fields []cms.FieldError
	if err1 != nil || from < 1 {
		fields = append(fields, cms.FieldError{Field: "from", Message: "a revision number"})
	}
	if err2 != nil || to < 1 {
		fields = append(fields, cms.FieldError{Field: "to", Message: "a revision number"})
	}
	if len(fields) > 0 {
		s.writeError(c, cms.Invalid(fields...))
		return
	}
	d, err := s.pages.Diff(c.Request.Context(), id, from, to)
	if err != nil {
		s.writeError(c, err)
		return
	}
	ok(c, d)
}

// pageSettings are the page's own settings (not content: no revision, no new review).
type pageSettings struct {
	// ReviewIntervalDays overrides the configured days between medical reviews; 0 = default.
	ReviewIntervalDays *int `json:"reviewIntervalDays"`
}

func (s *Server) patchPage(c *gin.Context) {
	action(s, func(c *gin.Context, id string, ifm *int, r pageSettings) (editorial.Page, error) {
		if r.ReviewIntervalDays == nil {
			return editorial.Page{}, cms.InvalidField("reviewIntervalDays", "required (the only setting so far)")
		}
		return s.pages.SetReviewInterval(c.Request.Context(), s.actor(c), id, ifm, *r.ReviewIntervalDays)
	})(c)
}

type submitRequest struct {
	Note string `json:"note"`
}

type requestChangesRequest struct {
	Revision int    `json:"revision"`
	Comment  string `json:"comment"`
}

type approveRequest struct {
	Revision int    `json:"revision"`
	Password string `json:"password"`
	Comment  string `json:"comment"`
}

type publishRequest struct {
	At *time.Time `json:"at"`
}

type unpublishRequest struct {
	Reason string `json:"reason"`
}

// action runs one workflow action: optional If-Match, a strictly decoded body, the page
// JSON back.
func action[T any](s *Server, run func(c *gin.Context, id string, ifm *int, req T) (editorial.Page, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, found := s.pageID(c)
		if !found {
			return
		}
		ifm, err := ifMatch(c, false)
		if err != nil {
			s.writeError(c, err)
			return
		}
		var req T
		if err := bindOptional(c, &req); err != nil {
			s.writeError(c, err)
			return
		}
		p, err := run(c, id, ifm, req)
		if err != nil {
			s.writeError(c, err)
			return
		}
		s.answerPage(c, http.StatusOK, p)
	}
}

func (s *Server) submit(c *gin.Context) {
	action(s, func(c *gin.Context, id string, ifm *int, r submitRequest) (editorial.Page, error) {
		return s.pages.Submit(c.Request.Context(), s.actor(c), id, ifm, r.Note)
	})(c)
}

func (s *Server) requestChanges(c *gin.Context) {
	action(s, func(c *gin.Context, id string, ifm *int, r requestChangesRequest) (editorial.Page, error) {
		if r.Revision < 1 {
			return editorial.Page{}, cms.InvalidField("revision", "required: the revision you reviewed")
		}
		return s.pages.RequestChanges(c.Request.Context(), s.actor(c), id, ifm, r.Revision, r.Comment)
	})(c)
}

func (s *Server) approve(c *gin.Context) {
	action(s, func(c *gin.Context, id string, ifm *int, r approveRequest) (editorial.Page, error) {
		if r.Revision < 1 {
			return editorial.Page{}, cms.InvalidField("revision", "required: the revision you sign")
		}
		return s.pages.Approve(c.Request.Context(), s.actor(c), id, ifm, r.Revision, r.Password, r.Comment)
	})(c)
}

func (s *Server) publish(c *gin.Context) {
	action(s, func(c *gin.Context, id string, ifm *int, r publishRequest) (editorial.Page, error) {
		return s.pages.Publish(c.Request.Context(), s.actor(c), id, ifm, r.At)
	})(c)
}

func (s *Server) unpublish(c *gin.Context) {
	action(s, func(c *gin.Context, id string, ifm *int, r unpublishRequest) (editorial.Page, error) {
		return s.pages.Unpublish(c.Request.Context(), s.actor(c), id, ifm, r.Reason)
	})(c)
}

func (s *Server) pageAudit(c *gin.Context) {
	id, found := s.pageID(c)
	if !found {
		return
	}
	events, err := s.pages.PageAudit(c.Request.Context(), id)
	if err != nil {
		s.writeError(c, err)
		return
	}
	ok(c, gin.H{"data": events})
}

type auditCursor struct {
	At time.Time `json:"at"`
	ID string    `json:"id"`
}

func (s *Server) audit(c *gin.Context) {
	limit, err := queryLimit(c, 50)
	if err != nil {
		s.writeError(c, err)
		return
	}
	f := editorial.AuditFilter{PageID: c.Query("pageId"), Actor: c.Query("actor"), Action: c.Query("action"), Limit: limit + 1}
	if err := auditScope(c, &f); err != nil {
		s.writeError(c, err)
		return
	}
	for name, v := range map[string]string{"pageId": f.PageID, "actor": f.Actor, "action": f.Action} {
		if len(v) > 100 || strings.ContainsAny(v, "$\x00") {
			s.writeError(c, cms.InvalidField(name, "not a valid value"))
			return
		}
	}
	if cur := c.Query("cursor"); cur != "" {
		var ac auditCursor
		if err := decodeCursor(cur, &ac); err != nil {
			s.writeError(c, err)
			return
		}
		f.BeforeAt, f.BeforeID = &ac.At, ac.ID
	}
	events, err := s.pages.Audit(c.Request.Context(), f)
	if err != nil {
		s.writeError(c, err)
		return
	}
	next := ""
	if len(events) > limit {
		events = events[:limit]
		last := events[len(events)-1]
		next = encodeCursor(auditCursor{At: last.At, ID: last.ID})
	}
	ok(c, gin.H{"data": events, "nextCursor": next})
}

type renderRequest struct {
	Markdown string `json:"markdown"`
}

func (s *Server) render(c *gin.Context) {
	var req renderRequest
	if err := bind(c, &req, ""); err != nil {
		s.writeError(c, err)
		return
	}
	// The same limit as a section body: nothing longer can be saved, and Markdown
	// rendering is not linear in every input.
	if utf8.RuneCountInString(req.Markdown) > content.MaxSectionBody {
		s.writeError(c, cms.InvalidField("markdown", fmt.Sprintf("at most %d characters", content.MaxSectionBody)))
		return
	}
	ok(c, gin.H{"html": content.RenderMarkdown(req.Markdown)})
}
