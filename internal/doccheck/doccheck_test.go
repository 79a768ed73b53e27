package doccheck

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// Every relative link in the repository's documentation points at a file that exists, and
// at a heading that exists when it names one.
func TestRepositoryLinks(t *testing.T) {
	root := filepath.Join("..", "..")
	files, err := Files(root)
	if err != nil {
		t.Fatal(err)
	}
	broken, err := Check(root, files)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range broken {
		t.Error(b)
	}
	if len(files) < 2 {
		t.Fatalf("checked only %v", files)
	}
}

func TestSlug(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Delivery", "delivery"},
		{"Get a page: `GET /api/v1/pages/{slug}`", "get-a-page-get-apiv1pagesslug"},
		{"Errors (problem+json)", "errors-problemjson"},
		{"The [sync feed](api.md#sync)", "the-sync-feed"},
		{"snake_case and dash-case", "snake_case-and-dash-case"},
		{"Médicaments – résumé", "médicaments--résumé"},
	} {
		if got := Slug(tc.in); got != tc.want {
			t.Errorf("Slug(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestLinksAndAnchors(t *testing.T) {
	md := strings.Join([]string{
		"# Title",
		"See [the API](docs/api.md#delivery), ![logo](img/logo.png \"Logo\") and [site](https://example.org).",
		"Code `[not](a-link.md)` is skipped.",
		"```",
		"[nor](this.md)",
		"```",
		"[ref]: docs/ops.md",
		"## Title",
		`<a name="custom"></a>`,
	}, "\n")
	got := Links(md)
	want := []Link{{2, "docs/api.md#delivery"}, {2, "img/logo.png"}, {2, "https://example.org"}, {7, "docs/ops.md"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Links = %v, want %v", got, want)
	}
	a := Anchors(md)
	for _, s := range []string{"title", "title-1", "custom"} {
		if !a[s] {
			t.Errorf("anchor %q missing from %v", s, a)
		}
	}
}

// A broken link is reported with its file, line and link, and what is wrong with it.
func TestCheckReportsBrokenLinks(t *testing.T) {
	root := t.TempDir()
	write := func(name, text string) {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("README.md", "[ok](docs/a.md#part-one)\n[gone](docs/missing.md)\n[anchor](docs/a.md#nope)\n[up](../outside.md)\n[dir](examples/)\n[abs](/docs/a.md)\n")
	write("docs/a.md", "# A\n## Part one\n[self](#a)\n[back](../README.md)\n")
	write("examples/site/README.md", "[x](../../docs/a.md)\n")
	files, err := Files(root)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"README.md", filepath.Join("docs", "a.md"), filepath.Join("examples", "site", "README.md")}; !reflect.DeepEqual(files, want) {
		t.Fatalf("Files = %v, want %v", files, want)
	}
	broken, err := Check(root, files)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range broken {
		got = append(got, b.String())
	}
	want := []string{
		`README.md:2: link "docs/missing.md": no such file or directory`,
		`README.md:3: link "docs/a.md#nope": docs/a.md has no heading with anchor #nope`,
		`README.md:4: link "../outside.md": points outside the repository`,
		`README.md:6: link "/docs/a.md": absolute path: link relative to the file instead`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("broken =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// Every document a source comment cites is in the repository (issue 16: comments cited
// contract documents a clone does not have).
func TestSourcesCiteOnlyRepositoryDocuments(t *testing.T) {
	broken, err := CitedDocs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range broken {
		t.Error(b)
	}
}

func TestCitedDocsFindsMissing(t *testing.T) {
	root := t.TempDir()
	must := func(name, body string) {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(root, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	must("docs/api.md", "# API\n")
	must("a/a.go", "// see docs/api.md and API.md\n// and ../../outside/DESIGN.md\n")
	// A document beside the repository is not in a clone of it.
	must("../outside/DESIGN.md", "# Design\n")
	broken, err := CitedDocs(root)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range broken {
		got = append(got, b.Link)
	}
	if want := []string{"API.md", "../../outside/DESIGN.md"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("broken = %v, want %v", got, want)
	}
}
