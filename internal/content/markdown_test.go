package content

import (
	"io"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func TestRenderMarkdown(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"paragraph", "Hello *world* and **you**", "<p>Hello <em>world</em> and <strong>you</strong></p>\n"},
		{"heading and list", "## Dose\n\n- one\n- two", "<h2>Dose</h2>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n"},
		{"ordered start", "3. x", "<ol start=\"3\">\n<li>x</li>\n</ol>\n"},
		{"link", `[NICE](https://www.nice.org.uk/a?b=1&c=2 "t")`,
			`<p><a href="https://www.nice.org.uk/a?b=1&amp;c=2" title="t" rel="nofollow noopener">NICE</a></p>` + "\n"},
		{"relative link", "[up](#dose)", `<p><a href="#dose" rel="nofollow noopener">up</a></p>` + "\n"},
		{"autolink", "<https://example.org>", `<p><a href="https://example.org" rel="nofollow noopener">https://example.org</a></p>` + "\n"},
		{"bare url", "see www.example.org", `<p>see <a href="http://www.example.org" rel="nofollow noopener">www.example.org</a></p>` + "\n"},
		{"email", "ask a@b.org", `<p>ask <a href="mailto:a@b.org" rel="nofollow noopener">a@b.org</a></p>` + "\n"},
		{"strikethrough", "~~old~~", "<p><del>old</del></p>\n"},
		{"table", "| a | b |\n|:--|--:|\n| 1 | 2 |",
			"<table>\n<thead>\n<tr>\n<th align=\"left\">a</th>\n<th align=\"right\">b</th>\n</tr>\n</thead>\n" +
				"<tbody>\n<tr>\n<td align=\"left\">1</td>\n<td align=\"right\">2</td>\n</tr>\n</tbody>\n</table>\n"},
		{"code", "```go\nx := `<b>`\n```", "<pre><code class=\"language-go\">x := `&lt;b&gt;`\n</code></pre>\n"},
		{"image", `![pill](https://img.example/p.png "t")`, `<p><img src="https://img.example/p.png" alt="pill" title="t"></p>` + "\n"},
		{"relative image dropped", "![pill](/p.png)", `<p><img alt="pill"></p>` + "\n"},
		{"data image dropped", "![x](data:image/png;base64,AAAA)", `<p><img alt="x"></p>` + "\n"},
		{"raw html block", "<script>alert(1)</script>", "\n"},
		{"raw inline html", "a <img src=x onerror=alert(1)> b <b>c</b>", "<p>a  b c</p>\n"},
		{"javascript link", "[x](javascript:alert(1))", `<p><a rel="nofollow noopener">x</a></p>` + "\n"},
		{"entity javascript", "[x](JaVaScRiPt&#58;alert(1))", `<p><a rel="nofollow noopener">x</a></p>` + "\n"},
		{"vbscript reference", "[x][r]\n\n[r]: vbscript:msgbox", `<p><a rel="nofollow noopener">x</a></p>` + "\n"},
		{"escaped text", "&lt;script&gt; 1 < 2 & 3", "<p>&lt;script&gt; 1 &lt; 2 &amp; 3</p>\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := RenderMarkdown(tc.in)
			if got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
			if err := checkSafeHTML(got); err != "" {
				t.Error(err)
			}
		})
	}
}

// checkSafeHTML returns what is unsafe in h, or "".
func checkSafeHTML(h string) string {
	lower := strings.ToLower(h)
	for _, bad := range []string{"<script", "<iframe", "<style"} {
		if strings.Contains(lower, bad) {
			return "output contains " + bad + ": " + h
		}
	}
	z := html.NewTokenizer(strings.NewReader(h))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			if z.Err() == io.EOF {
				return ""
			}
			return "tokenizer: " + z.Err().Error()
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		tok := z.Token()
		switch tok.Data {
		case "script", "style", "iframe", "object", "embed", "form", "input", "svg", "math", "base", "meta", "link":
			return "element " + tok.Data + ": " + h
		}
		rel := ""
		for _, a := range tok.Attr {
			key := strings.ToLower(a.Key)
			switch {
			case strings.HasPrefix(key, "on"):
				return "event handler " + a.Key + ": " + h
			case key == "style" || key == "srcset" || key == "formaction" || key == "action":
				return "attribute " + a.Key + ": " + h
			case key == "href" || key == "src":
				if dangerousURL(a.Val) {
					return "dangerous URL " + a.Val + ": " + h
				}
			case key == "rel":
				rel = a.Val
			}
		}
		if tok.Data == "a" && rel != linkRel {
			return "link without rel=" + linkRel + ": " + h
		}
	}
}

