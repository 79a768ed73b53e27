package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
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
	if err := exportAccounts(ctx, a.Store, dir); err != nil {
		return fmt.Errorf("accounts: %w", err)
	}
	images, err := exportMedia(ctx, a.Store, dir, stderr) // media_transfer.go
	if err != nil {
		return fmt.Errorf("media: %w", err)
	}
	fmt.Fprintf(stdout, "exported %d pages, %d images and the accounts (%s, no passwords) to %s\n", len(ids), images, accountsFile, dir)
	return nil
}

// importFile is one parsed file, ready to import.
type importFile struct {
	name   string
	export *editorial.CheckedImport
	simple *samplePage
}

func (f importFile) slug() string {
	if f.export != nil {
		return f.export.Slug()
	}
	return f.simple.Slug
}

// checkedFile is what the check pass keeps of a file: enough to import it later, not its
// pages (a library's history does not fit in memory all at once).
type checkedFile struct {
	name     string
	sha256   [sha256.Size]byte
	slug     string
	pageID   string
	signings []editorial.Signing
	problems []string
}

// runImport imports in two passes. The first parses and checks every file, on every core,
// keeping only each file's slug and SHA-256: a bad file anywhere means nothing is
// imported. The second reads the files again and writes them page by page, the next pages
// being decoded and checked while one is written; a file whose bytes changed since it was
// checked stops the import there.
func runImport(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	var withAccounts, createSigners bool
	cfg, rest, err := parseConfig("import", args, stderr, getenv, func(fs *flag.FlagSet) {
		fs.BoolVar(&withAccounts, "with-accounts", false,
			"create the accounts of the directory's "+accountsFile+" that this store lacks, without passwords, "+
				"so their approvals verify (this trusts the file's signers; the audit trail records it)")
		fs.BoolVar(&createSigners, "create-signers", false,
			"for exports without "+accountsFile+" (earlier releases): create each missing signer as a disabled reviewer "+
				"account named as its approvals name it (this trusts the files' signers; the audit trail records it)")
	})
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return errors.New("usage: monograph import FILE|DIR [--with-accounts | --create-signers] [--data DIR | --mongodb-uri URI]")
	}
	names, err := jsonFiles(rest[0])
	if err != nil {
		return err
	}
	accountsPath := ""
	names = slices.DeleteFunc(names, func(n string) bool {
		if filepath.Base(n) == accountsFile {
			accountsPath = n
			return true
		}
		return false
	})
	checked := make([]checkedFile, len(names))
	check := &progress{w: stderr, verb: "checked", total: len(names)}
	_ = inParallel(len(names), func(i int) checkedFile {
		f, sum, problems := parseImportFile(names[i])
		c := checkedFile{name: names[i], sha256: sum, problems: problems}
		if len(problems) == 0 {
			c.slug = f.slug()
			if f.export != nil {
				c.pageID, c.signings = f.export.PageID(), f.export.Signings()
			}
		}
		return c
	}, func(i int, c checkedFile) error {
		checked[i] = c
		check.step(i + 1)
		return nil
	})
	var problems []string
	slugs := map[string]string{}
	for _, c := range checked {
		problems = append(problems, c.problems...)
		if len(c.problems) == 0 {
			if other, dup := slugs[c.slug]; dup {
				problems = append(problems, fmt.Sprintf("%s: slug %q is also in %s", c.name, c.slug, other))
			}
			slugs[c.slug] = c.name
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
	for _, c := range checked {
		if taken, err := a.Store.SlugTaken(ctx, c.slug); err != nil {
			return err
		} else if taken {
			problems = append(problems, fmt.Sprintf("%s: a page with slug %q exists already in the store", c.name, c.slug))
		}
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(stderr, p)
		}
		return errors.New("nothing was imported: the store already holds some of these pages")
	}
	if withAccounts {
		if accountsPath == "" {
			return fmt.Errorf("--with-accounts: %s has no %s (monograph export writes one)", rest[0], accountsFile)
		}
		created, err := importAccounts(ctx, a.Store, accountsPath, a.Clock.Now(), stderr)
		if len(created) > 0 {
			sum, _ := fileSHA256(accountsPath)
			a.Pages.RecordAccountEvent(ctx, operatorPrincipal(getenv), "accounts_imported",
				map[string]any{"file": filepath.Base(accountsPath), "sha256": sum, "created": created})
		}
		if err != nil {
			return fmt.Errorf("%w; no page was imported", err)
		}
	}
	if createSigners {
		var all []editorial.Signing
		for _, c := range checked {
			all = append(all, c.signings...)
		}
		created, err := createSignerAccounts(ctx, a.Store, all, a.Clock.Now(), stderr)
		if len(created) > 0 {
			a.Pages.RecordAccountEvent(ctx, operatorPrincipal(getenv), "signers_created", map[string]any{"created": created})
		}
		if err != nil {
			return fmt.Errorf("%w; no page was imported", err)
		}
	}
	// Every approval must be signed by an account of this store that was a reviewer when it
	// signed: a file cannot bring its own signers.
	for _, c := range checked {
		if br := editorial.CheckSigners(ctx, a.Pages.Accounts, c.signings); br != nil {
			problems = append(problems, fmt.Sprintf("%s: audit event %d: %s", c.name, br.Seq, br.Reason))
		}
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(stderr, p)
		}
		hint := ""
		switch {
		case accountsPath != "" && !withAccounts:
			hint = "; if you trust " + accountsPath + ", add --with-accounts to create its accounts first"
		case accountsPath == "" && !createSigners:
			hint = "; for an export of an earlier release, which lists no accounts, --create-signers creates them (if you trust the files)"
		}
		return errors.New("nothing was imported: approvals must be signed by reviewers with an account in this store" + hint)
	}
	// The images first (media_transfer.go), every file checked against its hash before any
	// is stored, so the pages' images resolve to the exact files their signatures name.
	if st, err := os.Stat(rest[0]); err == nil && st.IsDir() {
		assets, err := readMediaExport(rest[0])
		if err != nil {
			return fmt.Errorf("media: %w; no page was imported", err)
		}
		if n, err := importMedia(ctx, a.Store, assets); err != nil {
			return fmt.Errorf("media: %w (%d images were imported; no page was)", err, n)
		} else if n > 0 {
			fmt.Fprintf(stderr, "imported %d images\n", n)
		}
	}
	// Pages are written in batches, each one store change where the store allows it (the
	// embedded store: one transaction per batch, so far fewer writes of shared index pages).
	pr := &progress{w: stderr, verb: "imported", total: len(checked)}
	var batch []editorial.CheckedImport
	var batchFiles []string
	written := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		n, err := a.Pages.Import(ctx, batch...)
		written += n
		if err != nil {
			return fmt.Errorf("%s: %w (%d pages were imported before this batch of %d failed; the rest were not: fix it and import the remaining files)",
				strings.Join(batchFiles, ", "), describe(err), written, len(batch))
		}
		pr.step(written)
		batch, batchFiles = batch[:0], batchFiles[:0]
		return nil
	}
	err = inParallel(len(checked), func(i int) readResult {
		f, err := readChecked(checked[i])
		return readResult{f, err}
	}, func(i int, r readResult) error {
		if r.err != nil {
			if err := flush(); err != nil {
				return err
			}
			return r.err
		}
		f := r.file
		if f.export == nil {
			if err := flush(); err != nil {
				return err
			}
			if _, err := a.Pages.Create(ctx, importActor, f.simple.Slug, f.simple.Content, "imported from "+filepath.Base(f.name)); err != nil {
				return fmt.Errorf("%s: %w (%d pages before it were imported; import the remaining files)", f.name, describe(err), written)
			}
			written++
			pr.step(written)
			return nil
		}
		batch, batchFiles = append(batch, *f.export), append(batchFiles, filepath.Base(f.name))
		if len(batch) == importBatch {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return err
	}
	// The import itself is on the record: who ran it, which files (by SHA-256), which pages.
	files := make([]any, len(checked))
	for i, c := range checked {
		files[i] = map[string]any{"file": filepath.Base(c.name), "sha256": hex.EncodeToString(c.sha256[:]), "slug": c.slug, "pageId": c.pageID}
	}
	a.Pages.RecordAccountEvent(ctx, operatorPrincipal(getenv), "import", map[string]any{"pages": len(checked), "files": files})
	fmt.Fprintf(stdout, "imported %d pages\n", len(checked))
	return nil
}

// operatorPrincipal names the person running a command-line operation, for the audit
// trail: the operating-system user (the command line has no sign-in).
func operatorPrincipal(getenv func(string) string) cms.Principal {
	name := getenv("USER")
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	}
	if name == "" {
		name = "unknown"
	}
	return cms.Principal{UserID: "operator:" + name, Name: "operator " + name}
}

