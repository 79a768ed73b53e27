package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/strictjson"
)

// importActor is who creates pages imported from the simple {slug, content} format.
var importActor = cms.Principal{UserID: "import", Name: "Import"}

// progress prints "verb done/total" at most every 200 ms and always at the end, so long
// runs show they are alive without flooding the terminal.
type progress struct {
	w     io.Writer
	verb  string
	total int
	last  time.Time
}

func (p *progress) step(done int) {
	if done == p.total || time.Since(p.last) > 200*time.Millisecond {
		p.last = time.Now()
		fmt.Fprintf(p.w, "%s %d/%d pages\n", p.verb, done, p.total)
	}
}

func runExport(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	cfg, rest, err := parseConfig("export", args, stderr, getenv, nil)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return errors.New("usage: monograph export DIR [--data DIR | --mongodb-uri URI]")
	}
	dir := rest[0]
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	a, err := Open(ctx, cfg, Options{Logger: NewLogger(cfg, stderr)})
	if err != nil {
		return err
	}
	defer a.Close(context.Background())
	ids, err := a.Store.AllPageIDs(ctx)
	if err != nil {
		return err
	}
	pr := &progress{w: stderr, verb: "exported", total: len(ids)}
	for i, id := range ids {
		exp, err := a.Pages.Export(ctx, id)
		if err != nil {
			return fmt.Errorf("page %s: %w", id, err)
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(exp); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, exp.Page.Slug+".json"), buf.Bytes(), 0o644); err != nil {
			return err
		}
		pr.step(i + 1)
	}
	fmt.Fprintf(stdout, "exported %d pages to %s\n", len(ids), dir)
	return nil
}

// importFile is one parsed file, ready to import.
type importFile struct {
	name   string
	export *editorial.PageExport
	simple *samplePage
}

func runImport(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	cfg, rest, err := parseConfig("import", args, stderr, getenv, nil)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return errors.New("usage: monograph import FILE|DIR [--data DIR | --mongodb-uri URI]")
	}
	names, err := jsonFiles(rest[0])
	if err != nil {
		return err
	}
	// Parse and check every file before writing anything: a bad file anywhere means
	// nothing is imported.
	var files []importFile
	var problems []string
	slugs := map[string]string{}
	for _, name := range names {
		f, errs := parseImportFile(name)
		problems = append(problems, errs...)
		if len(errs) == 0 {
			slug := f.slug()
			if other, dup := slugs[slug]; dup {
				problems = append(problems, fmt.Sprintf("%s: slug %q is also in %s", name, slug, other))
			}
			slugs[slug] = name
			files = append(files, f)
		}
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(stderr, p)
		}
		return fmt.Errorf("%d problem(s) in %d file(s); nothing was imported — fix them and run the import again", len(problems), len(names))
	}
	a, err := Open(ctx, cfg, Options{Logger: NewLogger(cfg, stderr)})
	if err != nil {
		return err
	}
	defer a.Close(context.Background())
	for _, f := range files {
		if taken, err := a.Store.SlugTaken(ctx, f.slug()); err != nil {
			return err
		} else if taken {
			problems = append(problems, fmt.Sprintf("%s: a page with slug %q exists already in the store", f.name, f.slug()))
		}
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(stderr, p)
		}
		return errors.New("nothing was imported: the store already holds some of these pages")
	}
	pr := &progress{w: stderr, verb: "imported", total: len(files)}
	for i, f := range files {
		if f.export != nil {
			err = a.Pages.Import(ctx, *f.export)
		} else {
			_, err = a.Pages.Create(ctx, importActor, f.simple.Slug, f.simple.Content, "imported from "+filepath.Base(f.name))
		}
		if err != nil {
			return fmt.Errorf("%s: %w (pages before it were imported; re-run with the remaining files)", f.name, describe(err))
		}
		pr.step(i + 1)
	}
	fmt.Fprintf(stdout, "imported %d pages\n", len(files))
	return nil
}

func (f importFile) slug() string {
	if f.export != nil {
		return f.export.Page.Slug
	}
	return f.simple.Slug
}

func jsonFiles(path string) ([]string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return []string{path}, nil
	}
	names, err := filepath.Glob(filepath.Join(path, "*.json"))
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no .json files in %s", path)
	}
	sort.Strings(names)
	return names, nil
}

// parseImportFile reads one file in either format: an export ({"format": …}) or the simple
// {slug, content} of samples/. Problems come back as "file:line: field: message".
func parseImportFile(name string) (importFile, []string) {
	data, err := os.ReadFile(name)
	if err != nil {
		return importFile{}, []string{fmt.Sprintf("%s: %v", name, err)}
	}
	var probe map[string]json.RawMessage
	isExport := json.Unmarshal(data, &probe) == nil && probe["format"] != nil
	f := importFile{name: name}
	if isExport {
		var exp editorial.PageExport
		err = strictjson.Decode(data, &exp, "")
		if err == nil {
			_, err = editorial.CheckImport(exp)
		}
		f.export = &exp
	} else {
		var sp samplePage
		err = strictjson.Decode(data, &sp, "")
		if err == nil {
			var fields []cms.FieldError
			if e := editorial.ValidateSlug(sp.Slug); e != nil {
				fields = append(fields, e.(*cms.Error).Fields...)
			}
			sp.Content.Normalize()
			if e := sp.Content.Validate(); e != nil {
				fields = append(fields, e.(*cms.Error).Fields...)
			}
			if len(fields) > 0 {
				err = cms.Invalid(fields...)
			}
		}
		f.simple = &sp
	}
	if err == nil {
		return f, nil
	}
	var e *cms.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return f, []string{fmt.Sprintf("%s: %v", name, err)}
	}
	out := make([]string, len(e.Fields))
	for i, fe := range e.Fields {
		out[i] = fmt.Sprintf("%s:%d: %s: %s", name, lineOf(data, fe), fe.Field, fe.Message)
	}
	return f, out
}

var byteOffset = regexp.MustCompile(`byte offset (\d+)`)

// lineOf finds the line a problem is on: from the byte offset a syntax error names, or else
// the first line holding the failing field's key (the best a path allows without a
// position-tracking parser).
func lineOf(data []byte, fe cms.FieldError) int {
	if m := byteOffset.FindStringSubmatch(fe.Message); m != nil {
		off, _ := strconv.Atoi(m[1])
		return 1 + bytes.Count(data[:min(off, len(data))], []byte("\n"))
	}
	path := fe.Field
	if i := strings.LastIndex(path, "."); i >= 0 {
		path = path[i+1:]
	}
	if i := strings.Index(path, "["); i >= 0 {
		path = path[:i]
	}
	if i := bytes.Index(data, []byte(`"`+path+`"`)); i >= 0 && path != "" {
		return 1 + bytes.Count(data[:i], []byte("\n"))
	}
	return 1
}

func runAuditVerify(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	cfg, _, err := parseConfig("audit verify", args, stderr, getenv, nil)
	if err != nil {
		return err
	}
	a, err := Open(ctx, cfg, Options{Logger: NewLogger(cfg, stderr)})
	if err != nil {
		return err
	}
	defer a.Close(context.Background())
	var total int
	br, err := a.Pages.VerifyAudit(ctx, func(done, n int) {
		total = n
		if done%100 == 0 {
			fmt.Fprintf(stderr, "verified %d/%d pages\n", done, n)
		}
	})
	if err != nil {
		return err
	}
	if br != nil {
		return fmt.Errorf("audit chain broken: %v", br)
	}
	fmt.Fprintf(stdout, "audit chains intact: %d pages verified\n", total)
	return nil
}
