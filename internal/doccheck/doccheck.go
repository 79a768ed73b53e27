// Package doccheck finds broken relative links in the repository's Markdown: a link to a
// file or directory that does not exist, or to a heading that a Markdown file does not
// have. Its test runs over README.md, docs/ and the READMEs of clients/ and examples/, so
// `make test` fails when documentation points nowhere.
package doccheck

import (
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// Broken is one link that points nowhere.
type Broken struct {
	File   string // the Markdown file, relative to the root
	Line   int
	Link   string
	Reason string
}

func (b Broken) String() string {
	return fmt.Sprintf("%s:%d: link %q: %s", b.File, b.Line, b.Link, b.Reason)
}

// Files returns the Markdown files to check under root: README.md, docs/*.md, and every
// README.md under clients/ and examples/ (dependencies' node_modules left out).
func Files(root string) ([]string, error) {
	files := []string{"README.md"}
	docs, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		return nil, err
	}
	for _, d := range docs {
		rel, _ := filepath.Rel(root, d)
		files = append(files, rel)
	}
	for _, dir := range []string{"clients", "examples"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				if os.IsNotExist(err) {
					return filepath.SkipDir
				}
				return err
			}
			if d.IsDir() && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			if !d.IsDir() && d.Name() == "README.md" {
				rel, _ := filepath.Rel(root, path)
				files = append(files, rel)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return files, nil
}

// Check returns the broken relative links of the given Markdown files (paths relative to
// root). Absolute URLs (with a scheme) are not followed.
func Check(root string, files []string) ([]Broken, error) {
	var out []Broken
	anchors := map[string]map[string]bool{} // file → its heading anchors
	anchorsOf := func(file string) (map[string]bool, error) {
		if a, ok := anchors[file]; ok {
			return a, nil
		}
		b, err := os.ReadFile(filepath.Join(root, file))
		if err != nil {
			return nil, err
		}
		a := Anchors(string(b))
		anchors[file] = a
		return a, nil
	}
	for _, file := range files {
		b, err := os.ReadFile(filepath.Join(root, file))
		if err != nil {
			return nil, err
		}
		for _, l := range Links(string(b)) {
			if bad := checkLink(root, file, l.Target, anchorsOf); bad != "" {
				out = append(out, Broken{File: filepath.ToSlash(file), Line: l.Line, Link: l.Target, Reason: bad})
			}
		}
	}
	return out, nil
}

func checkLink(root, file, target string, anchorsOf func(string) (map[string]bool, error)) string {
	if target == "" {
		return "empty link"
	}
	if u, err := url.Parse(target); err == nil && u.Scheme != "" {
		return "" // http:, https:, mailto: … are not checked here
	}
	if strings.HasPrefix(target, "/") {
		return "absolute path: link relative to the file instead"
	}
	path, frag, _ := strings.Cut(target, "#")
	if p, err := url.PathUnescape(path); err == nil {
		path = p
	}
	dest := file
	if path != "" {
		dest = filepath.Join(filepath.Dir(file), filepath.FromSlash(path))
		rel, err := filepath.Rel(root, filepath.Join(root, dest))
		if err != nil || strings.HasPrefix(rel, "..") {
			return "points outside the repository"
		}
		if _, err := os.Stat(filepath.Join(root, dest)); err != nil {
			return "no such file or directory"
		}
	}
	if frag == "" || !strings.HasSuffix(dest, ".md") {
		return ""
	}
	a, err := anchorsOf(dest)
	if err != nil {
		return err.Error()
	}
	if !a[frag] {
		return fmt.Sprintf("%s has no heading with anchor #%s", filepath.ToSlash(dest), frag)
	}
	return ""
}

// Link is one link found in a Markdown text.
type Link struct {
	Line   int
	Target string
}

var (
	inlineLink = regexp.MustCompile(`!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)`)
	refDef     = regexp.MustCompile(`^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$`)
	codeSpan   = regexp.MustCompile("`+[^`]*`+")
	fence      = regexp.MustCompile("^\\s{0,3}(```|~~~)")
)

// Links returns the inline links, images and reference definitions of a Markdown text,
// outside fenced code blocks and code spans.
func Links(md string) []Link {
	var out []Link
	eachProseLine(md, func(n int, line string) {
		if m := refDef.FindStringSubmatch(line); m != nil {
			out = append(out, Link{Line: n, Target: m[1]})
			return
		}
		line = codeSpan.ReplaceAllString(line, "")
		for _, m := range inlineLink.FindAllStringSubmatch(line, -1) {
			out = append(out, Link{Line: n, Target: m[1]})
		}
	})
	return out
}

// eachProseLine calls fn with each line of md (numbered from 1) that is outside fenced
// code blocks, where links and headings mean something.
func eachProseLine(md string, fn func(n int, line string)) {
	inFence := ""
	for i, line := range strings.Split(md, "\n") {
		if m := fence.FindStringSubmatch(line); m != nil {
			switch inFence {
			case "":
				inFence = m[1]
			case m[1]:
				inFence = ""
			}
			continue
		}
		if inFence == "" {
			fn(i+1, line)
		}
	}
}

var (
	heading    = regexp.MustCompile(`^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$`)
	linkText   = regexp.MustCompile(`!?\[([^\]]*)\]\([^)]*\)`)
	htmlAnchor = regexp.MustCompile(`<a\s+(?:name|id)="([^"]+)"`)
)

// Anchors returns the anchors a Markdown text's headings get on GitHub (and in most
// renderers): lower case, punctuation dropped, spaces as hyphens, "-1", "-2"… on repeats;
// and the ids of explicit <a name|id="…"> anchors.
func Anchors(md string) map[string]bool {
	out := map[string]bool{}
	count := map[string]int{}
	eachProseLine(md, func(_ int, line string) {
		for _, m := range htmlAnchor.FindAllStringSubmatch(line, -1) {
			out[m[1]] = true
		}
		m := heading.FindStringSubmatch(line)
		if m == nil {
			return
		}
		s := Slug(m[1])
		if c := count[s]; c > 0 {
			out[s+"-"+strconv.Itoa(c)] = true
		} else {
			out[s] = true
		}
		count[s]++
	})
	return out
}

// Slug is the anchor of a heading's text.
func Slug(text string) string {
	text = linkText.ReplaceAllString(text, "$1")
	var b strings.Builder
	for _, r := range strings.ToLower(text) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}
