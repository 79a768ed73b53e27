package httpapi

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/delivery"
	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/media"
)

// mediaPath is the library's management path (docs/media.md).
const mediaPath = "/api/v1/manage/media"

// mediaFormSlack is what an upload's form fields and multipart framing may add to the
// file's size limit.
const mediaFormSlack = 64 << 10

// mediaRoutes registers the image library's management routes and the preview's images.
func (s *Server) mediaRoutes(e *gin.Engine, m *gin.RouterGroup) {
	s.managed(m, http.MethodPost, "/media", perm("media", "write"), s.uploadMedia)
	s.managed(m, http.MethodGet, "/media", perm("media", "read"), s.listMedia)
	s.managed(m, http.MethodGet, "/media/:id", perm("media", "read"), s.getMedia)
	s.managed(m, http.MethodPatch, "/media/:id", perm("media", "write"), s.patchMedia)
	s.managed(m, http.MethodDelete, "/media/:id", perm("media", "delete"), s.deleteMedia)
	s.managed(m, http.MethodGet, "/media/:id/files/:name", perm("media", "read"), s.mediaFileManaged)
	e.GET("/api/v1/preview/pages/:id/media/:sha/:name", s.previewMedia)
}

// limitBodyMedia is limitBody with the library's upload limit on its upload route (the
// 1 MiB JSON limit everywhere else).
func (s *Server) limitBodyMedia(c *gin.Context) {
	if c.Request.Method == http.MethodPost && c.Request.URL.Path == mediaPath && c.Request.Body != nil && s.pages != nil && s.pages.Media != nil {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.pages.Media.Limits.MaxBytes+mediaFormSlack)
		c.Next()
		return
	}
	s.limitBody(c)
}

// library returns the image library, or answers 404 when the server has none.
func (s *Server) library(c *gin.Context) *editorial.MediaLibrary {
	if s.pages == nil || s.pages.Media == nil {
		s.writeError(c, cms.Errorf(cms.CodeNotFound, "this server has no media library"))
		return nil
	}
	return s.pages.Media
}

// mediaStatus maps the library's own codes to their statuses (docs/api.md "Media").
var mediaStatus = map[cms.Code]int{
	media.CodeImageTooLarge: http.StatusBadRequest,
	media.CodeAssetInUse:    http.StatusConflict,
}

// writeMediaError is writeError knowing the library's codes.
func (s *Server) writeMediaError(c *gin.Context, err error) {
	var e *cms.Error
	if errors.As(err, &e) {
		if e.Code == cms.CodeUnavailable && e.RetryAfterSeconds > 0 {
			c.Header("Retry-After", strconv.Itoa(e.RetryAfterSeconds)) // a busy image decoder
		}
		if status, ok := mediaStatus[e.Code]; ok {
			body := gin.H{"type": "https://monograph.dev/problems/" + string(e.Code), "title": http.StatusText(status),
				"status": status, "code": e.Code, "detail": e.Message}
			if len(e.Fields) > 0 {
				body["errors"] = e.Fields
			}
			writeJSON(c, status, "application/problem+json", body)
			c.Abort()
			return
		}
	}
	s.writeError(c, err)
}

// uploadFields are the form fields an upload may carry; anything else is refused.
var uploadFields = map[string]bool{
	"file": true, "alt": true, "decorative": true, "caption": true, "credit": true,
	"license": true, "sourceUrl": true, "licenseExpires": true,
}

// uploadMedia reads the multipart form as a stream — the file into memory up to the limit,
// never to a temporary file — so a refused upload leaves nothing behind.
func (s *Server) uploadMedia(c *gin.Context) {
	lib := s.library(c)
	if lib == nil {
		return
	}
	mt, params, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		s.writeError(c, cms.Errorf(cms.CodeUnsupportedMedia, "send the image as multipart/form-data with a file field"))
		return
	}
	mr := multipart.NewReader(c.Request.Body, params["boundary"])
	var (
		data   []byte
		fields = map[string]string{}
		seen   = map[string]bool{}
	)
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			s.writeError(c, formError(err, lib.Limits.MaxBytes))
			return
		}
		name := part.FormName()
		switch {
		case !uploadFields[name]:
			s.writeError(c, cms.InvalidField(name, "unknown field"))
			return
		case seen[name]:
			s.writeError(c, cms.InvalidField(name, "given more than once"))
			return
		}
		seen[name] = true
		limit := int64(10 << 10)
		if name == "file" {
			limit = lib.Limits.MaxBytes
		}
		b, err := io.ReadAll(io.LimitReader(part, limit+1))
		if err != nil {
			s.writeError(c, formError(err, lib.Limits.MaxBytes))
			return
		}
		if int64(len(b)) > limit {
			if name == "file" {
				s.writeError(c, media.TooLarge(lib.Limits.MaxBytes))
			} else {
				s.writeError(c, cms.InvalidField(name, "too long"))
			}
			return
		}
		if name == "file" {
			data = b
		} else {
			fields[name] = string(b)
		}
	}
	if !seen["file"] || len(data) == 0 {
		s.writeError(c, cms.InvalidField("file", "required: the image file"))
		return
	}
	meta := media.Meta{
		Alt: fields["alt"], Caption: fields["caption"], Credit: fields["credit"], License: fields["license"],
		SourceURL: fields["sourceUrl"], LicenseExpires: fields["licenseExpires"],
	}
	if v, ok := fields["decorative"]; ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			s.writeError(c, cms.InvalidField("decorative", "true or false"))
			return
		}
		meta.Decorative = b
	}
	p, _ := principalOf(c)
	v, created, err := lib.Upload(c.Request.Context(), p, data, meta)
	if err != nil {
		s.writeMediaError(c, err)
		return
	}
	c.Header("Location", mediaPath+"/"+v.ID)
	status := http.StatusCreated
	if !created {
		status = http.StatusOK // the same bytes are this asset already
	}
	writeJSON(c, status, "application/json", v)
}

