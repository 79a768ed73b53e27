package doccheck

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// docMention finds a document named in source text: a path ending in .md, or one of the
// bare names of documents that live outside the repository.
var docMention = regexp.MustCompile(`(?:[A-Za-z0-9_./-]+/)?[A-Za-z0-9_-]+\.md\b`)

// CitedDocs walks the Go, TypeScript and script sources under root (not dependencies) and
// returns every cited document that does not exist in the repository, so a comment never
// points a reader at a file they cannot open.
func CitedDocs(root string) ([]Broken, error) {
	var broken []Broken
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if name == "node_modules" || name == "dist" || name == ".git" || name == "testdata" || strings.HasPrefix(name, ".") && path != root {
				return filepath.SkipDir
			}
			return nil
		}
		switch filepath.Ext(name) {
		case ".go", ".ts", ".tsx", ".mjs", ".sh":
		default:
			if name != "Makefile" {
				return nil
			}
		}
		if strings.HasPrefix(filepath.ToSlash(path), filepath.ToSlash(filepath.Join(root, "internal", "doccheck"))+"/") {
			return nil // this package's own test fixtures name missing documents on purpose
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(data), "\n") {
			for _, m := range docMention.FindAllString(line, -1) {
				if !exists(root, path, m) {
					rel, _ := filepath.Rel(root, path)
					broken = append(broken, Broken{File: rel, Line: i + 1, Link: m, Reason: "cites a document that is not in the repository"})
				}
			}
		}
		return nil
	})
	return broken, err
}

// exists reports whether a cited document is a file of the repository: relative to the
// root, or to the citing file's directory, and inside the root (a clone has nothing beside
// it, even where this machine does).
func exists(root, from, doc string) bool {
	for _, p := range []string{filepath.Join(root, doc), filepath.Join(filepath.Dir(from), doc)} {
		rel, err := filepath.Rel(root, p)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			continue
		}
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return true
		}
	}
	return false
}
