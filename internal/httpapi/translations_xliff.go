package httpapi

import (
	"mime"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/editorial"
)

// XLIFF 2.1 export and import of translations (docs/translations.md), for translation
// agencies and CAT tools.

const xliffType = "application/xliff+xml"

func init() {
	statusByCode[editorial.CodeXLIFFMismatch] = http.StatusUnprocessableEntity
}

// xliffRoutes registers the XLIFF export and import.
func (s *Server) xliffRoutes(m *gin.RouterGroup) {
	s.managed(m, http.MethodGet, "/pages/:id/xliff", perm("page", "read"), s.exportXLIFF)
	s.managed(m, http.MethodPut, "/pages/:id/translations/:locale/xliff", perm("page", "create"), s.importXLIFF)
}

func (s *Server) exportXLIFF(c *gin.Context) {
	id, found := s.pageID(c)
	if !found {
		return
	}
	b, err := s.pages.ExportXLIFF(c.Request.Context(), id, c.Query("target"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Header("Content-Disposition", `attachment; filename="`+id+"-"+c.Query("target")+`.xlf"`)
	c.Data(http.StatusOK, xliffType+"; charset=utf-8", b)
}

// importXLIFF reads a translated file: If-Match is required when the translation exists
// (the service says so), ?slug= when it does not.
func (s *Server) importXLIFF(c *gin.Context) {
	id, found := s.pageID(c)
	if !found {
		return
	}
	mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || (mt != xliffType && mt != "application/xml" && mt != "text/xml") {
		s.writeError(c, cms.Errorf(cms.CodeUnsupportedMedia, "send the XLIFF file as %s", xliffType))
		return
	}
	version, err := ifMatch(c, false)
	if err != nil {
		s.writeError(c, err)
		return
	}
	body, err := readBody(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	p, created, err := s.pages.ImportXLIFF(c.Request.Context(), s.actor(c), id, c.Param("locale"), version, c.Query("slug"), body)
	if err != nil {
		s.writeError(c, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
		c.Header("Location", "/api/v1/manage/pages/"+p.ID)
	}
	s.answerPage(c, status, p)
}