// formError maps a multipart read error: over the body limit is 413, anything else 400.
func formError(err error, limit int64) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return media.TooLarge(limit)
	}
	return cms.InvalidField("file", "malformed multipart form")
}

func (s *Server) listMedia(c *gin.Context) {
	lib := s.library(c)
	if lib == nil {
		return
	}
	limit := 0
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			s.writeError(c, cms.InvalidField("limit", "between 1 and 100"))
			return
		}
		limit = n
	}
	page, err := lib.List(c.Request.Context(), c.Query("q"), c.Query("cursor"), limit)
	if err != nil {
		s.writeError(c, err)
		return
	}
	ok(c, page)
}

func (s *Server) getMedia(c *gin.Context) {
	lib := s.library(c)
	if lib == nil {
		return
	}
	v, err := lib.Get(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	ok(c, v)
}

func (s *Server) patchMedia(c *gin.Context) {
	lib := s.library(c)
	if lib == nil {
		return
	}
	var patch editorial.MetaPatch
	if err := bind(c, &patch, ""); err != nil {
		s.writeError(c, err)
		return
	}
	p, _ := principalOf(c)
	v, err := lib.Update(c.Request.Context(), p, c.Param("id"), patch)
	if err != nil {
		s.writeMediaError(c, err)
		return
	}
	ok(c, v)
}

func (s *Server) deleteMedia(c *gin.Context) {
	lib := s.library(c)
	if lib == nil {
		return
	}
	p, _ := principalOf(c)
	if err := lib.Delete(c.Request.Context(), p, c.Param("id")); err != nil {
		s.writeMediaError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// mediaFileManaged serves any file of any asset to those who may read the library (the
// admin's thumbnails and the review's side-by-side images), privately.
func (s *Server) mediaFileManaged(c *gin.Context) {
	lib := s.library(c)
	if lib == nil {
		return
	}
	v, err := lib.Get(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	s.writeMediaFile(c, lib, v.SHA256, c.Param("name"), "private, max-age=3600")
}

func (s *Server) writeMediaFile(c *gin.Context, lib *editorial.MediaLibrary, sha, name, cacheControl string) {
	if !media.ValidSHA256(sha) || !media.ValidFileName(name) {
		s.writeError(c, cms.Errorf(cms.CodeNotFound, "no such image file"))
		return
	}
	f, data, err := lib.ReadFile(c.Request.Context(), sha, name)
	if err != nil {
		if cms.IsCode(err, cms.CodeIntegrity) {
			s.log.Error("media: stored bytes do not match their hash", "sha256", sha, "name", name)
			err = cms.Errorf(cms.CodeNotFound, "no such image file")
		}
		s.writeError(c, err)
		return
	}
	c.Header("Cache-Control", cacheControl)
	c.Header("ETag", `"`+f.SHA256+`"`)
	if c.GetHeader("If-None-Match") == `"`+f.SHA256+`"` {
		c.Status(http.StatusNotModified)
		return
	}
	c.Data(http.StatusOK, string(f.Type), data)
}

// previewMedia serves the images of a page's working copy to a preview link's holder: the
// token must be valid for that page, its creator still allowed to preview, and the image
// used by the page's latest revision.
func (s *Server) previewMedia(c *gin.Context) {
	lib := s.library(c)
	if lib == nil {
		return
	}
	p, found := s.previewedPage(c)
	if !found {
		return
	}
	sha := c.Param("sha")
	used := false
	for _, r := range p.Content.Assets {
		used = used || r.SHA256 == sha
	}
	if !used {
		s.writeError(c, cms.Errorf(cms.CodeNotFound, "the page does not use this image"))
		return
	}
	s.writeMediaFile(c, lib, sha, c.Param("name"), "private, no-store")
}

// previewBodyMedia points a preview body's images at the preview's media route.
func previewBodyMedia(body []byte, pageID, token string) []byte {
	return delivery.RewritePreviewMedia(body, pageID, token)
}
