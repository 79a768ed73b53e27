package delivery

import (
	"container/list"
	"sync"

	"github.com/monograph-cms/monograph/internal/content"
)

// Preview links are shared and reopened, and anyone holding one may ask as often as they
// like: rendering the working copy on every request made each request cost what publishing
// costs. The rendering depends only on the content, so it is kept per page for the content
// hash it was made from: a save (a new hash) renders once more, repeated previews of the
// same revision not at all, and concurrent first requests wait for one rendering.
const (
	maxPreviewPages = 128      // pages whose latest preview is kept
	maxPreviewBytes = 32 << 20 // the text they hold, source and HTML
)

// renderPreview renders content for a preview; a variable so that tests can count calls.
var renderPreview = content.Render

// previews is the cache EncodePreview uses.
var previews = newPreviewCache(maxPreviewPages, maxPreviewBytes)

// previewCache keeps the rendering of the latest previewed revision of recently previewed
// pages, least recently used dropped first, within a count and a size.
type previewCache struct {
	maxPages, maxBytes int

	mu     sync.Mutex
	byPage map[string]*previewEntry // one revision per page: an older one is never asked for again
	lru    list.List                // of *previewEntry, most recently used first
	bytes  int                      // sum of the sizes of the entries counted
}

type previewEntry struct {
	pageID, hash string
	elem         *list.Element
	ready        chan struct{} // closed when rendered and size are set
	rendered     content.Rendered
	size         int
	counted      bool // size is in the cache's bytes (guarded by mu)
}

func newPreviewCache(maxPages, maxBytes int) *previewCache {
	return &previewCache{maxPages: maxPages, maxBytes: maxBytes, byPage: map[string]*previewEntry{}}
}

// render returns the rendering of c, the working copy of page pageID: from the cache when
// it holds one for the same content hash, else rendered once (callers asking meanwhile
// wait for it) and kept. The result is shared: callers must not modify it.
func (pc *previewCache) render(pageID string, c content.Content) content.Rendered {
	// The hash is computed, not taken from the stored page, so that what is served never
	// depends on a caller keeping the two in step; it costs a small part of a rendering.
	hash := content.Hash(c)
	pc.mu.Lock()
	if e := pc.byPage[pageID]; e != nil && e.hash == hash {
		pc.lru.MoveToFront(e.elem)
		pc.mu.Unlock()
		<-e.ready
		return e.rendered
	}
	e := &previewEntry{pageID: pageID, hash: hash, ready: make(chan struct{})}
	if old := pc.byPage[pageID]; old != nil {
		pc.remove(old)
	}
	pc.byPage[pageID] = e
	e.elem = pc.lru.PushFront(e)
	pc.mu.Unlock()

	func() {
		defer close(e.ready)
		e.rendered = renderPreview(c)
		e.size = renderedSize(e.rendered)
	}()

	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.byPage[pageID] == e {
		pc.bytes += e.size
		e.counted = true
		for pc.lru.Len() > pc.maxPages || (pc.bytes > pc.maxBytes && pc.lru.Len() > 0) {
			pc.remove(pc.lru.Back().Value.(*previewEntry))
		}
	}
	return e.rendered
}

// remove drops e; the caller holds mu. Callers waiting for e still get its rendering.
func (pc *previewCache) remove(e *previewEntry) {
	pc.lru.Remove(e.elem)
	delete(pc.byPage, e.pageID)
	if e.counted {
		pc.bytes -= e.size
	}
}

// renderedSize approximates the memory r holds by the length of its text.
func renderedSize(r content.Rendered) int {
	n := len(r.Title) + len(r.Summary) + len(r.Disclaimer) + len(r.DisclaimerHTML) +
		len(r.Drug.Name) + len(r.Drug.GenericName)
	for _, s := range r.Sections {
		n += len(s.Title) + len(s.Body) + len(s.HTML)
	}
	for _, u := range r.ClinicalUses {
		n += len(u.Name) + len(u.Description) + len(u.DescriptionHTML)
	}
	for _, list := range [][]string{r.Drug.BrandNames, r.Drug.DrugClasses, r.Routes, r.SideEffects.Common,
		r.SideEffects.Serious, r.PatientGuidance, r.Tags} {
		for _, s := range list {
			n += len(s)
		}
	}
	for _, ref := range r.References {
		n += len(ref.Title) + len(ref.URL) + len(ref.Publisher)
	}
	return n
}
