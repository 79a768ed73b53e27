package content

import (
	"bytes"
	"html"
	"io"
	"regexp"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// linkRel is set on every link: the pages are medical information, so outbound links must
// not pass on ranking or give the target a handle on the reader's window.
const linkRel = "nofollow noopener"

// markdown and sanitizer are built once and only read afterwards; both are safe for
// concurrent use.
var (
	markdown = goldmark.New(
		goldmark.WithParser(newMarkdownParser()),
		// CommonMark plus the GFM parts writers need. Raw HTML is NOT enabled
		// (html.WithUnsafe): goldmark replaces it with a comment, and bluemonday drops that.
		goldmark.WithExtensions(
			extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)),
			extension.Strikethrough,
			extension.Linkify,
		),
		goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(relTransformer{}, 1000),
			util.Prioritized(assetImageTransformer{}, 1001))),
	)
	sanitizer = newSanitizer()
)

// newMarkdownParser is goldmark's default parser (the same parsers at the same priorities)
// with the parts that took time quadratic in their input replaced: the link and link
// reference parsers (markdown_links.go, markdown_linkrefs.go), code spans that never close
// (markdown_codespans.go) and unbounded nesting of blockquotes and lists
// (markdown_nesting.go). Emphasis matching is replaced through the context every parse
// gets (markdown_emphasis.go): see convertMarkdown.
func newMarkdownParser() parser.Parser {
	return parser.NewParser(
		parser.WithBlockParsers(markdownBlockParsers()...),
		parser.WithInlineParsers(markdownInlineParsers()...),
		parser.WithParagraphTransformers(util.Prioritized(linkReferenceParagraphTransformer{}, 100)),
	)
}

// markdownBlockParsers is parser.DefaultBlockParsers with nesting bounded.
func markdownBlockParsers() []util.PrioritizedValue {
	return []util.PrioritizedValue{
		util.Prioritized(parser.NewSetextHeadingParser(), 100),
		util.Prioritized(parser.NewThematicBreakParser(), 200),
		util.Prioritized(nestingLimit{parser.NewListParser()}, 300),
		util.Prioritized(parser.NewListItemParser(), 400),
		util.Prioritized(parser.NewCodeBlockParser(), 500),
		util.Prioritized(parser.NewATXHeadingParser(), 600),
		util.Prioritized(parser.NewFencedCodeBlockParser(), 700),
		util.Prioritized(nestingLimit{parser.NewBlockquoteParser()}, 800),
		util.Prioritized(parser.NewHTMLBlockParser(), 900),
		util.Prioritized(parser.NewParagraphParser(), 1000),
	}
}

// markdownInlineParsers is parser.DefaultInlineParsers with the link parser replaced and
// the code span parser guarded (markdown_codespans.go).
func markdownInlineParsers() []util.PrioritizedValue {
	return []util.PrioritizedValue{
		util.Prioritized(codeSpanGuard{parser.NewCodeSpanParser()}, 100),
		util.Prioritized(&linkParser{}, 200),
		util.Prioritized(parser.NewAutoLinkParser(), 300),
		util.Prioritized(parser.NewRawHTMLParser(), 400),
		util.Prioritized(parser.NewEmphasisParser(), 500),
	}
}

// newSanitizer allows exactly what goldmark emits for the enabled syntax and nothing
// else, so that even a goldmark bug cannot smuggle script, styles or event handlers out.
func newSanitizer() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
		"ul", "ol", "li", "pre", "code", "em", "strong", "del",
		"table", "thead", "tbody", "tr", "th", "td")
	p.AllowAttrs("start").Matching(bluemonday.Integer).OnElements("ol")
	p.AllowAttrs("align").Matching(bluemonday.CellAlign).OnElements("th", "td")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^language-[A-Za-z0-9_+-]{1,40}$`)).OnElements("code")
	p.AllowAttrs("href", "title").OnElements("a")
	p.AllowAttrs("rel").Matching(regexp.MustCompile(`^` + linkRel + `$`)).OnElements("a")
	p.AllowAttrs("alt", "title").OnElements("img")
	// Images only from absolute http(s) URLs: a relative src would resolve against
	// whichever website shows the page, and data: URLs can carry anything.
	p.AllowAttrs("src").Matching(regexp.MustCompile(`^(?i)https?://`)).OnElements("img")
	allowMediaImages(p) // the library's images (markdown_images.go)
	p.AllowURLSchemes("http", "https", "mailto")
	p.AllowRelativeURLs(true) // in-page anchors and site-relative links
	p.RequireParseableURLs(true)
	p.RequireNoFollowOnLinks(true) // belt and braces: relTransformer already sets rel
	return p
}

// relTransformer sets rel on every link goldmark will render, including autolinks.
type relTransformer struct{}

// Transform implements parser.ASTTransformer.
func (relTransformer) Transform(doc *ast.Document, _ text.Reader, _ parser.Context) {
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n.(type) {
		case *ast.Link, *ast.AutoLink:
			n.SetAttributeString("rel", []byte(linkRel))
		}
		return ast.WalkContinue, nil
	})
}

// convertMarkdown renders src as goldmark's Convert does, parsing with linearContext: the
// parser above relies on it (for emphasis and for Linkify inside link text).
func convertMarkdown(src []byte, w io.Writer) error {
	return markdown.Convert(src, w, parser.WithContext(newLinearContext()))
}

// RenderMarkdown converts CommonMark (with GFM tables, strikethrough and autolinks) to
// HTML that is safe to embed in any page: raw HTML in the source is dropped, there are no
// script, style or iframe elements, no event-handler attributes, only http(s), mailto and
// relative link URLs, only absolute http(s) image URLs (and the library's own, from
// `asset:` links: markdown_images.go), and every link carries
// rel="nofollow noopener".
func RenderMarkdown(src string) string {
	if src == "" {
		return ""
	}
	var buf bytes.Buffer
	if err := convertMarkdown([]byte(src), &buf); err != nil {
		// Convert fails only when its writer does, and a bytes.Buffer does not; should it
		// ever happen, escaped text is still safe to show.
		return "<p>" + html.EscapeString(src) + "</p>"
	}
	return sanitizer.Sanitize(buf.String())
}
