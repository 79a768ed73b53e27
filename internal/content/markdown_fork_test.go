package content

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// stockMarkdown is goldmark configured as RenderMarkdown was before its parser was changed
// for linear time: the reference the changed parser must agree with.
var stockMarkdown = goldmark.New(
	goldmark.WithExtensions(
		extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)),
		extension.Strikethrough,
		extension.Linkify,
	),
	goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(relTransformer{}, 1000))),
)

// convertBoth renders src with RenderMarkdown's parser and with stockMarkdown, unsanitised.
func convertBoth(t testing.TB, src string) (ours, stock string) {
	t.Helper()
	var a, b bytes.Buffer
	if err := convertMarkdown([]byte(src), &a); err != nil {
		t.Fatal(err)
	}
	if err := stockMarkdown.Convert([]byte(src), &b); err != nil {
		t.Fatal(err)
	}
	return a.String(), b.String()
}

// deviates reports whether src reaches one of the bounds that make the changed parser
// differ from goldmark on purpose: destinations whose parentheses nest more than 32 deep,
// <destinations> holding "<", and more than 32 nested blockquotes and lists.
func deviates(src string) bool {
	if strings.Count(src, "(") > maxDestinationParens {
		return true
	}
	if stockNesting(src) > maxContainerNesting {
		return true
	}
	for i := strings.Index(src, "(<"); i >= 0; {
		rest := src[i+2:]
		if end := strings.IndexByte(rest, '\n'); end >= 0 {
			rest = rest[:end]
		}
		if strings.Contains(rest, "<") {
			return true
		}
		j := strings.Index(src[i+2:], "(<")
		if j < 0 {
			break
		}
		i += 2 + j
	}
	return false
}

// stockNesting returns how deep blockquotes and lists nest in goldmark's parse of src.
func stockNesting(src string) int {
	doc := stockMarkdown.Parser().Parse(text.NewReader([]byte(src)))
	deepest, depth := 0, 0
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if k := n.Kind(); k == ast.KindBlockquote || k == ast.KindList {
			if entering {
				depth++
				deepest = max(deepest, depth)
			} else {
				depth--
			}
		}
		return ast.WalkContinue, nil
	})
	return deepest
}

// goldmarkSpecExamples returns the CommonMark spec examples shipped with the goldmark
// module, or nil when the module's source is not at hand.
func goldmarkSpecExamples(t *testing.T) []string {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/yuin/goldmark").Output()
	if err != nil {
		return nil
	}
	data, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "_test", "spec.json"))
	if err != nil {
		return nil
	}
	var examples []struct{ Markdown string }
	if err := json.Unmarshal(data, &examples); err != nil {
		t.Fatal(err)
	}
	var srcs []string
	for _, e := range examples {
		srcs = append(srcs, e.Markdown)
	}
	return srcs
}

// TestMarkdownMatchesGoldmark renders the CommonMark spec examples, the feature tour, the
// sanitiser's nasty inputs and small versions of the adversarial ones with both parsers:
// the HTML must be the same byte for byte.
func TestMarkdownMatchesGoldmark(t *testing.T) {
	tour, err := os.ReadFile("testdata/markdown_features.md")
	if err != nil {
		t.Fatal(err)
	}
	srcs := append([]string{string(tour)}, nastyMarkdown...)
	for _, a := range adversarialMarkdown {
		srcs = append(srcs, a.gen(30), a.gen(200))
	}
	spec := goldmarkSpecExamples(t)
	if spec == nil {
		t.Log("goldmark's spec examples not found; comparing the other inputs only")
	}
	srcs = append(srcs, spec...)
	compared := 0
	for _, src := range srcs {
		if deviates(src) {
			continue
		}
		compared++
		if got, want := convertBoth(t, src); got != want {
			t.Errorf("input %q:\n got  %q\n want %q", src, got, want)
		}
	}
	t.Logf("%d of %d inputs compared", compared, len(srcs))
	if compared < len(srcs)*3/4 {
		t.Errorf("only %d of %d inputs compared", compared, len(srcs))
	}
}

// TestMarkdownDeviations shows what the bounds change, each at the smallest input that
// reaches it.
func TestMarkdownDeviations(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"parens nest 32 deep", "[a](" + strings.Repeat("(", 32) + strings.Repeat(")", 32) + ")",
			`<p><a href="` + strings.Repeat("(", 32) + strings.Repeat(")", 32) + `" rel="nofollow noopener">a</a></p>` + "\n"},
		{"parens nest 33 deep", "[a](" + strings.Repeat("(", 33) + strings.Repeat(")", 33) + ")",
			"<p>[a](" + strings.Repeat("(", 33) + strings.Repeat(")", 33) + ")</p>\n"},
		{"< in <destination>", "[a](<b<c>)", "<p>[a](&lt;b)</p>\n"}, // <c> is raw HTML, dropped
		{"32 nested quotes", strings.Repeat(">", 32) + " x",
			strings.Repeat("<blockquote>\n", 32) + "<p>x</p>\n" + strings.Repeat("</blockquote>\n", 32)},
		{"33 nested quotes", strings.Repeat(">", 33) + " x",
			strings.Repeat("<blockquote>\n", 32) + "<p>&gt; x</p>\n" + strings.Repeat("</blockquote>\n", 32)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := RenderMarkdown(tc.in); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

// FuzzMarkdownMatchesGoldmark: whatever the input, the changed parser renders what
// goldmark renders, unless the input reaches one of the deliberate bounds.
func FuzzMarkdownMatchesGoldmark(f *testing.F) {
	for _, s := range nastyMarkdown {
		f.Add(s)
	}
	for _, a := range adversarialMarkdown {
		f.Add(a.gen(40))
	}
	f.Add("[a\n](b \"t\n\")\n\n[r]: <u>\n 'x\n\n[r]\n> [q](r)\n> - [s]\n\n| [a](b) | c |\n|---|---|\n| [d][r] | www.e.org |")
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 2000 || deviates(src) {
			return
		}
		if got, want := convertBoth(t, src); got != want {
			t.Fatalf("input %q:\n got  %q\n want %q", src, got, want)
		}
	})
}

// TestMarkdownParserPriorities keeps newMarkdownParser in step with goldmark's defaults: a
// goldmark upgrade that adds, drops or reorders a default parser fails here, to be looked at.
func TestMarkdownParserPriorities(t *testing.T) {
	list := func(vs []util.PrioritizedValue) []string {
		var out []string
		for _, v := range vs {
			val := v.Value
			switch w := val.(type) {
			case nestingLimit:
				val = w.BlockParser
			case codeSpanGuard:
				val = w.InlineParser
			}
			typ := reflect.TypeOf(val).String()
			if _, ok := val.(*linkParser); ok {
				typ = reflect.TypeOf(parser.NewLinkParser()).String()
			}
			out = append(out, fmt.Sprintf("%d %s", v.Priority, typ))
		}
		return out
	}
	if got, want := list(markdownBlockParsers()), list(parser.DefaultBlockParsers()); !reflect.DeepEqual(got, want) {
		t.Errorf("block parsers\n got  %v\n want %v", got, want)
	}
	if got, want := list(markdownInlineParsers()), list(parser.DefaultInlineParsers()); !reflect.DeepEqual(got, want) {
		t.Errorf("inline parsers\n got  %v\n want %v", got, want)
	}
	if got, want := len(parser.DefaultParagraphTransformers()), 1; got != want {
		t.Errorf("goldmark has %d paragraph transformers, newMarkdownParser replaces %d", got, want)
	}
}
