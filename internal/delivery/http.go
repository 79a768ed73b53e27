package delivery

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The paths delivery serves.
const (
	PagesPath  = "/api/v1/pages"
	pagePrefix = PagesPath + "/"
	SyncPath   = "/api/v1/sync"
)

// Owns reports whether delivery serves r's path: /api/v1/pages, /api/v1/pages/{anything}
// and /api/v1/sync, except the reader-review routes /api/v1/pages/{slug}/reviews[/…] and
// the attestation /api/v1/pages/{slug}/attestation, which belong to the main router. The server dispatches owned paths to Handler before
// its router, so the hot path has no routing or middleware cost.
func (s *Service) Owns(r *http.Request) bool {
	p := r.URL.Path
	switch {
	case p == PagesPath || p == SyncPath || strings.HasPrefix(p, MediaPrefix):
		return true
	case !strings.HasPrefix(p, pagePrefix):
		return false
	}
	_, rest, nested := strings.Cut(p[len(pagePrefix):], "/")
	return !nested || (rest != "reviews" && !strings.HasPrefix(rest, "reviews/") && "/"+rest != AttestationSuffix)
}

// Front returns a handler that serves the paths delivery owns and passes every other
// request to next.
func (s *Service) Front(next http.Handler) http.Handler {
	h := s.Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.Owns(r) {
			h.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Handler returns the plain net/http handler of the delivery routes (GET and HEAD):
// /api/v1/pages, /api/v1/pages/{slug}[?format=jsonld] and /api/v1/sync[?since=].
func (s *Service) Handler() http.Handler { return http.HandlerFunc(s.serve) }

var (
	hdrNosniff  = []string{"nosniff"}
	hdrVary     = []string{"Accept-Encoding"}
	hdrAllow    = []string{"GET, HEAD"}
	hdrGzip     = []string{"gzip"}
	hdrNoCache  = []string{"no-cache"}
	respMethod  = problem(http.StatusMethodNotAllowed, "method_not_allowed", "use GET or HEAD", "")
	respBadForm = problem(http.StatusBadRequest, "invalid", "json or jsonld", "format")
)

func (s *Service) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h["X-Content-Type-Options"] = hdrNosniff
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h["Allow"] = hdrAllow
		write(w, r, respMethod)
		return
	}
	sn := s.cur.Load()
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, pagePrefix):
		e := sn.bySlug[p[len(pagePrefix):]]
		if e != nil && e.live {
			h["Content-Language"] = e.langHdr
		}
		switch {
		case e == nil:
			h["Cache-Control"] = s.negCache
			write(w, r, sn.notFound)
		case !e.live:
			h["Cache-Control"] = s.negCache
			write(w, r, sn.gone)
		case r.URL.RawQuery == "":
			s.writePage(w, r, e.page)
		default:
			switch url.Values(parseQueryFast(r.URL.RawQuery)).Get("format") {
			case "", "json":
				s.writePage(w, r, e.page)
			case "jsonld":
				s.writePage(w, r, e.jsonLD)
			default:
				write(w, r, respBadForm)
			}
		}
	case p == PagesPath:
		resp := sn.listFor(r.URL.RawQuery)
		if resp.status != http.StatusOK {
			write(w, r, resp)
			return
		}
		s.writeCached(w, r, resp)
	case strings.HasPrefix(p, MediaPrefix):
		s.serveMedia(w, r, sn)
	case p == SyncPath:
		h["Cache-Control"] = hdrNoCache
		write(w, r, sn.syncSince(r.URL.RawQuery, s.clock.Now(), s.cfg.SyncGrace))
	default: // /api/v1/pages/x/y: not a page
		h["Cache-Control"] = s.negCache
		write(w, r, sn.notFound)
	}
}

func parseQueryFast(raw string) map[string][]string {
	v, _ := url.ParseQuery(raw)
	return v
}

// writeCached writes a cacheable 200 answer, or 304 when the client holds it already.
func (s *Service) writeCached(w http.ResponseWriter, r *http.Request, resp *response) {
	h := w.Header()
	h["Cache-Control"] = s.cacheControl
	h["Etag"] = resp.etagHdr
	h["Last-Modified"] = resp.lastModHdr
	if notModified(r, resp) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	write(w, r, resp)
}

// writePage writes a page: its gzip bytes to a client that accepts gzip, else its identity
// bytes from the hot cache, or on a miss from the spill file or inflated; or 304. Each
// encoding has its own ETag.
func (s *Service) writePage(w http.ResponseWriter, r *http.Request, pb *pageBody) {
	h := w.Header()
	h["Cache-Control"] = s.cacheControl
	h["Vary"] = hdrVary
	resp, gz := pb.plain, false
	if ae := r.Header["Accept-Encoding"]; ae != nil && acceptsGzip(ae) {
		resp, gz = pb.gz, true
		h["Content-Encoding"] = hdrGzip
	}
	h["Etag"] = resp.etagHdr
	h["Last-Modified"] = resp.lastModHdr
	if notModified(r, resp) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h["Content-Type"] = resp.contentType
	h["Content-Length"] = resp.length
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	if gz {
		_, _ = w.Write(resp.body)
		return
	}
	s.hot.write(w, pb)
}

func write(w http.ResponseWriter, r *http.Request, resp *response) {
	h := w.Header()
	h["Content-Type"] = resp.contentType
	h["Content-Length"] = resp.length
	w.WriteHeader(resp.status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(resp.body)
	}
}

// notModified applies If-None-Match (a list of tags or *, compared weakly as RFC 9110
// says), or else If-Modified-Since.
func notModified(r *http.Request, resp *response) bool {
	if inm := r.Header["If-None-Match"]; inm != nil {
		for _, line := range inm {
			for _, t := range strings.Split(line, ",") {
				t = strings.TrimSpace(t)
				if t == "*" || strings.TrimPrefix(t, "W/") == resp.etag {
					return true
				}
			}
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" && !resp.lastMod.IsZero() {
		t, err := http.ParseTime(ims)
		return err == nil && !resp.lastMod.Truncate(time.Second).After(t)
	}
	return false
}

// acceptsGzip reports whether an Accept-Encoding header allows gzip (not with q=0).
func acceptsGzip(values []string) bool {
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			if !strings.EqualFold(strings.TrimSpace(name), "gzip") {
				continue
			}
			q := 1.0
			for _, prm := range strings.Split(params, ";") {
				if k, v, ok := strings.Cut(strings.TrimSpace(prm), "="); ok && strings.EqualFold(k, "q") {
					q, _ = strconv.ParseFloat(strings.TrimSpace(v), 64)
				}
			}
			return q > 0
		}
	}
	return false
}
