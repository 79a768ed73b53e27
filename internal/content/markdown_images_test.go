package content

import (
	"regexp"
	"strings"
	"testing"
)

// handWrittenMedia are spellings of a /media/ URL in Markdown that goldmark renders as
// <img src="/media/…">: escaped, as character references, in angle brackets, through a
// reference definition. None is an asset: link, so none may render as a library image.
func handWrittenMedia() map[string]string {
	url := "/media/" + testRef.SHA256 + "/640.webp"
	tail := url[len("/media/"):]
	return map[string]string{
		"plain":                  "![x](" + url + ")",
		"backslash escape":       `![x](\` + url + ")",
		"decimal reference":      "![x](&#47;media/" + tail + ")",
		"hex reference":          "![x](&#x2F;media/" + tail + ")",
		"entity name":            "![x](&sol;media/" + tail + ")",
		"angle brackets":         `![x](<\` + url + ">)",
		"reference definition":   "![x][r]\n\n[r]: \\" + url,
		"reference, entity":      "![x][r]\n\n[r]: &#47;media/" + tail,
		"escaped slash in path":  `![x](/media\/` + tail + ")",
		"title after":            `![x](\` + url + ` "t")`,
		"with an asset as well":  "![a](asset:" + testRef.Asset + `) ![x](\` + url + ")",
		"percent-encoded prefix": "![x](%2Fmedia/" + tail + ")",
	}
}

// mediaAttr finds a src or srcset attribute holding a /media/ URL.
var mediaAttrInHTML = regexp.MustCompile(`(?:src|srcset)="[^"]*/media/`)

func TestHandWrittenMediaURLsAreRemoved(t *testing.T) {
	refs := map[string]AssetRef{testRef.Asset: testRef}
	for name, src := range handWrittenMedia() {
		for _, out := range []string{renderMarkdownWith(src, refs), RenderMarkdown(src)} {
			want := 0
			if strings.Contains(src, "asset:") && strings.Contains(out, "loading=") {
				want = 1 // the asset's own image, with its src and srcset
			}
			if got := strings.Count(out, `src="/media/`); got != want {
				t.Errorf("%s: %d images from /media/, want %d: %s", name, got, want, out)
			}
		}
	}
}

// FuzzMarkdownMediaOnlyFromAssets: whatever the Markdown, a /media/ URL in an image's src
// or srcset comes only from an asset: link the page records.
func FuzzMarkdownMediaOnlyFromAssets(f *testing.F) {
	for _, src := range handWrittenMedia() {
		f.Add(src)
	}
	refs := map[string]AssetRef{testRef.Asset: testRef}
	f.Fuzz(func(t *testing.T, src string) {
		if strings.Contains(src, "asset") {
			return
		}
		if out := renderMarkdownWith(src, refs); mediaAttrInHTML.MatchString(out) {
			t.Fatalf("input %q renders a library image without an asset: link: %s", src, out)
		}
	})
}
