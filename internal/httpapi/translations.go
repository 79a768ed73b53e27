package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/content"
	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/locale"
	"github.com/monograph-cms/monograph/internal/workflow"
)

// Translations (docs/translations.md): the configured locales, creating a translation of a
// page, rebasing it onto another source revision, and what its source changed since.

func init() {
	// A rule violation like self_approval (problem.go's table maps the cms codes).
	statusByCode[workflow.CodeLanguageNotCovered] = http.StatusUnprocessableEntity
}

func (s *Server) translationRoutes(e *gin.Engine, m *gin.RouterGroup) {
	e.GET("/api/v1/locales", s.getLocales)
	s.managed(m, http.MethodPost, "/pages/:id/translations", perm("page", "create"), s.createTranslation)
	s.managed(m, http.MethodPost, "/pages/:id/rebase", perm("page", "save"), s.rebase)
	s.managed(m, http.MethodGet, "/pages/:id/source-diff", perm("page", "read"), s.sourceDiff)
	s.xliffRoutes(m)
}

type localesView struct {
	Source  string          `json:"source"`
	Locales []locale.Locale `json:"locales"`
}

// getLocales answers GET /api/v1/locales: public, websites build language switchers from it.
func (s *Server) getLocales(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=60")
	ok(c, localesView{Source: s.locales.Source(), Locales: s.locales.All()})
}

// translationRef is the page JSON's "translationOf": the source revision a translation renders.
type translationRef struct {
	ID          string `json:"id"`
	Revision    int    `json:"revision"`
	ContentHash string `json:"contentHash"`
}

// translationItem is one entry of a source page's "translations".
type translationItem struct {
	ID       string         `json:"id"`
	Locale   string         `json:"locale"`
	Slug     string         `json:"slug"`
	State    workflow.State `json:"state"`
	Outdated bool           `json:"outdated"`
}

// translationFields fills the page JSON's translation members: the locale always, the link
// and outdated flag on a translation, and on a whole source page its translations.
func (s *Server) translationFields(c *gin.Context, p editorial.Page, v *pageView, full bool) {
	v.Locale = p.Locale(s.locales.Source())
	if t := p.Translation; t != nil {
		v.TranslationOf = &translationRef{ID: t.Source, Revision: t.Revision, ContentHash: t.ContentHash}
		outdated := t.Outdated
		v.Outdated = &outdated
		return
	}
	if !full || c == nil {
		return
	}
	trs, err := s.pages.Translations(c.Request.Context(), p.ID)
	if err != nil {
		s.log.Warn("page: translations not listed", "pageId", p.ID, "error", err)
		return
	}
	v.Translations = make([]translationItem, 0, len(trs))
	for _, t := range trs {
		v.Translations = append(v.Translations, translationItem{
			ID: t.ID, Locale: t.Translation.Locale, Slug: t.Slug, State: t.Workflow.State, Outdated: t.Translation.Outdated,
		})
	}
}

// translationFilters reads the management list's ?locale= and ?outdated=.
func (s *Server) translationFilters(c *gin.Context, f *editorial.ListFilter) error {
	if raw := c.Query("locale"); raw != "" {
		tag, err := locale.Canonical(raw)
		if err != nil || !s.locales.Has(tag) {
			return cms.InvalidField("locale", "one of the configured locales ("+s.locales.String()+")")
		}
		if tag == s.locales.Source() {
			f.SourcesOnly = true
		} else {
			f.Locale = tag
		}
	}
	switch c.Query("outdated") {
	case "", "false":
	case "true":
		f.Outdated = true
	default:
		return cms.InvalidField("outdated", "true or false")
	}
	return nil
}

// translationActions adds the language rule to the page's actions: on a translation,
// approve is refused with language_not_covered to a reviewer who does not read its locale.
func (s *Server) translationActions(c *gin.Context, p editorial.Page, actions []workflow.ActionAvailability) {
	if p.Translation == nil {
		return
	}
	for i, av := range actions {
		if av.Action != workflow.ActionApprove || !av.Allowed {
			continue
		}
		langs, err := s.auth.Languages(c.Request.Context(), s.actor(c).UserID)
		if err != nil {
			s.log.Warn("page actions: languages not read", "error", err)
		}
		if err := workflow.CheckLanguage(p.Translation.Locale, langs); err != nil {
			actions[i] = workflow.ActionAvailability{Action: av.Action, Reason: cms.ErrorCode(err), Message: err.(*cms.Error).Message}
		}
	}
}

type createTranslationRequest struct {
	Locale         string          `json:"locale"`
	Slug           string          `json:"slug"`
	Content        content.Content `json:"content"`
	SourceRevision int             `json:"sourceRevision"`
	Note           string          `json:"note"`
}

func (s *Server) createTranslation(c *gin.Context) {
	id, found := s.pageID(c)
	if !found {
		return
	}
	var req createTranslationRequest
	if err := bind(c, &req, ""); err != nil {
		s.writeError(c, err)
		return
	}
	p, err := s.pages.CreateTranslation(c.Request.Context(), s.actor(c), id, req.Locale, req.Slug, req.Content, req.SourceRevision, req.Note)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.Header("Location", "/api/v1/manage/pages/"+p.ID)
	s.answerPage(c, http.StatusCreated, p)
}

type rebaseRequest struct {
	SourceRevision int `json:"sourceRevision"`
}

func (s *Server) rebase(c *gin.Context) {
	id, found := s.pageID(c)
	if !found {
		return
	}
	version, err := ifMatch(c, true)
	if err != nil {
		s.writeError(c, err)
		return
	}
	var req rebaseRequest
	if err := bind(c, &req, ""); err != nil {
		s.writeError(c, err)
		return
	}
	p, err := s.pages.Rebase(c.Request.Context(), s.actor(c), id, *version, req.SourceRevision)
	if err != nil {
		s.writeError(c, err)
		return
	}
	s.answerPage(c, http.StatusOK, p)
}

func (s *Server) sourceDiff(c *gin.Context) {
	id, found := s.pageID(c)
	if !found {
		return
	}
	d, err := s.pages.SourceDiff(c.Request.Context(), id)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	ok(c, d)
}
