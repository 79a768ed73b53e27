package httpapi

import (
	"io"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/gin-gonic/gin"
)

// adminRoutes serves the built web admin at /admin/, answering index.html for the SPA's
// client-side routes. Without a built admin it says how to build one.
func (s *Server) adminRoutes() {
	e := s.engine
	e.GET("/", func(c *gin.Context) { c.Redirect(http.StatusFound, "/admin/") })
	e.GET("/admin", func(c *gin.Context) { c.Redirect(http.StatusMovedPermanently, "/admin/") })
	e.GET("/admin/*file", func(c *gin.Context) {
		if s.admin == nil {
			c.Data(http.StatusNotFound, "text/plain; charset=utf-8",
				[]byte("The web admin is not built into this binary. Build it with `make build` (go build -tags webadmin after npm run build in web-admin/).\n"))
			return
		}
		name := strings.TrimPrefix(path.Clean(c.Param("file")), "/")
		if name == "" {
			name = "index.html"
		}
		if st, err := fs.Stat(s.admin, name); err != nil || st.IsDir() {
			name = "index.html" // a client-side route
		}
		if strings.HasPrefix(name, "assets/") {
			c.Header("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			c.Header("Cache-Control", "no-cache")
		}
		// blob: lets the admin show images it fetched with the user's token (a draft's new
		// diagram, which public delivery refuses): only the admin's own scripts can make one.
		c.Header("Content-Security-Policy", "default-src 'self'; img-src 'self' https: data: blob:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'")
		serveFile(c, s.admin, name)
	})
}

// serveFile serves one file of fsys with http.ServeContent (http.FileServer would redirect
// index.html requests to the directory).
func serveFile(c *gin.Context, fsys fs.FS, name string) {
	f, err := fsys.Open(name)
	if err != nil {
		c.Status(http.StatusNotFound)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	rs, seekable := f.(io.ReadSeeker)
	if err != nil || !seekable {
		c.Status(http.StatusInternalServerError)
		return
	}
	http.ServeContent(c.Writer, c.Request, name, st.ModTime(), rs)
}