// dangerousURL reports whether a browser could run u as script or data, however it is
// disguised: the tokenizer already decoded entities once; decode again, drop whitespace
// and control characters (browsers ignore them in schemes) and compare case-insensitively.
func dangerousURL(u string) bool {
	u = html.UnescapeString(u)
	u = strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7f {
			return -1
		}
		return r
	}, u)
	u = strings.ToLower(u)
	for _, s := range []string{"javascript:", "vbscript:", "data:"} {
		if strings.HasPrefix(u, s) {
			return true
		}
	}
	return false
}

// nastyMarkdown seeds the fuzzer with the tricks that have beaten Markdown sanitisers.
var nastyMarkdown = []string{
	"<script>alert(1)</script>",
	"<SCRIPT SRC=//x.js></SCRIPT>",
	"<img src=x onerror=alert(1)>",
	"<iframe src=javascript:alert(1)></iframe>",
	"<style>body{}</style>",
	"<a href=\"javascript:alert(1)\">x</a>",
	"[x](javascript:alert(1))",
	"[x](JaVaScRiPt&#58;alert(1))",
	"[x](java\tscript:alert(1))",
	"[x](&#106;avascript:alert(1))",
	"[x](%6Aavascript:alert(1))",
	"[x](vbscript:msgbox)",
	"[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
	"![x](data:image/svg+xml,<svg onload=alert(1)>)",
	"![x](javascript:alert(1))",
	"![x\" onerror=\"alert(1)](https://a/b.png)",
	"[x](https://a/b \"t\\\" onmouseover=\\\"alert(1)\")",
	"<javascript:alert(1)>",
	"<https://example.org/\"onmouseover=alert(1)>",
	"www.example.org/<script>",
	"[x][r]\n\n[r]: javascript:alert(1)",
	"[x][r]\n\n[r]: <javascript:alert(1)> \"t\"",
	"[[x](javascript:alert(1))](https://a)",
	"[x]([y](javascript:z))",
	"&lt;script&gt;alert(1)&lt;/script&gt;",
	"&#x3C;script&#x3E;",
	"<!-- <script> -->",
	"<![CDATA[<script>]]>",
	"```html\n<script>alert(1)</script>\n```",
	"`<script>`",
	"| a |\n|---|\n| <script>alert(1)</script> |",
	"~~<img src=x onerror=alert(1)>~~",
	"> <svg/onload=alert(1)>",
	"* [x](\u0000javascript:alert(1))",
	"[x](\x01javascript:alert(1))",
	"[x](<javascript:alert(1)>)",
	"[x]( javascript:alert(1) )",
	"[a](https://ok.example)",
}

func TestRenderMarkdownNasty(t *testing.T) {
	for _, in := range nastyMarkdown {
		if err := checkSafeHTML(RenderMarkdown(in)); err != "" {
			t.Errorf("%q: %s", in, err)
		}
	}
}

// FuzzRenderMarkdown asserts that no input yields script, style or iframe elements,
// event-handler attributes, script or data URLs, or links without rel.
func FuzzRenderMarkdown(f *testing.F) {
	for _, s := range nastyMarkdown {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		if err := checkSafeHTML(RenderMarkdown(src)); err != "" {
			t.Fatalf("input %q: %s", src, err)
		}
	})
}

func BenchmarkRenderSample(b *testing.B) {
	c := MustSample(b)
	for b.Loop() {
		_ = Render(c)
	}
}