// importBatch is how many exported pages are written in one store change.
const importBatch = 32

type readResult struct {
	file importFile
	err  error
}

// readChecked reads a checked file again for writing. Its bytes must be the ones checked
// (by SHA-256): a file changed meanwhile is not imported.
func readChecked(c checkedFile) (importFile, error) {
	data, err := os.ReadFile(c.name)
	if err != nil {
		return importFile{}, err
	}
	if sha256.Sum256(data) != c.sha256 {
		return importFile{}, fmt.Errorf("%s changed since it was checked; nothing after it was imported: run the import again with the remaining files", c.name)
	}
	f := importFile{name: c.name}
	if isExport(data) {
		var exp editorial.PageExport
		if err := strictjson.Decode(data, &exp, ""); err != nil {
			return importFile{}, fmt.Errorf("%s: %w", c.name, err)
		}
		checked, err := editorial.CheckImport(exp)
		if err != nil {
			return importFile{}, fmt.Errorf("%s: %w", c.name, err)
		}
		f.export = &checked
		return f, nil
	}
	var sp samplePage
	if err := strictjson.Decode(data, &sp, ""); err != nil {
		return importFile{}, fmt.Errorf("%s: %w", c.name, err)
	}
	sp.Content.Normalize()
	f.simple = &sp
	return f, nil
}

