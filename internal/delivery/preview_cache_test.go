package delivery

import (
	"bytes"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/monograph-cms/monograph/internal/content"
	"github.com/monograph-cms/monograph/internal/workflow"
)

// countRenders makes renderPreview count its calls for the rest of the test.
func countRenders(t *testing.T) *atomic.Int32 {
	var n atomic.Int32
	orig := renderPreview
	renderPreview = func(c content.Content) content.Rendered {
		n.Add(1)
		return orig(c)
	}
	t.Cleanup(func() { renderPreview = orig })
	return &n
}

// TestEncodePreviewRendersOncePerRevision: the second preview of the same revision does not
// render again; a new revision renders once; concurrent first previews render once.
func TestEncodePreviewRendersOncePerRevision(t *testing.T) {
	renders := countRenders(t)
	previews = newPreviewCache(maxPreviewPages, maxPreviewBytes)
	p := livePage("a", "aspirin", sampleContent("Aspirin"), 1, t0, t0.AddDate(1, 0, 0)).Page
	p.ID = "preview-once"

	first, err := EncodePreview(p, t0)
	if err != nil {
		t.Fatal(err)
	}
	second, err := EncodePreview(p, t0)
	if err != nil {
		t.Fatal(err)
	}
	if got := renders.Load(); got != 1 {
		t.Fatalf("two previews of one revision rendered %d times, want 1", got)
	}
	if !bytes.Equal(first, second) {
		t.Errorf("second preview differs:\n%s\n%s", first, second)
	}

	// A save: new content, new hash, one more rendering, and the new text is shown.
	p.Content.Title = "Aspirin, revised"
	p.Workflow.Revision, p.Workflow.State = 2, workflow.StateDraft
	third, err := EncodePreview(p, t0)
	if err != nil {
		t.Fatal(err)
	}
	if got := renders.Load(); got != 2 || !bytes.Contains(third, []byte(`"title":"Aspirin, revised"`)) {
		t.Fatalf("after a save: %d renders, %s", got, third)
	}

	// Many readers opening a fresh link at once: one rendering.
	p.Content.Title = "Aspirin, third"
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			if _, err := EncodePreview(p, t0); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := renders.Load(); got != 3 {
		t.Errorf("16 concurrent previews of a new revision rendered %d times, want 1", got-2)
	}
}

// TestPreviewCacheBounds: the cache keeps at most its number of pages and bytes, dropping
// the least recently used, and one revision per page.
func TestPreviewCacheBounds(t *testing.T) {
	renders := countRenders(t)
	c := sampleContent("Aspirin")
	size := renderedSize(content.Render(c))
	tests := []struct {
		name              string
		maxPages, maxSize int
		wantPages         int
	}{
		{"by count", 3, 1 << 30, 3},
		{"by size", 100, 2*size + size/2, 2},
		{"one too big", 100, size / 2, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pc := newPreviewCache(tc.maxPages, tc.maxSize)
			for i := range 5 {
				pc.render(fmt.Sprint("page-", i), c)
			}
			if pc.lru.Len() != tc.wantPages || len(pc.byPage) != tc.wantPages || pc.bytes != tc.wantPages*size {
				t.Fatalf("kept %d pages (%d in map), %d bytes; want %d pages, %d bytes",
					pc.lru.Len(), len(pc.byPage), pc.bytes, tc.wantPages, tc.wantPages*size)
			}
			if tc.wantPages == 0 {
				return
			}
			// The most recent stay; the first page was dropped and renders again.
			before := renders.Load()
			pc.render("page-4", c)
			pc.render("page-0", c)
			if got := renders.Load() - before; got != 1 {
				t.Errorf("%d renders, want 1 (page-0 only)", got)
			}
		})
	}
	t.Run("one revision per page", func(t *testing.T) {
		pc := newPreviewCache(10, 1<<30)
		for i := range 5 {
			c := sampleContent(fmt.Sprint("Aspirin ", i))
			pc.render("page", c)
		}
		if pc.lru.Len() != 1 || len(pc.byPage) != 1 || pc.bytes != renderedSize(pc.byPage["page"].rendered) {
			t.Errorf("kept %d entries, %d bytes", pc.lru.Len(), pc.bytes)
		}
	})
}
