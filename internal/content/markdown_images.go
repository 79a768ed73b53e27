package content

import (
	"bytes"
	"html"
	"regexp"
	"strconv"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// assetRefsKey carries the page's recorded assets (map[string]AssetRef) through one parse,
// for assetImageTransformer.
var assetRefsKey = parser.NewContextKey()

// assetImageTransformer turns `![alt](asset:<id>)` into an image of the recorded asset:
// its content-addressed URL, srcset, sizes, intrinsic width and height (so the layout
// does not shift) and lazy loading. An id the page did not record keeps its asset: URL,
// which the sanitizer removes; a /media/ URL written by hand is removed. It visits each
// node once: linear in the document.
type assetImageTransformer struct{}

// Transform implements parser.ASTTransformer.
func (assetImageTransformer) Transform(doc *ast.Document, _ text.Reader, pc parser.Context) {
	refs, _ := pc.Get(assetRefsKey).(map[string]AssetRef)
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		img, ok := n.(*ast.Image)
		if !entering || !ok {
			return ast.WalkContinue, nil
		}
		// The destination as the renderer will write it: backslash escapes and character
		// references resolved (`\/media/…`, `&#47;media/…`, a reference definition), so
		// that no spelling of a /media/ URL gets past this check.
		if bytes.HasPrefix(util.URLEscape(img.Destination, true), []byte(MediaPrefix)) {
			// A media URL written by hand would show an image the page's record does not
			// name (and so its signature would not cover): only asset: links make them.
			img.Destination = nil
			return ast.WalkSkipChildren, nil
		}
		id, found := strings.CutPrefix(string(img.Destination), "asset:")
		r, known := refs[id]
		if !found || !known {
			return ast.WalkContinue, nil
		}
		img.Destination = []byte(r.Src())
		if !img.HasChildren() && r.Alt != "" && !r.Decorative {
			img.AppendChild(img, ast.NewString([]byte(r.Alt))) // `![](asset:…)`: the asset's alt text
		}
		img.SetAttributeString("srcset", []byte(r.SrcSet()))
		img.SetAttributeString("sizes", []byte(ImageSizes))
		img.SetAttributeString("width", []byte(strconv.Itoa(r.Width)))
		img.SetAttributeString("height", []byte(strconv.Itoa(r.Height)))
		img.SetAttributeString("loading", []byte("lazy"))
		return ast.WalkSkipChildren, nil
	})
}

// Patterns of what a delivered image may carry: only this server's content-addressed
// media URLs (relative, since the website that shows the page proxies or rewrites them),
// only their srcset, and only the sizes this package writes.
var (
	mediaURLPattern = `/media/[0-9a-f]{64}/(?:original|[1-9][0-9]{0,4})\.(?:jpg|png|webp)`
	mediaSrc        = regexp.MustCompile(`^` + mediaURLPattern + `$`)
	mediaSrcSet     = regexp.MustCompile(`^` + mediaURLPattern + ` [1-9][0-9]{0,4}w(?:, ` + mediaURLPattern + ` [1-9][0-9]{0,4}w){0,7}$`)
	mediaSizes      = regexp.MustCompile(`^` + regexp.QuoteMeta(ImageSizes) + `$`)
)

// allowMediaImages extends the sanitizer policy with exactly the attributes
// assetImageTransformer writes.
func allowMediaImages(p *bluemonday.Policy) {
	p.AllowAttrs("src").Matching(mediaSrc).OnElements("img")
	p.AllowAttrs("srcset").Matching(mediaSrcSet).OnElements("img")
	p.AllowAttrs("sizes").Matching(mediaSizes).OnElements("img")
	p.AllowAttrs("width", "height").Matching(bluemonday.Integer).OnElements("img")
	p.AllowAttrs("loading").Matching(regexp.MustCompile(`^lazy$`)).OnElements("img")
}

// renderMarkdownWith is RenderMarkdown with the page's recorded assets, so
// `![alt](asset:<id>)` renders as the asset's responsive image.
func renderMarkdownWith(src string, refs map[string]AssetRef) string {
	if len(refs) == 0 || !strings.Contains(src, "asset:") {
		return RenderMarkdown(src)
	}
	var buf bytes.Buffer
	pc := newLinearContext()
	pc.Set(assetRefsKey, refs)
	if err := markdown.Convert([]byte(src), &buf, parser.WithContext(pc)); err != nil {
		return "<p>" + html.EscapeString(src) + "</p>"
	}
	return sanitizer.Sanitize(buf.String())
}
