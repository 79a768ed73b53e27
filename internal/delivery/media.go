package delivery

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/monograph-cms/monograph/internal/content"
	"github.com/monograph-cms/monograph/internal/media"
)

// MediaPrefix is the path of live pages' image files: /media/<sha256>/<name>.
const MediaPrefix = content.MediaPrefix

// MediaFiles reads the image library (media.Store).
type MediaFiles interface {
	AssetBySHA256(ctx context.Context, sha string) (media.Asset, error)
	ReadFile(ctx context.Context, sha, name string) (media.File, []byte, error)
}

// mediaCacheBytes bounds the verified image bytes kept in memory; beyond it files are read
// (and verified) per request.
const mediaCacheBytes = 64 << 20

// mediaState serves image files: only those of assets a live snapshot names, and only
// bytes that hash to what was recorded and whose asset's files digest is the one the live
// revision's signed content records. Its zero value is ready.
type mediaState struct {
	idx atomic.Pointer[mediaIndex]

	mu    sync.Mutex
	files map[string]*mediaFile // "<sha>/<name>/<files digest>" → verified bytes
	bytes int64
}

// mediaIndex is what the live snapshot sn lets out: asset sha256 → signed files digest.
type mediaIndex struct {
	sn   *snapshot
	live map[string]string
}

type mediaFile struct {
	data        []byte
	contentType []string
	etag        []string
	length      []string
}

var (
	hdrImmutable   = []string{"public, max-age=31536000, immutable"}
	hdrMediaNeg    = []string{"public, max-age=60"}
	respMediaNotFd = []byte(`{"type":"https://monograph.dev/problems/not_found","title":"Not Found","status":404,"code":"not_found","detail":"no such image is published"}`)
)

// liveMedia returns the index of the current snapshot, building it when the snapshot
// changed (once per publication, over the live pages only).
func (s *Service) liveMedia(sn *snapshot) *mediaIndex {
	if idx := s.media.idx.Load(); idx != nil && idx.sn == sn {
		return idx
	}
	idx := &mediaIndex{sn: sn, live: map[string]string{}}
	for _, e := range sn.byID {
		if !e.live {
			continue
		}
		for _, m := range e.media {
			idx.live[m.SHA256] = m.Files
		}
	}
	s.media.idx.Store(idx)
	return idx
}

// serveMedia answers GET and HEAD /media/<sha256>/<name>.
func (s *Service) serveMedia(w http.ResponseWriter, r *http.Request, sn *snapshot) {
	sha, name, ok := strings.Cut(r.URL.Path[len(MediaPrefix):], "/")
	digest, live := "", false
	if ok && media.ValidSHA256(sha) && media.ValidFileName(name) && s.cfg.Media != nil {
		digest, live = s.liveMedia(sn).live[sha]
	}
	if !live {
		mediaNotFound(w)
		return
	}
	f, err := s.mediaFile(r.Context(), sha, name, digest)
	if err != nil || f == nil {
		if err != nil {
			s.log.Error("delivery: image not served", "sha256", sha, "name", name, "error", err)
		}
		mediaNotFound(w)
		return
	}
	h := w.Header()
	h["Cache-Control"] = hdrImmutable
	h["Etag"] = f.etag
	h["Content-Type"] = f.contentType
	if inm := r.Header.Get("If-None-Match"); inm != "" && (inm == f.etag[0] || inm == "*") {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h["Content-Length"] = f.length
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(f.data)
	}
}

func mediaNotFound(w http.ResponseWriter) {
	h := w.Header()
	h["Cache-Control"] = hdrMediaNeg
	h["Content-Type"] = []string{"application/problem+json; charset=utf-8"}
	w.WriteHeader(http.StatusNotFound)
	_, _ = w.Write(respMediaNotFd)
}

// mediaFile returns the verified bytes of a file: from memory, else read from the library
// and checked — the bytes against the file's recorded sha256, the asset's files against the
// digest the live revision's signed content records. A mismatch is served as 404 and
// logged: never bytes the signature does not name. nil, nil when there is no such file.
func (s *Service) mediaFile(ctx context.Context, sha, name, digest string) (*mediaFile, error) {
	// The digest is part of the key: the same upload stored again (deleted, uploaded anew)
	// could have other files, and only those the live signature names may be served.
	key := sha + "/" + name + "/" + digest
	s.media.mu.Lock()
	f := s.media.files[key]
	s.media.mu.Unlock()
	if f != nil {
		return f, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	a, err := s.cfg.Media.AssetBySHA256(ctx, sha)
	if err != nil {
		return nil, nil
	}
	if got := media.FilesDigest(a.Files); got != digest {
		return nil, errMediaMismatch("the asset's files are not the ones the live revision's signature names")
	}
	file, data, err := s.cfg.Media.ReadFile(ctx, sha, name)
	if err != nil {
		return nil, nil
	}
	if media.SHA256Hex(data) != file.SHA256 {
		return nil, errMediaMismatch("the stored bytes do not match their recorded sha256")
	}
	f = &mediaFile{
		data: data, contentType: []string{string(media.TypeOfName(name))},
		etag: []string{`"` + file.SHA256 + `"`}, length: []string{strconv.Itoa(len(data))},
	}
	s.media.mu.Lock()
	if s.media.files == nil {
		s.media.files = map[string]*mediaFile{}
	}
	if s.media.bytes+int64(len(data)) <= mediaCacheBytes {
		s.media.files[key] = f
		s.media.bytes += int64(len(data))
	}
	s.media.mu.Unlock()
	return f, nil
}

type errMediaMismatch string

func (e errMediaMismatch) Error() string { return string(e) }

// ldImages returns the JSON-LD "image" of a page: its images' default URLs, absolute on
// the site's origin when Config.SiteURL is an absolute URL, else site-relative.
func ldImages(siteURL string, r content.Rendered) []string {
	origin := ""
	if u, err := url.Parse(siteURL); err == nil && u.Scheme != "" && u.Host != "" {
		origin = u.Scheme + "://" + u.Host
	}
	var out []string
	for _, im := range r.Images {
		out = append(out, origin+im.Src)
	}
	return out
}