// inParallel computes produce(i) for i in [0, n) on every core and hands the results to
// consume in order, on the calling goroutine, while the next ones are being computed. At
// most a few results wait at a time. It stops at consume's first error and returns it.
func inParallel[T any](n int, produce func(int) T, consume func(int, T) error) error {
	workers := runtime.GOMAXPROCS(0)
	results := make([]chan T, n)
	for i := range results {
		results[i] = make(chan T, 1)
	}
	ahead := make(chan struct{}, 2*workers) // bounds what waits for consume
	next := make(chan int)
	stop := make(chan struct{})
	go func() {
		defer close(next)
		for i := range n {
			select {
			case ahead <- struct{}{}:
			case <-stop:
				return
			}
			select {
			case next <- i:
			case <-stop:
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i] <- produce(i)
			}
		}()
	}
	defer wg.Wait()
	defer close(stop)
	for i := range n {
		r := <-results[i]
		<-ahead
		if err := consume(i, r); err != nil {
			return err
		}
	}
	return nil
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
func parseImportFile(name string) (importFile, [sha256.Size]byte, []string) {
	data, err := os.ReadFile(name)
	if err != nil {
		return importFile{}, [sha256.Size]byte{}, []string{fmt.Sprintf("%s: %v", name, err)}
	}
	sum := sha256.Sum256(data)
	f := importFile{name: name}
	if isExport(data) {
		var exp editorial.PageExport
		err = strictjson.Decode(data, &exp, "")
		if err == nil {
			var checked editorial.CheckedImport
			if checked, err = editorial.CheckImport(exp); err == nil {
				f.export = &checked
			}
		}
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
		return f, sum, nil
	}
	var e *cms.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return f, sum, []string{fmt.Sprintf("%s: %v", name, err)}
	}
	out := make([]string, len(e.Fields))
	for i, fe := range e.Fields {
		out[i] = fmt.Sprintf("%s:%d: %s: %s", name, lineOf(data, fe), fe.Field, fe.Message)
	}
	return f, sum, out
}

// exportKey finds the export format's "format" member. Only an export has a member of that
// name (the simple {slug, content} format has none anywhere): a key, as the colon after it
// says, since a JSON string's own quotes are escaped.
var exportKey = regexp.MustCompile(`"format"\s*:`)

// isExport tells an export file from the simple {slug, content} format without parsing it.
func isExport(data []byte) bool { return exportKey.Match(data) }

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

// fileSHA256 returns the hex SHA-256 of a file's bytes.
func fileSHA256(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), nil
}
